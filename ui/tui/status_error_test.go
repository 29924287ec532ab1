package tui

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// newerStoreError is what opening a data dir a newer aiex has used says:
// the error of the TUI's every call when its core cannot open the store.
func newerStoreError(t *testing.T) error {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := db.Open(ctx, db.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Execute(ctx, db.Stmt(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		db.KnownSchema()+1, "from_a_newer_aiex", time.Now())); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s, err = db.Open(ctx, db.Config{Dir: dir})
	if err == nil {
		s.Close(ctx)
		t.Fatal("a store with a newer schema opened")
	}
	return err
}

// TestLongStatusErrorShownWhole: an error the status bar cannot show
// whole — a store a newer aiex used, which says what to do at its end —
// is said whole in the conversation, wrapped, once however many status
// polls fail with it, and again when it comes back after the status was
// fine.
func TestLongStatusErrorShownWhole(t *testing.T) {
	refusal := newerStoreError(t)
	msg := oneLine(refusal.Error())
	f := newFake()
	f.statusErr = refusal
	h := newHarness(t, f, plain, 80, 24)
	h.untilScreen("✗ data dir")
	if len(msg) <= 80 {
		t.Fatalf("the message (%d bytes) fits the bar; the test shows nothing", len(msg))
	}
	h.until("the whole message", func() bool { return strings.Contains(unwrapped(h.screen()), msg) })
	for range 3 {
		pollStatus(h)
	}
	if n := strings.Count(unwrapped(h.screen()), msg); n != 1 {
		t.Errorf("the message is said %d times; want once:\n%s", n, h.screen())
	}

	f.set(func(f *fakeBackend) { f.statusErr = nil })
	pollStatus(h)
	if h.m.statusErr != "" {
		t.Fatalf("the status bar still shows %q once the status is fine", h.m.statusErr)
	}
	f.set(func(f *fakeBackend) { f.statusErr = refusal })
	pollStatus(h)
	if n := strings.Count(unwrapped(h.screen()), msg); n != 2 {
		t.Errorf("the message come back is said %d times in all; want twice:\n%s", n, h.screen())
	}
}

// pollStatus fires the status poll held back and handles messages until
// its answer is shown and the next poll is held.
func pollStatus(h *harness) {
	h.t.Helper()
	h.until("a status poll", func() bool { return h.fire(isStatus) > 0 })
	h.until("the next status poll", func() bool { return slices.ContainsFunc(h.held, isStatus) })
}

// unwrapped is the screen's text with its lines joined and its runs of
// spaces made one, so that a wrapped message reads as one line.
func unwrapped(screen string) string {
	var b strings.Builder
	for _, l := range strings.Split(screen, "\n") {
		b.WriteString(strings.TrimPrefix(strings.TrimSpace(l), "✗ "))
		b.WriteString(" ")
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
