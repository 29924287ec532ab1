package workflow

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/parse"
)

// mixCompile compiles the Mix project with the changes, in a copy of it.
// If that fails, what already failed before the changes does not fail
// them (mixBaseline); the note says what was let pass so. If it passes,
// it must not call functions that do not exist where the project did
// not before (mixUndefined); MIX_ENV=test mix compile must pass the
// same way (mixTestEnv) if the project compiles files only in the test
// env (test/support): a changed .ex file the dev compile did not compile,
// or one it did, that such files may use; and the changed test files
// must compile (mixTestCompile). A changed script that mix compiles in no way (see
// mixExsKind) is said not to be checked: the check is skipped, never
// passed, unless it fails.
func mixCompile(ctx context.Context, root string, changes []parse.Change, o ValidateOptions) (Check, string) {
	const name = "mix compile"
	if _, err := o.LookPath("mix"); err != nil {
		return Check{Name: name, Status: Skipped, Detail: "mix is not installed"}, ""
	}
	mixRoot, ok := findUp(root, "mix.exs")
	if !ok {
		return Check{Name: name, Status: Skipped, Detail: "no mix.exs above " + root}, ""
	}
	// The project's files as the changes leave them, by their path
	// relative to it; nil for one the changes delete.
	changedTo := map[string][]byte{}
	var rels []string // in the changes' order
	for _, c := range changes {
		rel, err := filepath.Rel(mixRoot, filepath.Join(root, filepath.FromSlash(c.Path)))
		if err != nil || strings.HasPrefix(rel, "..") {
			continue
		}
		rel = filepath.ToSlash(rel)
		if c.OldPath != "" && c.OldPath != c.Path {
			if oldRel, err := filepath.Rel(mixRoot, filepath.Join(root, filepath.FromSlash(c.OldPath))); err == nil {
				changedTo[filepath.ToSlash(oldRel)] = nil
			}
		}
		if c.Delete {
			changedTo[rel] = nil
			continue
		}
		changedTo[rel] = c.Content
		rels = append(rels, rel)
	}
	cfg, cfgChanged := changedTo["config/config.exs"]
	config := readConfig(mixRoot, cfg, cfgChanged)
	var changed, tests, oldTests, scripts []string // changed: the changed .ex files, as mix names them
	why := map[string]string{}
	for _, rel := range rels {
		switch {
		case strings.HasSuffix(rel, ".ex"):
			changed = append(changed, rel)
		case strings.HasSuffix(rel, ".exs"):
			switch k, because := mixExsKind(rel, config); k {
			case exsTest:
				tests = append(tests, rel)
				if _, ok := statOK(filepath.Join(mixRoot, filepath.FromSlash(rel))); ok {
					oldTests = append(oldTests, rel)
				}
			case exsUnchecked:
				scripts, why[rel] = append(scripts, rel), because
			}
		}
	}
	if len(scripts) == len(changes) {
		// Nothing mix compile looks at changed: compiling would say
		// nothing of the change.
		return unchecked(Check{Name: name, Status: Skipped}, why, scripts), ""
	}
	copier, err := newMixCopier(mixRoot, func(rel string) ([]byte, error) {
		if b, ok := changedTo[rel]; ok {
			if b == nil {
				return nil, os.ErrNotExist
			}
			return b, nil
		}
		return os.ReadFile(filepath.Join(mixRoot, filepath.FromSlash(rel)))
	}, o.Readable, o.Private)
	if err != nil {
		return Check{Name: name, Status: Skipped, Detail: err.Error()}, ""
	}
	scratch, err := os.MkdirTemp(o.TempDir, "aiex-mix-")
	if err != nil {
		return SetupFailed(name, err), ""
	}
	defer os.RemoveAll(scratch)
	tmp, err := copier.copy(filepath.Join(scratch, "after"), func(tmp string) error {
		for rel, content := range changedTo {
			dst := filepath.Join(tmp, filepath.FromSlash(rel))
			if content == nil {
				os.Remove(dst)
				continue
			}
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(dst, content, 0o644); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return SetupFailed(name, err), ""
	}
	// --verbose names each file compiled: whether a changed file was,
	// when the compile fails, is what mixBaseline needs to know.
	c, out := runWhole(ctx, o, tmp, []string{"MIX_ENV=dev"}, name, "mix", "compile", "--force", "--verbose")
	if out != "" {
		c.Detail = tail(withoutCompiled(inProject(out, tmp)), 30)
	}
	note := ""
	// One copy of the project without the changes serves every compile
	// that counts what failed before them, in dev and in test: each env
	// builds into its own _build/ENV.
	before := &mixBefore{copier: copier, dir: filepath.Join(scratch, "before")}
	switch {
	case c.Status == OK:
		if c = redefined(root, changes, c, out); c.Status != OK {
			break
		}
		if c = mixUndefined(ctx, o, before, tmp, "dev", c, out); c.Status != OK {
			break
		}
		var nowhere []string
		if c, note, nowhere = mixTestEnv(ctx, o, before, tmp, changed, c, out); c.Status == OK && len(tests) > 0 {
			c = mixTestCompile(ctx, o, before, tmp, tests, oldTests, rels, c)
		}
		for _, f := range nowhere {
			scripts, why[f] = append(scripts, f), "mix compiles it neither in dev nor in test: it is under none of the project's elixirc_paths"
		}
	case c.Status == Failed && out != "":
		if s := mixUnfetched(changes, c, out); s.Status != Failed {
			c = s
			break
		}
		c, note, _ = mixBaseline(ctx, o, before, tmp, "dev", changed, c, out)
	}
	return unchecked(c, why, scripts), note
}

// mixBaseline decides the failed mix compile c of the project's copy at
// tmp, whose output was out, as baseline.judge decides go build: it
// compiles the copy of the project without the changes (before), and takes
// the errors that compile gave (a file, a message, but for its numbers)
// out of c's. c fails with the ones left. If none is left, the changes
// are not known to be wrong, but mix stops at the first file that fails
// to compile, and the order it takes files in varies: the changed files
// were checked only if mix compiled them (it says so with --verbose)
// before it stopped. Then c passes, with a note that counts the errors of
// before; if not, it is skipped saying why (failing it would blame the
// change for an untouched file, passing it would let through what the
// change breaks). If the second compile passes or does not finish, c
// stands. In an umbrella mix names each app's files relative to the app
// (mixPath): they are read as the project's paths, which changed holds.
// env is the environment mix compiled in: dev, or test (mixTestEnv).
// fresh are the errors of out that c fails with: those the compile
// without the changes did not give, or all of them if it passed.
func mixBaseline(ctx context.Context, o ValidateOptions, before *mixBefore, tmp, env string, changed []string, c Check, out string) (_ Check, note string, fresh []mixError) {
	dir, err := before.get()
	if err != nil {
		return c, "", mixErrors(out, mixPath(tmp))
	}
	was, wasOut := runOut(ctx, o, dir, []string{"MIX_ENV=" + env}, c.Name, "mix", "compile", "--force", "--verbose")
	if was.Status != Failed || wasOut == "" {
		return c, "", mixErrors(out, mixPath(tmp))
	}
	left := map[string]int{}
	for _, d := range mixErrors(wasOut, mixPath(dir)) {
		left[d.key()]++
	}
	var old []mixError
	for _, d := range mixErrors(out, mixPath(tmp)) {
		if k := d.key(); left[k] > 0 {
			left[k]--
			old = append(old, d)
			continue
		}
		fresh = append(fresh, d)
	}
	if len(old) == 0 {
		return c, "", fresh
	}
	counted := fmt.Sprintf("already failing before the change: %d", len(old))
	if len(fresh) > 0 {
		return Check{Name: c.Name, Status: Failed, Detail: tail(joinMixErrors(fresh), 30) + "\n" + counted}, "", fresh
	}
	compiled := mixCompiled(out, mixPath(tmp))
	var why []string
	for _, f := range changed {
		switch {
		case compiled[f]:
		case old[0].file == "":
			// An error of mix's own (a dependency it cannot get) names
			// no file: no file failed, mix stopped before compiling any.
			why = append(why, fmt.Sprintf("could not check %s: mix stopped before it compiled %s, at an error it gave without the change too: %s", f, f, firstLine(old[0].text)))
		default:
			why = append(why, fmt.Sprintf("could not check %s: mix stopped at %s, which already failed to compile before the change, before it compiled %s", f, old[0].file, f))
		}
	}
	if len(why) > 0 {
		shown := joinMixErrors(old)
		if old[0].file == "" {
			shown = withoutCompiled(inProject(out, tmp)) // what led to the error: mix says it above
		}
		return Check{Name: c.Name, Status: Skipped, Detail: strings.Join(why, "\n") + "\n" + counted + "\n" + tail(shown, 30)}, "", nil
	}
	first := strings.SplitN(old[0].text, "\n", 2)[0]
	if len(old) > 1 {
		first += ", …"
	}
	return Check{Name: c.Name, Status: OK, Detail: counted + "\n" + tail(joinMixErrors(old), 30)},
		fmt.Sprintf("%s: %s (%s); the change adds none", mixCompileIn(env), counted, mixError{file: old[0].file, text: first}), nil
}

// mixError is one error of mix compile's output: the file it is in (as
// mix names it, relative to the project), what it says, and the line of
// the file it is at, if mix says ("" if not).
type mixError struct{ file, text, line string }

// key is what tells an error from another: its file and text, but for
// their numbers (lines the changes moved; an arity counts for little).
func (e mixError) key() string { return e.file + "\x00" + digitRun().ReplaceAllString(e.text, "N") }

// mixFileLine is a file and line in mix's output.
var mixFileLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(\S+\.exs?):(\d+)`) })

// mixErrors are the errors in mix compile's output: the "** (Error)"
// line under each "== Compilation error in file F ==", and the
// "error: …" lines of newer Elixirs, whose file is on the line below.
// An error's line is the first that the indented lines below it (the
// stack, the location) give in its file.
// path turns an umbrella app (of the "==> app" line above) and a file
// named relative to it into the project's path of the file, as for
// undefinedCalls.
func mixErrors(out string, path func(app, file string) string) []mixError {
	var es []mixError
	app, file := "", ""
	var last *mixError
	for l := range strings.Lines(out) {
		l = strings.TrimRight(l, "\r\n")
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "==> ") && l == t:
			app, last = strings.TrimPrefix(t, "==> "), nil
		case strings.HasPrefix(t, "== Compilation error in file ") && strings.HasSuffix(t, " =="):
			file = path(app, strings.TrimSuffix(strings.TrimPrefix(t, "== Compilation error in file "), " =="))
			last = nil
		case strings.HasPrefix(t, "** ("):
			es = append(es, mixError{file: file, text: t})
			last = nil
			if file != "" {
				// Its stack below gives the line; a raise of mix's own
				// (** (Mix) …) names no file, and the files of its
				// stack are mix's.
				last = &es[len(es)-1]
			}
		case strings.HasPrefix(t, "error: "):
			es = append(es, mixError{text: t})
			last = &es[len(es)-1]
		case last != nil && t != "" && l != t:
			if m := mixFileLine().FindStringSubmatch(t); m != nil && last.line == "" {
				f := path(app, m[1])
				if last.file == "" {
					last.file = f
				}
				if f == last.file {
					last.line = m[2]
				}
			}
		default:
			last = nil
		}
	}
	return es
}

// mixCompiled are the files mix compile --verbose's output says it
// compiled ("Compiled lib/x.ex"), as the project names them (path, as for
// mixErrors).
func mixCompiled(out string, path func(app, file string) string) map[string]bool {
	compiled := map[string]bool{}
	app := ""
	for l := range strings.Lines(out) {
		t := strings.TrimSpace(l)
		if a, ok := strings.CutPrefix(t, "==> "); ok && strings.TrimRight(l, "\r\n") == t {
			app = a
		} else if f, ok := strings.CutPrefix(t, "Compiled "); ok {
			compiled[path(app, f)] = true
		}
	}
	return compiled
}

// String is the error after its file, if it names one.
func (e mixError) String() string {
	if e.file == "" {
		return e.text
	}
	return e.file + ": " + e.text
}

// located is the error after its file and line: where to look, as a
// compiler says it, unless its text says so already.
func (e mixError) located() string {
	switch {
	case e.file == "" || strings.Contains(e.text, e.file+":"):
		return e.text
	case e.line == "":
		return e.String()
	}
	return e.file + ":" + e.line + ": " + e.text
}

// joinMixErrors prints es one a line, each after its file.
func joinMixErrors(es []mixError) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "%s\n", e)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// withoutCompiled is mix compile --verbose's output without its
// "Compiled lib/x.ex" lines, which would crowd out what matters.
func withoutCompiled(out string) string {
	var b strings.Builder
	for l := range strings.Lines(out) {
		if !strings.HasPrefix(l, "Compiled ") {
			b.WriteString(l)
		}
	}
	return strings.TrimSpace(b.String())
}

// redefinedModule is the warning of an Elixir compiler that loads a
// module a second time: two files define it. Which file's definition the
// build keeps depends on the order the parallel compiler takes the files
// in, which is why the same project sometimes fails instead ("cannot
// define module … because it is currently being defined in …").
var redefinedModule = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)redefining module ([A-Za-z0-9_.]+) \(`) })

// redefined fails the passing mix compile c, whose command printed out,
// if out warns that a module was defined twice and a changed file
// defines that module where it did not before: the change defines again
// a module the project has (gen module of an existing name). A module
// defined twice before the change is not its doing.
func redefined(root string, changes []parse.Change, c Check, out string) Check {
	var twice []string
	for _, m := range redefinedModule().FindAllStringSubmatch(out, -1) {
		twice = append(twice, strings.TrimPrefix(m[1], "Elixir."))
	}
	if len(twice) == 0 {
		return c
	}
	for _, ch := range changes {
		if ch.Delete || chunk.Lang(ch.Path) != "elixir" {
			continue
		}
		var had []string
		if ch.OldPath != "" {
			if old, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(ch.OldPath))); err == nil {
				had = definedModules(ch.OldPath, old)
			}
		}
		for _, m := range definedModules(ch.Path, ch.Content) {
			if slices.Contains(twice, m) && !slices.Contains(had, m) {
				return Check{Name: c.Name, Status: Failed, Detail: fmt.Sprintf(
					"%s defines %s, which the project already defines elsewhere: two definitions of one module, of which the build keeps either (mix compile: warning: redefining module %s)",
					ch.Path, m, m)}
			}
		}
	}
	return c
}

// definedModules are the names of the modules, protocols and protocol
// implementations the Elixir source src (of the file path) defines,
// nested ones by their full names (MyApp.Cart.Item).
func definedModules(path string, src []byte) []string {
	res, err := chunk.File(path, src, chunk.Options{Strategy: chunk.Semantic})
	if err != nil {
		return nil
	}
	var out []string
	for _, c := range res.Chunks {
		if c.Kind == chunk.KindModule || c.Kind == chunk.KindProtocol || c.Kind == chunk.KindImpl {
			out = append(out, strings.TrimPrefix(c.Name, "Elixir."))
		}
	}
	return out
}
