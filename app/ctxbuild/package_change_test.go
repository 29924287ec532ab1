package ctxbuild

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// TestPackageRefusedToChange: a Go package named by its name is no target
// of a task that changes it — `gen tests inventory` wrote tests of the
// package clause alone, with nothing to mutate — but a usage mistake
// naming its files and exported functions to take instead, by Build and
// by Resolve (which refactor and gen tests ask first); a task that reads
// it still takes the package, and PATH:LINE on its package clause is
// still the file's header.
func TestPackageRefusedToChange(t *testing.T) {
	e := setupFiles(t, setupGo)
	check := func(what string, err error) {
		t.Helper()
		ue := usererr.As(err)
		if ue == nil || ue.ExitCode() != usererr.ExitUsage {
			t.Fatalf("%s: %v; want a usage mistake", what, err)

		}
		for _, want := range []string{"inventory is the Go package in inventory/", "inventory/store.go", "inventory.NewStore"} {
			if !strings.Contains(ue.Msg, want) {
				t.Errorf("%s: %q does not say %q", what, ue.Msg, want)
			}
		}
	}
	for _, task := range []string{"gen-tests", "refactor"} {
		_, err := e.b.Build(context.Background(), Request{Task: task, Root: e.root, Target: "inventory", Window: 8000, Count: o200k})
		check(task, err)
	}
	_, err := e.b.Resolve(context.Background(), e.root, "inventory")
	check("Resolve", err)

	c := e.build(t, Request{Task: "explain", Target: "inventory", Window: 8000})
	if c.Target == nil || c.Target.Kind != KindPackage {
		t.Errorf("explain inventory: target %+v; want the package", c.Target)
	}
	h, err := e.b.Resolve(context.Background(), e.root, "inventory/store.go:1")
	if err != nil || h.Name != "inventory" {
		t.Errorf("inventory/store.go:1: %+v, %v; want the file's header", h, err)
	}
}
