package audit_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/audit"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

func newLog(t testing.TB, st *db.Store, node string) *audit.Log {
	t.Helper()
	l := audit.New(audit.Config{Store: st, Node: node})
	t.Cleanup(func() {
		if err := l.Close(context.Background()); err != nil {
			t.Errorf("close audit log: %v", err)
		}
	})
	return l
}

func rec(i int) *audit.Record {
	return &audit.Record{Actor: "cli", Op: audit.OpWrite, Path: fmt.Sprintf("/p/f%d.go", i), Result: audit.ResultOK, Detail: "10 bytes"}
}

// appendN appends n records, one append each.
func appendN(t *testing.T, l *audit.Log, n int) {
	t.Helper()
	for i := range n {
		if err := l.Append(context.Background(), rec(i)); err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, l *audit.Log) audit.Report {
	t.Helper()
	rep, err := l.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestAppendVerify(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t)
	l := newLog(t, st, "n1")
	if rep := verify(t, l); !rep.Intact || rep.Rows != 0 || rep.String() != "audit chain intact: 0 rows" {
		t.Fatalf("empty chain: %+v %q", rep, rep)
	}
	r := rec(1)
	r.Time = time.Date(2026, 1, 2, 3, 4, 5, 6_789_000, time.UTC)
	if err := l.Append(ctx, r, rec(2), rec(3)); err != nil {
		t.Fatal(err)
	}
	if r.ID != 1 || r.Node != "n1" || r.PrevHash != "" || r.Hash != audit.Hash(r) || len(r.Hash) != 64 {
		t.Fatalf("appended record: %+v", r)
	}
	if !r.Time.Equal(time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC)) {
		t.Errorf("time not cut to the millisecond the store keeps: %v", r.Time)
	}
	appendN(t, l, 7)
	rep := verify(t, l)
	if !rep.Intact || rep.Rows != 10 || rep.String() != "audit chain intact: 10 rows" {
		t.Fatalf("report %+v", rep)
	}
	rows, err := l.List(ctx, audit.Query{Limit: 2})
	if err != nil || len(rows) != 2 || rows[0].ID != 9 || rows[1].ID != 10 || rows[1].PrevHash != rows[0].Hash {
		t.Fatalf("List(limit 2) = %+v, %v", rows, err)
	}
	rows, err = l.List(ctx, audit.Query{Since: time.Now().Add(-time.Minute)})
	if err != nil || len(rows) != 9 {
		t.Fatalf("List(since a minute ago) = %d rows, %v; want 9 (the first is from 2026-01-02)", len(rows), err)
	}
}

// TestHashStable pins the hash encoding: changing it would make every
// chain already stored fail verification.
func TestHashStable(t *testing.T) {
	r := &audit.Record{ID: 7, Time: time.UnixMilli(1_767_000_000_123), Node: "n1", Actor: "cli", Op: "write",
		Path: "/p/a.go", Result: "ok", Detail: "3 bytes", PrevHash: strings.Repeat("ab", 32)}
	const want = "34d8f82e5606a90aad0cc1001433d4e6e1d6be7740f483577b36580df1961b81"
	if got := audit.Hash(r); got != want {
		t.Errorf("Hash = %s, want %s", got, want)
	}
	// Every field counts; moving bytes between fields changes the hash.
	base := audit.Hash(r)
	variants := []func(r *audit.Record){
		func(r *audit.Record) { r.ID++ },
		func(r *audit.Record) { r.Time = r.Time.Add(time.Millisecond) },
		func(r *audit.Record) { r.Node = "n2" },
		func(r *audit.Record) { r.Actor = "tui" },
		func(r *audit.Record) { r.Op = "read" },
		func(r *audit.Record) { r.Path += "x" },
		func(r *audit.Record) { r.Result = "error" },
		func(r *audit.Record) { r.Detail = "" },
		func(r *audit.Record) { r.PrevHash = "" },
		func(r *audit.Record) { r.Actor, r.Op = "cliw", "rite" },
	}
	for i, change := range variants {
		c := *r
		change(&c)
		if audit.Hash(&c) == base {
			t.Errorf("variant %d: same hash", i)
		}
	}
}

// TestTamper changes the stored chain behind the log's back, as someone
// with the database file could, and checks Verify finds the first broken
// row.
func TestTamper(t *testing.T) {
	cases := []struct {
		name       string
		sql        []string
		brokenAt   int64
		reasonPart string
	}{
		{"field changed", []string{`UPDATE audit SET path = '/p/other.go' WHERE id = 4`}, 4, "do not match its hash"},
		{"row rehashed", nil, 5, "prev_hash is not the hash of row 4"}, // hash fixed up below
		{"row deleted", []string{`DELETE FROM audit WHERE id = 3`}, 4, "row 3 is missing"},
		{"rows deleted", []string{`DELETE FROM audit WHERE id IN (3, 4)`}, 5, "rows 3–4 are missing"},
		{"first row deleted", []string{`DELETE FROM audit WHERE id = 1`}, 2, "row 1 is missing"},
		{"last rows deleted", []string{`DELETE FROM audit WHERE id > 4`}, 5, "rows 5–6 are missing (deleted) at the end"},
		{"rows swapped", []string{
			`UPDATE audit SET id = -3 WHERE id = 3`, `UPDATE audit SET id = 3 WHERE id = 4`, `UPDATE audit SET id = 4 WHERE id = -3`,
		}, 3, "do not match its hash"},
		{"row forged at the end", []string{
			`INSERT INTO audit (id, ts, node, actor, op, path, result, detail, prev_hash, hash)
				VALUES (7, 0, 'n1', 'cli', 'read', '/p/x', 'ok', '', 'bogus', 'bogus')`,
		}, 7, "do not match its hash"},
		{"timestamp moved", []string{`UPDATE audit SET ts = ts + 1 WHERE id = 6`}, 6, "do not match its hash"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			st := dbtest.Open(t)
			l := newLog(t, st, "n1")
			appendN(t, l, 6)
			if c.sql == nil {
				// Change row 4 and give it a matching hash: the link from
				// row 5 breaks instead.
				rows, _ := st.AuditRows(ctx, 3, 1)
				r := rows[0]
				r.Detail = "forged"
				c.sql = []string{fmt.Sprintf(`UPDATE audit SET detail = 'forged', hash = '%s' WHERE id = 4`, audit.Hash(&r))}
			}
			for _, q := range c.sql {
				if _, err := st.Execute(ctx, db.Stmt(q)); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			rep := verify(t, l)
			if rep.Intact || rep.BrokenAt != c.brokenAt || !strings.Contains(rep.Reason, c.reasonPart) {
				t.Fatalf("report %+v; want broken at %d with %q", rep, c.brokenAt, c.reasonPart)
			}
			if !strings.HasPrefix(rep.String(), fmt.Sprintf("audit chain broken at row %d: ", c.brokenAt)) {
				t.Errorf("report line %q", rep)
			}
			// Appending after the damage chains on, and the damage stays
			// visible.
			appendN(t, l, 1)
			if rep := verify(t, l); rep.Intact {
				t.Errorf("chain intact again after an append: %+v", rep)
			}
		})
	}
}

// TestConcurrentWriters: several logs (as several processes would) append
// to one store at once; every record lands once and the chain holds.
func TestConcurrentWriters(t *testing.T) {
	st := dbtest.Open(t)
	const writers, each = 4, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		l := newLog(t, st, fmt.Sprint("w", w))
		wg.Go(func() {
			for i := range each {
				if err := l.Append(context.Background(), rec(i)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if rep := verify(t, newLog(t, st, "v")); !rep.Intact || rep.Rows != writers*each {
		t.Fatalf("report %+v, want intact with %d rows", rep, writers*each)
	}
}

// TestClusterChain: nodes of a cluster append at once through Raft (the
// followers' writes are forwarded to the leader); the chain is one chain
// on every node.
func TestClusterChain(t *testing.T) {
	ctx := context.Background()
	nodes := dbtest.OpenCluster(t, 3)
	var wg sync.WaitGroup
	errs := make(chan error, len(nodes))
	for i, st := range nodes {
		l := newLog(t, st, fmt.Sprint("node", i))
		wg.Go(func() {
			for j := range 8 {
				if err := l.Append(ctx, rec(j), rec(j+100)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var hashes []string
	for _, st := range nodes {
		if err := st.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		rep := verify(t, newLog(t, st, "v"))
		if !rep.Intact || rep.Rows != 3*8*2 {
			t.Fatalf("%s: report %+v", st.NodeID(), rep)
		}
		tip, _ := st.AuditTip(ctx)
		hashes = append(hashes, tip.Hash)
	}
	if hashes[0] != hashes[1] || hashes[1] != hashes[2] {
		t.Fatalf("tips differ between nodes: %v", hashes)
	}
}

func TestRecordFlush(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t)
	l := audit.New(audit.Config{Store: st, Node: "n1", Queue: 64, Batch: 50})
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 250 {
				if err := l.Record(ctx, *rec(g*1000 + i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := l.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if rep := verify(t, l); !rep.Intact || rep.Rows != 1000 {
		t.Fatalf("report %+v, want 1000 rows intact", rep)
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := l.Record(ctx, *rec(0)); !errors.Is(err, audit.ErrClosed) {
		t.Fatalf("Record after Close = %v, want ErrClosed", err)
	}
}

// failingStore fails every append, as a store that lost its quorum would.
type failingStore struct{ audit.Store }

func (failingStore) AppendAudit(context.Context, int64, []db.AuditRow) error {
	return errors.New("no quorum")
}

func TestFlushReportsLostRecords(t *testing.T) {
	ctx := context.Background()
	l := audit.New(audit.Config{Store: failingStore{dbtest.Open(t)}})
	for i := range 3 {
		if err := l.Record(ctx, *rec(i)); err != nil {
			t.Fatal(err)
		}
	}
	err := l.Flush(ctx)
	if err == nil || !strings.Contains(err.Error(), "records not stored") || !strings.Contains(err.Error(), "no quorum") {
		t.Fatalf("Flush = %v", err)
	}
	if err := l.Flush(ctx); err != nil {
		t.Fatalf("second Flush reports the same loss again: %v", err)
	}
}

func TestClean(t *testing.T) {
	cases := []struct {
		in   string
		n    int
		want string
	}{
		{"plain/path.go", 100, "plain/path.go"},
		{"a\x00b", 100, `a\x00b`},
		{"tab\there\n", 100, `tab\x09here\x0a`},
		{"bad\xffutf8", 100, "bad\uFFFDutf8"},
		{"héllo", 100, "héllo"},
		{"\uFFFD", 100, "\uFFFD"},
		{strings.Repeat("é", 10), 8, "éé…"},
		{strings.Repeat("a", 10), 5, "aa…"},
	}
	for _, c := range cases {
		if got := audit.Clean(c.in, c.n); got != c.want {
			t.Errorf("Clean(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
