package main

// Tests of what commands print for scripts and for mistakes: --json is
// JSON (a stream is one object per line), a failed or cancelled ask --json
// still says what arrived, and mistakes in paths and addresses are one
// line naming the flag, not an internal error.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestEventsTailJSONLines: events tail --json prints one compact JSON
// object per line.
func TestEventsTailJSONLines(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	proj := project(t)
	decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "one"))

	tailEvents(t, s, proj, 3, "--since", "0") // fails on any line that is not one event object
}

// TestClusterInitAndJoinJSON: cluster init and cluster join print a JSON
// object with --json.
func TestClusterInitAndJoinJSON(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	dir := project(t)
	key := decode[struct {
		KeyFile     string `json:"key_file"`
		Fingerprint string `json:"fingerprint"`
	}](t, s.in(dir, "", "--json", "cluster", "init", "--out", "k.key"))
	if key.KeyFile != filepath.Join(dir, "k.key") || key.Fingerprint == "" {
		t.Errorf("cluster init --json: %+v", key)
	}
	join := decode[struct {
		DataDir string   `json:"data_dir"`
		Peers   []string `json:"peers"`
	}](t, s.in(dir, "", "--json", "cluster", "join", "10.0.0.9:7420"))
	if join.DataDir != s.dataDir() || len(join.Peers) != 1 || join.Peers[0] != "10.0.0.9:7420" {
		t.Errorf("cluster join --json: %+v", join)
	}
}

// TestClusterInitOutErrors: a --out that cannot be a new key file is one
// line naming the flag and the path (never the temporary file the key
// goes through), and nothing is written. A directory given for a file is
// a usage error (exit 2); a path that cannot be written, exit 1.
func TestClusterInitOutErrors(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.key")
	if err := os.WriteFile(existing, []byte("keep me\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nonexistent")
	tests := []struct {
		out  string
		code int
		want []string
	}{
		{filepath.Join(missing, "x.key"), 1, []string{"--out", "directory " + missing + " does not exist"}},
		{dir, 2, []string{"--out " + dir + " is a directory", "give a file name"}},
		{existing, 1, []string{existing + " already exists", "never overwritten"}},
	}
	for _, tt := range tests {
		r := s.run("", "cluster", "init", "--out", tt.out)
		if r.code != tt.code {
			t.Errorf("--out %s: exit %d; want %d (stderr %q)", tt.out, r.code, tt.code, r.stderr)
		}
		oneLine(t, r.stderr, tt.want...)
		if strings.Contains(r.stderr, "mesh:") || strings.Contains(r.stderr, ".x.key.") {
			t.Errorf("--out %s: internal error: %q", tt.out, r.stderr)
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me\n" {
		t.Errorf("the existing file was changed: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left in %s: %v", dir, entries)
	}
}

// TestNodeRunListenRefused: a --listen that is not HOST:PORT with a port
// number is a usage error naming the flag, before anything starts.
func TestNodeRunListenRefused(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	key := filepath.Join(s.home, "cluster.key")
	s.mustRun("cluster", "init", "--out", key)
	for _, tt := range []struct {
		flag, addr string
		want       []string
	}{
		{"--listen", "127.0.0.1:99999", []string{"--listen 127.0.0.1:99999", "port 99999", "65535"}},
		{"--listen", "10.0.0.5", []string{"--listen 10.0.0.5", "HOST:PORT"}},
		{"--advertise", ":7420", []string{"--advertise :7420", "host"}},
	} {
		args := []string{"node", "run", "--cluster-key", key, tt.flag, tt.addr}
		if tt.flag != "--listen" {
			args = append(args, "--listen", "127.0.0.1:0")
		}
		r := s.run("", args...)
		if r.code != 2 {
			t.Errorf("%s %s: exit %d; want 2 (stderr %q)", tt.flag, tt.addr, r.code, r.stderr)
		}
		oneLine(t, r.stderr, tt.want...)
		if strings.Contains(r.stderr, "mesh.NewTCP") {
			t.Errorf("%s %s: internal error: %q", tt.flag, tt.addr, r.stderr)
		}
	}
}

// TestSessionExportToDirectory: session export -o DIR says that DIR is a
// directory, and -o into a missing directory names that directory;
// neither leaves a file behind.
func TestSessionExportToDirectory(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	proj := project(t)
	decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "one"))
	dir := t.TempDir()
	for _, tt := range []struct {
		out  string
		code int
		want []string
	}{
		{dir, 2, []string{"-o " + dir + " is a directory", "give a file name"}},
		{filepath.Join(dir, "missing", "s.md"), 1, []string{"directory " + filepath.Join(dir, "missing") + " does not exist"}},
	} {
		r := s.in(proj, "", "session", "export", "last", "-o", tt.out)
		if r.code != tt.code {
			t.Errorf("-o %s: exit %d; want %d (stderr %q)", tt.out, r.code, tt.code, r.stderr)
		}
		oneLine(t, r.stderr, tt.want...)
		if strings.Contains(r.stderr, "rename") || strings.Contains(r.stderr, "export:") {
			t.Errorf("-o %s: internal error: %q", tt.out, r.stderr)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("export left files in %s: %v", dir, entries)
	}
}

// TestAskJSONKeepsPartialAnswer: when the provider dies mid-answer,
// ask --json still prints the answer's object — what arrived, the status
// it is recorded with and the error — and exits 1.
func TestAskJSONKeepsPartialAnswer(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("par", "tial", " never"), providertest.WithBrokenStream(2))
	s := newSandbox(t, fake.URL())
	r := s.in(project(t), "", "--json", "ask", "-m", "tiny", "hello")
	if r.code != 1 {
		t.Fatalf("exit %d; want 1 (stderr %q)", r.code, r.stderr)
	}
	var out askOutJSON
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%q", err, r.stdout)
	}
	if out.Response != "partial" || out.Status != "interrupted" || !strings.Contains(out.Error, "broke off") ||
		out.Prompt != "hello" || out.Model != "tiny:latest" || out.Session == "" {
		t.Errorf("ask --json after a broken stream: %+v", out)
	}
	oneLine(t, r.stderr, "broke off")
	// The session's turn says the same: interrupted, with what arrived.
	doc := decode[session.Document](t, s.in(project(t), "", "--json", "session", "show", out.Session))
	if len(doc.Turns) != 1 || doc.Turns[0].Status != "interrupted" || doc.Turns[0].Answer != "partial" || !strings.Contains(doc.Turns[0].Reason, "broke off") {
		t.Errorf("the session's turn after a broken stream: %+v", doc.Turns)
	}
}

// TestAskJSONCancelled: Ctrl-C during ask --json prints the object with
// what arrived (as recorded) and status cancelled, and exits 130.
func TestAskJSONCancelled(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	fake := providertest.NewOllama(t, providertest.WithReply("first", " second"), providertest.WithPause(1, release))
	s := newSandbox(t, fake.URL())
	proj := project(t)
	s.in(proj, "", "status") // create the store before the race below

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := s.command(ctx, "", "--json", "ask", "-m", "tiny", "hello")
	cmd.Dir = proj
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-fake.Paused():
	case <-ctx.Done():
		t.Fatalf("the stream never paused; stderr %q", stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit %d; want 130 (stderr %q)", code, stderr.String())
	}
	var out askOutJSON
	if err := json.Unmarshal([]byte(stdout.String()), &out); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%q", err, stdout.String())
	}
	rows := s.history()
	if len(rows) != 1 {
		t.Fatalf("history %+v", rows)
	}
	if out.Status != "cancelled" || out.Response != rows[0].Response || !strings.HasPrefix("first", out.Response) ||
		out.Error == "" || out.ID != rows[0].ID {
		t.Errorf("ask --json after Ctrl-C: %+v; recorded %+v", out, rows[0])
	}
}

type askOutJSON struct {
	askOut
	Error string `json:"error"`
}

// TestIndexListsWarnings: aiex index lists the warnings it counts, file
// and reason, up to a cap, then says how many more --json has.
func TestIndexListsWarnings(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	root := project(t)
	os.Mkdir(filepath.Join(root, ".git"), 0o755)
	for i := 1; i <= 13; i++ {
		os.WriteFile(filepath.Join(root, fmt.Sprintf("b%02d.go", i)), []byte(fmt.Sprintf("package p\n\nfunc f%d( {\n", i)), 0o644)
	}
	r := s.mustRunIn(root, "index")
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) != 12 || !strings.Contains(lines[0], "13 warnings") {
		t.Fatalf("index output:\n%s", r.stdout)
	}
	if !strings.HasPrefix(lines[1], "  warning b01.go: line 3:") || !strings.Contains(lines[1], "syntax error") {
		t.Errorf("first warning line %q", lines[1])
	}
	if lines[11] != "  … and 3 more (aiex index --json)" {
		t.Errorf("last line %q", lines[11])
	}
}

// TestHistoryNegativeLimit: history -n -1 is refused while parsing: one
// line saying what --limit takes, then the help hint; no suggestion of a
// value that would be refused in turn.
func TestHistoryNegativeLimit(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	for _, args := range [][]string{{"history", "-n", "-1"}, {"history", "--limit=-1"}} {
		r := s.run("", args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d; want 2", args, r.code)
		}
		if r.stderr != "aiex: error: --limit: must be 0 or more, not -1\nRun \"aiex history --help\" for usage.\n" {
			t.Errorf("%v: stderr %q", args, r.stderr)
		}
	}
}

// TestContextDefaultReserve: without --reserve, the answer keeps a
// quarter of the window, at most 4,096 tokens, as aiex context --help says.
func TestContextDefaultReserve(t *testing.T) {
	fake := providertest.NewOllama(t)
	s := newSandbox(t, fake.URL())
	root := newProject(t)
	s.index(root)
	for _, tt := range []struct{ window, reserve int }{{100000, 4096}, {8000, 2000}} {
		var co struct {
			Window  int `json:"window"`
			Reserve int `json:"reserve"`
			Budget  int `json:"budget"`
		}
		out := s.mustRunIn(root, "context", "--json", "-m", "tiny", "--window", fmt.Sprint(tt.window), "App.hello/1").stdout
		if err := json.Unmarshal([]byte(out), &co); err != nil {
			t.Fatalf("context --json: %v\n%s", err, out)
		}
		if co.Window != tt.window || co.Reserve != tt.reserve || co.Budget != tt.window-tt.reserve {
			t.Errorf("--window %d: window %d, reserve %d, budget %d; want reserve %d", tt.window, co.Window, co.Reserve, co.Budget, tt.reserve)
		}
	}
	help := strings.Join(strings.Fields(s.mustRun("context", "--help").stdout), " ")
	if !strings.Contains(help, "a quarter of the window, at most 4096") {
		t.Errorf("context --help no longer states the default reserve:\n%s", help)
	}
}

// TestEscapesNotPrinted: text from elsewhere that holds escape sequences —
// a prompt, a server's error message — reaches the terminal without them:
// history shows the prompt, the error line the message, neither with ESC.
func TestEscapesNotPrinted(t *testing.T) {
	const evil = "x \x1b]0;PWNED\x07\x1b[2Jy"
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	if r := s.run(evil+"\n", "ask", "-m", "tiny", "-"); r.code != 0 {
		t.Fatalf("ask: exit %d: %s", r.code, r.stderr)
	}
	r := s.run("", "history")
	if r.code != 0 || strings.ContainsRune(r.stdout, 0x1b) || !strings.Contains(r.stdout, "x y") {
		t.Errorf("history: exit %d, stdout %q", r.code, r.stdout)
	}

	bad := providertest.NewOllama(t, providertest.WithStatus(500, "boom \x1b]0;PWNED\x07\x1b[2Jend"))
	s = newSandbox(t, bad.URL())
	r = s.run("", "ask", "-m", "tiny", "hi")
	if r.code == 0 || strings.ContainsRune(r.stderr, 0x1b) || !strings.Contains(r.stderr, "boom end") {
		t.Errorf("ask against a server quoting escapes: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestSessionExportToSpecialFiles: -o into a FIFO writes into it and
// leaves it a FIFO; a read-only file is refused and left as it was.
func TestSessionExportToSpecialFiles(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	proj := project(t)
	decode[askOut](t, s.in(proj, "", "--json", "ask", "-m", "tiny", "one"))
	dir := t.TempDir()

	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		b, _ := os.ReadFile(fifo) // opens when the export opens it for writing
		got <- string(b)
	}()
	if r := s.in(proj, "", "session", "export", "last", "-o", fifo); r.code != 0 {
		t.Fatalf("-o FIFO: exit %d: %s", r.code, r.stderr)
	}
	select {
	case b := <-got:
		if !strings.Contains(b, "one") {
			t.Errorf("the FIFO's reader got %q", b)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("nothing came through the FIFO")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO is now %v (%v)", fi.Mode(), err)
	}

	ro := filepath.Join(dir, "kept.md")
	if err := os.WriteFile(ro, []byte("mine"), 0o400); err != nil {
		t.Fatal(err)
	}
	r := s.in(proj, "", "session", "export", "last", "-o", ro)
	if r.code == 0 {
		t.Fatal("a read-only file was replaced")
	}
	oneLine(t, r.stderr, ro, "read-only")
	if n := strings.Count(r.stderr, "cannot write"); n != 1 {
		t.Errorf("the message says cannot write %d times: %q", n, r.stderr)
	}
	if b, _ := os.ReadFile(ro); string(b) != "mine" {
		t.Errorf("the read-only file now holds %q", b)
	}

	// A link to a file not there yet: the file is made, the link stays.
	link, target := filepath.Join(dir, "link.md"), filepath.Join(dir, "later.md")
	if err := os.Symlink("later.md", link); err != nil {
		t.Fatal(err)
	}
	if r := s.in(proj, "", "session", "export", "last", "-o", link); r.code != 0 {
		t.Fatalf("-o dangling link: exit %d: %s", r.code, r.stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link is now %v (%v)", fi.Mode(), err)
	}
	if b, err := os.ReadFile(target); err != nil || !strings.Contains(string(b), "one") {
		t.Errorf("the link's target holds %q (%v)", b, err)
	}

	// /dev/stdout is this process's stdout as given (a shell's >> appends).
	if r := s.in(proj, "", "session", "export", "last", "-o", "/dev/stdout"); r.code != 0 || !strings.Contains(r.stdout, "one") {
		t.Errorf("-o /dev/stdout: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
