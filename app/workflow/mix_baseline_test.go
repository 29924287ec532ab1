package workflow

import (
	"context"
	"strings"
	"testing"
)

// A Mix project whose untouched lib/a.ex has never compiled. Its module
// body sleeps before the compiler finds its error, so that the files a
// test changes are compiled first: mix stops at the first file that
// fails.
const (
	mixSlowBroken = "defmodule A do\n  Process.sleep(1500)\n  def a(x), do: undefined_local(x)\nend\n"
	mixFastBroken = "defmodule A do\n  def a(x), do: undefined_local(x)\nend\n"
	mixB          = "defmodule B do\n  def b(x), do: x + 1\nend\n"
	mixSlowB      = "defmodule B do\n  Process.sleep(1500)\n  def b(x), do: x + 1\nend\n"
)

// TestMixCompileAlreadyFailing: an error mix compile gave before the
// change, in a file the change does not touch, is not the change's: a
// change whose files compile passes, with a note; one that adds an error
// fails with it; and when mix stopped at the old error before it
// compiled the changed file, the change was not checked, and the check
// is skipped saying so.
func TestMixCompileAlreadyFailing(t *testing.T) {
	needMix(t)
	for name, tc := range map[string]struct {
		a, b, code string
		status     string
		detail     string // in mix compile's detail
		note       string // in a note ("" for none)
	}{
		"adds none": {mixSlowBroken, mixB, "# B.\n" + mixB, OK,
			"already failing before the change: 1", "mix compile: already failing before the change: 1 (lib/a.ex"},
		"new error": {mixSlowBroken, mixB, strings.Replace(mixB, "x + 1", "other_undefined(x)", 1), Failed,
			"other_undefined/1", ""},
		"not compiled": {mixFastBroken, mixSlowB, "# B.\n" + mixSlowB, Skipped,
			"could not check lib/b.ex: mix stopped at lib/a.ex, which already failed to compile before the change", ""},
	} {
		t.Run(name, func(t *testing.T) {
			root := writeTree(t, map[string]string{"mix.exs": brokenMixExs, "lib/a.ex": tc.a, "lib/b.ex": tc.b})
			p, err := FromFile("refactor", "", "```elixir lib/b.ex\n"+tc.code+"```\n", "", "elixir", reader(root))
			if err != nil {
				t.Fatal(err)
			}
			checkMixCompile(t, root, p, tc.status, tc.detail, tc.note)
		})
	}
}

// checkMixCompile validates p on the project at root with the toolchain
// and fails unless its last check is mix compile with status and detail
// holding detail, and its notes hold note ("": none saying "adds none").
func checkMixCompile(t *testing.T, root string, p *Proposal, status, detail, note string) {
	t.Helper()
	Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
	c := p.Checks[len(p.Checks)-1]
	if c.Name != "mix compile" || c.Status != status || !strings.Contains(c.Detail, detail) {
		t.Fatalf("mix compile %s %q; want %s with %q\nnotes %q", c.Status, c.Detail, status, detail, p.Notes)
	}
	notes := strings.Join(p.Notes, "\n")
	if note == "" && strings.Contains(notes, "adds none") || !strings.Contains(notes, note) {
		t.Errorf("notes %q; want %q", notes, note)
	}
}
