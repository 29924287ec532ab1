package main

// Tests of aiex search, context, explain and ask with code, as users run
// them in an indexed project, against a fake Ollama.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/providers/providertest"
)

type searchOut struct {
	Hits []struct {
		Name      string  `json:"name"`
		Path      string  `json:"path"`
		StartLine int     `json:"start_line"`
		Score     float64 `json:"score"`
	} `json:"hits"`
	Terms []string `json:"terms"`
}

type contextOut struct {
	Provider, Model string
	Window          int `json:"window"`
	Budget          int `json:"budget"`
	Tokens          int `json:"tokens"`
	Target          *struct {
		Name string `json:"name"`
	} `json:"target"`
	Included []struct {
		Role, Form, Name string
	} `json:"included"`
	Conventions *struct {
		Path   string `json:"path"`
		Tokens int    `json:"tokens"`
		Cut    bool   `json:"cut"`
	} `json:"conventions"`
}

// TestConventionsGoIntoPrompts: a project's AGENTS.md goes into the prompts
// about its code, cut to its share of the window when it is long, and
// aiex context says so.
func TestConventionsGoIntoPrompts(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("It greets."))
	s := newSandbox(t, fake.URL())
	root := newProject(t)
	s.index(root)
	agents := "# App\n\n- Greetings end with an exclamation mark.\n- Run `mix test` before proposing a change.\n"
	if err := os.WriteFile(filepath.Join(root, "AGENTS.md"), []byte(agents), 0o644); err != nil {
		t.Fatal(err)
	}

	var co contextOut
	if err := json.Unmarshal([]byte(s.mustRunIn(root, "context", "--json", "-m", "tiny", "App.hello/1").stdout), &co); err != nil {
		t.Fatal(err)
	}
	if co.Conventions == nil || co.Conventions.Path != "AGENTS.md" || co.Conventions.Tokens == 0 || co.Conventions.Cut || co.Tokens > co.Budget {
		t.Fatalf("context conventions: %+v (tokens %d of %d)", co.Conventions, co.Tokens, co.Budget)
	}
	if out := s.mustRunIn(root, "context", "-m", "tiny", "App.hello/1").stdout; !strings.Contains(out, "conventions: AGENTS.md, ") {
		t.Errorf("context plain lacks the conventions line:\n%s", out)
	}
	// The AGENTS.md nearest the target counts: lib/app.ex's is lib's.
	if err := os.WriteFile(filepath.Join(root, "lib", "AGENTS.md"), []byte("- Library code logs nothing.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	co = contextOut{}
	if err := json.Unmarshal([]byte(s.mustRunIn(root, "context", "--json", "-m", "tiny", "App.hello/1").stdout), &co); err != nil {
		t.Fatal(err)
	}
	if co.Conventions == nil || co.Conventions.Path != "lib/AGENTS.md" {
		t.Fatalf("context for lib/app.ex: conventions %+v; want lib/AGENTS.md", co.Conventions)
	}
	if err := os.Remove(filepath.Join(root, "lib", "AGENTS.md")); err != nil {
		t.Fatal(err)
	}
	s.mustRunIn(root, "explain", "-m", "tiny", "App.hello/1")
	reqs := fake.Requests()
	if len(reqs) != 1 || !strings.Contains(userMessage(reqs[0]), "- Greetings end with an exclamation mark.\n- Run `mix test` before proposing a change.") {
		t.Fatalf("explain prompt lacks the conventions:\n%s", userMessage(reqs[0]))
	}

	// Long conventions take at most an eighth of the window (tiny: 2,048
	// tokens), and the code still goes in.
	long := strings.Repeat("- Keep every function under twenty lines and name it for what it returns.\n", 300)
	if err := os.WriteFile(filepath.Join(root, "AGENTS.md"), []byte(long), 0o644); err != nil {
		t.Fatal(err)
	}
	co = contextOut{}
	if err := json.Unmarshal([]byte(s.mustRunIn(root, "context", "--json", "-m", "tiny", "App.hello/1").stdout), &co); err != nil {
		t.Fatal(err)
	}
	if co.Conventions == nil || !co.Conventions.Cut || co.Conventions.Tokens > co.Window/8 || co.Target == nil || co.Tokens > co.Budget {
		t.Fatalf("long conventions: %+v in a %d-token window; target %+v", co.Conventions, co.Window, co.Target)
	}

	// In the smallest window the question and the target fit in, they go
	// without the conventions rather than not at all.
	if err := os.Remove(filepath.Join(root, "AGENTS.md")); err != nil {
		t.Fatal(err)
	}
	fits := func(w int) bool {
		return s.runIn(root, "context", "--json", "-m", "tiny", "--window", strconv.Itoa(w), "App.hello/1").code == 0
	}
	lo, hi := 64, 2048 // lo does not fit, hi does
	if fits(lo) || !fits(hi) {
		t.Fatalf("windows %d and %d: want only the larger to fit", lo, hi)
	}
	for hi-lo > 1 {
		if mid := (lo + hi) / 2; fits(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	// Short lines, so that some fit in an eighth of even that window.
	if err := os.WriteFile(filepath.Join(root, "AGENTS.md"), []byte(strings.Repeat("- Be brief.\n", 50)), 0o644); err != nil {
		t.Fatal(err)
	}
	co = contextOut{}
	if err := json.Unmarshal([]byte(s.mustRunIn(root, "context", "--json", "-m", "tiny", "--window", strconv.Itoa(4*hi), "App.hello/1").stdout), &co); err != nil {
		t.Fatal(err)
	}
	if co.Conventions == nil {
		t.Fatalf("window %d: no conventions; the short lines should fit", 4*hi)
	}
	co = contextOut{}
	if err := json.Unmarshal([]byte(s.mustRunIn(root, "context", "--json", "-m", "tiny", "--window", strconv.Itoa(hi), "App.hello/1").stdout), &co); err != nil {
		t.Fatal(err)
	}
	if co.Conventions != nil || co.Target == nil || co.Target.Name != "App.hello/1" {
		t.Fatalf("window %d with conventions: %+v, target %+v; want the target without them", hi, co.Conventions, co.Target)
	}
}

func TestSearchAndContextCommands(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("It greets."))
	s := newSandbox(t, fake.URL())
	root := newProject(t)

	// Before any index: a clear error, exit 1.
	r := s.runIn(root, "search", "hello")
	if r.code != 1 {
		t.Fatalf("search before index: exit %d, stderr %q", r.code, r.stderr)
	}
	oneLine(t, r.stderr, "no code index yet", "aiex index")

	s.index(root)

	// Search: JSON with scores, and a plain table.
	var so searchOut
	if err := json.Unmarshal([]byte(s.mustRunIn(root, "search", "--json", "hello").stdout), &so); err != nil {
		t.Fatal(err)
	}
	if len(so.Hits) == 0 || so.Hits[0].Name != "App.hello/1" || so.Hits[0].Path != "lib/app.ex" || so.Hits[0].StartLine != 4 {
		t.Fatalf("search hello: %+v", so)
	}
	if out := s.mustRunIn(filepath.Join(root, "lib"), "search", "-n", "1", "greet").stdout; !strings.HasPrefix(out, "lib/app.ex:6") ||
		!strings.Contains(out, "App.greet/1") || strings.Count(out, "\n") != 1 {
		t.Errorf("search greet, plain: %q", out)
	}
	if r := s.runIn(root, "search", "--limit", "0", "x"); r.code != 2 {
		t.Errorf("--limit 0: exit %d", r.code)
	}

	// Context for the model the request would go to, fitted to its window.
	var co contextOut
	out := s.mustRunIn(root, "context", "--json", "-m", "tiny", "App.hello/1", "what", "does", "it", "do").stdout
	if err := json.Unmarshal([]byte(out), &co); err != nil {
		t.Fatal(err)
	}
	if co.Target == nil || co.Target.Name != "App.hello/1" || co.Window != 2048 || co.Tokens > co.Budget || co.Tokens == 0 {
		t.Fatalf("context: %s", out)
	}
	roles := map[string]string{}
	for _, it := range co.Included {
		roles[it.Name] = it.Role + "/" + it.Form
	}
	if roles["App.greet/1"] != "callee/full" {
		t.Errorf("included %v; want App.greet/1 as a callee", roles)
	}
	plain := s.mustRunIn(root, "context", "-m", "tiny", "lib/app.ex:6").stdout
	if !strings.Contains(plain, "tokens (2048-token window") || !strings.Contains(plain, "App.greet/1") || !strings.Contains(plain, "caller") {
		t.Errorf("context plain:\n%s", plain)
	}

	// With a window given, no provider is needed: fitting needs no model.
	if r := s.withOllama("http://127.0.0.1:1").runIn(root, "context", "--window", "2000", "App.hello/1"); r.code != 0 ||
		!strings.HasPrefix(r.stdout, "no model: ") || !strings.Contains(r.stdout, "2000-token window") || !strings.Contains(r.stdout, "App.hello/1") {
		t.Errorf("context --window with no provider reachable: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Bad targets and budgets: one line, non-zero exit.
	r = s.runIn(root, "context", "-m", "tiny", "Nope.nothing/0")
	if r.code != 2 {
		t.Errorf("unknown target: exit %d", r.code)
	}
	oneLine(t, r.stderr, "no file or symbol", "Nope.nothing/0")
	r = s.runIn(root, "context", "-m", "tiny", "lib")
	if r.code != 1 {
		t.Errorf("a directory as target: exit %d", r.code)
	}
	oneLine(t, r.stderr, "lib is a directory", "give a file in it")
	r = s.runIn(root, "context", "-m", "tiny", "--window", "1000", "--reserve", "1000", "App.hello/1")
	if r.code != 2 {
		t.Errorf("reserve = window: exit %d", r.code)
	}
	oneLine(t, r.stderr, "--reserve")

	// explain sends the target with its neighbours; ask in the project
	// sends code too, unless --no-code.
	s.mustRunIn(root, "explain", "-m", "tiny", "App.hello/1")
	s.mustRunIn(root, "ask", "-m", "tiny", "what does greet return?")
	s.mustRunIn(root, "ask", "-m", "tiny", "--no-code", "what does greet return?")
	reqs := fake.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d chat requests; want 3", len(reqs))
	}
	explain := userMessage(reqs[0])
	for _, w := range []string{"Explain App.hello/1", "def hello(name), do: greet(name)", "defp greet(name)"} {
		if !strings.Contains(explain, w) {
			t.Errorf("explain prompt lacks %q:\n%s", w, explain)
		}
	}
	if ask := userMessage(reqs[1]); !strings.Contains(ask, "defp greet(name)") || !strings.HasSuffix(ask, "Question: what does greet return?") {
		t.Errorf("ask prompt:\n%s", ask)
	}
	if ask := userMessage(reqs[2]); ask != "Question: what does greet return?" {
		t.Errorf("ask --no-code prompt: %q", ask)
	}

	// A question about a target is recorded with its target: "why this
	// name?" alone means nothing on reading the session again.
	s.mustRunIn(root, "explain", "-m", "tiny", "--session", "new", "App.hello/1", "why this name?")
	if d := decode[session.Document](t, s.runIn(root, "--json", "session", "show", "last")); len(d.Turns) != 1 || d.Turns[0].Prompt != "explain App.hello/1: why this name?" {
		t.Errorf("explain TARGET QUESTION recorded as %+v", d.Turns)
	}
	// So is ask --target, in the session and in the history alike.
	s.mustRunIn(root, "ask", "-m", "tiny", "--session", "last", "--target", "App.hello/1", "and its callers?")
	if d := decode[session.Document](t, s.runIn(root, "--json", "session", "show", "last")); len(d.Turns) != 2 || d.Turns[1].Prompt != "ask App.hello/1: and its callers?" {
		t.Errorf("ask --target T QUESTION recorded as %+v", d.Turns)
	}
	if h := s.history(); len(h) < 2 || h[0].Prompt != "ask App.hello/1: and its callers?" || h[1].Prompt != "explain App.hello/1: why this name?" {
		t.Errorf("history prompts: %+v", h[:min(2, len(h))])
	}

	// explain without an index of the project: a clear error.
	other := t.TempDir()
	r = s.runIn(other, "explain", "-m", "tiny", "App.hello/1")
	if r.code != 1 {
		t.Errorf("explain without index: exit %d", r.code)
	}
	oneLine(t, r.stderr, "no code index yet")
}

// TestCodeTargetsThroughNode: with a node running on the data dir, a
// target's path is the user's, relative to where aiex was run, not to the
// node's working directory.
func TestCodeTargetsThroughNode(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("It greets."))
	s := newSandbox(t, fake.URL())
	root := newProject(t)
	s.index(root)
	s.startNode()
	lib := filepath.Join(root, "lib")

	var co contextOut
	out := s.mustRunIn(lib, "context", "--json", "-m", "tiny", "app.ex:6").stdout
	if err := json.Unmarshal([]byte(out), &co); err != nil {
		t.Fatal(err)
	}
	if co.Target == nil || co.Target.Name != "App.greet/1" {
		t.Fatalf("context app.ex:6 from lib/: %s", out)
	}
	s.mustRunIn(lib, "explain", "-m", "tiny", "app.ex:6")
	reqs := fake.Requests()
	if len(reqs) != 1 || !strings.Contains(userMessage(reqs[0]), "Explain App.greet/1") {
		t.Fatalf("explain app.ex:6 from lib/: %d requests, %v", len(reqs), reqs)
	}
}
