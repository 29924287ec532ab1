package ctxbuild

import (
	"strings"
	"testing"
)

// TestConventionsNotAHit: the file whose text went in as the project's
// conventions does not come in again as a search hit, nor a chunk of it;
// a copy of it under another name carries the same text and stays out
// too. Without the conventions in the prompt, the file may be a hit.
func TestConventionsNotAHit(t *testing.T) {
	agents := "# Conventions\n\nMoney amounts are integer cents; rounding happens only at display.\nRun mix test before proposing a change.\n"
	var long strings.Builder
	long.WriteString("# Style\n\n")
	for range 80 {
		long.WriteString("Money amounts are integer cents and never floats, in every module of the project.\n")
	}
	e := setupFiles(t, map[string]string{
		"AGENTS.md":      agents,
		"lib/AGENTS.md":  long.String(),
		"lib/money.ex":   "defmodule P.Money do\n  @doc \"Adds two amounts of money.\"\n  def add(a, b), do: a + b\nend\n",
		"docs/notes.md":  "# Notes\n\nMoney amounts: see the conventions.\n",
		"other/money.ex": "defmodule P.Other do\n  def cents(x), do: x\nend\n",
	})
	for _, tc := range []struct {
		name, target, conventions, file string
	}{
		{"whole", "", strings.TrimSpace(agents), "AGENTS.md"},
		// Cut to its share of the window: its first lines and a line
		// saying the rest was left out.
		{"cut", "P.Money.add/2", "# Style\n\nMoney amounts are integer cents and never floats, in every module of the project.\n(The rest of the project's AGENTS.md is left out to fit the model's window.)", "lib/AGENTS.md"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, with := range []bool{true, false} {
				req := Request{Task: "ask", Target: tc.target, Question: "how are money amounts rounded? integer cents conventions", Window: 8000}
				if with {
					req.Conventions = func(string) []string { return []string{tc.conventions} }
				}
				c := e.build(t, req)
				if with != (len(c.Data.Conventions) > 0) {
					t.Fatalf("conventions in the prompt: %v; want %v", len(c.Data.Conventions) > 0, with)
				}
				hit := false
				for _, it := range c.Included {
					if it.Path == tc.file {
						hit = true
						if with {
							t.Errorf("%s went in as conventions and again as %s %s (%d-%d)", tc.file, it.Role, it.Name, it.StartLine, it.EndLine)
						}
					}
				}
				if !with && !hit {
					t.Errorf("without conventions, %s is no hit: the test shows nothing (%v)", tc.file, roles(c))
				}
				if with && !hitOf(c, "docs/notes.md") {
					t.Errorf("docs/notes.md, no conventions file, left out too (%v)", roles(c))
				}
			}
		})
	}
}

func hitOf(c *Context, p string) bool {
	for _, it := range c.Included {
		if it.Path == p {
			return true
		}
	}
	return false
}

// TestHoldsConventions: a file is the conventions when it is their text,
// or, for conventions cut to fit, when it begins with what they kept; a
// file that only begins as they do is not.
func TestHoldsConventions(t *testing.T) {
	cut := "# Rules\n- Be brief.\n(The rest of the project's AGENTS.md is left out to fit the model's window.)"
	for _, tc := range []struct {
		src, conventions string
		want             bool
	}{
		{"\r\n# Rules\r\n- Be brief.\r\n\r\n", "# Rules\n- Be brief.", true},
		{"# Rules\n- Be brief.\n- Test first.\n", cut, true},
		{"# Rules\n- Be brief.\n- Test first.\n", "# Rules\n- Be brief.", false},
		{"# Rules\n- Be long.\n", "# Rules\n- Be brief.", false},
		{"# Rules\n", cut, false},
		{"", "", false},
	} {
		if got := holdsConventions(tc.src, []string{tc.conventions}); got != tc.want {
			t.Errorf("holdsConventions(%q, %q) = %v; want %v", tc.src, tc.conventions, got, tc.want)
		}
	}
}
