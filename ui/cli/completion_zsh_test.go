package cli_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/ui/cli"
)

// helperEnv makes this test binary act as aiex: the completion script
// that the zsh test sources runs it to ask for candidates.
const helperEnv = "AIEX_CLI_TEST_AS_AIEX"

// TestCompletionHelperProcess is not a test: run with helperEnv set (by a
// wrapper the zsh test writes), it is aiex, answering COMP_LINE, and
// exits. Otherwise it returns at once.
func TestCompletionHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		return
	}
	os.Exit(cli.Run(context.Background(), nil, cli.Env{
		Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
		Build: cli.BuildInfo{Version: "test", Commit: "abc"},
	}))
}

// zshDriver starts an interactive zsh on a pseudo-terminal (zsh's own
// zpty), waits until its line editor is up, types the line given and
// Ctrl-T, which the zshrc binds to a widget that completes the word as
// Tab does and writes the line as it then is to $OUTF, and prints it.
const zshDriver = `zmodload zsh/zpty || exit 3
zpty z env -i PATH="$PATH" HOME="$ZDIR" ZDOTDIR="$ZDIR" OUTF="$ZDIR/out" READYF="$ZDIR/ready" TERM=dumb zsh -d -i
for i in {1..200}; do [[ -e $ZDIR/ready ]] && break; sleep 0.05; done
[[ -e $ZDIR/ready ]] || { print -u2 "zsh did not start"; exit 4 }
zpty -w -n z "$1"$'\x14'
for i in {1..200}; do [[ -s $ZDIR/out ]] && break; sleep 0.05; done
zpty -d z
[[ -s $ZDIR/out ]] || { print -u2 "no completion came back"; exit 5 }
cat $ZDIR/out
`

// zshRC loads zsh's completion system and the script aiex prints, and
// binds Ctrl-T to complete and report the line.
const zshRC = `autoload -U compinit && compinit -u -D
source "$ZDOTDIR/aiex.zsh"
capture() { zle complete-word; print -r -- "$BUFFER" > $OUTF }
zle -N capture
bindkey '^T' capture
zle-line-init() { [[ -e $READYF ]] || print ready > $READYF }
zle -N zle-line-init
PS1='> '
`

// TestZshCompletionQuotesPaths: in a real zsh, with the script of aiex
// completion zsh sourced, a path aiex offers that holds a space is
// inserted as one word, its space escaped, as bash and fish do it. zsh's
// bashcompinit, which the script used, split aiex's answer at the space
// and inserted "my " for "my file.go". Commands and flag values still
// complete.
func TestZshCompletionQuotesPaths(t *testing.T) {
	zsh, err := exec.LookPath("zsh")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the zsh completion test needs zsh (apt-get install zsh)")
		}
		t.Skip("needs zsh (apt-get install zsh)")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	proj := t.TempDir()
	writeTree(t, proj, map[string]string{"my file.go": "package p\n", "sp ace/a b.go": "package p\n", "main.go": "package p\n"})

	// The script names this test binary; a wrapper makes it aiex.
	zdir := t.TempDir()
	wrapper := filepath.Join(zdir, "aiex-wrapper")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\n"+helperEnv+"=1 exec '"+self+"' -test.run='^TestCompletionHelperProcess$'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, false, nil, "completion", "zsh")
	if r.code != 0 {
		t.Fatalf("completion zsh: exit %d\n%s", r.code, r.stderr)
	}
	script := strings.ReplaceAll(r.stdout, self, wrapper)
	if script == r.stdout {
		t.Fatalf("the script does not run %s:\n%s", self, r.stdout)
	}
	for name, text := range map[string]string{"aiex.zsh": script, ".zshrc": zshRC, "driver.zsh": zshDriver} {
		if err := os.WriteFile(filepath.Join(zdir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	for _, tc := range []struct{ line, want string }{
		{`aiex chunks my`, `aiex chunks my\ file.go `},
		// A lone directory is descended into: what its files share is
		// inserted, and no space, so that completion can go on.
		{`aiex chunks sp`, `aiex chunks sp\ ace/`},
		{`aiex chunks ma`, `aiex chunks main.go `},
		{`aiex hi`, `aiex history `},
		{`aiex ask --strategy ro`, `aiex ask --strategy round_robin `},
	} {
		os.Remove(filepath.Join(zdir, "out"))
		os.Remove(filepath.Join(zdir, "ready"))
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, zsh, "-f", filepath.Join(zdir, "driver.zsh"), tc.line)
		cmd.Dir = proj
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "ZDIR=" + zdir}
		out, err := cmd.Output()
		cancel()
		if err != nil {
			stderr := ""
			if ee, ok := err.(*exec.ExitError); ok {
				stderr = string(ee.Stderr)
			}
			t.Fatalf("completing %q in zsh: %v\n%s", tc.line, err, stderr)
		}
		if got := strings.TrimSuffix(string(out), "\n"); got != tc.want {
			t.Errorf("completing %q in zsh: the line is %q, want %q", tc.line, got, tc.want)
		}
	}
}
