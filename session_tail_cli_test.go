package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestEventsTailSinceZero: --since 0 starts at the beginning of the log,
// not at its last ten events.
func TestEventsTailSinceZero(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	proj := project(t)
	decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "one"))
	for _, q := range []string{"two", "three", "four"} {
		decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "--session", "last", q))
	}
	// 4 turns: session.started, 4 × (turn.started, llm, turn.completed).
	const total = 13
	all := tailEvents(t, s, proj, total, "--since", "0")
	if all[0].ID != 1 || all[total-1].ID != total {
		t.Fatalf("--since 0 printed ids %d…%d, want 1…%d", all[0].ID, all[total-1].ID, total)
	}
	if last := tailEvents(t, s, proj, 1); last[0].ID != total-9 {
		t.Fatalf("without --since the tail starts at id %d, want %d (the last 10)", last[0].ID, total-9)
	}
}

// TestSessionTitlesArePrintable: a prompt holding terminal escape
// sequences (pasted, or piped from a file) does not reach the terminal
// through session list, resume or show.
func TestSessionTitlesArePrintable(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("fine\x1b[2J"))
	s := newSandbox(t, fake.URL())
	proj := project(t)
	prompt := "\x1b]0;owned\x07why\r\x1b[31m red?\n```go\nx := 1"
	a := decode[askOut](t, s.in(proj, prompt, "--json", "ask", "-m", "tiny", "--no-code"))
	for _, args := range [][]string{
		{"session", "list"}, {"session", "list", "--all", "--archived"}, {"session", "show", "last"},
		{"session", "resume", "last"}, {"session", "export", a.Session},
	} {
		r := s.in(proj, "", args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		if i := strings.IndexFunc(r.stdout, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' }); i >= 0 {
			t.Errorf("%v printed a control character at byte %d: %q", args, i, r.stdout)
		}
		// The sequences go whole: no "[31m" or "owned" left of them.
		if !strings.Contains(r.stdout, "why red?") || strings.Contains(r.stdout, "owned") || strings.Contains(r.stdout, "[31m") {
			t.Errorf("%v lost the title, or kept pieces of its escape sequences: %q", args, r.stdout)
		}
	}
	if r := s.in(proj, "", "session", "archive", "last"); r.code != 0 || strings.ContainsRune(r.stdout, 0x1b) {
		t.Errorf("archive: exit %d: %q", r.code, r.stdout)
	}
}

// TestSessionExportKeepsFileModes: export -o replacing a private file
// keeps it private, a new file gets the user's umask, and a symbolic link
// is written through, not replaced.
func TestSessionExportKeepsFileModes(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	proj := project(t)
	decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "--no-code", "a secret question"))
	dir := t.TempDir()
	export := func(path string) {
		t.Helper()
		if r := s.in(proj, "", "session", "export", "last", "-o", path); r.code != 0 {
			t.Fatalf("export -o %s: exit %d: %s", path, r.code, r.stderr)
		}
	}
	mode := func(path string) fs.FileMode {
		t.Helper()
		fi, err := os.Lstat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode()
	}

	private := filepath.Join(dir, "private.md")
	if err := os.WriteFile(private, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	export(private)
	if m := mode(private); m != 0o600 {
		t.Errorf("replaced 0600 file has mode %v", m)
	}

	old := syscall.Umask(0o077) // the child inherits it
	export(filepath.Join(dir, "new.md"))
	syscall.Umask(old)
	if m := mode(filepath.Join(dir, "new.md")); m != 0o600 {
		t.Errorf("new file under umask 077 has mode %v", m)
	}

	target, link := filepath.Join(dir, "target.md"), filepath.Join(dir, "link.md")
	if err := os.WriteFile(target, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	export(link)
	b, err := os.ReadFile(target)
	if mode(link)&fs.ModeSymlink == 0 || err != nil || !strings.Contains(string(b), "a secret question") || mode(target) != 0o640 {
		t.Errorf("export through a link: link %v, target %v (%v): %q", mode(link), mode(target), err, b)
	}
}

// TestEventsTailServesOtherCommands: with no node running, events tail
// holds the data dir's lock for as long as it runs; the other commands
// go through it meanwhile instead of failing on the lock, and the tail
// shows their events.
func TestEventsTailServesOtherCommands(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	proj := project(t)
	first := decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "one"))

	next := startTail(t, s, proj, "--stream", "session/*")
	for range 3 { // the first session's events: the tail is up
		next()
	}

	r := s.in(proj, "", "--json", "ask", "-m", "tiny", "--session", "last", "two")
	if r.code != 0 {
		t.Fatalf("ask while events tail runs: exit %d: %s", r.code, r.stderr)
	}
	if a := decode[askOut](t, r); a.Session != first.Session || a.Turn != 2 {
		t.Fatalf("ask through the tail: %+v", a)
	}
	if ev := next(); ev.Stream != "session/"+first.Session || ev.Version != 4 {
		t.Fatalf("the tail showed %+v after the ask", ev)
	}
}

// TestEventsTailNodeStops: a tail through a node that stops ends with
// one line saying how to go on from the last event it showed; that
// command, run once the store is free, shows what came after it.
func TestEventsTailNodeStops(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	proj := project(t)
	decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "one"))

	key := filepath.Join(s.home, "cluster.key")
	s.mustRun("cluster", "init", "--out", key)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	nodeCmd := s.command(ctx, "", "node", "run", "--listen", "127.0.0.1:0", "--cluster-key", key, "--name", "solo")
	var nodeErr bytes.Buffer
	nodeCmd.Stderr = &nodeErr
	if err := nodeCmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer nodeCmd.Wait()
	defer nodeCmd.Process.Kill()
	s.waitNode(func() string { return nodeErr.String() })

	tail := s.command(ctx, "", "--json", "events", "tail", "--stream", "session/*", "--since", "0")
	tail.Dir = proj
	var tailErr bytes.Buffer
	tail.Stderr = &tailErr
	out, err := tail.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := tail.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	var last tailedEvent
	for range 3 {
		if !sc.Scan() {
			t.Fatalf("tail ended: %v: %s", sc.Err(), tailErr.String())
		}
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatal(err)
		}
	}
	nodeCmd.Process.Signal(syscall.SIGTERM)
	for sc.Scan() {
		t.Errorf("tail printed %q after the node stopped", sc.Text())
	}
	tail.Wait()
	if tail.ProcessState.ExitCode() != 1 {
		t.Fatalf("tail exit %d when the node stopped: %s", tail.ProcessState.ExitCode(), tailErr.String())
	}
	want := fmt.Sprintf("aiex --json events tail --stream 'session/*' --since %d", last.ID)
	oneLine(t, tailErr.String(), "the node stopped sending events", want)
	nodeCmd.Wait()

	decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "--session", "last", "two"))
	got := tailEvents(t, s, proj, 1, "--stream", "session/*", "--since", fmt.Sprint(last.ID))
	if got[0].ID <= last.ID || got[0].Version != 4 {
		t.Fatalf("resumed with the command given: %+v after %+v", got[0], last)
	}
}

// TestEventsTailSessionByPrefix: --stream session/REF takes what the
// session commands take (a unique prefix of the id, or last) and follows
// that session's stream; a REF that names no session, or a name that is
// no stream's, is an error, not a tail that waits for events that never
// come.
func TestEventsTailSessionByPrefix(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	proj := project(t)
	first := decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "one"))
	decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "other"))
	for _, ref := range []string{first.Session[:6], first.Session} {
		start := time.Now()
		evs := tailEvents(t, s, proj, 3, "--stream", "session/"+ref, "--since", "0")
		// Resolving REF opened this process's own store: the tail must not
		// then wait for a node to serve the data dir it holds itself, which
		// took the whole wait for a starting node (3 s) every time.
		if took := time.Since(start); took >= 3*time.Second {
			t.Errorf("session/%s: the first events came after %v", ref, took)
		}
		for _, ev := range evs {
			if ev.Stream != "session/"+first.Session {
				t.Fatalf("session/%s: event of %s", ref, ev.Stream)
			}
		}
	}
	r := s.in(proj, "", "events", "tail", "--stream", "session/zzzz")
	if r.code == 0 || !strings.Contains(r.stderr, "zzzz") {
		t.Fatalf("an unknown session: exit %d: %s", r.code, r.stderr)
	}
	oneLine(t, r.stderr, "zzzz")
	// A stream the app does not write is refused at once, with the names
	// it does.
	r = s.in(proj, "", "events", "tail", "--stream", "lmm")
	if r.code != 2 || !strings.Contains(r.stderr, `"lmm"`) || !strings.Contains(r.stderr, "llm, audit") {
		t.Fatalf("--stream lmm: exit %d: %s", r.code, r.stderr)
	}
	oneLine(t, r.stderr, "lmm")
}
