package workflow

import (
	"context"
	"strings"
	"testing"
)

// A Mix project whose lib/shop/cart.ex lacks an end (of total/1): it has
// never parsed, nor compiled.
const (
	brokenMixExs = "defmodule Shop.MixProject do\n  use Mix.Project\n  def project, do: [app: :shop, version: \"0.1.0\", elixir: \"~> 1.14\"]\nend\n"
	brokenCart   = "defmodule Shop.Cart do\n  def total(items) do\n    Enum.sum(items)\n\n  def count(items), do: length(items)\nend\n"
	brokenGo     = "package r\n\nfunc A() {\n\treturn\n\nfunc B() {}\n"
)

// TestSyntaxAlreadyBroken: a file that did not parse before the change
// does not fail the syntax check for the change, when the change adds no
// error that shows (a comment): the check, which cannot tell whether the
// change adds one, is skipped saying the file did not parse before, and
// mix compile, which cannot compile the project with or without the
// change, is skipped saying so (go build too, by its own baseline, which
// sees the package fail to parse). A change that adds an error to such a
// file fails with that error, saying the file was broken before; a
// change that breaks a file that parsed fails as it always did.
func TestSyntaxAlreadyBroken(t *testing.T) {
	mix := writeTree(t, map[string]string{"mix.exs": brokenMixExs, "lib/shop/cart.ex": brokenCart,
		"lib/shop.ex": "defmodule Shop do\n  def hello, do: :world\nend\n"})
	gomod := writeTree(t, map[string]string{"go.mod": vetGoMod, "r.go": brokenGo, "ok.go": "package r\n\nfunc C() {}\n"})
	for name, tc := range map[string]struct {
		root, lang, path, code string
		toolchain              bool
		checks                 string // name status, as checkNames gives them
		detail                 string // in the syntax check's detail
	}{
		"elixir comment": {mix, "elixir", "lib/shop/cart.ex", "# The cart.\n" + brokenCart, false,
			"applies ok,syntax skipped", "could not check the syntax of lib/shop/cart.ex: it did not parse before the change (line 2: syntax error: missing terminator: end"},
		"elixir comment, built": {mix, "elixir", "lib/shop/cart.ex", "# The cart.\n" + brokenCart, true,
			"applies ok,syntax skipped,mix compile skipped", "it did not parse before the change"},
		"elixir new error": {mix, "elixir", "lib/shop/cart.ex", strings.Replace(brokenCart, "length(items)", "length(items", 1), false,
			"applies ok,syntax failed", "(lib/shop/cart.ex did not parse before the change either: syntax error: missing terminator: end"},
		"elixir newly broken": {mix, "elixir", "lib/shop.ex", "defmodule Shop do\n  def hello do\n    :world\nend\n", false,
			"applies ok,syntax failed", "missing terminator: end"},
		"go comment": {gomod, "go", "r.go", strings.Replace(brokenGo, "func A", "// A returns.\nfunc A", 1), false,
			"applies ok,syntax skipped", "could not check the syntax of r.go: it did not parse before the change (line 7:6: syntax error: expected '(', found B)"},
		"go comment, built": {gomod, "go", "r.go", strings.Replace(brokenGo, "func A", "// A returns.\nfunc A", 1), true,
			"applies ok,syntax skipped,go build skipped,go vet skipped", "it did not parse before the change"},
		"go new error": {gomod, "go", "r.go", brokenGo + "\nfunc D( {}\n", false,
			"applies ok,syntax failed", "(r.go did not parse before the change either: syntax error: expected '(', found B)"},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.toolchain && tc.lang == "elixir" {
				needMix(t)
			}
			p, err := FromFile("refactor", "", "```"+tc.lang+" "+tc.path+"\n"+tc.code+"```\n", "", tc.lang, reader(tc.root))
			if err != nil {
				t.Fatal(err)
			}
			Validate(context.Background(), tc.root, p, ValidateOptions{Toolchain: tc.toolchain})
			if got := strings.Join(checkNames(p), ","); got != tc.checks {
				t.Fatalf("checks %s, want %s: %+v", got, tc.checks, p.Checks)
			}
			if !strings.Contains(p.Checks[1].Detail, tc.detail) {
				t.Errorf("syntax detail %q lacks %q", p.Checks[1].Detail, tc.detail)
			}
			if notes := strings.Join(p.Notes, "\n"); strings.Contains(notes, "adds no") {
				t.Errorf("notes %q claim the change adds no error", notes)
			}
			if build := p.Checks[len(p.Checks)-1]; build.Name == "go build" && !strings.Contains(build.Detail, "could not check r: its files already fail to parse") {
				t.Errorf("go build detail %q does not say why", build.Detail)
			}
		})
	}
}
