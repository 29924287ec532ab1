package ctxbuild

import (
	"context"
	"strings"
	"testing"
)

// TestConventionsNotAHit: the file whose text went in as the project's
// conventions does not come in again as a search hit, nor a chunk of it;
// a copy of it under another name carries the same text and stays out
// too. Without the conventions in the prompt, the file is no hit either:
// a conventions file is an agent's rules, not code to read.
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
				if !with && hit {
					// A conventions file is no code to read, whether or
					// not the prompt holds its text.
					t.Errorf("without conventions, %s is a hit (%v)", tc.file, roles(c))
				}
				if !searchFinds(t, e, req.Question, tc.file) {
					t.Errorf("the search does not find %s: the test shows nothing", tc.file)
				}
				if with && !hitOf(c, "docs/notes.md") {
					t.Errorf("docs/notes.md, no conventions file, left out too (%v)", roles(c))
				}
			}
		})
	}
}

// TestOtherConventionsNotHits: the conventions files of other
// directories than the one whose conventions the prompt holds (AGENTS.md,
// CLAUDE.md) are no search hits: lib/sub's for a target under lib, the
// root's for a target under lib/sub.
func TestOtherConventionsNotHits(t *testing.T) {
	root := "# Rules\n\nInvoices are rounded to whole cents when totalled.\n"
	sub := "# Sub rules\n\nInvoices in this directory are rounded half up, to whole cents.\n"
	e := setupFiles(t, map[string]string{
		"AGENTS.md":         root,
		"lib/sub/AGENTS.md": sub,
		"lib/sub/CLAUDE.md": "# Claude\n\nInvoices are rounded by the Rounding module, to whole cents.\n",
		"lib/invoice.ex":    "defmodule P.Invoice do\n  def total(lines), do: Enum.sum(lines)\nend\n",
		"lib/sub/round.ex":  "defmodule P.Sub.Round do\n  def cents(x), do: round(x)\nend\n",
		"docs/invoices.md":  "# Invoices\n\nHow invoices are rounded to whole cents.\n",
	})
	q := "how are invoices rounded to whole cents?"
	for _, file := range []string{"AGENTS.md", "lib/sub/AGENTS.md", "lib/sub/CLAUDE.md"} {
		if !searchFinds(t, e, q, file) {
			t.Fatalf("the search does not find %s: the test shows nothing", file)
		}
	}
	for _, tc := range []struct{ target, conventions string }{
		{"P.Invoice.total/1", root},
		{"P.Sub.Round.cents/1", sub},
	} {
		c := e.build(t, Request{Task: "ask", Target: tc.target, Question: q, Window: 8000,
			Conventions: func(string) []string { return []string{strings.TrimSpace(tc.conventions)} }})
		for _, it := range c.Included {
			if isConventionsFile(it.Path) {
				t.Errorf("%s: %s came as %s", tc.target, it.Path, it.Role)
			}
		}
		if !hitOf(c, "docs/invoices.md") {
			t.Errorf("%s: docs/invoices.md, no conventions file, left out too (%v)", tc.target, roles(c))
		}
	}
}

// searchFinds reports whether the project's search for q finds file.
func searchFinds(t *testing.T, e *env, q, file string) bool {
	t.Helper()
	proj, _, err := e.s.FindCodeProject(context.Background(), e.root)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.b.cfg.Search.Search(context.Background(), proj.ID, q, 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if h.Path == file {
			return true
		}
	}
	return false
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
