package session_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/session/sessiontest"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
	"github.com/aiex-dev/aiex/providers"
)

func TestMain(m *testing.M) {
	if runKillChild() {
		return
	}
	goleak.VerifyTestMain(m,
		// rqlite's package-level worker outlives any one store.
		goleak.IgnoreTopFunction("github.com/rqlite/rqlite/v8/internal/rsync.(*PollTrue).Run"),
	)
}

// clock is a test clock that moves one second per reading.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// env is a store with a session service of one process on node-a.
type env struct {
	st    *db.Store
	log   *events.Log
	svc   *session.Service
	clock *clock
}

func newEnv(t *testing.T, cfg session.Config) *env {
	t.Helper()
	st := dbtest.Open(t)
	return envOn(t, st, "node-a", cfg)
}

// envOn is another process (or node) on the same store.
func envOn(t *testing.T, st *db.Store, node string, cfg session.Config) *env {
	t.Helper()
	c := newClock()
	cfg.Log = events.New(events.Config{Store: st, Registry: sessiontest.Registry(t), Node: node, Now: c.Now})
	log, svc := sessiontest.New(t, st, cfg)
	return &env{st: st, log: log, svc: svc, clock: c}
}

// turn runs one whole turn.
func turn(t *testing.T, s *session.Session, prompt, answer string) int64 {
	t.Helper()
	ctx := context.Background()
	n, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: prompt})
	if err != nil {
		t.Fatal(err)
	}
	err = s.RecordTurnCompleted(ctx, n, session.TurnResult{Answer: answer, Provider: "ollama", Model: "tiny", Node: "node-a",
		InteractionID: fmt.Sprintf("i-%s-%d", s.ID(), n), PromptTokens: 10, CompletionTokens: 20, CostUSD: 0.000125, TotalMillis: 900})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBeginContinueHistory(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	s, err := e.svc.Begin(ctx, session.RefLast, "/p", "cli") // none yet: a new one
	if err != nil || !s.New() {
		t.Fatalf("Begin(last) in an empty project = %v, new %v", err, s != nil && s.New())
	}
	if list, _ := e.svc.List(ctx, session.ListOptions{}); len(list) != 0 {
		t.Fatalf("a session with no turn is listed: %+v", list)
	}
	turn(t, s, "Why is the sky blue?\nExplain.", "Rayleigh scattering.")
	if s.New() || s.Version() != 3 {
		t.Fatalf("after a turn: new %v version %d", s.New(), s.Version())
	}

	// Another interface continues it.
	s2, err := e.svc.Begin(ctx, session.RefLast, "/p", "tui")
	if err != nil || s2.ID() != s.ID() || s2.New() {
		t.Fatalf("Begin(last) = %v, %v", s2, err)
	}
	h := s2.History()
	want := []providers.Message{{Role: providers.RoleUser, Content: "Why is the sky blue?\nExplain."}, {Role: providers.RoleAssistant, Content: "Rayleigh scattering."}}
	if fmt.Sprint(h) != fmt.Sprint(want) {
		t.Fatalf("History = %v", h)
	}
	turn(t, s2, "And sunsets?", "Longer path.")
	msgs := session.WithHistory(s2.History(), []providers.Message{{Role: providers.RoleSystem, Content: "sys"}, {Role: providers.RoleUser, Content: "q3"}})
	if len(msgs) != 6 || msgs[0].Content != "sys" || msgs[1].Content != want[0].Content || msgs[5].Content != "q3" {
		t.Fatalf("WithHistory = %v", msgs)
	}
	cut, n := s2.HistoryWithin(30, func(s string) int { return len(s) / 4 })
	if n != 1 || len(cut) != 2 || cut[0].Content != "And sunsets?" {
		t.Fatalf("HistoryWithin = %v, %d", cut, n)
	}

	// By id, and by a prefix of it, from another project.
	for _, ref := range []string{s.ID(), s.ID()[:5]} {
		s3, err := e.svc.Begin(ctx, session.Ref(ref), "/elsewhere", "lsp")
		if err != nil || s3.ID() != s.ID() {
			t.Fatalf("Begin(%s) = %v", ref, err)
		}
	}
	info := s2.Info()
	if info.Title != "Why is the sky blue?" || info.Turns != 2 || info.PromptTokens != 20 || info.CompletionTokens != 40 ||
		info.CostUSD != 0.00025 || info.Actor != "cli" || info.Node != "node-a" || info.Provider != "ollama" {
		t.Fatalf("Info = %+v", info)
	}
	u := s2.Usage()
	if len(u) != 1 || u[0].Turns != 2 || u[0].CostUSD != 0.00025 {
		t.Fatalf("Usage = %+v", u)
	}
	list, err := e.svc.List(ctx, session.ListOptions{Project: "/p"})
	if err != nil || len(list) != 1 || list[0].ID != s.ID() {
		t.Fatalf("List = %+v, %v", list, err)
	}

	// Another interface waits for a turn this one answers.
	n3, err := s2.RecordTurnStarted(ctx, session.TurnStart{Prompt: "third"})
	must(t, err)
	done := make(chan error, 1)
	go func() { done <- s2.RecordTurnCompleted(ctx, n3, session.TurnResult{Answer: "3"}) }()
	sessiontest.WaitTurn(t, e.log, e.st, s.ID(), n3, db.TurnCompleted, 10*time.Second)
	must(t, <-done)
	sessiontest.CheckReplay(t, e.log, e.st)
}

// TestTwoWritersOneSession: two interfaces continue one session at once;
// the second to append conflicts, reloads, and takes the next turn.
func TestTwoWritersOneSession(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	s, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	turn(t, s, "one", "1")
	a, _ := e.svc.Begin(ctx, session.Ref(s.ID()), "/p", "cli")
	b, _ := e.svc.Begin(ctx, session.Ref(s.ID()), "/p", "tui")
	na, err := a.RecordTurnStarted(ctx, session.TurnStart{Prompt: "from cli"})
	if err != nil || na != 2 {
		t.Fatalf("a: turn %d, %v", na, err)
	}
	before := b.Version()
	nb, err := b.RecordTurnStarted(ctx, session.TurnStart{Prompt: "from tui"})
	if err != nil || nb != 3 || before != 3 || b.Version() != 5 {
		t.Fatalf("b: turn %d (version %d -> %d), %v", nb, before, b.Version(), err)
	}
	// Each completes its own turn, in either order, through the other's appends.
	if err := b.RecordTurnCompleted(ctx, nb, session.TurnResult{Answer: "B"}); err != nil {
		t.Fatal(err)
	}
	if err := a.RecordTurnCompleted(ctx, na, session.TurnResult{Answer: "A"}); err != nil {
		t.Fatal(err)
	}
	o, _ := e.svc.Open(ctx, session.Ref(s.ID()), "/p")
	got := o.Turns(ctx, 1, 0)
	if len(got) != 3 || got[1].Prompt != "from cli" || got[1].Answer != "A" || got[2].Prompt != "from tui" || got[2].Answer != "B" {
		t.Fatalf("turns = %+v", got)
	}
	evs, _ := e.log.Read(ctx, session.Stream(s.ID()), 0)
	if len(evs) != 7 {
		t.Fatalf("%d events; want 7 (no duplicate)", len(evs))
	}
	sessiontest.CheckReplay(t, e.log, e.st)
}

// TestInterruptedTurn: a turn whose process ended shows as interrupted,
// and is marked so once the session is continued; a late answer still
// lands.
func TestInterruptedTurn(t *testing.T) {
	ctx := context.Background()
	dead := newEnv(t, session.Config{Instance: "p1"})
	s, _ := dead.svc.Begin(ctx, session.RefNew, "/p", "cli")
	turn(t, s, "one", "1")
	n, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "two"})
	if err != nil {
		t.Fatal(err)
	}
	// Its own process sees it running.
	if o, _ := dead.svc.Open(ctx, session.RefLast, "/p"); o.Turns(ctx, n, n)[0].Status != db.TurnRunning {
		t.Fatal("the owning process sees its turn as not running")
	}
	if _, err := dead.svc.Begin(ctx, session.RefLast, "/p", "cli"); err != nil {
		t.Fatal(err)
	}
	if v := s.Version(); v != 4 {
		t.Fatalf("Begin in the owning process wrote: version %d", v)
	}

	// The next process on this node (p1 died).
	next := envOn(t, dead.st, "node-a", session.Config{Instance: "p2"})
	o, err := next.svc.Open(ctx, session.RefLast, "/p")
	if err != nil {
		t.Fatal(err)
	}
	tr := o.Turns(ctx, n, n)[0]
	if tr.Status != db.TurnInterrupted || !tr.Orphaned || !strings.Contains(tr.Reason, "node-a/p1") || o.Version() != 4 {
		t.Fatalf("Open: turn %+v, version %d", tr, o.Version())
	}
	c, err := next.svc.Begin(ctx, session.RefLast, "/p", "cli")
	if err != nil {
		t.Fatal(err)
	}
	if tr := c.Turns(ctx, n, n)[0]; tr.Status != db.TurnInterrupted || tr.Orphaned || c.Version() != 5 {
		t.Fatalf("Begin: turn %+v, version %d", tr, c.Version())
	}
	if h := c.History(); len(h) != 2 {
		t.Fatalf("History has %d messages; the interrupted turn has no answer", len(h))
	}
	// Continuing takes the next number; marking is not repeated.
	if n3 := turn(t, c, "three", "3"); n3 != 3 {
		t.Fatalf("next turn = %d", n3)
	}
	again, _ := next.svc.Begin(ctx, session.RefLast, "/p", "cli")
	if again.Version() != c.Version() {
		t.Fatalf("a second Begin wrote again: %d -> %d", c.Version(), again.Version())
	}
	// The old process was not dead after all: its answer lands.
	if err := s.RecordTurnCompleted(ctx, n, session.TurnResult{Answer: "late", Provider: "p", Model: "m", PromptTokens: 1}); err != nil {
		t.Fatal(err)
	}
	o, _ = next.svc.Open(ctx, session.RefLast, "/p")
	if tr := o.Turns(ctx, n, n)[0]; tr.Status != db.TurnCompleted || tr.Answer != "late" {
		t.Fatalf("late answer: %+v", tr)
	}
	sessiontest.CheckReplay(t, next.log, next.st)
}

// TestOtherNodesTurn: a turn another node runs lives while that node is up
// and MaxTurn has not passed.
func TestOtherNodesTurn(t *testing.T) {
	ctx := context.Background()
	b := newEnv(t, session.Config{})
	b.log = events.New(events.Config{Store: b.st, Registry: b.log.Registry(), Node: "node-b", Now: b.clock.Now})
	b.svc = session.New(session.Config{Log: b.log, Store: b.st})
	s, _ := b.svc.Begin(ctx, session.RefNew, "/p", "cli")
	n, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "on b"})
	if err != nil {
		t.Fatal(err)
	}
	up := true
	a := envOn(t, b.st, "node-a", session.Config{MaxTurn: time.Hour, NodeAlive: func(_ context.Context, node string) bool { return node != "node-b" || up }})
	a.clock.t = b.clock.t // same time
	if o, _ := a.svc.Open(ctx, session.RefLast, "/p"); o.Turns(ctx, n, n)[0].Status != db.TurnRunning {
		t.Fatal("a live node's turn shows as not running")
	}
	if _, err := a.svc.Archive(ctx, session.RefLast, "/p", "cli"); !errors.Is(err, session.ErrBusy) {
		t.Fatalf("archive with a turn running elsewhere: %v", err)
	}
	up = false
	c, err := a.svc.Begin(ctx, session.RefLast, "/p", "cli")
	if err != nil || c.Turns(ctx, n, n)[0].Status != db.TurnInterrupted {
		t.Fatalf("node-b down: %v", err)
	}
	// MaxTurn alone, with no NodeAlive.
	s2, _ := b.svc.Begin(ctx, session.RefNew, "/q", "cli")
	n2, _ := s2.RecordTurnStarted(ctx, session.TurnStart{Prompt: "long"})
	a2 := envOn(t, b.st, "node-a", session.Config{MaxTurn: time.Minute})
	a2.clock.t = b.clock.t
	if o, _ := a2.svc.Open(ctx, session.RefLast, "/q"); o.Turns(ctx, n2, n2)[0].Status != db.TurnRunning {
		t.Fatal("a fresh turn of another node shows as not running")
	}
	a2.clock.t = a2.clock.t.Add(time.Minute)
	if o, _ := a2.svc.Open(ctx, session.RefLast, "/q"); o.Turns(ctx, n2, n2)[0].Status != db.TurnInterrupted {
		t.Fatal("a turn older than MaxTurn shows as running")
	}
}

// TestLastWithOnlyArchived: "last" in a project whose sessions are all
// archived says so, naming the latest, instead of "no session yet".
func TestLastWithOnlyArchived(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	s, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	turn(t, s, "q", "a")
	if _, err := e.svc.Archive(ctx, session.Ref(s.ID()), "/p", "cli"); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Open(ctx, session.RefLast, "/p")
	if ue := usererr.As(err); ue == nil || !errors.Is(err, session.ErrNotFound) || !strings.Contains(ue.Msg, "archived ones (the latest: "+s.ID()+")") {
		t.Fatalf("Open(last) with only an archived session: %v", err)
	}
	if _, err := e.svc.Open(ctx, session.RefLast, "/q"); err == nil || strings.Contains(err.Error(), "archived") {
		t.Fatalf("Open(last) in a project with none: %v", err)
	}
}

func TestArchiveUnarchiveRemove(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	s, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	turn(t, s, "keep me", "ok")
	turn(t, s, "and me", "ok")
	other, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	turn(t, other, "other", "ok")

	info, err := e.svc.Archive(ctx, session.Ref(s.ID()), "/p", "cli")
	if err != nil || info.Status != db.SessionArchived {
		t.Fatalf("Archive = %+v, %v", info, err)
	}
	if turns, _ := e.st.SessionTurns(ctx, s.ID(), 1, 0); len(turns) != 0 {
		t.Fatalf("an archived session keeps %d hot turns", len(turns))
	}
	if list, _ := e.svc.List(ctx, session.ListOptions{Project: "/p"}); len(list) != 1 || list[0].ID != other.ID() {
		t.Fatalf("List after archive = %+v", list)
	}
	if list, _ := e.svc.List(ctx, session.ListOptions{Project: "/p", Archived: true}); len(list) != 2 {
		t.Fatalf("List with archived = %+v", list)
	}
	_, err = e.svc.Begin(ctx, session.Ref(s.ID()), "/p", "cli")
	if ue := usererr.As(err); !errors.Is(err, session.ErrArchived) || ue == nil || !strings.Contains(ue.Msg, "aiex session unarchive "+s.ID()) {
		t.Fatalf("Begin of an archived session: %v", err)
	}
	// Still readable (from its snapshot), and replayable.
	o, err := e.svc.Open(ctx, session.Ref(s.ID()), "/p")
	if err != nil || len(o.Turns(ctx, 1, 0)) != 2 || o.Info().Status != db.SessionArchived {
		t.Fatalf("Open archived: %v", err)
	}
	if _, err := e.svc.Archive(ctx, session.Ref(s.ID()), "/p", "cli"); !errors.Is(err, session.ErrArchived) ||
		!strings.Contains(err.Error(), "session "+s.ID()+" is archived already") {
		t.Fatalf("archiving twice: %v; want it to say it is archived already", err)
	}
	if o, _ := e.svc.Open(ctx, session.Ref(s.ID()), "/p"); o.Version() != info.Version {
		t.Fatalf("archiving twice wrote: version %d -> %d", info.Version, o.Version())
	}
	sessiontest.CheckReplay(t, e.log, e.st)

	info, err = e.svc.Unarchive(ctx, session.Ref(s.ID()), "/p", "cli")
	if err != nil || info.Status != db.SessionActive {
		t.Fatalf("Unarchive = %+v, %v", info, err)
	}
	if turns, _ := e.st.SessionTurns(ctx, s.ID(), 1, 0); len(turns) != 2 {
		t.Fatalf("unarchived session has %d hot turns", len(turns))
	}
	c, err := e.svc.Begin(ctx, session.Ref(s.ID()), "/p", "cli")
	if err != nil || turn(t, c, "back", "ok") != 3 {
		t.Fatalf("continue after unarchive: %v", err)
	}
	sessiontest.CheckReplay(t, e.log, e.st)

	if _, err := e.svc.Remove(ctx, session.Ref(s.ID()), "/p", "cli"); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Begin(ctx, session.Ref(s.ID()), "/p", "cli")
	if !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Begin of a removed session: %v", err)
	}
	if sn, ok, _ := e.st.Snapshot(ctx, session.Stream(s.ID())); ok {
		t.Fatalf("a removed session keeps its snapshot: %+v", sn)
	}
	if u, _ := e.st.SessionUsages(ctx, s.ID()); len(u) != 0 {
		t.Fatalf("a removed session keeps usage rows: %+v", u)
	}
	sessiontest.CheckReplay(t, e.log, e.st)
}

func TestUnknownAndAmbiguousIDs(t *testing.T) {
	ctx := context.Background()
	ids := []string{"aaaa11110000", "aaaa22220000", "bbbb00000000"}
	next := 0
	e := newEnv(t, session.Config{NewID: func() string { next++; return ids[next-1] }})
	for i := range ids {
		s, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
		turn(t, s, fmt.Sprint("question ", i), "answer")
	}
	_, err := e.svc.Begin(ctx, "cccc", "/p", "cli")
	ue := usererr.As(err)
	if !errors.Is(err, session.ErrNotFound) || ue == nil {
		t.Fatalf("unknown id: %v", err)
	}
	for _, id := range ids {
		if !strings.Contains(ue.Msg, id) {
			t.Errorf("the error does not list recent session %s:\n%s", id, ue.Msg)
		}
	}
	if !strings.HasPrefix(ue.Msg, `no session "cccc"; the most recent:`) || !strings.Contains(ue.Msg, `"question 2"`) || strings.Contains(ue.Msg, "\n") {
		t.Errorf("message (one line):\n%s", ue.Msg)
	}
	_, err = e.svc.Open(ctx, "aaaa", "/p")
	if ue := usererr.As(err); ue == nil || ue.ExitCode() != usererr.ExitUsage || !strings.Contains(ue.Msg, ids[0]) || !strings.Contains(ue.Msg, ids[1]) ||
		strings.Contains(ue.Msg, "\n") {
		t.Fatalf("ambiguous prefix (one line): %v", err)
	}
	// A prefix too short to name a session says so, as a usage error;
	// an empty one asks for a session.
	_, err = e.svc.Open(ctx, "aaa", "/p")
	if ue := usererr.As(err); ue == nil || ue.ExitCode() != usererr.ExitUsage || !errors.Is(err, session.ErrNotFound) ||
		!strings.HasPrefix(ue.Msg, `"aaa" is too short to name a session: give its id or 4 or more of its first characters, or last; the most recent: `) {
		t.Fatalf("a prefix too short: %v", err)
	}
	if _, err := e.svc.Begin(ctx, " ", "/p", "cli"); usererr.As(err) == nil || !strings.Contains(err.Error(), "name a session") {
		t.Fatalf("a blank id: %v", err)
	}
	if s, err := e.svc.Open(ctx, "aaaa2", "/p"); err != nil || s.ID() != ids[1] {
		t.Fatalf("unique prefix: %v", err)
	}
	if _, err := e.svc.Open(ctx, session.RefLast, "/empty"); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("last of a project with none: %v", err)
	}
}

// TestCancelledOnlySessionHasModel: a session whose only turn was cancelled
// lists the model that answered in part, not none; a later complete
// answer's model replaces it, and a later cancelled one's does not.
func TestCancelledOnlySessionHasModel(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	s, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	model := func() string {
		t.Helper()
		l, err := e.svc.List(ctx, session.ListOptions{Project: "/p"})
		if err != nil || len(l) != 1 {
			t.Fatalf("List: %v, %d sessions", err, len(l))
		}
		return l[0].Provider + "/" + l[0].Model
	}
	end := func(model, reason string, complete bool) {
		t.Helper()
		n, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "q"})
		if err != nil {
			t.Fatal(err)
		}
		r := session.TurnResult{Answer: "a", Provider: "ollama", Model: model, Reason: reason}
		if complete {
			err = s.RecordTurnCompleted(ctx, n, r)
		} else {
			err = s.RecordTurnInterrupted(ctx, n, r)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	end("tiny:latest", "cancelled", false)
	if got := model(); got != "ollama/tiny:latest" {
		t.Fatalf("a session of one cancelled turn lists model %q", got)
	}
	end("big:latest", "", true)
	end("tiny:latest", "cancelled", false)
	if got := model(); got != "ollama/big:latest" {
		t.Fatalf("after a complete answer then a cancelled one: model %q, want the complete answer's", got)
	}
	sessiontest.CheckReplay(t, e.log, e.st)
}
