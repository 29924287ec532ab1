package workflow

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aiex-dev/aiex/app/workflow/linediff"
)

// undefinedWarning is the first line of a warning of mix compile that
// means the code crashes at run time: a call of a function that does
// not exist. Mix only warns about a remote call (it cannot know that the
// module is not loaded some other way), so the compile passes; an
// unused variable or a deprecated function is no such warning.
var undefinedWarning = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^warning: (\S+ is undefined or private|\S+ is undefined \(module \S+ is not available or is yet to be defined\)|undefined function .*?)(?:\. Did you mean:)?$`)
})

// warningLocation is where a warning was found: a file, a line, and
// what follows (the function the call is in).
var warningLocation = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(\S+\.exs?):(\d+)(?::\d+)?:?\s*(.*)$`)
})

// undefinedCall is one place of one undefined-call warning: file (as the
// project names it), line, the warning's text and the function it is in.
type undefinedCall struct{ file, line, text, in string }

// key tells a call from another: by its file and text (the function
// called and its arity), not by the line the change may have moved it to.
// Unlike mixError.key it keeps the numbers: Gone.f/2 is not Gone.f/1.
func (u undefinedCall) key() string { return u.file + "\x00" + u.text }

// newCalls are the calls of now, the undefined-call warnings of the
// project's copy at tmp, that are not among was, those of its copy
// without the changes at dir; old counts the others. A call of was is
// one of now at any line, as the change left it: first the call at the
// line of was the change moved it to (a line diff of the file's two
// copies), then one in the same function, then any of the same key.
// Counting by key alone would take a call the change adds above an old
// one of the same function for the old one, and name the old one.
func newCalls(now, was []undefinedCall, tmp, dir string) (fresh []undefinedCall, old int) {
	left := map[string][]*undefinedCall{}
	for i := range was {
		left[was[i].key()] = append(left[was[i].key()], &was[i])
	}
	moved := map[string]map[int]int{}
	wasLine := func(u undefinedCall) int {
		m, ok := moved[u.file]
		if !ok {
			a, errA := os.ReadFile(filepath.Join(dir, filepath.FromSlash(u.file)))
			b, errB := os.ReadFile(filepath.Join(tmp, filepath.FromSlash(u.file)))
			if errA == nil && errB == nil {
				m = unchangedLines(string(a), string(b))
			}
			moved[u.file] = m
		}
		n, _ := strconv.Atoi(u.line)
		return m[n]
	}
	matched := make([]bool, len(now))
	take := func(same func(u undefinedCall, w *undefinedCall) bool) {
		for i, u := range now {
			if matched[i] {
				continue
			}
			ws := left[u.key()]
			if j := slices.IndexFunc(ws, func(w *undefinedCall) bool { return same(u, w) }); j >= 0 {
				left[u.key()] = slices.Delete(ws, j, j+1)
				matched[i] = true
				old++
			}
		}
	}
	take(func(u undefinedCall, w *undefinedCall) bool {
		l := wasLine(u)
		return l > 0 && strconv.Itoa(l) == w.line
	})
	take(func(u undefinedCall, w *undefinedCall) bool { return u.in == w.in })
	take(func(undefinedCall, *undefinedCall) bool { return true })
	for i, u := range now {
		if !matched[i] {
			fresh = append(fresh, u)
		}
	}
	return fresh, old
}

// unchangedLines maps each line of new (numbered from 1) that a line
// diff from old leaves as it was to its number in old.
func unchangedLines(old, new string) map[int]int {
	m := map[int]int{}
	next := func(s string) int { // the length of s's first line
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			return i + 1
		}
		return len(s)
	}
	o, n, pos := 1, 1, 0 // the next line of old and new, and where old's starts
	for _, e := range linediff.Edits(old, new) {
		for ; pos < e.Start; o, n = o+1, n+1 {
			m[n] = o
			pos += next(old[pos:])
		}
		for ; pos < e.End; o++ {
			pos += next(old[pos:])
		}
		n += strings.Count(e.New, "\n")
		if e.New != "" && !strings.HasSuffix(e.New, "\n") {
			n++
		}
	}
	for ; pos < len(old); o, n = o+1, n+1 {
		m[n] = o
		pos += next(old[pos:])
	}
	return m
}

// undefinedCalls are the undefined-call warnings of mix compile's output,
// one a location ("Invalid call found at 2 locations:"). In an umbrella
// each app's output follows a "==> app" line and names its files
// relative to the app; path turns the app and file into the project's
// path of the file.
func undefinedCalls(out string, path func(app, file string) string) []undefinedCall {
	var us []undefinedCall
	app, text := "", ""
	for l := range strings.Lines(out) {
		l = strings.TrimRight(l, "\r\n")
		t := strings.TrimSpace(l)
		if a, ok := strings.CutPrefix(t, "==> "); ok && l == t {
			app, text = a, ""
			continue
		}
		if m := undefinedWarning().FindStringSubmatch(t); m != nil {
			text = m[1]
			continue
		}
		switch {
		case text == "" || t == "" || strings.HasPrefix(t, "* ") || strings.HasPrefix(t, "Invalid call found at "):
			// Suggestions, and the line before the locations.
		case l != t:
			if m := warningLocation().FindStringSubmatch(t); m != nil {
				us = append(us, undefinedCall{file: path(app, m[1]), line: m[2], text: text, in: m[3]})
			}
		default:
			text = ""
		}
	}
	return us
}

// joinUndefinedCalls prints us one a line, each after its file and line.
func joinUndefinedCalls(us []undefinedCall) string {
	var b strings.Builder
	for _, u := range us {
		fmt.Fprintf(&b, "%s:%s: %s", u.file, u.line, u.text)
		if u.in != "" {
			fmt.Fprintf(&b, " (%s)", u.in)
		}
		b.WriteByte('\n')
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// mixPath is path for undefinedCalls in the project copied at dir: an
// umbrella app's file is under apps/APP (the default apps_path) or APP.
func mixPath(dir string) func(app, file string) string {
	return func(app, file string) string {
		if p, ok := appFile(dir, app, file); ok {
			return p
		}
		return app + ": " + file
	}
}

// appFile is the project's path of the file an umbrella app (its
// directory's name) names file, in the project copied at dir; false if
// the app has no such file. Outside an umbrella app (app ""), file is
// the project's path already; so it is under the project's own app,
// which mix names too once it has compiled a dependency ("==> mydep"
// before "==> app").
func appFile(dir, app, file string) (string, bool) {
	if app == "" {
		return file, true
	}
	for _, p := range []string{"apps/" + app + "/" + file, app + "/" + file} {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); err == nil {
			return p, true
		}
	}
	if src, err := os.ReadFile(filepath.Join(dir, "mix.exs")); err == nil {
		if m := mixAppName().FindSubmatch(src); m != nil && string(m[1]) == app {
			return file, true
		}
	}
	return "", false
}

// mixAppName is the app a mix.exs names its project's.
var mixAppName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\bapp:\s*:(\w+)`) })

// mixFileName is a file name in mix's output: a path to an Elixir
// source, after a space, a bracket or a quote, or first on its line.
var mixFileName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(^|[\s(\["'])([\w./@+-]+\.exs?)\b`)
})

// inProject is mix's output out, of the project copied at dir, with the
// files each umbrella app's part (after its "==> app" line) names
// relative to the app named as the project names them, as undefinedCalls
// and mixErrors name them: a message that says lib/core/accounts.ex:7
// when the file is apps/core/lib/core/accounts.ex leads nowhere.
func inProject(out, dir string) string {
	var b strings.Builder
	app := ""
	for l := range strings.Lines(out) {
		t := strings.TrimSpace(l)
		if a, ok := strings.CutPrefix(t, "==> "); ok && strings.TrimRight(l, "\r\n") == t {
			app = a
		} else if app != "" {
			l = mixFileName().ReplaceAllStringFunc(l, func(s string) string {
				m := mixFileName().FindStringSubmatch(s)
				if p, ok := appFile(dir, app, m[2]); ok {
					return m[1] + p
				}
				return s
			})
		}
		b.WriteString(l)
	}
	return b.String()
}

// mixUndefined fails the passing mix compile c, of the project's copy at
// tmp in the environment env (dev, or test: mixTestEnv) whose output was
// out, if the change adds calls of functions that do not exist. The
// compile was forced, so every file was compiled and warned about, also a
// caller the change did not touch. Calls the project already had are not
// the change's: the copy of the project without the changes (before) is
// compiled the same way to count them (only when there are any to count).
// If that compile does not pass, its warnings are not all known, and c is
// skipped, saying why.
func mixUndefined(ctx context.Context, o ValidateOptions, before *mixBefore, tmp, env string, c Check, out string) Check {
	now := undefinedCalls(out, mixPath(tmp))
	if len(now) == 0 {
		return c
	}
	dir, err := before.get()
	if err != nil {
		return SetupFailed(c.Name, err)
	}
	how := mixCompileIn(env)
	was, wasOut := runWhole(ctx, o, dir, []string{"MIX_ENV=" + env}, c.Name, "mix", "compile", "--force")
	if was.Status != OK {
		return Check{Name: c.Name, Status: Skipped, Detail: "could not check the calls of undefined functions that " + how + " warns about: without the change, the project's " + how + " " +
			strings.ToLower(was.Status) + " (" + firstLine(was.Detail) + "), so which of them the change adds is unknown\n" + tail(joinUndefinedCalls(now), 30)}
	}
	fresh, old := newCalls(now, undefinedCalls(wasOut, mixPath(dir)), tmp, dir)
	counted := fmt.Sprintf("calls of undefined functions already there before the change: %d", old)
	if len(fresh) > 0 {
		// The call first, then what it means: the first line is the
		// failure's one-line summary (Headline), and must say which.
		calls := joinUndefinedCalls(fresh)
		first, rest, _ := strings.Cut(calls, "\n")
		detail := first + ": a call of a function that does not exist, which crashes at run time (" + how + " warns)"
		if rest != "" {
			detail += "\n" + tail(rest, 30)
		}
		if old > 0 {
			detail += "\n" + counted // none would be no news
		}
		return Check{Name: c.Name, Status: Failed, Detail: detail}
	}
	c.Detail = counted + "\n" + c.Detail
	return c
}

// mixCompileIn is how a detail names mix compile in the environment env:
// dev, the check's own, goes without saying.
func mixCompileIn(env string) string {
	if env == "dev" {
		return "mix compile"
	}
	return "MIX_ENV=" + env + " mix compile"
}

// firstLine is s up to its first line break.
func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
