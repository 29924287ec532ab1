package cli_test

import (
	"bytes"
	"context"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/aiex-dev/aiex/ui/cli"
	"github.com/aiex-dev/aiex/ui/cli/fastpath"
)

// closingPipe is stdout read by head -1: the reader takes the first
// write and goes away, so every later write fails as a closed pipe's does.
type closingPipe struct{ writes []string }

func (p *closingPipe) Write(b []byte) (int, error) {
	if len(p.writes) > 0 {
		return 0, &fs.PathError{Op: "write", Path: "/dev/stdout", Err: syscall.EPIPE}
	}
	p.writes = append(p.writes, string(b))
	return len(b), nil
}

// TestHelpIsOneWrite: the full command line writes help in one write, as
// the fast path does, so set -o pipefail; aiex help help | head -1 ends
// 0 either way; a pipe already closed still ends quietly with 141.
func TestHelpIsOneWrite(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, args := range [][]string{{"help", "help"}, {"--help"}, {"keys", "set", "--help"}, {"help", "session", "show"}} {
		want := fullRun(args, nil).stdout
		var p closingPipe
		var errb bytes.Buffer
		code := cli.Run(context.Background(), append([]string{"--data-dir", t.TempDir()}, args...), cli.Env{
			Stdout: &p, Stderr: &errb, Getenv: func(string) string { return "" },
		})
		if code != 0 || errb.Len() != 0 || len(p.writes) != 1 || p.writes[0] != want {
			t.Errorf("aiex %q into head -1: exit %d, stderr %q, %d writes; want exit 0, all of the help in one write", args, code, errb.String(), len(p.writes))
		}

		closed := &closingPipe{writes: []string{""}}
		errb.Reset()
		code = cli.Run(context.Background(), args, cli.Env{Stdout: closed, Stderr: &errb, Getenv: func(string) string { return "" }})
		if code != fastpath.ExitPipe || errb.Len() != 0 {
			t.Errorf("aiex %q into a closed pipe: exit %d, stderr %q; want %d, quietly", args, code, errb.String(), fastpath.ExitPipe)
		}
	}
}

// TestHelpWidth: a COLUMNS that is not a positive number is ignored (the
// terminal's width, else 80), one narrower than fastpath.MinHelpWidth
// (or such a terminal) gets help at that width, and the fast path and the
// command line agree on each.
func TestHelpWidth(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	at := func(columns string, args ...string) string {
		t.Helper()
		// kong reads COLUMNS from the process; Run from its Getenv.
		t.Setenv("COLUMNS", columns)
		r := fullRun(args, map[string]string{"COLUMNS": columns})
		if r.code != 0 || r.stderr != "" {
			t.Fatalf("COLUMNS=%q aiex %q: exit %d, stderr %q", columns, args, r.code, r.stderr)
		}
		return r.stdout
	}
	for _, args := range [][]string{{"--help"}, {"ask", "--help"}} {
		wide := at("", args...)
		for _, c := range []string{"0", "-1", "-200", "+0", "x"} {
			if got := at(c, args...); got != wide {
				t.Errorf("COLUMNS=%q aiex %q is not the help at 80 columns:\n%s", c, args, got)
			}
		}
		least := at(strconv.Itoa(fastpath.MinHelpWidth), args...)
		if least == wide {
			t.Fatalf("aiex %q at %d columns is the help at 80", args, fastpath.MinHelpWidth)
		}
		for _, c := range []string{"1", "5", strconv.Itoa(fastpath.MinHelpWidth - 1)} {
			if got := at(c, args...); got != least {
				t.Errorf("COLUMNS=%q aiex %q is not the help at %d columns:\n%s", c, args, fastpath.MinHelpWidth, got)
			}
		}
		// A terminal as narrow, with COLUMNS unset or meaningless.
		for _, c := range []string{"", "0"} {
			t.Setenv("COLUMNS", c)
			for cols, want := range map[int]string{12: least, 200: wide} {
				var out, errb bytes.Buffer
				code := cli.Run(context.Background(), args, cli.Env{
					Stdout: &out, Stderr: &errb, StdoutTTY: true, Columns: cols,
					Getenv: func(k string) string { return map[string]string{"COLUMNS": c}[k] },
				})
				if code != 0 || out.String() != want {
					t.Errorf("COLUMNS=%q aiex %q on a %d-column terminal: exit %d, stderr %q, stdout:\n%s", c, args, cols, code, errb.String(), out.String())
				}
			}
		}
	}
}

// TestHelpFalse: --help=false is --help not given; --help=true is --help.
func TestHelpFalse(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	version := fullRun([]string{"version"}, nil)
	versionHelp := fullRun([]string{"version", "--help"}, nil)
	if version.code != 0 || versionHelp.code != 0 || version.stdout == versionHelp.stdout {
		t.Fatalf("aiex version %+v, aiex version --help %+v", version, versionHelp)
	}
	for _, tc := range []struct {
		args []string
		want run
	}{
		{[]string{"--help=false", "version"}, version},
		{[]string{"version", "--help=FALSE"}, version},
		{[]string{"version", "--help=0", "--help=no"}, version},
		{[]string{"--help=true", "version"}, versionHelp},
		{[]string{"version", "--help=yes"}, versionHelp},
	} {
		if got := fullRun(tc.args, nil); got != tc.want {
			t.Errorf("aiex %q: %+v\nwant %+v", tc.args, got, tc.want)
		}
	}
	// After --, it is an argument like any other.
	if r := fullRun([]string{"version", "--", "--help=false"}, nil); r.code != 2 || !strings.Contains(r.stderr, "--help=false") {
		t.Errorf("aiex version -- --help=false: %+v; want kong's unexpected argument", r)
	}
}

// TestErrorsQuoteArguments: an argument echoed in kong's errors is
// quoted as Go quotes a string: control bytes, C1 controls, invalid UTF-8
// and bidirectional overrides reach the terminal as text, not as acts.
func TestErrorsQuoteArguments(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"\x1b]0;pwn\a"}, `\x1b]0;pwn\a`},
		{[]string{"--\x1b[31m"}, `--\x1b[31m`},
		{[]string{"status", "x\u009b2Jy"}, `x\u009b2Jy`},
		{[]string{"status", "a\xffb"}, `a\xffb`},
		{[]string{"status", "evil\u202etxt"}, `evil\u202etxt`},
		{[]string{"history", "--limit", "1", "tab\there"}, `tab\there`},
	} {
		r := fullRun(tc.args, nil)
		if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("aiex %q: exit %d, stderr %q; want exit 2 and %s in it", tc.args, r.code, r.stderr, tc.want)
		}
		for _, c := range r.stderr {
			if c != '\n' && (c < 0x20 || c == 0x7f || c >= 0x80 && c <= 0x9f || c == utf8RuneError || c == '\u202e') {
				t.Errorf("aiex %q: stderr %q holds %U", tc.args, r.stderr, c)
			}
		}
	}
}

const utf8RuneError = '\uFFFD'

// TestVersionFlag: --version is a global flag, shown in the help and
// completed, and prints what aiex version prints, after a command too.
func TestVersionFlag(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	version, versionJSON := fullRun([]string{"version"}, nil), fullRun([]string{"version", "--json"}, nil)
	for _, tc := range []struct {
		args []string
		want run
	}{
		{[]string{"--version"}, version},
		{[]string{"status", "--version"}, version},
		{[]string{"session", "list", "--version"}, version},
		{[]string{"ask", "--version"}, version},
		{[]string{"--data-dir", t.TempDir(), "history", "--version"}, version},
		{[]string{"--json", "status", "--version"}, versionJSON},
		{[]string{"status", "--version", "--json"}, versionJSON},
		{[]string{"version", "--version"}, version},
	} {
		if got := fullRun(tc.args, nil); got != tc.want {
			t.Errorf("aiex %q: %+v\nwant %+v", tc.args, got, tc.want)
		}
	}
	// --version=false is the flag not given: a command is still needed.
	if r, want := fullRun([]string{"--version=false"}, nil), fullRun([]string{"--verbose"}, nil); r != want || r.code != 2 {
		t.Errorf("aiex --version=false: %+v\nwant %+v", r, want)
	}
	for _, args := range [][]string{{"--help"}, {"ask", "--help"}, {"session", "show", "--help"}} {
		if r := fullRun(args, nil); !strings.Contains(r.stdout, "--version") {
			t.Errorf("aiex %q does not show --version:\n%s", args, r.stdout)
		}
	}
	for _, line := range []string{"aiex --vers", "aiex status --vers"} {
		if got := complete(t, line); !slices.Equal(got, []string{"--version"}) {
			t.Errorf("completing %q: %q; want --version", line, got)
		}
	}
}
