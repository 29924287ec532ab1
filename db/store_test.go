package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// rqlite's and Raft's package-level workers outlive any one store.
		goleak.IgnoreTopFunction("github.com/rqlite/rqlite/v8/internal/rsync.(*PollTrue).Run"),
		// rqlite's transport hands each Raft RPC to Raft with a send that
		// does not watch for shutdown: one that arrives while Raft shuts
		// down blocks it forever. Close stops inbound traffic first, which
		// narrows that window to almost nothing but cannot close it.
		goleak.IgnoreTopFunction("github.com/rqlite/rqlite/v8/store.(*NodeTransport).Consumer.func1"),
		// rqlite's Open makes Raft's network transport before it reads the
		// snapshots, and does not close it when that fails (a damaged
		// snapshot: TestOpenRefusesDamagedSnapshot): its listen loop
		// stays. The process ends on a failed open; a test's goes on.
		goleak.IgnoreTopFunction("github.com/hashicorp/raft.(*NetworkTransport).listen"),
	)
}

func open(t *testing.T, dir string) *db.Store {
	t.Helper()
	s, err := db.Open(context.Background(), db.Config{Dir: dir})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestOpenCreatesSchemaAndReopens(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir)
	id := s.NodeID()
	if v, err := s.SchemaVersion(ctx); err != nil || v < 1 {
		t.Fatalf("SchemaVersion = %d, %v; want >= 1", v, err)
	}
	st := s.Status()
	if st.State != "leader" || st.Leader != id {
		t.Fatalf("Status = %+v; want leader %s", st, id)
	}
	in := &db.Interaction{ID: "i1", Node: id, Provider: "ollama", Model: "tiny", Prompt: "hi", Status: db.StatusRunning, StartedAt: time.Now()}
	if _, err := s.Execute(ctx, db.InsertInteractionStmt(in)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	// Reopen: same node, same data, no second bootstrap, migrations not re-run.
	s = open(t, dir)
	defer s.Close(ctx)
	if s.NodeID() != id {
		t.Fatalf("node id changed across reopen: %s -> %s", id, s.NodeID())
	}
	got, ok, err := s.Interaction(ctx, "i1")
	if err != nil || !ok {
		t.Fatalf("Interaction after reopen: ok=%v err=%v", ok, err)
	}
	if got.Prompt != "hi" || got.Status != db.StatusRunning {
		t.Fatalf("Interaction after reopen = %+v", got)
	}
	// What a finished request records reads back, its prompt estimate
	// (the context builder's calibration) included.
	fin := time.Now()
	in.Status, in.FinishedAt, in.PromptTokens, in.PromptEstimate = db.StatusOK, &fin, 50, 42
	if _, err := s.Execute(ctx, db.FinishInteractionStmt(in)); err != nil {
		t.Fatal(err)
	}
	if got, _, err = s.Interaction(ctx, "i1"); err != nil || got.Status != db.StatusOK || got.PromptTokens != 50 || got.PromptEstimate != 42 {
		t.Fatalf("finished interaction = %+v, %v", got, err)
	}
	rows, err := s.Query(ctx, `SELECT COUNT(*) FROM schema_migrations`)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("migrations/*.sql")
	if n := rows.Values[0][0].(int64); n != int64(len(files)) || n == 0 {
		t.Fatalf("schema_migrations has %d rows; want one per migration file (%d)", n, len(files))
	}
}

func TestSecondOpenIsRefusedWithPID(t *testing.T) {
	dir := t.TempDir()
	s := dbtest.OpenDir(t, dir)
	_ = s
	_, err := db.Open(context.Background(), db.Config{Dir: dir})
	if err == nil {
		t.Fatal("second Open of a locked dir succeeded")
	}
	ue := usererr.As(err)
	if ue == nil {
		t.Fatalf("error %v is not a user error", err)
	}
	want := "in use by PID " + strconv.Itoa(os.Getpid())
	if !strings.Contains(ue.Error(), want) || !strings.Contains(ue.Error(), dir) {
		t.Fatalf("error = %q; want it to name %q and %s", ue.Error(), want, dir)
	}
}

func TestUnwritableDataDir(t *testing.T) {
	// A path under a regular file is unwritable for everyone, root included
	// (root ignores permission bits).
	parent := t.TempDir()
	file := filepath.Join(parent, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(file, "data")
	_, err := db.Open(context.Background(), db.Config{Dir: dir})
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Error(), dir) || !strings.Contains(ue.Error(), "--data-dir") {
		t.Fatalf("error = %v; want a user error naming %s", err, dir)
	}
}

func TestExecuteIsAtomic(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	in := &db.Interaction{ID: "a", Node: "n", Provider: "p", Model: "m", Prompt: "x", Status: db.StatusRunning, StartedAt: time.Now()}
	_, err := s.Execute(ctx, db.InsertInteractionStmt(in), db.Stmt(`INSERT INTO no_such_table VALUES (1)`))
	if !errors.Is(err, db.ErrStatement) {
		t.Fatalf("Execute error = %v; want ErrStatement", err)
	}
	if _, ok, _ := s.Interaction(ctx, "a"); ok {
		t.Fatal("first statement of a failed transaction was applied")
	}
}

// TestDiskFull: a write that finds no room (SQLite's SQLITE_FULL, here
// from a page limit) is one sentence naming the data dir; nothing of it
// is kept.
func TestDiskFull(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	var pages int64
	rows, err := s.Query(ctx, "PRAGMA page_count")
	if err == nil && len(rows.Values) == 1 {
		pages, _ = rows.Values[0][0].(int64)
	}
	if pages == 0 {
		t.Fatalf("page_count: %+v, %v", rows, err)
	}
	if _, err := s.Execute(ctx, db.Stmt(fmt.Sprintf("PRAGMA max_page_count = %d", pages+2))); err != nil {
		t.Fatal(err)
	}
	in := &db.Interaction{ID: "big", Node: "n", Provider: "p", Model: "m", Prompt: strings.Repeat("x", 1<<20), Status: db.StatusRunning, StartedAt: time.Now()}
	_, err = s.Execute(ctx, db.InsertInteractionStmt(in))
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, "disk holding the data dir "+s.Dir()+" is full") || !errors.Is(err, db.ErrStatement) {
		t.Fatalf("error = %v; want a user error naming the data dir, wrapping the statement's", err)
	}
	if _, ok, _ := s.Interaction(ctx, "big"); ok {
		t.Fatal("the write that did not fit was kept")
	}
}

func TestEventsVersionPerStream(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	now := time.Now()
	var stmts []db.Statement
	for _, stream := range []string{"a", "b", "a", "a"} {
		stmts = append(stmts, db.AppendEventStmt(&db.Event{Stream: stream, Type: "t", Payload: json.RawMessage(`{"k":1}`), Node: "n", Actor: "u", Time: now}))
	}
	if _, err := s.Execute(ctx, stmts...); err != nil {
		t.Fatal(err)
	}
	evs, err := s.Events(ctx, "a", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 {
		t.Fatalf("stream a has %d events; want 3", len(evs))
	}
	for i, ev := range evs {
		if ev.Version != int64(i+1) || string(ev.Payload) != `{"k":1}` || ev.Schema != 1 {
			t.Errorf("event %d = %+v", i, ev)
		}
	}
	all, _ := s.Events(ctx, "", evs[0].ID, 0)
	if len(all) != 3 {
		t.Fatalf("events after id %d: %d; want 3", evs[0].ID, len(all))
	}
}

func TestInteractionsNewestFirst(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	base := time.UnixMilli(1_700_000_000_000)
	for i := range 5 {
		in := &db.Interaction{ID: strconv.Itoa(i), Node: "n", Provider: "p", Model: "m", Prompt: "x", Status: db.StatusRunning, StartedAt: base.Add(time.Duration(i) * time.Second)}
		ttft, total := 1.5, 9.25
		fin := in.StartedAt.Add(time.Second)
		in.Status, in.TTFTMillis, in.TotalMillis, in.FinishedAt, in.PromptTokens, in.CompletionTokens = db.StatusOK, &ttft, &total, &fin, 3, 7
		if _, err := s.Execute(ctx, db.InsertInteractionStmt(in), db.FinishInteractionStmt(in)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Interactions(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "4" || got[1].ID != "3" {
		t.Fatalf("Interactions(2) = %+v", got)
	}
	g := got[0]
	if g.Status != db.StatusOK || *g.TTFTMillis != 1.5 || *g.TotalMillis != 9.25 || g.PromptTokens != 3 || g.CompletionTokens != 7 || !g.StartedAt.Equal(base.Add(4*time.Second)) {
		t.Fatalf("row = %+v", g)
	}
}

func TestSnapshotOnCloseBoundsReplay(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := db.Open(ctx, db.Config{Dir: dir, SnapshotEvery: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		in := &db.Interaction{ID: strconv.Itoa(i), Node: "n", Provider: "p", Model: "m", Prompt: "x", Status: db.StatusRunning, StartedAt: time.Now()}
		if _, err := s.Execute(ctx, db.InsertInteractionStmt(in)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	snaps, _ := filepath.Glob(filepath.Join(dir, "store", "rsnapshots", "*"))
	if len(snaps) == 0 {
		t.Fatal("no snapshot taken on close")
	}
	s = open(t, dir)
	defer s.Close(ctx)
	got, _ := s.Interactions(ctx, 0)
	if len(got) != 10 {
		t.Fatalf("after snapshot and reopen: %d rows; want 10", len(got))
	}
}

// TestSnapshotOnCloseByBytes: a few large writes are snapshotted away on
// close even when they are few entries, so the next Open does not replay them.
func TestSnapshotOnCloseByBytes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openWithBigWrite(t, dir)
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	snaps, _ := filepath.Glob(filepath.Join(dir, "store", "rsnapshots", "*"))
	if len(snaps) == 0 {
		t.Fatal("no snapshot after 8 KiB of writes with a 4 KiB threshold")
	}
}

// A process killed after Raft created its files and before the bootstrap
// was written leaves a store with no configuration; the next Open must
// bootstrap it, not wait for a leader that can never be elected.
func TestOpenBootstrapsAStoreKilledBeforeItsBootstrap(t *testing.T) {
	dir := t.TempDir()
	if err := db.OpenUnbootstrapped(dir); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := db.Open(ctx, db.Config{Dir: dir, OpenTimeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("Open after a killed first run: %v", err)
	}
	ev := &db.Event{Stream: "s", Type: "t", Payload: json.RawMessage(`{}`), Node: "n", Actor: "u", Time: time.Now()}
	if err := s.AppendEvents(ctx, []*db.Event{ev}); err != nil {
		t.Fatalf("write after the bootstrap: %v", err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	// Reopened, it is an old node with its data: not bootstrapped again.
	s = open(t, dir)
	defer s.Close(ctx)
	if evs, err := s.Events(ctx, "s", 0, 0); err != nil || len(evs) != 1 {
		t.Fatalf("events after reopening = %d, %v; want 1", len(evs), err)
	}
}

// Text that is not valid UTF-8 is stored with U+FFFD for its bad bytes
// rather than failing the write (Protocol Buffers refuse such strings).
func TestInvalidUTF8IsStoredReplaced(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	ev := &db.Event{Stream: "caf\xe9", Type: "t", Payload: json.RawMessage(`{}`), Node: "n", Actor: "u\xff", Time: time.Now()}
	if _, err := s.Execute(ctx, db.AppendEventStmt(ev)); err != nil {
		t.Fatalf("append: %v", err)
	}
	evs, err := s.Events(ctx, "caf\uFFFD", 0, 0)
	if err != nil || len(evs) != 1 || evs[0].Actor != "u\uFFFD" {
		t.Fatalf("events = %+v, %v; want one, by u\uFFFD", evs, err)
	}
}

// TestSnapshotAfterReplayOfACrash: a process that wrote much and died
// before its snapshot (kill -9) leaves its entries to be replayed by every
// later open. The next process to open the store replays them once and
// snapshots them away on close, though it writes nothing itself.
func TestSnapshotAfterReplayOfACrash(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openWithBigWrite(t, dir)
	if err := db.Crash(s); err != nil {
		t.Fatal(err)
	}
	snaps := func() []string {
		m, _ := filepath.Glob(filepath.Join(dir, "store", "rsnapshots", "*"))
		return m
	}
	if n := len(snaps()); n != 0 {
		t.Fatalf("%d snapshots after a crash; the test needs none", n)
	}
	s, err := db.Open(ctx, db.Config{Dir: dir, SnapshotEvery: 1000, SnapshotBytes: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Interactions(ctx, 0); len(got) != 1 {
		t.Fatalf("after the crash: %d rows; want the one written", len(got))
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if len(snaps()) == 0 {
		t.Fatal("the open that replayed 8 KiB of a crashed process's writes took no snapshot on close; every later open replays them again")
	}
}

// openWithBigWrite opens the store in dir with a 4 KiB snapshot threshold
// (and 1,000 entries) and writes 8 KiB into it.
func openWithBigWrite(t *testing.T, dir string) *db.Store {
	t.Helper()
	ctx := context.Background()
	s, err := db.Open(ctx, db.Config{Dir: dir, SnapshotEvery: 1000, SnapshotBytes: 4 << 10})
	if err != nil {
		t.Fatal(err)
	}
	in := &db.Interaction{ID: "big", Node: "n", Provider: "p", Model: "m", Prompt: strings.Repeat("x", 8<<10), Status: db.StatusRunning, StartedAt: time.Now()}
	if _, err := s.Execute(ctx, db.InsertInteractionStmt(in)); err != nil {
		t.Fatal(err)
	}
	return s
}
