package cli

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/kong"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/ui/cli/fastpath"
)

// helpPrinter prints kong's help wrapped at fastpath.HelpWrap's width, as
// the fast path answers it, and in one write: kong writes it a line at a
// time, and a reader that takes the first line and goes away (aiex help
// | head -1) would otherwise see aiex end with 141 under pipefail.
func helpPrinter(env Env) kong.HelpPrinter {
	return func(options kong.HelpOptions, kctx *kong.Context) error {
		width := fastpath.HelpWrap(env.Getenv, env.Columns)
		options.WrapUpperBound = width
		var b bytes.Buffer
		out := kctx.Stdout
		kctx.Stdout = &b
		err := withColumns(width, func() error { return kong.DefaultHelpPrinter(options, kctx) })
		kctx.Stdout = out
		if err != nil {
			return err
		}
		_, err = out.Write(b.Bytes())
		return err
	}
}

// withColumns runs f, in which kong wraps help at width at most, with
// kong wrapping at width at least. kong takes the width from the
// process's COLUMNS when that is a number (else, its writer being no
// terminal, 80), and at 0 or less wraps nothing or each word: a COLUMNS
// narrower than width is raised to it while f runs. The environment is
// the process's, but help ends the process.
func withColumns(width int, f func() error) error {
	old, set := os.LookupEnv("COLUMNS")
	if n, err := strconv.Atoi(old); err != nil || n >= width {
		return f()
	}
	if err := os.Setenv("COLUMNS", strconv.Itoa(width)); err != nil {
		return f()
	}
	defer func() {
		if set {
			os.Setenv("COLUMNS", old)
		} else {
			os.Unsetenv("COLUMNS")
		}
	}()
	return f()
}

// helpValues turns --help=VALUE into what it says. kong takes a value for
// --help as for any bool flag, and then shows help whatever it is:
// --help=false (or 0, or no) is dropped, as if not given, and
// --help=true (1, yes) is --help. Any other value is left to kong, which
// refuses it; so is everything after --.
func helpValues(args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if v, ok := strings.CutPrefix(a, "--help="); ok {
			switch strings.ToLower(v) {
			case "false", "0", "no":
				continue
			case "true", "1", "yes":
				a = "--help"
			}
		}
		out = append(out, a)
	}
	return out
}

// quoteControls writes what of s a terminal would act on or cannot show
// (control characters, C1 controls, bidirectional overrides, bytes that
// are not UTF-8) as Go's %q writes them: \x1b, \a, \u009b, \u202e, \xff.
// kong's errors echo the argument they are about as it was typed.
// Backslashes are left alone: kong's messages hold values it quoted itself.
func quoteControls(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case strconv.IsPrint(r):
			b.WriteString(s[i : i+n])
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += n
	}
	return b.String()
}

// versionFlag is --version after a command (aiex status --version): it
// prints what aiex version prints, as JSON with --json, and ends. Before
// any command, habitual has made it aiex version already, which the fast
// path answers too.
type versionFlag bool

// BeforeReset prints the version when the flag was given (not as
// --version=false), before the command's arguments are checked, as
// kong's --help does.
func (versionFlag) BeforeReset(kctx *kong.Context, p *kong.Path, build BuildInfo) error {
	if v, _ := kctx.FlagValue(p.Flag).(versionFlag); !v {
		return nil
	}
	asJSON := false
	for _, f := range kctx.Flags() {
		if f.Name == "json" {
			asJSON, _ = kctx.FlagValue(f).(bool)
		}
	}
	var b bytes.Buffer
	info := fastpath.Info(build.Version, build.Commit, app.SQLiteVersion(), app.KnownSchema())
	if err := fastpath.WriteVersion(&b, info, asJSON); err != nil {
		return err
	}
	if _, err := kctx.Stdout.Write(b.Bytes()); err != nil {
		return err
	}
	kctx.Kong.Exit(0)
	return nil
}
