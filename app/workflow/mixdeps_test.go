package workflow

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/parse"
)

// TestMixCompileNewDependency: a change that adds a dependency to mix.exs
// is compiled with it, in the project's copy; mix stops for want of the
// dependency, which the project's deps/ lacks and the checks cannot
// fetch, so the change was not checked: mix compile is skipped, naming
// the dependency and what to do, not failed.
func TestMixCompileNewDependency(t *testing.T) {
	needMix(t)
	const mixExs = "defmodule Mx.MixProject do\n  use Mix.Project\n  def project, do: [app: :mx, version: \"0.1.0\", deps: deps()]\n  defp deps, do: []\nend\n"
	const mx = "defmodule Mx do\n  def f, do: 1\nend\n"
	root := writeTree(t, map[string]string{"mix.exs": mixExs, "lib/mx.ex": mx})
	before := treeHash(t, root)
	answer := diffOf(map[string]string{"mix.exs": mixExs, "lib/mx.ex": mx},
		map[string]string{"mix.exs": strings.Replace(mixExs, "deps, do: []", "deps, do: [{:jason, \"~> 1.4\"}]", 1),
			"lib/mx.ex": "defmodule Mx do\n  def f, do: Jason.encode!(%{})\nend\n"},
		"mix.exs", "lib/mx.ex")
	p, err := FromDiff("refactor", "lib/mx.ex", answer, reader(root))
	if err != nil {
		t.Fatal(err)
	}
	Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
	if got := strings.Join(checkNames(p), ","); got != "applies ok,syntax ok,mix compile skipped" {
		t.Fatalf("checks %s\n%+v", got, p.Checks)
	}
	if d := p.Checks[2].Detail; !strings.HasPrefix(d, "could not check the change: it needs jason, which the project's deps/ does not have") {
		t.Errorf("mix compile's detail:\n%s", d)
	}
	if treeHash(t, root) != before {
		t.Fatal("validation wrote into the project")
	}
}

// TestMixUnfetched: mix's words for a dependency not fetched (with Hex
// installed: "Unchecked dependencies") make a change to mix.exs
// unchecked; a change that leaves mix.exs alone, or another failure,
// stands.
func TestMixUnfetched(t *testing.T) {
	unchecked := "Unchecked dependencies for environment dev:\n* jason (Hex package)\n  the dependency is not available, run \"mix deps.get\"\n** (Mix) Can't continue due to errors on dependencies"
	failed := Check{Name: "mix compile", Status: Failed, Detail: unchecked}
	withExs := []parse.Change{{Path: "mix.exs"}, {Path: "lib/mx.ex"}}
	if c := mixUnfetched(withExs, failed, unchecked); c.Status != Skipped || !strings.Contains(c.Detail, "it needs jason,") {
		t.Errorf("unchecked dependency: %+v", c)
	}
	if c := mixUnfetched([]parse.Change{{Path: "lib/mx.ex"}}, failed, unchecked); c.Status != Failed {
		t.Errorf("mix.exs unchanged: %+v", c)
	}
	other := "** (CompileError) lib/mx.ex:2: undefined function g/0"
	if c := mixUnfetched(withExs, failed, other); c.Status != Failed {
		t.Errorf("a compile error: %+v", c)
	}
}
