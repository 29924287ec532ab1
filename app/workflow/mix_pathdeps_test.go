package workflow

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// A Mix project, app, with a path dependency on its sibling mydep.
const (
	mydepMixExs = "defmodule Mydep.MixProject do\n  use Mix.Project\n  def project, do: [app: :mydep, version: \"0.1.0\", elixir: \"~> 1.14\"]\nend\n"
	mydepLib    = "defmodule Mydep do\n  def hello, do: :world\nend\n"
	pathAppLib  = "defmodule App do\n  def hello, do: Mydep.hello()\nend\n"
)

func pathAppMixExs(dep string) string {
	return "defmodule App.MixProject do\n  use Mix.Project\n  def project, do: [app: :app, version: \"0.1.0\", elixir: \"~> 1.14\", deps: [{:mydep, path: " + dep + "}]]\nend\n"
}

// TestMixPathDependency: a path dependency outside the project is read
// only where the checks may read (ValidateOptions.Readable, the config's
// [sandbox] allow and read_only paths); there it is copied beside the
// project's copy, so that the project compiles as it does in place. One
// elsewhere makes the check say, on one line, that it could not check
// and why. A dependency named in no way the check reads (not a string
// literal) fails mix compile before the change as after it, and the
// check says it could not check, without blaming a file.
func TestMixPathDependency(t *testing.T) {
	needMix(t)
	for name, tc := range map[string]struct {
		dep      string // the path: option, as Elixir
		readable bool
		code     string
		status   string
		detail   string // in mix compile's detail
		lines    int    // the detail's lines (0: any)
	}{
		"readable": {`"../mydep"`, true, "# App.\n" + pathAppLib, OK, "", 0},
		"readable, undefined": {`"../mydep"`, true, strings.Replace(pathAppLib, "Mydep.hello()", "Mydep.nope()", 1), Failed,
			"lib/app.ex:2: Mydep.nope/0 is undefined or private", 0},
		"not readable": {`"../mydep"`, false, "# App.\n" + pathAppLib, Skipped,
			"could not check: path dependency ../mydep (mix.exs) lies outside the project, where the checks may not read", 1},
		"not a literal": {`Path.expand("../mydep", __DIR__)`, false, "# App.\n" + pathAppLib, Skipped,
			"could not check lib/app.ex: mix stopped before it compiled lib/app.ex, at an error it gave without the change too: ** (Mix) Can't continue due to errors on dependencies", 0},
	} {
		t.Run(name, func(t *testing.T) {
			base := writeTree(t, map[string]string{"mydep/mix.exs": mydepMixExs, "mydep/lib/mydep.ex": mydepLib,
				"app/mix.exs": pathAppMixExs(tc.dep), "app/lib/app.ex": pathAppLib})
			root := filepath.Join(base, "app")
			p, err := FromFile("refactor", "", "```elixir lib/app.ex\n"+tc.code+"```\n", "", "elixir", reader(root))
			if err != nil {
				t.Fatal(err)
			}
			o := ValidateOptions{Toolchain: true}
			if tc.readable {
				o.Readable = []string{filepath.Join(base, "mydep")}
			}
			Validate(context.Background(), root, p, o)
			c := p.Checks[len(p.Checks)-1]
			if c.Name != "mix compile" || c.Status != tc.status || !strings.Contains(c.Detail, tc.detail) {
				t.Fatalf("%s %s %q; want %s with %q", c.Name, c.Status, c.Detail, tc.status, tc.detail)
			}
			if n := strings.Count(c.Detail, "\n") + 1; tc.lines > 0 && n != tc.lines {
				t.Errorf("detail %q: %d lines; want %d", c.Detail, n, tc.lines)
			}
			if strings.Contains(c.Detail, "stopped at ,") || strings.Contains(c.Detail, "which already failed to compile") {
				t.Errorf("detail %q blames a file", c.Detail)
			}
			// mix names the project's own app once it has compiled a
			// dependency; its files are the project's all the same.
			if strings.Contains(c.Detail, "app: lib/") {
				t.Errorf("detail %q names a file of the project by its app", c.Detail)
			}
		})
	}
}

// TestMixPathOption: a path dependency's path: is read in a dependency's
// tuple on a line not commented out; a release's or escript's path:
// option, or a dependency left in a comment, is none.
func TestMixPathOption(t *testing.T) {
	for src, want := range map[string]string{
		`      {:mydep, path: "../mydep"},`:                        "../mydep",
		`      {:a, "~> 1.0"}, {:b, path: "../b", override: true}`: "../b",
		`      # {:mylib, path: "../mylib"},`:                      "",
		`  releases: [x: [path: "/srv/x"]],`:                       "",
		`  escript: [main_module: X, path: "bin/x"],`:              "",
		`      {:c, github: "x/c"}, # path: "../c"`:                "",
	} {
		got := ""
		if m := mixPathOption().FindStringSubmatch(src + "\n"); m != nil {
			got = m[1]
		}
		if got != want {
			t.Errorf("%s: path %q, want %q", src, got, want)
		}
	}
}
