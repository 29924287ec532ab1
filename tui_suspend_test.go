package main

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestTUISuspend: in an interactive shell, Ctrl+Z and kill -TSTP both
// suspend the TUI as a job (the shell says it stopped, the main screen is
// back), and fg gives it the terminal in raw mode again, repainted: what
// is typed goes into the editor, not echoed by the terminal, and Ctrl+C
// is a key, not a signal that kills aiex. The TUI used to stop with the
// terminal as it had it and come back to the shell's cooked mode.
func TestTUISuspend(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil && os.Getenv("CI") == "" {
		t.Skip("needs tmux (apt-get install tmux)")
	}
	if _, err := exec.LookPath("bash"); err != nil && os.Getenv("CI") == "" {
		t.Skip("needs bash, for job control")
	}
	fake := providertest.NewOllama(t, providertest.WithReply("an", " answer"))
	s := newSandbox(t, fake.URL())
	tm := newTmux(t, s, t.TempDir())
	tm.run("new-session", "-d", "-s", "e2e", "-n", "sh", "-x", "100", "-y", "30",
		"env -i PATH=/usr/bin:/bin TERM=xterm-256color PS1='$ ' bash --norc --noprofile -i")
	tm.until("sh", 10*time.Second, `(?m)^\$\s*$`)
	// The command line tm.shell makes, without what it runs after aiex:
	// that is typed once aiex has ended.
	line := strings.TrimSuffix(tm.shell("tui"), "; echo EXIT=$?; sleep 600")
	tm.run("send-keys", "-t", "e2e:sh", line, "Enter")
	tm.until("sh", 10*time.Second, `enter send`, `● \S+ embedded`)
	tty := strings.TrimSpace(tm.run("display-message", "-p", "-t", "e2e:sh", "#{pane_tty}"))
	shell := strings.TrimSpace(tm.run("list-panes", "-t", "e2e:sh", "-F", "#{pane_pid}"))
	out, err := exec.Command("pgrep", "-P", shell).Output()
	pid, perr := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || perr != nil {
		t.Fatalf("the TUI's process under shell %s: %q %v %v", shell, out, err, perr)
	}
	tm.run("send-keys", "-t", "e2e:sh", "-l", "half")

	for i, suspend := range []func(){
		func() { tm.run("send-keys", "-t", "e2e:sh", "C-z") },
		func() {
			if err := syscall.Kill(pid, syscall.SIGTSTP); err != nil {
				t.Fatal(err)
			}
		},
	} {
		suspend()
		scr := tm.until("sh", 10*time.Second, `Stopped`)
		if strings.Contains(tm.run("display-message", "-p", "-t", "e2e:sh", "#{alternate_on}"), "1") {
			t.Errorf("suspension %d: the terminal is left on the alternate screen:\n%s", i, scr)
		}
		tm.run("send-keys", "-t", "e2e:sh", "clear; fg", "Enter")
		tm.until("sh", 10*time.Second, `enter send`, `› half`)
		mode, err := exec.Command("stty", "-a", "-F", tty).Output()
		if err != nil {
			t.Fatalf("stty -F %s: %v", tty, err)
		}
		for _, want := range []string{"-isig", "-icanon", "-echo "} {
			if !strings.Contains(string(mode), want) {
				t.Errorf("suspension %d: after fg the terminal is not in raw mode (no %q):\n%s", i, want, mode)
			}
		}
	}
	// Typed text goes into the editor; Ctrl+C is a key: it clears it,
	// and twice more quits.
	tm.run("send-keys", "-t", "e2e:sh", "-l", " more")
	tm.until("sh", 10*time.Second, `› half more`)
	tm.run("send-keys", "-t", "e2e:sh", "C-c")
	tm.until("sh", 10*time.Second, `Ask about your code`)
	tm.run("send-keys", "-t", "e2e:sh", "C-c", "C-c")
	tm.until("sh", 10*time.Second, `(?m)^\$\s*$`)
	tm.run("send-keys", "-t", "e2e:sh", "echo EXIT=$?", "Enter")
	tm.until("sh", 10*time.Second, `EXIT=0`)
}
