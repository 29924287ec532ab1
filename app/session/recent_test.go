package session_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/session/sessiontest"
)

// TestLastIsTheLastUsed: archiving and unarchiving a session is no use of
// it. "last" and the list's order stay with the session whose turn came
// last, not the one merely brought back; a replay gives the same rows.
func TestLastIsTheLastUsed(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	older, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	turn(t, older, "older", "ok")
	newer, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	turn(t, newer, "newer", "ok")
	before := older.Info().UpdatedAt

	if _, err := e.svc.Archive(ctx, session.Ref(older.ID()), "/p", "cli"); err != nil {
		t.Fatal(err)
	}
	info, err := e.svc.Unarchive(ctx, session.Ref(older.ID()), "/p", "cli")
	if err != nil {
		t.Fatal(err)
	}
	if !info.UpdatedAt.Equal(before) {
		t.Errorf("unarchiving moved updated_at from %s to %s", before, info.UpdatedAt)
	}
	last, err := e.svc.Begin(ctx, session.RefLast, "/p", "cli")
	if err != nil || last.ID() != newer.ID() {
		t.Fatalf("Begin(last) after an unarchive = %v, %v; want %s, the one last used", last.ID(), err, newer.ID())
	}
	if id, err := e.svc.ID(ctx, session.RefLast, "/p"); err != nil || id != newer.ID() {
		t.Fatalf("ID(last) = %q, %v; want %s", id, err, newer.ID())
	}
	list, err := e.svc.List(ctx, session.ListOptions{Project: "/p"})
	if err != nil || len(list) != 2 || list[0].ID != newer.ID() || list[1].ID != older.ID() {
		t.Fatalf("List = %+v, %v; want %s then %s", list, err, newer.ID(), older.ID())
	}
	sessiontest.CheckReplay(t, e.log, e.st)

	// A turn does make it the last again.
	again, _ := e.svc.Begin(ctx, session.Ref(older.ID()), "/p", "cli")
	turn(t, again, "back", "ok")
	if id, _ := e.svc.ID(ctx, session.RefLast, "/p"); id != older.ID() {
		t.Fatalf("ID(last) after a turn of %s = %s", older.ID(), id)
	}
	sessiontest.CheckReplay(t, e.log, e.st)
}

// TestLastWithNoneSaysSo: continuing "last" in a project with no session
// starts a new one, as scripts rely on, with a note that says so (and of
// archived ones, which "last" does not take). A session found has none.
func TestLastWithNoneSaysSo(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	s, err := e.svc.Begin(ctx, session.RefLast, "/p", "cli")
	if err != nil || !s.New() {
		t.Fatalf("Begin(last) in an empty project = %v, new %v", err, s != nil && s.New())
	}
	if n := s.Note(); !strings.Contains(n, "no session in this project to continue yet") || !strings.Contains(n, "starts a new one ("+s.ID()+")") {
		t.Fatalf("Note = %q", n)
	}
	if n, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli"); n.Note() != "" {
		t.Fatalf("Begin(new) has a note: %q", n.Note())
	}
	turn(t, s, "q", "a")
	if c, _ := e.svc.Begin(ctx, session.RefLast, "/p", "cli"); c.ID() != s.ID() || c.Note() != "" {
		t.Fatalf("Begin(last) with one = %s, note %q", c.ID(), c.Note())
	}
	if _, err := e.svc.Archive(ctx, session.Ref(s.ID()), "/p", "cli"); err != nil {
		t.Fatal(err)
	}
	c, err := e.svc.Begin(ctx, session.RefLast, "/p", "cli")
	if err != nil || !c.New() || !strings.Contains(c.Note(), "archived ones (the latest: "+s.ID()+"; aiex session unarchive "+s.ID()) {
		t.Fatalf("Begin(last) with only an archived one = %v, note %q", err, c.Note())
	}
}
