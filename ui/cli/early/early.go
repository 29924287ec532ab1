// Package early answers aiex --help and aiex version from an init
// function, before the packages that the rest of aiex links in run theirs
// (see package fastpath). Only main imports it.
//
// Go initializes packages in dependency order, choosing among those that
// are ready the first by import path. This package's path sorts ahead of
// every third-party one, and it depends only on packages that nearly all
// of them depend on too (no os/signal, no x/sys: those would wait for
// hundreds of others), so it runs before most of them. A test of the
// built binary (TestHelpBeforeInit) checks that this stays so.
package early

import (
	"os"
	"strings"
	"syscall"
	"unsafe"

	"github.com/aiex-dev/aiex/ui/cli/fastpath"
)

func init() {
	// aiex runs itself under other names for roles of its own (the
	// sandbox's init, aiex-sandbox-init: see app/sandbox); those are not
	// requests of a user.
	if len(os.Args) == 0 || strings.HasPrefix(os.Args[0], "aiex-") {
		return
	}
	env := fastpath.Env{
		Stdout: fdWriter(1), Stderr: fdWriter(2),
		StdinTTY: isTerminal(0), StdoutTTY: isTerminal(1),
		Getenv: os.Getenv,
	}
	if env.StdoutTTY {
		env.Columns = columns(1)
	}
	if code, ok := fastpath.Answer(os.Args[1:], env); ok {
		os.Exit(code)
	}
}

// fdWriter writes to a file descriptor with write(2) itself. A write to a
// pipe whose reader went away (aiex --help | head) then fails with EPIPE,
// and fastpath ends with exit code 141, quietly, as a command does; an
// os.File of stdout would have the runtime kill the process with SIGPIPE
// instead, unless os/signal had been told to catch it.
type fdWriter int

func (fd fdWriter) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := syscall.Write(int(fd), p[n:])
		switch {
		case err == syscall.EINTR:
		case err != nil:
			return n, &os.PathError{Op: "write", Path: [...]string{"", "/dev/stdout", "/dev/stderr"}[fd], Err: err}
		default:
			n += m
		}
	}
	return n, nil
}

// isTerminal reports whether fd is a terminal: whether it answers the
// request for its terminal attributes, as go-isatty (which main uses)
// asks on Linux.
func isTerminal(fd uintptr) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}

// columns is the width of the terminal on fd, 0 if it cannot tell.
func columns(fd uintptr) int {
	var ws [4]uint16 // rows, columns, x and y pixels
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCGWINSZ, uintptr(unsafe.Pointer(&ws))); errno != 0 {
		return 0
	}
	return int(ws[1])
}
