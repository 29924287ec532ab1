package session_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/session"
)

// TestRefAnyCase: session ids are lowercase hex; one given in capitals,
// whole or a prefix, names the same session.
func TestRefAnyCase(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, session.Config{})
	s, _ := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	turn(t, s, "q", "a")
	for _, ref := range []string{strings.ToUpper(s.ID()), strings.ToUpper(s.ID()[:4])} {
		id, err := e.svc.ID(ctx, session.Ref(ref), "/p")
		if err != nil || id != s.ID() {
			t.Errorf("ID(%q) = %q, %v; want %s", ref, id, err, s.ID())
		}
	}
}
