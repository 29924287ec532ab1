package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/session/sessiontest"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// in runs aiex from dir (the project) instead of the test's directory.
func (s *sandbox) in(dir string, stdin string, args ...string) result {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := s.command(ctx, stdin, args...)
	cmd.Dir = dir
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	_ = cmd.Run()
	return result{stdout: out.String(), stderr: errb.String(), code: cmd.ProcessState.ExitCode(), state: cmd.ProcessState}
}

// withOllama is the same home with another Ollama server.
func (s *sandbox) withOllama(url string) *sandbox {
	env := slices.Clone(s.env)
	for i, e := range env {
		if strings.HasPrefix(e, "OLLAMA_HOST=") {
			env[i] = "OLLAMA_HOST=" + url
		}
	}
	return &sandbox{t: s.t, home: s.home, env: env}
}

type askOut struct {
	historyRow
	Session string `json:"session_id"`
	Turn    int64  `json:"turn"`
}

func decode[T any](t *testing.T, r result) T {
	t.Helper()
	var v T
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("%v in %s", err, r.stdout)
	}
	return v
}

// project is a directory for a test's project, as aiex resolves it.
func project(t *testing.T) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestSessionsFromTheCLI: ask starts a session, --session last continues
// it with its history sent along, and the session commands list, show,
// resume, export, archive, unarchive and remove it; mistakes get clear
// errors.
func TestSessionsFromTheCLI(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("Elixir", " runs", " on BEAM"), providertest.WithUsage(20, 3))
	s := newSandbox(t, fake.URL())
	proj, other := project(t), project(t)

	first := decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "what is elixir?"))
	if first.Session == "" || first.Turn != 1 || first.Response != "Elixir runs on BEAM" {
		t.Fatalf("first ask: %+v", first)
	}
	second := decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "--session", "last", "and its scheduler?"))
	if second.Session != first.Session || second.Turn != 2 {
		t.Fatalf("--session last did not continue %s: %+v", first.Session, second)
	}
	// The second request carried the first exchange before the question.
	msgs := fake.Requests()[1].Messages
	var contents []string
	for _, m := range msgs {
		contents = append(contents, m.Role+": "+m.Content)
	}
	joined := strings.Join(contents, "\n")
	if !strings.Contains(joined, "user: what is elixir?\nassistant: Elixir runs on BEAM\n") ||
		!strings.Contains(contents[len(contents)-1], "and its scheduler?") {
		t.Fatalf("second request's messages lack the history:\n%s", joined)
	}
	// A new session in another project; "last" is per project.
	third := decode[askOut](t, s.in(other, "", "--json", "ask", "-m", "tiny", "--session", "last", "hello"))
	if third.Session == first.Session || third.Turn != 1 {
		t.Fatalf("last in another project: %+v", third)
	}

	list := decode[[]session.Info](t, s.in(proj, "", "--json", "session", "list"))
	if len(list) != 1 || list[0].ID != first.Session || list[0].Turns != 2 || list[0].Title != "what is elixir?" || list[0].PromptTokens != 40 {
		t.Fatalf("session list: %+v", list)
	}
	if all := decode[[]session.Info](t, s.in(proj, "", "--json", "session", "list", "--all")); len(all) != 2 {
		t.Fatalf("session list --all: %+v", all)
	}
	doc := decode[session.Document](t, s.in(other, "", "--json", "session", "show", first.Session[:6]))
	if len(doc.Turns) != 2 || doc.Turns[1].Prompt != "and its scheduler?" || doc.Turns[1].Status != db.TurnCompleted ||
		doc.Turns[1].Context == nil || doc.Turns[1].Context.HistoryTurns != 1 || doc.Turns[0].InteractionID != first.ID {
		t.Fatalf("session show: %+v", doc)
	}
	md := s.in(proj, "", "session", "show", "last")
	for _, w := range []string{"# what is elixir?", "## Turn 2", "### Prompt\n\nand its scheduler?", "### Answer\n\nElixir runs on BEAM", "1 earlier turn of history"} {
		if !strings.Contains(md.stdout, w) {
			t.Errorf("session show lacks %q:\n%s", w, md.stdout)
		}
	}
	r := s.in(proj, "", "session", "resume", "last")
	if r.code != 0 || !strings.Contains(r.stdout, "## Turn 2") || strings.Contains(r.stdout, "## Turn 1") {
		t.Fatalf("resume shows the last turn: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Empty stdin, as a script gives, is no question either.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := s.command(ctx, "", "session", "resume", "last")
	cmd.Dir, cmd.Stdin = proj, strings.NewReader("")
	if b, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(b), "## Turn 2") {
		t.Fatalf("resume with empty stdin: %v\n%s", err, b)
	}
	r = s.in(proj, "", "session", "resume", first.Session, "one more")
	if r.code != 0 || !strings.HasSuffix(r.stdout, "Elixir runs on BEAM\n") {
		t.Fatalf("resume with a question: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Export, whole or not at all.
	out := filepath.Join(t.TempDir(), "s.json")
	s.in(proj, "", "session", "export", first.Session, "-f", "json", "-o", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var exported session.Document
	if err := json.Unmarshal(b, &exported); err != nil || len(exported.Turns) != 3 {
		t.Fatalf("export: %v, %d turns", err, len(exported.Turns))
	}
	// With --json, the file holds the export and stdout says where it went.
	out2 := filepath.Join(t.TempDir(), "s2.json")
	r = s.in(proj, "", "--json", "session", "export", first.Session, "-o", out2)
	var wrote struct {
		Session string `json:"session_id"`
		File    string `json:"file"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &wrote); r.code != 0 || err != nil || wrote.Session != first.Session || wrote.File != out2 {
		t.Fatalf("export -o FILE --json: exit %d, stdout %q (%v); want {session, file}", r.code, r.stdout, err)
	}
	if b2, err := os.ReadFile(out2); err != nil || json.Unmarshal(b2, &exported) != nil || len(exported.Turns) != 3 {
		t.Fatalf("export -o FILE --json: the file: %v %q", err, b2)
	}
	r = s.in(proj, "", "session", "export", "last", "-o", filepath.Join(t.TempDir(), "nope", "s.md"))
	if r.code != 1 {
		t.Fatalf("export into a missing directory: exit %d", r.code)
	}
	oneLine(t, r.stderr, "cannot write", "nope/s.md")

	// Unknown ids list the recent sessions.
	r = s.in(proj, "", "session", "show", "ffffffffffff")
	if r.code != 1 || !strings.Contains(r.stderr, `no session "ffffffffffff"`) || !strings.Contains(r.stderr, first.Session) {
		t.Fatalf("unknown session: exit %d: %s", r.code, r.stderr)
	}
	r = s.in(proj, "", "ask", "-m", "tiny", "--session", "ffffffffffff", "hi")
	if r.code != 1 || !strings.Contains(r.stderr, "the most recent") {
		t.Fatalf("ask in an unknown session: exit %d: %s", r.code, r.stderr)
	}
	// An empty --session ("$UNSET") is refused before anything is sent: a
	// turn of no session would be in no list.
	requests := len(fake.Requests())
	for _, cmd := range []string{"ask", "explain"} {
		r = s.in(proj, "", cmd, "-m", "tiny", "--session", "", "hi")
		if r.code != 2 || len(fake.Requests()) != requests {
			t.Fatalf("%s --session '': exit %d, %d requests sent", cmd, r.code, len(fake.Requests())-requests)
		}
		oneLine(t, r.stderr, "--session needs a value")
	}

	// Archived: out of the list, refused for continuing with how to unarchive.
	s.in(proj, "", "session", "archive", "last")
	if l := decode[[]session.Info](t, s.in(proj, "", "--json", "session", "list")); len(l) != 0 {
		t.Fatalf("archived session still listed: %+v", l)
	}
	if out := s.in(proj, "", "session", "list").stdout; !strings.Contains(out, "aiex session list --archived shows them") {
		t.Errorf("session list with only archived sessions: %q", out)
	}
	requests = len(fake.Requests())
	r = s.in(proj, "", "ask", "-m", "tiny", "--session", first.Session, "again")
	if r.code != 1 || len(fake.Requests()) != requests {
		t.Fatalf("ask in an archived session: exit %d, %d requests sent", r.code, len(fake.Requests())-requests)
	}
	oneLine(t, r.stderr, "archived", "aiex session unarchive "+first.Session)
	s.in(proj, "", "session", "unarchive", first.Session)
	if again := decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "--session", first.Session, "again")); again.Turn != 4 {
		t.Fatalf("after unarchive: %+v", again)
	}

	// Replay rebuilds the same projections.
	before := s.in(proj, "", "--json", "session", "show", first.Session).stdout
	rep := decode[struct {
		Events  int `json:"events"`
		Streams int `json:"streams"`
	}](t, s.in(proj, "", "--json", "events", "replay"))
	if rep.Streams != 2 || rep.Events < 10 {
		t.Fatalf("replay: %+v", rep)
	}
	if after := s.in(proj, "", "--json", "session", "show", first.Session).stdout; after != before {
		t.Fatalf("replay changed the session:\n%s\nwas\n%s", after, before)
	}

	if r := s.in(proj, "", "session", "rm", "--yes", first.Session); r.code != 0 {
		t.Fatalf("session rm: exit %d: %s", r.code, r.stderr)
	}
	if r := s.in(proj, "", "session", "show", first.Session); r.code != 1 {
		t.Fatalf("show after rm: exit %d", r.code)
	}
}

// TestSessionSurvivesKill9: `aiex ask` processes killed with SIGKILL at
// random moments — starting, recording the turn, streaming — leave a
// session with every acknowledged turn, the turn that was streaming
// interrupted (never lost, never twice), and projections that the log
// replays to exactly.
func TestSessionSurvivesKill9(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	ok := providertest.NewOllama(t, providertest.WithReply("fine"))
	stuck := providertest.NewOllama(t, providertest.WithReply("half", " more"), providertest.WithPause(1, release))
	s := newSandbox(t, ok.URL())
	killer := s.withOllama(stuck.URL())
	proj := project(t)

	acked := map[int64]string{}
	var started int64
	for round := range 5 {
		a := decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "--session", "last", fmt.Sprintf("acked %d", round)))
		acked[a.Turn], started = a.Response, max(started, a.Turn)

		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := killer.command(ctx, "", "ask", "-m", "tiny", "--session", "last", fmt.Sprintf("killed %d", round))
		cmd.Dir = proj
		out := newWatch("half")
		cmd.Stdout = out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Round 0 waits for the stream; the others kill at a random
		// moment of the first 150 ms (the store opening, the turn being
		// recorded, the request going out).
		if round == 0 {
			select {
			case <-out.ch:
			case <-ctx.Done():
				t.Fatal("no first chunk")
			}
		} else {
			time.Sleep(time.Duration(rand.IntN(150)) * time.Millisecond)
		}
		cmd.Process.Kill()
		cmd.Wait()
		cancel()

		st, err := db.Open(context.Background(), db.Config{Dir: s.dataDir(), Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		turns := sessiontest.AfterCrash(t, st, proj, acked, started)
		last := turns[len(turns)-1]
		if round == 0 && (last.Prompt != "killed 0" || last.Status != db.TurnInterrupted) {
			t.Fatalf("the turn killed while streaming: %+v", last)
		}
		t.Logf("round %d: %d turns, the last %q %s", round, len(turns), last.Prompt, last.Status)
		started = max(started, int64(len(turns)))
		if err := st.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestE2ESessionRealOllama: a session continued against the real Ollama
// sends its history (the model counts it) and records both turns.
func TestE2ESessionRealOllama(t *testing.T) {
	s := newSandbox(t, realOllama(t))
	proj := project(t)
	first := decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "name a colour"))
	second := decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "--session", "last", "and another"))
	if second.Session != first.Session || second.Turn != 2 || second.Response == "" {
		t.Fatalf("continued: %+v after %+v", second, first)
	}
	// The model counted the first exchange in the second prompt.
	if second.PromptTokens <= first.PromptTokens {
		t.Fatalf("second prompt %d tokens, first %d: no history sent", second.PromptTokens, first.PromptTokens)
	}
	doc := decode[session.Document](t, s.in(proj, "", "--json", "session", "show", "last"))
	if len(doc.Turns) != 2 || doc.Turns[1].Context == nil || doc.Turns[1].Context.HistoryTurns != 1 || doc.Turns[0].Answer != first.Response ||
		doc.Session.PromptTokens != int64(first.PromptTokens+second.PromptTokens) {
		t.Fatalf("session: %+v", doc)
	}
}

// TestEventsPrune: retention deletes old events through snapshots; the
// session still shows every turn and replays to the same rows.
func TestEventsPrune(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	proj := project(t)
	for i := range 3 {
		decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "--session", "last", fmt.Sprint("q", i)))
	}
	r := s.in(proj, "", "events", "prune")
	if r.code != 2 {
		t.Fatalf("prune without an age: exit %d", r.code)
	}
	oneLine(t, r.stderr, "--older-than", "retention")
	if r := s.in(proj, "", "events", "prune", "--older-than", "soon"); r.code != 2 {
		t.Fatalf("prune --older-than soon: exit %d", r.code)
	}

	before := s.in(proj, "", "--json", "session", "show", "last").stdout
	s.writeConfig("[events]\nretention = \"1ms\"\n")
	rep := decode[struct {
		Streams int `json:"streams"`
		Events  int `json:"events"`
	}](t, s.in(proj, "", "--json", "events", "prune"))
	if rep.Streams != 1 || rep.Events != 6 { // started + 3×(turn started, completed), less the last event
		t.Fatalf("prune: %+v", rep)
	}
	if after := s.in(proj, "", "--json", "session", "show", "last").stdout; after != before {
		t.Fatalf("prune changed the session:\n%s\nwas\n%s", after, before)
	}
	decode[struct{}](t, s.in(proj, "", "--json", "events", "replay"))
	if after := s.in(proj, "", "--json", "session", "show", "last").stdout; after != before {
		t.Fatalf("replay after prune changed the session:\n%s\nwas\n%s", after, before)
	}
	// The session goes on from its snapshot.
	if a := decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "--session", "last", "q3")); a.Turn != 4 {
		t.Fatalf("after prune: %+v", a)
	}
	// Removed after a prune, it still replays (from the snapshot the
	// prune left as its base) to no rows, and so do the others.
	pruned := decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "--session", "last", "q4")).Session
	keep := decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "--session", "new", "another")).Session
	if r := s.in(proj, "", "session", "rm", "--yes", pruned); r.code != 0 {
		t.Fatalf("session rm: exit %d: %s", r.code, r.stderr)
	}
	if r := s.in(proj, "", "events", "replay"); r.code != 0 {
		t.Fatalf("replay after prune and removal: exit %d: %s", r.code, r.stderr)
	}
	if l := decode[[]session.Info](t, s.in(proj, "", "--json", "session", "list")); len(l) != 1 || l[0].ID != keep {
		t.Fatalf("sessions after replay: %+v; want only %s", l, keep)
	}
}

// TestEventsTailResumes: events tail follows session streams by prefix,
// and started again after the last id it printed, it shows what was
// appended meanwhile, nothing missed and nothing twice.
func TestEventsTailResumes(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	proj := project(t)
	decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "one"))

	// The first tail sees the session's three events (and not the llm
	// stream's), then is stopped.
	first := tailEvents(t, s, proj, 3, "--stream", "session/*", "--since", "0")
	for _, ev := range first {
		if !strings.HasPrefix(ev.Stream, "session/") {
			t.Fatalf("tail --stream session/* printed %+v", ev)
		}
	}
	decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "--session", "last", "two"))
	next := tailEvents(t, s, proj, 2, "--stream", "session/*", "--since", fmt.Sprint(first[len(first)-1].ID))
	if next[0].ID <= first[len(first)-1].ID || next[0].Type != session.TypeTurnStarted || next[1].Type != session.TypeTurnCompleted ||
		next[0].Version != 4 {
		t.Fatalf("resumed tail: %+v after %+v", next, first)
	}
}

type tailedEvent struct {
	ID      int64  `json:"id"`
	Stream  string `json:"stream"`
	Version int64  `json:"version"`
	Type    string `json:"type"`
}

// tailEvents runs aiex events tail --json until it has printed n events,
// then interrupts it. Each line must be one whole event object.
func tailEvents(t *testing.T, s *sandbox, dir string, n int, args ...string) []tailedEvent {
	t.Helper()
	next := startTail(t, s, dir, args...)
	var got []tailedEvent
	for len(got) < n {
		got = append(got, next())
	}
	return got
}

// startTail starts aiex events tail --json in dir, interrupted when the
// test ends, and returns a function that reads its next event: a line
// that is not one whole event object, or the tail's end, fails the test.
func startTail(t *testing.T, s *sandbox, dir string, args ...string) (next func() tailedEvent) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	cmd := s.command(ctx, "", append([]string{"--json", "events", "tail"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		cancel()
	})
	sc := bufio.NewScanner(out)
	lines := 0
	return func() tailedEvent {
		t.Helper()
		if !sc.Scan() {
			t.Fatalf("the tail ended after %d events: %v", lines, sc.Err())
		}
		lines++
		var ev tailedEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil || ev.ID == 0 || ev.Stream == "" || ev.Type == "" {
			t.Fatalf("line %d is not one event object: %q (%v)", lines, sc.Text(), err)
		}
		return ev
	}
}

// TestSessionLastWithNone: --session last with no session in the project
// yet starts one (scripts rely on it), and says so.
func TestSessionLastWithNone(t *testing.T) {
	s := newSandbox(t, providertest.NewOllama(t, providertest.WithReply("hi")).URL())
	r := s.in(project(t), "", "ask", "-m", "tiny", "--no-code", "--session", "last", "hi")
	if r.code != 0 || !strings.Contains(r.stderr, "aiex: note: no session in this project to continue yet") {
		t.Fatalf("--session last with none: exit %d, stderr %q", r.code, r.stderr)
	}
}
