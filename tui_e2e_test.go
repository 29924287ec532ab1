package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestTermprobeInitsBeforeBubbleTea: Bubble Tea v1's package init asks the
// terminal for its background colour (a round trip, or a 5 s wait where
// the terminal does not answer) unless ui/tui/termprobe answered first;
// Go runs the two inits in the order of their import paths, which this
// checks on the real binary.
func TestTermprobeInitsBeforeBubbleTea(t *testing.T) {
	s := newSandbox(t, "http://127.0.0.1:1")
	// Not aiex version: that is answered before either init runs (see
	// TestHelpBeforeInit).
	cmd := exec.Command(aiexBin, "completion", "bash")
	cmd.Env = append(s.env, "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("aiex completion bash: %v\n%s", err, stderr.String())
	}
	order := map[string]int{}
	sc := bufio.NewScanner(&stderr)
	for i := 0; sc.Scan(); i++ {
		if f := strings.Fields(sc.Text()); len(f) > 1 && f[0] == "init" {
			order[f[1]] = i
		}
	}
	probe, okP := order["github.com/aiex-dev/aiex/ui/tui/termprobe"]
	tea, okT := order["github.com/charmbracelet/bubbletea"]
	if !okP || !okT || probe > tea {
		t.Fatalf("termprobe's init (line %d, seen %v) must run before bubbletea's (line %d, seen %v)", probe, okP, tea, okT)
	}
}

// tmux drives terminals on a tmux server of the test's own.
type tmux struct {
	t    *testing.T
	sock string
	env  []string // the sandbox's environment, for the commands run in it
	dir  string   // where they run
}

func newTmux(t *testing.T, s *sandbox, dir string) *tmux {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatal("the TUI's end-to-end test needs tmux (apt-get install tmux)")
	}
	tm := &tmux{t: t, sock: filepath.Join(t.TempDir(), "tmux.sock"), env: s.env, dir: dir}
	t.Cleanup(func() { exec.Command("tmux", "-S", tm.sock, "kill-server").Run() })
	return tm
}

func (tm *tmux) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", tm.sock}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// shell is a shell command line that runs aiex with args in the sandbox's
// environment and directory, then says how it exited and stays (so that
// the pane can be read after).
func (tm *tmux) shell(args ...string) string {
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	var b strings.Builder
	fmt.Fprintf(&b, "cd %s && env -i", q(tm.dir))
	for _, e := range append(tm.env, "TERM=xterm-256color") {
		b.WriteString(" " + q(e))
	}
	b.WriteString(" " + q(aiexBin))
	for _, a := range args {
		b.WriteString(" " + q(a))
	}
	b.WriteString("; echo EXIT=$?; sleep 600")
	return b.String()
}

// session starts the tmux session e2e (100×30) with a first window
// running aiex with args.
func (tm *tmux) session(name string, args ...string) {
	tm.t.Helper()
	tm.run("new-session", "-d", "-s", "e2e", "-n", name, "-x", "100", "-y", "30", tm.shell(args...))
}

// window opens another window running aiex with args.
func (tm *tmux) window(name string, args ...string) {
	tm.t.Helper()
	tm.run("new-window", "-d", "-t", "e2e", "-n", name, tm.shell(args...))
}

func (tm *tmux) screen(name string) string { return tm.run("capture-pane", "-p", "-t", "e2e:"+name) }

// until polls a window's screen until it matches every pattern.
func (tm *tmux) until(name string, timeout time.Duration, patterns ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		scr := tm.screen(name)
		ok := true
		for _, p := range patterns {
			if !regexp.MustCompile(p).MatchString(scr) {
				ok = false
				break
			}
		}
		if ok {
			return scr
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("window %s never showed %q:\n%s", name, patterns, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// quit quits the TUI in window name as a user does: Ctrl+C until it says
// the next one quits (a first one may still stop an answer, or clear the
// editor), then Ctrl+C.
func (tm *tmux) quit(name string) {
	tm.t.Helper()
	armed := regexp.MustCompile(`ctrl\+c again to quit|ctrl\+c quits without sending`)
	deadline := time.Now().Add(20 * time.Second)
	for !armed.MatchString(tm.screen(name)) {
		if time.Now().After(deadline) {
			tm.t.Fatalf("window %s never offered to quit:\n%s", name, tm.screen(name))
		}
		tm.run("send-keys", "-t", "e2e:"+name, "C-c")
		time.Sleep(200 * time.Millisecond)
	}
	tm.run("send-keys", "-t", "e2e:"+name, "C-c")
}

// TestE2ETUIInTmux runs aiex tui in a real terminal (tmux) against the real
// Ollama: a question typed with send-keys streams its answer; then, with
// a node running, a second window continues the same session from the
// CLI and the TUI shows that turn as it happens.
func TestE2ETUIInTmux(t *testing.T) {
	host := realOllama(t)
	s := newSandbox(t, host)
	project := t.TempDir()
	tm := newTmux(t, s, project)

	// Embedded: no node runs, the TUI opens the store itself.
	tm.session("tui") // aiex alone, on a terminal: the TUI
	tm.until("tui", 10*time.Second, `enter send`, `● \S+ embedded`)
	tm.run("send-keys", "-t", "e2e:tui", "hello from tmux", "Enter")
	scr := tm.until("tui", 60*time.Second, `You · turn 1`, `aiex · ollama/tiny\S* · [0-9,]+→[0-9,]+ tokens`, `session [0-9a-f]{12} · 1 turn`)
	id := regexp.MustCompile(`session ([0-9a-f]{12})`).FindStringSubmatch(scr)[1]
	answer := strings.TrimSpace(lineAfter(scr, "aiex · ollama/tiny"))
	if answer == "" {
		t.Fatalf("no answer text under its header:\n%s", scr)
	}
	tm.quit("tui")
	tm.until("tui", 20*time.Second, `EXIT=0`)
	tm.run("kill-server")
	if out := s.mustRun("session", "show", id).stdout; !strings.Contains(out, "hello from tmux") {
		t.Fatalf("the TUI's turn is not in session %s:\n%s", id, out)
	}

	// With a node: the TUI and the CLI both go through it.
	key := filepath.Join(s.home, "cluster.key")
	s.mustRun("cluster", "init", "--out", key)
	tm.session("node", "node", "run", "--listen", "127.0.0.1:0", "--cluster-key", key)
	s.waitNode(func() string { return tm.screen("node") })
	tm.window("tui2", "tui", "--session", id)
	tm.until("tui2", 10*time.Second, `● \S+ node`, `hello from tmux`, `session `+id+` · 1 turn`)
	tm.window("cli", "ask", "-m", "tiny", "--session", id, "asked from the other window")
	tm.until("cli", 60*time.Second, `EXIT=0`)
	// The turn appears, its answer under it (the CLI has finished: both
	// its events are in).
	tm.until("tui2", 20*time.Second, `You \(cli\) · turn 2`, `session `+id+` · 2 turns`,
		`(?s)asked from the other window.*aiex · ollama/tiny\S*.* tokens`)
	// The TUI asks through the node into the same session.
	tm.run("send-keys", "-t", "e2e:tui2", "and from the tui again", "Enter")
	// Its answer complete (Ctrl-C during a stream stops the stream; only
	// then does it quit).
	tm.until("tui2", 60*time.Second, `You · turn 3`, `session `+id+` · 3 turns`,
		`(?s)and from the tui again.*aiex · ollama/tiny\S* · [0-9,]+→[0-9,]+ tokens`)
	tm.quit("tui2")
	tm.until("tui2", 20*time.Second, `EXIT=0`)
}

// lineAfter is the line after the first line containing s.
func lineAfter(screen, s string) string {
	lines := strings.Split(screen, "\n")
	for i, l := range lines {
		if strings.Contains(l, s) && i+1 < len(lines) {
			return lines[i+1]
		}
	}
	return ""
}

// TestTUIProposalInTmux: in a real terminal, /refactor shows the model's
// diff as hunks; enter writes it through a checkpoint, /undo puts the
// file back. The model is a fake speaking Ollama's wire format (the
// tiny real model does not write diffs).
func TestTUIProposalInTmux(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil && os.Getenv("CI") == "" {
		t.Skip("needs tmux (apt-get install tmux)")
	}
	fake := providertest.NewOllama(t, providertest.WithReply(maxDiff))
	s := newSandbox(t, fake.URL())
	proj := goProject(t)
	tm := newTmux(t, s, proj)
	tm.session("tui", "tui")
	tm.until("tui", 10*time.Second, `enter send`, `● \S+ embedded`)
	tm.run("send-keys", "-t", "e2e:tui", "/refactor calc.Max return a when equal", "Enter")
	tm.until("tui", 60*time.Second, `refactor calc\.Max · 1 file · \+1 −1`, `✓ applies  ✓ syntax  ✓ go build  ✓ go vet`,
		`▸ \[✓\] @@ -\d+,7 \+\d+,7 @@`, `-\s+if a > b \{`, `\+\s+if a >= b \{`)
	if readFile(t, filepath.Join(proj, "calc.go")) != calcGo {
		t.Fatal("calc.go written before enter")
	}
	// Enter alone does not write: the editor has the keys until Tab
	// gives them to the proposal.
	tm.run("send-keys", "-t", "e2e:tui", "Tab", "Enter")
	tm.until("tui", 20*time.Second, `wrote calc\.go · checkpoint \S+`)
	if got := readFile(t, filepath.Join(proj, "calc.go")); got != strings.Replace(calcGo, "a > b", "a >= b", 1) {
		t.Fatalf("calc.go after enter:\n%s", got)
	}
	tm.run("send-keys", "-t", "e2e:tui", "/undo", "Enter")
	tm.until("tui", 20*time.Second, `undone: restored calc\.go as before checkpoint`)
	if readFile(t, filepath.Join(proj, "calc.go")) != calcGo {
		t.Fatal("/undo did not put calc.go back")
	}
	tm.quit("tui")
	tm.until("tui", 20*time.Second, `EXIT=0`)
	// The task is a turn of the session, the write and the restore are
	// checkpoints.
	list := s.in(proj, "", "checkpoint", "list").stdout
	if strings.Count(list, "\n") < 2 {
		t.Fatalf("checkpoints:\n%s", list)
	}
}

// TestTUIServesOtherCommands: with no node running, the TUI's own core
// holds the data dir; other aiex commands go through it (its socket)
// instead of failing on the lock, and a turn asked from the CLI into the
// TUI's session appears in the TUI.
func TestTUIServesOtherCommands(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil && os.Getenv("CI") == "" {
		t.Skip("needs tmux (apt-get install tmux)")
	}
	fake := providertest.NewOllama(t, providertest.WithReply("an", " answer"))
	s := newSandbox(t, fake.URL())
	proj := t.TempDir()
	tm := newTmux(t, s, proj)
	tm.session("tui", "tui")
	tm.until("tui", 10*time.Second, `enter send`, `● \S+ embedded`)
	tm.run("send-keys", "-t", "e2e:tui", "first question", "Enter")
	scr := tm.until("tui", 30*time.Second, `session [0-9a-f]{12} · 1 turn`)
	id := regexp.MustCompile(`session ([0-9a-f]{12})`).FindStringSubmatch(scr)[1]

	r := s.in(proj, "", "ask", "-m", "tiny", "--session", id, "from the cli")
	if r.code != 0 || !strings.Contains(r.stdout, "an answer") {
		t.Fatalf("ask while the TUI runs: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	tm.until("tui", 20*time.Second, `You \(cli\) · turn 2`, `from the cli`, `session `+id+` · 2 turns`)
	if out := s.in(proj, "", "session", "show", id).stdout; !strings.Contains(out, "first question") || !strings.Contains(out, "from the cli") {
		t.Fatalf("session show through the TUI:\n%s", out)
	}
	tm.quit("tui")
	tm.until("tui", 20*time.Second, `EXIT=0`)
	if _, err := os.Stat(filepath.Join(s.dataDir(), "aiex.sock")); err == nil {
		t.Error("the TUI left its socket behind")
	}
	// The store is free again.
	if r := s.in(proj, "", "session", "show", id); r.code != 0 {
		t.Fatalf("after the TUI: exit %d: %s", r.code, r.stderr)
	}
}

// TestTUISignalled: SIGTERM or SIGINT from another process (kill, an
// IDE, timeout) ends the TUI with the shell's status for it and the
// terminal given back, every time: two signal handlers once raced, and
// the losing one hung the TUI on its alternate screen.
func TestTUISignalled(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil && os.Getenv("CI") == "" {
		t.Skip("needs tmux (apt-get install tmux)")
	}
	fake := providertest.NewOllama(t, providertest.WithReply("an", " answer"))
	s := newSandbox(t, fake.URL())
	for i, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGTERM, syscall.SIGINT, syscall.SIGTERM, syscall.SIGINT} {
		tm := newTmux(t, s, t.TempDir())
		tm.session("tui", "tui")
		tm.until("tui", 10*time.Second, `enter send`)
		if i%2 == 1 { // after an answer, too
			tm.run("send-keys", "-t", "e2e:tui", "a question", "Enter")
			tm.until("tui", 20*time.Second, `1 turn`)
		}
		shell := strings.TrimSpace(tm.run("list-panes", "-t", "e2e:tui", "-F", "#{pane_pid}"))
		out, err := exec.Command("pgrep", "-P", shell).Output()
		pid, perr := strconv.Atoi(strings.TrimSpace(string(out)))
		if err != nil || perr != nil {
			t.Fatalf("the TUI's process under shell %s: %q %v %v", shell, out, err, perr)
		}
		if err := syscall.Kill(pid, sig); err != nil {
			t.Fatal(err)
		}
		scr := tm.until("tui", 10*time.Second, fmt.Sprintf(`EXIT=%d`, 128+int(sig)))
		if strings.Contains(tm.run("display-message", "-p", "-t", "e2e:tui", "#{alternate_on}"), "1") {
			t.Errorf("%v: the terminal is left on the alternate screen:\n%s", sig, scr)
		}
		tm.run("kill-server")
	}
}

// TestTUIClusterMemberDir: the TUI on the data dir of a cluster member
// whose node is not running ends at once with the one line the other
// commands print, rather than opening with the error inside and nothing
// it can do.
func TestTUIClusterMemberDir(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil && os.Getenv("CI") == "" {
		t.Skip("needs tmux (apt-get install tmux)")
	}
	s := newSandbox(t, "http://127.0.0.1:1")
	ctx := context.Background()
	var join []string
	var stores []*db.Store
	for _, dir := range []string{s.dataDir(), t.TempDir()} {
		h := dbtest.Listen(t, "127.0.0.1:0")
		defer h.Close()
		cc := &db.ClusterConfig{Raft: h.Raft(), Service: h.Service(), Advertise: h.Addr(), Join: join, Version: "test"}
		st, err := db.Open(ctx, db.Config{Dir: dir, Cluster: cc, OpenTimeout: 20 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		stores = append(stores, st)
		join = []string{h.Addr()}
	}
	for _, st := range stores {
		if err := st.Close(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tm := newTmux(t, s, t.TempDir())
	tm.session("tui", "tui")
	scr := tm.until("tui", 20*time.Second, `EXIT=1`)
	if line := strings.ReplaceAll(scr, "\n", ""); !strings.Contains(line, "is a member of a cluster of 2 nodes") || strings.Contains(line, "enter send") {
		t.Fatalf("screen:\n%s", scr)
	}
}

// TestTUITakesOverFromAnotherTUI: a second TUI on the data dir goes
// through the first one's core; when the first quits, the second runs the
// core itself, and the question asked meanwhile goes into the session.
func TestTUITakesOverFromAnotherTUI(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil && os.Getenv("CI") == "" {
		t.Skip("needs tmux (apt-get install tmux)")
	}
	fake := providertest.NewOllama(t, providertest.WithReply("an", " answer"))
	s := newSandbox(t, fake.URL())
	tm := newTmux(t, s, t.TempDir())
	tm.session("first", "tui")
	tm.until("first", 10*time.Second, `enter send`, `● \S+ embedded`)
	tm.window("second", "tui")
	tm.until("second", 10*time.Second, `enter send`, `● \S+ node`)
	tm.run("send-keys", "-t", "e2e:second", "through the first", "Enter")
	tm.until("second", 30*time.Second, `session [0-9a-f]{12} · 1 turn`)

	tm.quit("first")
	tm.until("first", 20*time.Second, `EXIT=0`)
	tm.run("send-keys", "-t", "e2e:second", "after it quit", "Enter")
	tm.until("second", 30*time.Second, `● \S+ embedded`, `session [0-9a-f]{12} · 2 turns`)
	tm.quit("second")
	tm.until("second", 20*time.Second, `EXIT=0`)
}

// TestTUIWindowClosed: closing the terminal mid-answer (here tmux's window,
// which hangs the TUI up more than once) ends it as SIGTERM would: the
// turn is recorded as cancelled, with what arrived.
func TestTUIWindowClosed(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil && os.Getenv("CI") == "" {
		t.Skip("needs tmux (apt-get install tmux)")
	}
	release := make(chan struct{})
	defer close(release)
	fake := providertest.NewOllama(t, providertest.WithReply("half", " never"), providertest.WithPause(1, release))
	s := newSandbox(t, fake.URL())
	tm := newTmux(t, s, t.TempDir())
	tm.session("tui", "tui")
	tm.run("new-window", "-d", "-t", "e2e", "-n", "keep", "sleep 600") // the server outlives the window
	tm.until("tui", 10*time.Second, `enter send`)
	tm.run("send-keys", "-t", "e2e:tui", "a question", "Enter")
	select {
	case <-fake.Paused():
	case <-time.After(20 * time.Second):
		t.Fatal("the answer never started")
	}
	tm.until("tui", 10*time.Second, `half`)
	tm.run("kill-window", "-t", "e2e:tui")
	deadline := time.Now().Add(15 * time.Second)
	for {
		// Read while the TUI goes away: through its socket, or (once it
		// is gone) the store itself, never "no such file".
		rows := s.history()
		if len(rows) == 1 && rows[0].Status != "running" {
			if rows[0].Status != "cancelled" || rows[0].Response != "half" {
				t.Fatalf("after the window closed: %+v; want the turn cancelled with what arrived", rows[0])
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("history %+v; want the turn ended", rows)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
