package testgen

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// copyRunner answers every mix run with one passing test, noting for
// each of names whether it was in the directory the run was made in.
type copyRunner struct {
	names []string
	mu    sync.Mutex
	seen  map[string]bool
}

func (r *copyRunner) Run(_ context.Context, cmd Command) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.names {
		if _, err := os.Lstat(filepath.Join(cmd.Dir, n)); err == nil {
			r.seen[n] = true
		}
	}
	fmt.Fprintln(cmd.Output, "1 test, 0 failures")
	return 0, nil
}

// TestElixirCopyLeavesPrivateOut: the copy of the project that mix test
// runs the generated tests in holds none of aiex's own paths placed in
// the project (Spec.Private: AIEX_CONFIG=aiex.toml, a data dir) — the
// tests are model-written code, and their sandbox keeps them from those
// paths in the project only — while the project's own config dir is
// copied.
func TestElixirCopyLeavesPrivateOut(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"mix.exs":           "defmodule Calc.MixProject do\n  use Mix.Project\nend\n",
		"lib/calc/math.ex":  exMath,
		"config/config.exs": "import Config\n",
		"aiex.toml":         "[providers.openai]\napi_key = \"sk-DENIED\"\n",
		"state/secret.key":  "AGE-SECRET-KEY-1DENIED\n",
	})
	r := &copyRunner{names: []string{"aiex.toml", "state", "config/config.exs", "lib/calc/math.ex"}, seen: map[string]bool{}}
	_, err := Run(t.Context(), Spec{
		Root: root, TestPath: "test/calc/math_gen_test.exs",
		TestContent: []byte("defmodule Calc.MathGenTest do\n  use ExUnit.Case\nend\n"),
		Target:      Target{Path: "lib/calc/math.ex"}, Runner: r, Mutants: -1, TempDir: t.TempDir(),
		Private: []string{filepath.Join(root, "aiex.toml"), filepath.Join(root, "state"), filepath.Join(t.TempDir(), "elsewhere")},
	})
	if err != nil {
		t.Fatal(err)
	}
	for n, want := range map[string]bool{"aiex.toml": false, "state": false, "config/config.exs": true, "lib/calc/math.ex": true} {
		if r.seen[n] != want {
			t.Errorf("%s in the copy mix test ran in: %v, want %v", n, r.seen[n], want)
		}
	}
}
