package checkpoint_test

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/checkpoint"
)

// TestRefAnyCase: ids are lowercase hex, and one given in capitals (whole
// or a prefix) names the same checkpoint; a tag stays as given.
func TestRefAnyCase(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"a.go": "0"})
	c := e.apply(checkpoint.Meta{}, edit("a.go", "1"))
	for _, ref := range []string{strings.ToUpper(c.ID), strings.ToUpper(c.ID[:5])} {
		got, err := e.cs.Show(ctx, ref)
		if err != nil || got.ID != c.ID {
			t.Errorf("Show(%q) = %v, %v; want %s", ref, got, err, c.ID)
		}
	}
	if _, err := e.cs.Tag(ctx, c.ID, "Rel-1"); err != nil {
		t.Fatal(err)
	}
	if got, err := e.cs.Show(ctx, "Rel-1"); err != nil || got.ID != c.ID {
		t.Errorf("Show(tag) = %v, %v", got, err)
	}
}
