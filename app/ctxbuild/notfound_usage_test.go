package ctxbuild

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// TestNamesNothingIsUsage: a target that names nothing — a symbol as a
// path — is a usage mistake (exit 2), with or without names like it to
// offer; a missing file was one already, a symbol exited 1.
func TestNamesNothingIsUsage(t *testing.T) {
	e := setup(t)
	for _, target := range []string{"NoSuchSymbolAnywhere", "MyApp.Accounts.get_usr/1", "cache.(*Cache).Nope", "lib/nosuch.ex"} {
		_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: target, Window: 4000, Count: o200k})
		ue := usererr.As(err)
		if ue == nil || ue.ExitCode() != usererr.ExitUsage || !strings.HasPrefix(ue.Msg, "no file or symbol ") {
			t.Errorf("%s: %v (exit %d); want a usage mistake, no file or symbol", target, err, exit(ue))
		}
	}
}

func exit(ue *usererr.Error) int {
	if ue == nil {
		return 0
	}
	return ue.ExitCode()
}

// TestElixirFunctionOfModuleSuggests: an Elixir function no module has,
// typed with its arity in a module that exists, is offered the module's
// functions, as a Go method of a type is offered the type's methods: its
// arity's slash made it read as a path, and nothing was offered.
func TestElixirFunctionOfModuleSuggests(t *testing.T) {
	e := setup(t)
	_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: "MyApp.Accounts.nope/1", Window: 4000, Count: o200k})
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, "did you mean MyApp.Accounts.") {
		t.Fatalf("got %v; want the module's functions offered", err)
	}
	if !strings.Contains(ue.Msg, "MyApp.Accounts.get_user/1") {
		t.Errorf("%q does not offer MyApp.Accounts.get_user/1", ue.Msg)
	}
}
