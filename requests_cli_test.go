package main

// Tests of how requests end as users see them: a provider that never
// answers, a process killed or cut off mid-answer, a question too long
// for the model, and empty targets.

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/mesh/meshtest"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestAskSilentProvider: a provider whose server accepts connections and
// never answers does not hold ask, explain or context past the request's
// deadline — the listing of its models has its own short bound — and
// each says in one line which server did not answer; status and models
// say the same instead of "context deadline exceeded".
func TestAskSilentProvider(t *testing.T) {
	url := "http://" + meshtest.SilentHost(t)
	s := newSandbox(t, url)
	s.writeConfig("[limits]\ndeadline = \"2s\"\n")
	proj := project(t)
	for _, args := range [][]string{
		{"ask", "hi"},
		{"ask", "--no-code", "hi"},
		{"explain", "main.go"},
		{"context", "main.go"},
	} {
		start := time.Now()
		r := s.in(proj, "", args...)
		if d := time.Since(start); d > 15*time.Second {
			t.Errorf("aiex %v took %v under a 2 s deadline", args, d)
		}
		if r.code != 1 {
			t.Errorf("aiex %v: exit %d; want 1\n%s", args, r.code, r.stderr)
		}
		oneLine(t, r.stderr, "Ollama at "+url+" did not answer within", "is it running?")
		if strings.Contains(r.stderr, "deadline exceeded") {
			t.Errorf("aiex %v: %s", args, r.stderr)
		}
	}
	// status shows the address on the provider's line already.
	for cmd, want := range map[string]string{"status": "Ollama did not answer within 2s", "models": "Ollama at " + url + " did not answer within 2s"} {
		r := s.run("", cmd)
		if !strings.Contains(r.stdout+r.stderr, want) || strings.Contains(r.stdout+r.stderr, "deadline exceeded") {
			t.Errorf("aiex %s: exit %d\n%s%s", cmd, r.code, r.stdout, r.stderr)
		}
	}
}

// TestAskStdoutClosed: a reader of stdout that goes away mid-answer
// (aiex ask … | head) stops the request as Ctrl-C does: it is recorded
// as cancelled, the store closes cleanly, and the exit code is a broken
// pipe's.
func TestAskStdoutClosed(t *testing.T) {
	release := make(chan struct{})
	fake := providertest.NewOllama(t, providertest.WithReply("first", " second", " third"), providertest.WithPause(1, release))
	s := newSandbox(t, fake.URL())
	proj := project(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := s.command(ctx, "", "ask", "-m", "tiny", "hello")
	cmd.Dir = proj
	errw := newWatch("\n")
	cmd.Stderr = errw
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len("first"))
	if _, err := io.ReadFull(stdout, got); err != nil || string(got) != "first" {
		t.Fatalf("read %q, %v", got, err)
	}
	stdout.Close() // head has what it wanted
	close(release)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 141 {
		t.Fatalf("exit %d (%v); want 141\nstderr: %s", code, cmd.ProcessState, errw.String())
	}
	oneLine(t, errw.String(), "stdout was closed", "cancelled")
	rows := s.history()
	if len(rows) != 1 || rows[0].Status != "cancelled" {
		t.Fatalf("history: %+v; want the request cancelled", rows)
	}
	// The store was closed cleanly: the next command opens it at once.
	s.mustRun("history")
}

// TestAskTooLong: a question longer than the model's window allows is
// refused before it is sent, with --no-code as without, in one correct
// sentence that names no target when none was given.
func TestAskTooLong(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	proj := project(t)
	long := strings.Repeat("why is the sky blue and the grass green? ", 1200)
	for _, args := range [][]string{
		{"ask", "-m", "tiny", "--no-code", long},
		{"ask", "-m", "tiny", long},
	} {
		r := s.in(proj, "", args...)
		if r.code != 1 {
			t.Fatalf("aiex %v: exit %d; want 1\n%s", args[:len(args)-1], r.code, r.stderr)
		}
		oneLine(t, r.stderr, "the question takes ", "more than the 1536 this model allows a prompt", "ask a shorter question")
		if strings.Contains(r.stderr, "target") || strings.Contains(r.stderr, " take ") {
			t.Errorf("aiex %v: %s", args[:len(args)-1], r.stderr)
		}
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("%d requests sent; want none", n)
	}
	if rows := s.history(); len(rows) != 0 {
		t.Fatalf("history: %+v; want nothing recorded", rows)
	}
}

// TestExplainContextEmptyTarget: every command that takes a TARGET refuses an empty one
// with a usage error naming what to give — before anything is sent.
func TestExplainContextEmptyTarget(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	root := newProject(t)
	s.index(root)
	for _, args := range [][]string{
		{"explain", "-m", "tiny", ""},
		{"explain", "-m", "tiny", " "},
		{"context", "-m", "tiny", ""},
		{"refactor", "-m", "tiny", "", "--goal", "faster"},
		{"gen", "tests", "-m", "tiny", ""},
		{"chunks", ""},
	} {
		r := s.runIn(root, args...)
		if r.code != 2 {
			t.Errorf("aiex %q: exit %d; want 2\n%s", args, r.code, r.stderr)
		}
		oneLine(t, r.stderr, "name the ")
		if strings.Contains(r.stderr, "template") || strings.Contains(r.stderr, "does not exist") {
			t.Errorf("aiex %q: %s", args, r.stderr)
		}
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("%d requests sent; want none", n)
	}
}

// TestContextTargetSuggestions: a path given from a subdirectory is taken
// relative to it; the suggestions for one that names nothing are paths
// as typed from there, of files that exist, never what was typed.
func TestContextTargetSuggestions(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	root := newProject(t)
	writeFiles(t, root, map[string]string{"tools/main_test.go": "package main\n\nfunc helper() {}\n"})
	s.index(root)
	if err := os.Remove(filepath.Join(root, "tools", "main_test.go")); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(root, "lib")

	// tools/main.go typed from lib/ as main.go: there is no lib/main.go.
	r := s.runIn(sub, "context", "-m", "tiny", "main.go")
	if r.code != 2 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	oneLine(t, r.stderr, "main.go does not exist", "did you mean ../tools/main.go")
	if strings.Contains(r.stderr, "main_test.go") || strings.Contains(r.stderr, "mean main.go") || strings.Contains(r.stderr, ", main.go") {
		t.Errorf("suggestions: %s", r.stderr)
	}
	// From the root, a deleted file is not offered back.
	r = s.runIn(root, "context", "-m", "tiny", "tools/main_test.go")
	if r.code != 1 || strings.Contains(r.stderr, "did you mean tools/main_test.go") {
		t.Fatalf("deleted file: exit %d: %s", r.code, r.stderr)
	}
	// And a path relative to the subdirectory still works.
	s.mustRunIn(filepath.Join(root, "tools"), "context", "-m", "tiny", "main.go")
}

// TestSessionAndCheckpointRefs: session and checkpoint references that are
// empty or too short say what is needed, in one line.
func TestSessionAndCheckpointRefs(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	proj := project(t)
	a := decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "hello"))

	r := s.in(proj, "", "session", "resume", "")
	if r.code != 2 {
		t.Errorf("resume \"\": exit %d: %s", r.code, r.stderr)
	}
	oneLine(t, r.stderr, "name the session to resume")
	r = s.in(proj, "", "session", "show", a.Session[:3])
	if r.code != 2 {
		t.Errorf("show of 3 characters: exit %d: %s", r.code, r.stderr)
	}
	oneLine(t, r.stderr, "too short", "4 or more", a.Session)
	r = s.in(proj, "", "session", "show", "zzzzzzzz")
	if r.code != 1 {
		t.Errorf("unknown session: exit %d: %s", r.code, r.stderr)
	}
	oneLine(t, r.stderr, `no session "zzzzzzzz"`, a.Session)

	// checkpoint list --session takes a session as the session commands
	// do: an unknown one is an error, not an empty list.
	r = s.in(proj, "", "checkpoint", "list", "--session", "zzzz")
	if r.code != 1 {
		t.Errorf("checkpoint list --session zzzz: exit %d: %q %s", r.code, r.stdout, r.stderr)
	}
	oneLine(t, r.stderr, `no session "zzzz"`, a.Session)
	for _, args := range [][]string{{"checkpoint", "list", "--session", ""}, {"refactor", "x", "--goal", "y", "--session", ""}, {"gen", "tests", "x", "--session", ""}} {
		r = s.in(proj, "", args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		oneLine(t, r.stderr, "--session needs a value")
	}
	for ref, shown := range map[string]string{"last": a.Session + " (the last)", a.Session[:6]: a.Session[:6]} {
		r = s.in(proj, "", "checkpoint", "list", "--session", ref)
		if r.code != 0 || strings.TrimSpace(r.stdout) != "No checkpoints of session "+shown+" in this project." {
			t.Errorf("checkpoint list --session %s: exit %d: %q %s", ref, r.code, r.stdout, r.stderr)
		}
	}
}

// TestGenTestsNoRun: --no-run skips running the tests, not building them
// (that is --no-build): tests that would not compile next to the ones
// written before are refused, quoting the compiler's error — not the
// go command's "# package" header.
func TestGenTestsNoRun(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply(maxTests))
	s := newSandbox(t, fake.URL())
	proj := goProject(t)
	r := s.in(proj, "", "gen", "tests", "calc.Max", "-m", "tiny", "--apply", "--yes", "--no-run")
	if r.code != 0 || !strings.Contains(r.stderr, "✓ tests compile") || !strings.Contains(r.stderr, "- tests pass: not run") || strings.Contains(r.stderr, "mutant") {
		t.Fatalf("first: exit %d\n%s", r.code, r.stderr)
	}
	// The same tests again go to calc_gen_test.go, where TestMax is
	// declared twice.
	r = s.in(proj, "", "gen", "tests", "calc.Max", "-m", "tiny", "--apply", "--yes", "--no-run")
	if r.code != 1 {
		t.Fatalf("second: exit %d; want 1\n%s", r.code, r.stderr)
	}
	last := strings.TrimSpace(r.stderr)
	last = last[strings.LastIndex(last, "\n")+1:]
	if !strings.HasPrefix(last, "aiex: the change failed its checks (tests compile: ./calc_test.go:") ||
		!strings.Contains(last, "TestMax redeclared in this block") || !strings.HasSuffix(last, "nothing was written") {
		t.Fatalf("second: %q", last)
	}
	if _, err := os.Stat(filepath.Join(proj, "calc_gen_test.go")); err == nil {
		t.Fatal("tests that do not compile were written")
	}
	// --no-build still skips the build.
	r = s.in(proj, "", "gen", "tests", "calc.Max", "-m", "tiny", "--no-run", "--no-build")
	if r.code != 0 || strings.Contains(r.stderr, "tests compile") {
		t.Fatalf("--no-build: exit %d\n%s", r.code, r.stderr)
	}
}

// TestClosedStdout: any command whose stdout's reader has gone (aiex
// history | head) ends on its own, not killed by SIGPIPE with the store
// open, and says nothing about it.
func TestClosedStdout(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("an answer"))
	s := newSandbox(t, fake.URL())
	s.mustRun("ask", "-m", "tiny", "hello")
	for _, args := range [][]string{{"history"}, {"--help"}, {"ask", "--help"}, {"version"}} {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := s.command(ctx, "", args...)
		errw := newWatch("\n")
		cmd.Stderr = errw
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout.Close() // the reader is gone before anything is written
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if st := cmd.ProcessState; !st.Exited() || (st.ExitCode() != 0 && st.ExitCode() != 141) {
			t.Errorf("%v into a closed pipe: %v; want exit 141 (or 0)\nstderr: %s", args, st, errw.String())
		}
		if errw.String() != "" {
			t.Errorf("%v: stderr: %q; want nothing", args, errw.String())
		}
	}
	s.mustRun("history")
}
