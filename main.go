// Command aiex is an AI coding assistant for Elixir and Go developers: one
// binary that is a CLI, and (as it grows) a TUI, an LSP server, a web UI
// and a cluster node.
package main

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/mattn/go-isatty"
	"golang.org/x/term"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/ui/cli"
	// Answers aiex --help and aiex version before the packages below
	// initialize (see its doc).
	_ "github.com/aiex-dev/aiex/ui/cli/early"
	"github.com/aiex-dev/aiex/ui/cli/fastpath"
)

func main() {
	// SIGINT/SIGTERM, and SIGHUP (the terminal closed), cancel the
	// command's context; the command then records what it was doing and
	// the store closes cleanly, and the exit status is the shell's for
	// that signal (130, 143, 129). A second signal, once the first has
	// been seen, kills the process as usual. SIGHUP is left alone when it
	// is ignored (nohup aiex node run &): notifying would undo that.
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	if !signal.Ignored(syscall.SIGHUP) {
		signal.Notify(sigs, syscall.SIGHUP)
	}
	var caught atomic.Value
	go func() {
		s, ok := <-sigs
		if !ok {
			return
		}
		caught.Store(s)
		signal.Stop(sigs)
		if s == syscall.SIGHUP {
			// A closing terminal may hang up more than once (the window,
			// then the tty): only a second Ctrl-C or SIGTERM kills.
			signal.Ignore(syscall.SIGHUP)
		}
		cancel()
	}()
	stop := func() { signal.Stop(sigs); close(sigs) }
	// A reader of stdout that goes away (aiex history | head) must not
	// kill the process with the store open: with SIGPIPE notified, a write
	// to the closed pipe fails with EPIPE instead, and the command ends as
	// any command whose output failed does (cli.report: exit 141, quietly).
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)

	stdoutTTY := isTerminal(os.Stdout)
	code := cli.Run(ctx, os.Args[1:], cli.Env{
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		StdinTTY:   isTerminal(os.Stdin),
		StdoutTTY:  stdoutTTY,
		StderrTTY:  isTerminal(os.Stderr),
		StdinPiped: isPiped(os.Stdin),
		Columns:    columns(os.Stdout, stdoutTTY),
		Getenv:     os.Getenv,
		Build:      cli.BuildInfo{Version: fastpath.Version, Commit: fastpath.Commit},
	})
	stop()
	if sig, ok := caught.Load().(syscall.Signal); ok && code == usererr.ExitSignal && sig != syscall.SIGINT {
		code = 128 + int(sig)
	}
	os.Exit(code)
}

func isTerminal(f *os.File) bool {
	return isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())
}

// columns is the width of the terminal f is, 0 if it is none or cannot
// tell.
func columns(f *os.File, tty bool) int {
	if !tty {
		return 0
	}
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return w
}

// isPiped reports whether f is a pipe or a regular file: input someone
// sent, as opposed to a terminal or /dev/null.
func isPiped(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	m := fi.Mode()
	return m&os.ModeNamedPipe != 0 || m.IsRegular()
}
