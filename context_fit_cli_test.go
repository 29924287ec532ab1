package main

// Tests of how aiex context fits a target into a window, as users run it:
// a reserve given as 0, a file too large for the window shown in outline,
// a line number that is none.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestContextReserveZero: --reserve 0 keeps nothing for the answer; only
// without the flag does the default hold.
func TestContextReserveZero(t *testing.T) {
	fake := providertest.NewOllama(t)
	s := newSandbox(t, fake.URL())
	root := newProject(t)
	s.index(root)
	for _, tt := range []struct {
		args    []string
		reserve int
	}{{[]string{"--reserve", "0"}, 0}, {nil, 1024}, {[]string{"--reserve", "100"}, 100}} {
		var co struct {
			Reserve int `json:"reserve"`
			Budget  int `json:"budget"`
		}
		args := append([]string{"context", "--json", "-m", "tiny", "--window", "4096"}, tt.args...)
		out := s.mustRunIn(root, append(args, "App.hello/1")...).stdout
		if err := json.Unmarshal([]byte(out), &co); err != nil {
			t.Fatalf("%v: %v\n%s", tt.args, err, out)
		}
		if co.Reserve != tt.reserve || co.Budget != 4096-tt.reserve {
			t.Errorf("%v: reserve %d, budget %d; want reserve %d", tt.args, co.Reserve, co.Budget, tt.reserve)
		}
	}
}

// TestContextFileInOutline: a file named as the target is the whole file;
// too large for the window, it is shown in outline and aiex context lists
// the units that went in reduced. A line number that is none is refused
// as such.
func TestContextFileInOutline(t *testing.T) {
	fake := providertest.NewOllama(t)
	s := newSandbox(t, fake.URL())
	root := newProject(t)
	var b strings.Builder
	b.WriteString("defmodule App.Stats do\n")
	for i := range 12 {
		fmt.Fprintf(&b, "  @doc \"Computes statistic %d over the numbers given.\"\n  def stat%d(xs) do\n%s    xs\n  end\n\n", i, i,
			strings.Repeat("    xs = Enum.map(xs, fn x -> x * 2 + 1 end) |> Enum.filter(&is_number/1)\n", 5))
	}
	b.WriteString("end\n")
	if err := os.WriteFile(filepath.Join(root, "lib/stats.ex"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	s.index(root)

	var co struct {
		Target struct {
			Kind, Form, Name string
			Units            []struct{ Name, Form string }
		} `json:"target"`
	}
	out := s.mustRunIn(root, "context", "--json", "-m", "tiny", "lib/app.ex").stdout
	if err := json.Unmarshal([]byte(out), &co); err != nil {
		t.Fatal(err)
	}
	if co.Target.Kind != "file" || co.Target.Form != "full" || co.Target.Name != "lib/app.ex" {
		t.Errorf("lib/app.ex: target %+v; want the whole file in full", co.Target)
	}

	out = s.mustRunIn(root, "context", "--json", "-m", "tiny", "--window", "1500", "lib/stats.ex", "what does stat7 do?").stdout
	if err := json.Unmarshal([]byte(out), &co); err != nil {
		t.Fatal(err)
	}
	forms := map[string]string{}
	for _, u := range co.Target.Units {
		forms[u.Name] = u.Form
	}
	if co.Target.Form != "outline" || len(co.Target.Units) != 12 || forms["App.Stats.stat7/1"] != "full" || forms["App.Stats.stat11/1"] != "signature" {
		t.Errorf("lib/stats.ex in 1500 tokens: target %s, units %v; want an outline with stat7/1 in full", co.Target.Form, forms)
	}
	plain := s.mustRunIn(root, "context", "-m", "tiny", "--window", "1500", "lib/stats.ex", "what does stat7 do?").stdout
	if !strings.Contains(plain, "target outline: ") || !strings.Contains(plain, "target units not in full (") || !strings.Contains(plain, "App.Stats.stat11/1") {
		t.Errorf("context plain does not list the units reduced:\n%s", plain)
	}

	r := s.runIn(root, "context", "-m", "tiny", "lib/app.ex:0")
	if r.code != 2 {
		t.Errorf("lib/app.ex:0: exit %d, want 2 (a usage mistake)", r.code)
	}
	oneLine(t, r.stderr, `"0" is not a line number of lib/app.ex; lines are numbered from 1`)
}

// TestContextTooLongThroughNode: through a running node, `aiex context`
// still names the --reserve that makes a prompt fit; the node's answer
// carries the refusal's figures, not only its text.
func TestContextTooLongThroughNode(t *testing.T) {
	s := newSandbox(t, providertest.NewOllama(t).URL())
	proj := goProject(t)
	s.startNode()
	s.mustRunIn(proj, "index")
	question := strings.Repeat("why is the sky blue and the grass green? ", 150)
	r := s.runIn(proj, "context", "calc.go", question, "--window", "2048", "--reserve", "1024")
	if r.code != 1 || !strings.Contains(r.stderr, "or less): pass --reserve ") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q; want one line ending in the --reserve to pass", r.code, r.stderr)
	}
}
