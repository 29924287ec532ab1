package workflow

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// mix compile compiles the .ex files of a project's elixirc_paths and
// loads its mix.exs files and its config (config/config.exs, and the
// files that imports for the environment, dev): it never looks at a test
// file or any other script. A test file is compiled by mix test, which
// loads test/test_helper.exs and requires the test files given; with
// every test excluded (--exclude test: every test has the tag test)
// no test runs, nor a setup_all; what does run is the project's
// application, which mix test starts, test_helper.exs and what compiling
// the test modules runs (an application that fails to start makes the
// check a skip: the files were not compiled). Any other script (priv/repo/seeds.exs, a
// config file of another environment, runtime.exs) can only be run,
// which a check does not do.

// exsKind is how the check looks at a changed .exs file.
type exsKind int

const (
	exsLoaded    exsKind = iota // mix compile loads it: a mix.exs, the config it reads
	exsTest                     // mix test compiles it: a test file, test_helper.exs
	exsUnchecked                // nothing compiles it without running it
)

// mixImportsEnvConfig is the line of a config.exs that imports the
// config of the environment mix runs in (config/dev.exs for the check's
// mix compile), as mix new writes it and as older projects did.
var mixImportsEnvConfig = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^\s*import_config\s*\(?\s*"(#\{\s*(config_env\(\)|Mix\.env\(?\)?)\s*\}|dev)\.exs"`)
})

// mixExsKind says how the check looks at the .exs file rel (relative to
// the Mix project, slash-separated), whose project's config.exs holds
// config ("" if it has none); and for one it cannot check, why.
func mixExsKind(rel string, config []byte) (exsKind, string) {
	dir, base := path.Split(rel)
	app := ""
	if parts := strings.SplitN(rel, "/", 3); len(parts) == 3 && parts[0] == "apps" {
		app = "apps/" + parts[1] + "/"
	}
	switch {
	case base == "mix.exs" && (dir == "" || dir == app):
		return exsLoaded, ""
	case rel == "config/config.exs":
		return exsLoaded, ""
	case rel == "config/dev.exs" && mixImportsEnvConfig().Match(config):
		return exsLoaded, ""
	case strings.HasPrefix(rel, app+"test/") && (strings.HasSuffix(base, "_test.exs") || rel == app+"test/test_helper.exs"):
		return exsTest, ""
	case strings.HasPrefix(rel, "config/"):
		return exsUnchecked, "mix compile (MIX_ENV=dev) does not load it, and checking it would mean running it"
	case strings.HasPrefix(rel, app+"test/"):
		return exsUnchecked, "it is no test file (*_test.exs) nor test_helper.exs, which mix test loads, and checking it would mean running it"
	}
	return exsUnchecked, "mix compiles no script, and checking it would mean running it"
}

// mixTestCompile compiles the changed test files tests (as the project
// names them) of the project's copy at tmp, whose mix compile passed as
// c: mix test with every test excluded. If it fails, what failed so
// before the changes (in the copy without them, before, compiling the
// files of tests that were there: old) does not
// fail c: a test file that failed to compile before and does not
// compile now is not known to be worse, and c is skipped saying so. A
// helper among tests has mix test compile every test file.
func mixTestCompile(ctx context.Context, o ValidateOptions, without *mixBefore, tmp string, tests, old []string, changed []string, c Check) Check {
	args := func(files []string) []string {
		a := []string{"test", "--exclude", "test"}
		if slices.ContainsFunc(files, func(f string) bool { return path.Base(f) == "test_helper.exs" }) {
			return a
		}
		return append(a, files...)
	}
	names := strings.Join(tests, ", ")
	t, whole := runWhole(ctx, o, tmp, []string{"MIX_ENV=test"}, c.Name, "mix", args(tests)...)
	out := whole
	if t.Status != Failed {
		out = ""
	}
	switch {
	case t.Status == OK:
		if u, ok := mixTestUndefined(ctx, o, without, tmp, whole, old, changed, args, c); ok {
			return u
		}
		c.Detail = fmt.Sprintf("%s %s (mix test, every test excluded)\n%s", names, plural(len(tests), "compiles", "compile"), c.Detail)
		return c
	case out == "":
		t.Detail = "mix test, compiling " + names + ": " + t.Detail
		return t
	}
	shown := tail(withoutTestPreamble(inProject(out, tmp)), 30)
	now := mixErrors(out, mixPath(tmp))
	ours := func(e mixError) bool { return slices.Contains(changed, e.file) }
	if len(old) == 0 {
		// New test files: nothing to compare with. An error in one of
		// them is the change's; one elsewhere (test_helper.exs, the
		// application's start) stopped mix before it.
		if slices.ContainsFunc(now, ours) {
			return Check{Name: c.Name, Status: Failed, Detail: shown}
		}
		return Check{Name: c.Name, Status: Skipped, Detail: fmt.Sprintf("could not check %s: mix test failed before it compiled %s, not in a changed file\n%s", names, plural(len(tests), "it", "them"), shown)}
	}
	dir, err := without.get()
	if err != nil {
		return SetupFailed(c.Name, err)
	}
	was, wasOut := runOut(ctx, o, dir, []string{"MIX_ENV=test"}, c.Name, "mix", args(old)...)
	if was.Status != Failed || wasOut == "" {
		return Check{Name: c.Name, Status: Failed, Detail: shown}
	}
	left := map[string]int{}
	for _, e := range mixErrors(wasOut, mixPath(dir)) {
		left[e.key()]++
	}
	var fresh, before []mixError
	for _, e := range now {
		if k := e.key(); left[k] > 0 {
			left[k]--
			before = append(before, e)
			continue
		}
		fresh = append(fresh, e)
	}
	counted := fmt.Sprintf("already failing before the change: %d", len(before))
	switch {
	case len(fresh) > 0 || len(before) == 0:
		return Check{Name: c.Name, Status: Failed, Detail: shown}
	case slices.ContainsFunc(before, ours):
		return Check{Name: c.Name, Status: Skipped, Detail: fmt.Sprintf(
			"could not check %s: %s already failed to compile before the change with the same error, and the compiler stops at a file's first error, so it cannot tell whether the change adds one\n%s\n%s",
			names, before[slices.IndexFunc(before, ours)].file, counted, tail(joinMixErrors(before), 30))}
	}
	return Check{Name: c.Name, Status: Skipped, Detail: fmt.Sprintf(
		"could not check %s: mix test failed before it compiled %s, as it did without the change (%s)\n%s\n%s",
		names, plural(len(tests), "it", "them"), firstLine(before[0].String()), counted, tail(joinMixErrors(before), 30))}
}

// mixTestUndefined fails c when the changed test files, compiled by mix
// test at tmp (its output out), call a function that does not exist: a
// warning there as under mix compile (mixUndefined), and a crash when the
// test runs. Calls the test files already had are not the change's: the
// files as they were (old, in the copy without them, without) are compiled the same way
// to count them. ok
// is false when the change adds none.
func mixTestUndefined(ctx context.Context, o ValidateOptions, without *mixBefore, tmp, out string, old, changed []string,
	args func([]string) []string, c Check) (_ Check, ok bool) {
	now := slices.DeleteFunc(undefinedCalls(out, mixPath(tmp)), func(u undefinedCall) bool { return !slices.Contains(changed, u.file) })
	if len(now) == 0 {
		return c, false
	}
	var had []undefinedCall // the calls the test files had
	dir := ""
	if len(old) > 0 {
		var err error
		dir, err = without.get()
		if err != nil {
			return SetupFailed(c.Name, err), true
		}
		was, wasOut := runWhole(ctx, o, dir, []string{"MIX_ENV=test"}, c.Name, "mix", args(old)...)
		if was.Status != OK {
			// Its warnings are not all known: which calls the change adds
			// is not either (as mixUndefined says of mix compile).
			return Check{Name: c.Name, Status: Skipped, Detail: "could not check the calls of undefined functions that mix test warns about: without the change, the test files' compile " +
				strings.ToLower(was.Status) + " (" + firstLine(was.Detail) + "), so which of them the change adds is unknown\n" + tail(joinUndefinedCalls(now), 30)}, true
		}
		had = undefinedCalls(wasOut, mixPath(dir))
	}
	fresh, _ := newCalls(now, had, tmp, dir)
	if len(fresh) == 0 {
		return c, false
	}
	first, rest, _ := strings.Cut(joinUndefinedCalls(fresh), "\n")
	detail := first + ": a call of a function that does not exist, which crashes when the test runs (mix test warns)"
	if rest != "" {
		detail += "\n" + tail(rest, 30)
	}
	return Check{Name: c.Name, Status: Failed, Detail: detail}, true
}

// plural is one if n is 1, else more.
func plural(n int, one, more string) string {
	if n == 1 {
		return one
	}
	return more
}

// withoutTestPreamble is mix test's output without its "Excluding tags:
// [:test]" line, which would pass for what the check found.
func withoutTestPreamble(out string) string {
	var b strings.Builder
	for l := range strings.Lines(out) {
		if !strings.HasPrefix(l, "Excluding tags: ") {
			b.WriteString(l)
		}
	}
	return strings.TrimSpace(b.String())
}

// unchecked is c, of a mix compile that did not look at the changed
// scripts why names (each with why it did not): said first, and unless
// c failed, c is skipped, never passed.
func unchecked(c Check, why map[string]string, order []string) Check {
	if len(order) == 0 {
		return c
	}
	var lines []string
	for _, f := range order {
		lines = append(lines, "could not check "+f+": "+why[f])
	}
	if c.Status == Failed {
		c.Detail += "\n" + strings.Join(lines, "\n")
		return c
	}
	if c.Detail != "" {
		lines = append(lines, c.Detail)
	}
	return Check{Name: c.Name, Status: Skipped, Detail: strings.Join(lines, "\n")}
}

// readConfig is the config.exs of the Mix project at root as the changes
// leave it: content if the changes hold it, else the file's.
func readConfig(root string, content []byte, changed bool) []byte {
	if changed {
		return content
	}
	b, _ := os.ReadFile(filepath.Join(root, "config", "config.exs"))
	return b
}
