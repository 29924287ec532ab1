package workflow

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// copyRunner succeeds at every command, noting for each of names whether
// it was in the directory a command ran in.
type copyRunner struct {
	names []string
	mu    sync.Mutex
	seen  map[string]bool
	runs  int
}

func (r *copyRunner) Run(_ context.Context, cmd Command) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs++
	for _, n := range r.names {
		if _, err := os.Lstat(filepath.Join(cmd.Dir, filepath.FromSlash(n))); err == nil {
			r.seen[n] = true
		}
	}
	return 0, nil
}

// TestMixCopyLeavesPrivateOut: the copy of a Mix project that mix compile
// checks a change in holds none of aiex's own paths placed in the project
// (ValidateOptions.Private: AIEX_CONFIG=aiex.toml, a data dir, named as
// they are or through a symbolic link to the project): mix runs the
// project's code, and the copy is the commands' to read. The project's
// own config dir is copied.
func TestMixCopyLeavesPrivateOut(t *testing.T) {
	base := writeTree(t, map[string]string{
		"app/mix.exs":           "defmodule App.MixProject do\n  use Mix.Project\n  def project, do: [app: :app, version: \"0.1.0\"]\nend\n",
		"app/lib/app.ex":        "defmodule App do\nend\n",
		"app/config/config.exs": "import Config\n",
		"app/aiex.toml":         "[providers.openai]\napi_key = \"sk-DENIED\"\n",
		"app/state/secret.key":  "AGE-SECRET-KEY-1DENIED\n",
	})
	real := filepath.Join(base, "app")
	link := filepath.Join(base, "link")
	if err := os.Symlink("app", link); err != nil {
		t.Fatal(err)
	}
	for _, private := range []string{real, link} {
		root := real
		p, err := FromFile("refactor", "", "```elixir lib/app.ex\ndefmodule App do\n  def x, do: 1\nend\n```\n", "", "elixir", reader(root))
		if err != nil {
			t.Fatal(err)
		}
		r := &copyRunner{names: []string{"aiex.toml", "state", "config/config.exs", "lib/app.ex"}, seen: map[string]bool{}}
		Validate(context.Background(), root, p, ValidateOptions{Toolchain: true, Runner: r, TempDir: t.TempDir(),
			LookPath: func(name string) (string, error) { return "/usr/bin/" + name, nil },
			Private:  []string{filepath.Join(private, "aiex.toml"), filepath.Join(private, "state")}})
		if r.runs == 0 {
			t.Fatalf("%s: mix never ran: %+v", private, p.Checks)
		}
		for n, want := range map[string]bool{"aiex.toml": false, "state": false, "config/config.exs": true, "lib/app.ex": true} {
			if r.seen[n] != want {
				t.Errorf("private in %s: %s in the copy mix ran in: %v, want %v", private, n, r.seen[n], want)
			}
		}
	}
}
