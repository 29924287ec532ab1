package workflow

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// A Mix project whose test/support, compiled only in the test env, uses
// what lib/ defines: a struct's fields and a function.
const (
	userLib     = "defmodule MyApp.User do\n  defstruct [:id, :name, :age]\nend\n"
	accountsLib = "defmodule MyApp.Accounts do\n  alias MyApp.User\n\n  def new(id, name), do: %User{id: id, name: name}\nend\n"
	factoryLib  = "defmodule MyApp.Factory do\n  def user, do: %MyApp.User{id: 1, name: \"Ann\"}\n  def account, do: MyApp.Accounts.new(2, \"Bo\")\nend\n"
)

// mixRuns records the environment of each mix compile a Runner runs.
type mixRuns struct {
	Runner
	mu   sync.Mutex
	envs []string // MIX_ENV of each mix compile, in order
}

func (r *mixRuns) Run(ctx context.Context, c Command) (int, error) {
	if c.Name == "mix" && len(c.Args) > 0 && c.Args[0] == "compile" {
		r.mu.Lock()
		env := ""
		for _, e := range c.Env {
			if v, ok := strings.CutPrefix(e, "MIX_ENV="); ok {
				env = v
			}
		}
		r.envs = append(r.envs, env)
		r.mu.Unlock()
	}
	return r.Runner.Run(ctx, c)
}

// TestMixCompileTestEnvOfLib: when the project compiles files in the
// test env that mix compile (dev) does not (elixirc_paths(:test) with
// test/support), a change to lib/ is compiled with MIX_ENV=test too, and
// what it breaks there (a struct's field test/support uses, a function
// it calls) fails the check, named by that command; what was broken
// there before the change does not. A project without such files gets
// no second compile, and a passing one only the one.
func TestMixCompileTestEnvOfLib(t *testing.T) {
	needMix(t)
	tree := map[string]string{"mix.exs": supportMixExs, "lib/my_app/user.ex": userLib, "lib/my_app/accounts.ex": accountsLib,
		"test/support/factory.ex": factoryLib}
	renamed := map[string]string{
		"lib/my_app/user.ex":     strings.Replace(userLib, ":name,", ":full_name,", 1),
		"lib/my_app/accounts.ex": strings.Replace(accountsLib, "name: name}", "full_name: name}", 1),
	}
	noSupport := withFile(tree, "mix.exs", brokenMixExs)
	delete(noSupport, "test/support/factory.ex")
	brokenFactory := strings.Replace(factoryLib, "def user,", "def user, do: undefined_local()\n  def user2,", 1)
	for name, tc := range map[string]struct {
		tree     map[string]string
		new      map[string]string
		status   string
		headline string   // the failure's one line holds it
		detail   []string // in the detail
		note     string   // in a note
		envs     []string // the mix compiles run, by MIX_ENV
	}{
		"breaks a struct test/support uses": {tree, renamed, Failed,
			"MIX_ENV=test mix compile: test/support/factory.ex:2: ** (KeyError) key :name not found",
			[]string{"lib/my_app/user.ex, lib/my_app/accounts.ex", "MIX_ENV=test mix compile", "test/support/factory.ex"}, "",
			[]string{"dev", "test", "test"}},
		"removes a function test/support calls": {tree, map[string]string{"lib/my_app/accounts.ex": strings.Replace(accountsLib, "def new(", "def create(", 1)}, Failed,
			"test/support/factory.ex:3: MyApp.Accounts.new/2 is undefined or private",
			[]string{"MIX_ENV=test mix compile warns"}, "",
			[]string{"dev", "test", "test"}},
		"keeps test/support compiling": {tree, map[string]string{"lib/my_app/user.ex": "# Users.\n" + userLib}, OK,
			"", []string{"MIX_ENV=test mix compile", "test/support/factory.ex compiles with the change"}, "",
			[]string{"dev", "test"}},
		"test/support failed before": {withFile(tree, "test/support/factory.ex", brokenFactory), map[string]string{"lib/my_app/user.ex": "# Users.\n" + userLib}, OK,
			"", []string{"already failing before the change: 1"}, "MIX_ENV=test mix compile: already failing before the change: 1 (test/support/factory.ex",
			[]string{"dev", "test", "test"}},
		"no test-only files": {noSupport, renamed, OK,
			"", nil, "",
			[]string{"dev"}},
	} {
		t.Run(name, func(t *testing.T) {
			root := writeTree(t, tc.tree)
			var order []string
			for p := range tc.new {
				order = append(order, p)
			}
			slices.Sort(order)
			slices.Reverse(order) // user.ex first, as the detail names them
			p, err := FromDiff("refactor", "", diffOf(tc.tree, tc.new, order...), reader(root))
			if err != nil {
				t.Fatal(err)
			}
			runs := &mixRuns{Runner: Exec{}}
			Validate(context.Background(), root, p, ValidateOptions{Toolchain: true, Runner: runs})
			c := p.Checks[len(p.Checks)-1]
			t.Logf("%s %s\n%s\nnotes %q\nfailures %q", c.Name, c.Status, c.Detail, p.Notes, p.Failures())
			if c.Name != "mix compile" || c.Status != tc.status {
				t.Fatalf("%s %s %q; want %s", c.Name, c.Status, c.Detail, tc.status)
			}
			for _, d := range tc.detail {
				if !strings.Contains(c.Detail, d) {
					t.Errorf("detail %q; want %q in it", c.Detail, d)
				}
			}
			if tc.status != Failed && len(tc.envs) == 1 && strings.Contains(c.Detail, "MIX_ENV=test") {
				t.Errorf("detail %q names a compile in the test env, which did not run", c.Detail)
			}
			if h := Headline(c.Detail); c.Status == Failed && !strings.Contains(h, tc.headline) {
				t.Errorf("headline %q; want %q in it", h, tc.headline)
			}
			if notes := strings.Join(p.Notes, "\n"); !strings.Contains(notes, tc.note) {
				t.Errorf("notes %q; want %q", notes, tc.note)
			}
			if !slices.Equal(runs.envs, tc.envs) {
				t.Errorf("mix compile ran in %q; want %q", runs.envs, tc.envs)
			}
		})
	}
}

// BenchmarkMixCompileTestEnvOfLib times the checks of a change to lib/
// of a small Mix project with test/support (compiled only in the test
// env), which passes them: mix compile, and MIX_ENV=test mix compile.
func BenchmarkMixCompileTestEnvOfLib(b *testing.B) {
	if _, err := exec.LookPath("mix"); err != nil {
		b.Skip("mix is not installed")
	}
	tree := map[string]string{"mix.exs": supportMixExs, "lib/my_app/user.ex": userLib, "lib/my_app/accounts.ex": accountsLib,
		"test/support/factory.ex": factoryLib}
	root := b.TempDir()
	for p, c := range tree {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	diff := diffOf(tree, map[string]string{"lib/my_app/user.ex": "# Users.\n" + userLib}, "lib/my_app/user.ex")
	for b.Loop() {
		p, err := FromDiff("refactor", "", diff, reader(root))
		if err != nil {
			b.Fatal(err)
		}
		Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
		if c := p.Checks[len(p.Checks)-1]; c.Status != OK {
			b.Fatalf("%s %s %q", c.Name, c.Status, c.Detail)
		}
	}
}
