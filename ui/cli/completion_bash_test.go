package cli_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// bashRC sources the script aiex completion bash prints and binds Ctrl-T
// to write the line as it is to $OUTF; the prompt says the line editor is
// up by making $READYF.
const bashRC = `source "$ZDIR/aiex.bash"
bind -x '"\C-t": printf "%s" "$READLINE_LINE" > "$OUTF"'
PROMPT_COMMAND='[[ -e $READYF ]] || echo ready > "$READYF"'
PS1='> '
`

// TestBashCompletion: in a real interactive bash, with the script of aiex
// completion bash sourced, commands and flag values complete as words —
// "search", not "search/", where the current directory holds a directory
// of that name, as Go and Mix projects may — while paths aiex offers
// complete as file names, quoted (one with a space stays one word) and
// without a space after a directory. Where aiex offers nothing, bash
// completes file names.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("needs bash")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	proj := t.TempDir()
	writeTree(t, proj, map[string]string{"my file.go": "package p\n", "sp ace/a b.go": "package p\n", "main.go": "package p\n",
		"search/x.go": "package search\n", "list/y.go": "package list\n"})

	// The script names this test binary; a wrapper makes it aiex.
	dir := t.TempDir()
	wrapper := filepath.Join(dir, "aiex-wrapper")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\n"+helperEnv+"=1 exec '"+self+"' -test.run='^TestCompletionHelperProcess$'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, false, nil, "completion", "bash")
	if r.code != 0 {
		t.Fatalf("completion bash: exit %d\n%s", r.code, r.stderr)
	}
	script := strings.ReplaceAll(r.stdout, self, wrapper)
	if script == r.stdout {
		t.Fatalf("the script does not run %s:\n%s", self, r.stdout)
	}
	for name, text := range map[string]string{"aiex.bash": script, "bashrc": bashRC} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	for _, tc := range []struct{ line, want string }{
		{`aiex sea`, `aiex search `},
		{`aiex session li`, `aiex session list `},
		{`aiex --json sea`, `aiex --json search `},
		{`aiex chunks my`, `aiex chunks my\ file.go `},
		{`aiex chunks sp`, `aiex chunks sp\ ace/`},
		{`aiex chunks ma`, `aiex chunks main.go `},
		{`aiex ask --strategy ro`, `aiex ask --strategy round_robin `},
		{`aiex hi`, `aiex history `},
		// aiex offers nothing for search's query: file names.
		{`aiex search sea`, `aiex search search/`},
		// A lone directory gets one slash, and no space.
		{`aiex chunks li`, `aiex chunks list/`},
		{`aiex --data-dir se`, `aiex --data-dir search/`},
	} {
		if got, _ := bashComplete(t, bash, dir, proj, tc.line, "\t"); got != tc.want {
			t.Errorf("completing %q in bash: the line is %q, want %q", tc.line, got, tc.want)
		}
	}

	// Listed (Tab Tab), a directory shows one slash, as cat's do, and
	// the current directory is not among them unless asked for.
	line, screen := bashComplete(t, bash, dir, proj, "aiex index ", "\t\t")
	if line != "aiex index " {
		t.Errorf("listing in bash changed the line to %q", line)
	}
	for _, w := range []string{"list/", "search/", "sp ace/", "my file.go", "main.go"} {
		if !strings.Contains(screen, w) {
			t.Errorf("bash lists no %q for aiex index:\n%s", w, screen)
		}
	}
	if strings.Contains(screen, "//") || strings.Contains(screen, " ./") {
		t.Errorf("bash lists a doubled slash or ./ for aiex index:\n%s", screen)
	}
	if _, screen := bashComplete(t, bash, dir, proj, "aiex index .", "\t\t"); !strings.Contains(screen, "./") || strings.Contains(screen, ".//") {
		t.Errorf("bash lists no ./ (or .//) for aiex index .:\n%s", screen)
	}
}

// bashComplete starts an interactive bash on a pseudo-terminal in dir
// proj, types line, keys (Tab, Tab Tab) and Ctrl-T, and returns the line
// Ctrl-T wrote and what bash showed on the terminal.
func bashComplete(t *testing.T, bash, dir, proj, line, keys string) (string, string) {
	t.Helper()
	out, ready := filepath.Join(dir, "out"), filepath.Join(dir, "ready")
	os.Remove(out)
	os.Remove(ready)
	cmd := exec.Command(bash, "--noprofile", "--rcfile", filepath.Join(dir, "bashrc"), "-i")
	cmd.Dir = proj
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "ZDIR=" + dir, "OUTF=" + out, "READYF=" + ready,
		"TERM=dumb", "INPUTRC=/dev/null"}
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 200})
	if err != nil {
		t.Fatal(err)
	}
	var screen bytes.Buffer
	copied := make(chan struct{})
	go func() {
		io.Copy(&screen, f)
		close(copied)
	}()
	stop := func() {
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
		<-copied
	}
	defer func() {
		if cmd.ProcessState == nil {
			stop()
		}
	}()
	waitFor(t, ready, "bash did not start")
	if _, err := io.WriteString(f, line+keys+"\x14"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, out, "no completion came back for "+line)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	// Bash wrote what it showed before it ran Ctrl-T's command.
	stop()
	return string(b), screen.String()
}

// waitFor polls until path holds something (a file the shell has
// created may not be written yet), or fails with msg after 20 s.
func waitFor(t *testing.T, path, msg string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
			return
		}
	}
	t.Fatal(msg)
}
