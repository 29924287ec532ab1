package workflow

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
)

// mixBefore is the copy of a Mix project without the changes, made the
// first time a check asks for it (get) and shared by the ones after it:
// the compiles in dev and in test build into their own _build/ENV, and
// mix test (mixTestCompile) compiles no file into the project.
type mixBefore struct {
	copier mixCopier
	dir    string // where to make it

	made string // the project's copy, once made
	err  error
}

// get is the copy, made at the first call.
func (b *mixBefore) get() (string, error) {
	if b.made == "" && b.err == nil {
		b.made, b.err = b.copier.copy(b.dir, nil)
	}
	return b.made, b.err
}

// mixTestEnv compiles the project's copy at tmp in the test environment
// when the project compiles files there that the passing mix compile c
// (dev), whose output was out, did not: those under a path its mix.exs
// compiles only in :test (elixirc_paths(:test), commonly test/support).
// Then a changed .ex file (of changed) that the dev compile did not
// compile is checked there, and so is one it did, against the files the
// test env adds, which may use what it changes (a struct's fields, a
// function). mix compile --verbose names each file it compiled, so what
// the project compiles where is mix's word, not a reading of mix.exs:
// the test env is compiled only if a changed .ex file is left over, or
// the copy holds a .ex file the dev compile left out (mixLeftOut).
// MIX_ENV=test mix compile fails c as the dev compile would (mixBaseline,
// in the copy without the changes, before: an error there before the
// change is not the change's) and so does a call it adds of a function
// that does not exist (mixUndefined); the detail names that command and
// what it checked, and a note what it let pass. nowhere are the changed
// files neither compile compiled: not checked.
func mixTestEnv(ctx context.Context, o ValidateOptions, before *mixBefore, tmp string, changed []string, c Check, out string) (_ Check, note string, nowhere []string) {
	compiled := mixCompiled(out, mixPath(tmp))
	var rest, libs []string // the changed files the dev compile left out, and those it compiled
	for _, f := range changed {
		if compiled[f] {
			libs = append(libs, f)
		} else {
			rest = append(rest, f)
		}
	}
	var others []string // the files the dev compile left out that the test env may compile
	if len(libs) > 0 {
		others = slices.DeleteFunc(mixLeftOut(tmp, compiled), func(f string) bool { return slices.Contains(rest, f) })
	}
	if len(rest) == 0 && len(others) == 0 {
		return c, "", nil
	}
	if len(others) == 0 {
		libs = nil // compiled in test as in dev, with nothing more to meet there
	}
	const how = "MIX_ENV=test mix compile"
	t, tout := runWhole(ctx, o, tmp, []string{"MIX_ENV=test"}, c.Name, "mix", "compile", "--force", "--verbose")
	if tout == "" {
		t.Detail = how + ", compiling " + strings.Join(append(slices.Clone(rest), libs...), ", ") + ": " + t.Detail
		return t, "", nil
	}
	compiled = mixCompiled(tout, mixPath(tmp))
	var only, extra []string // compiled only in the test env: changed, and not
	for _, f := range rest {
		if compiled[f] {
			only = append(only, f)
		} else if t.Status == OK {
			nowhere = append(nowhere, f)
		}
	}
	for _, f := range others {
		if compiled[f] {
			extra = append(extra, f)
		}
	}
	if t.Status == Failed {
		// Which of them mix would have compiled is unknown.
		only, extra = rest, others
	}
	if len(extra) == 0 {
		libs = nil
	}
	if len(only) == 0 && len(libs) == 0 {
		return c, "", nowhere
	}
	checked := testEnvChecked(how, only, libs, extra)
	if t.Status == Failed {
		t.Detail = tail(withoutCompiled(inProject(tout, tmp)), 30)
		var fresh []mixError
		t, note, fresh = mixBaseline(ctx, o, before, tmp, "test", only, t, tout)
		if t.Status == Failed && len(fresh) > 0 {
			// The one line that says what failed names the command: mix
			// compile, of dev, passed.
			t.Detail = how + ": " + fresh[0].located() + "\n" + t.Detail
		}
		t.Detail += "\nchecked " + checked
		return t, note, nil
	}
	u := mixUndefined(ctx, o, before, tmp, "test", c, tout)
	if u.Status != OK {
		u.Detail += "\nchecked " + checked
		return u, "", nowhere
	}
	var said []string
	if len(only) > 0 {
		said = append(said, strings.Join(only, ", ")+" "+plural(len(only), "compiles", "compile")+
			" ("+how+": the project compiles "+plural(len(only), "it", "them")+" only in the test env)")
	}
	if len(libs) > 0 {
		said = append(said, someOf(extra)+" "+plural(len(extra), "compiles", "compile")+" with the change to "+strings.Join(libs, ", ")+
			" ("+how+": the project compiles "+plural(len(extra), "it", "them")+" only in the test env)")
	}
	u.Detail = strings.Join(said, "\n") + "\n" + u.Detail
	return u, "", nowhere
}

// testEnvChecked says what MIX_ENV=test mix compile (how) checked: the
// changed files only the test env compiles (only), and the changed files
// of lib (libs) with the files only it compiles (extra).
func testEnvChecked(how string, only, libs, extra []string) string {
	var parts []string
	if len(only) > 0 {
		parts = append(parts, strings.Join(only, ", ")+" ("+how+": the project compiles "+plural(len(only), "it", "them")+" only in the test env)")
	}
	if len(libs) > 0 {
		parts = append(parts, strings.Join(libs, ", ")+" with "+someOf(extra)+" ("+how+": the project compiles "+
			plural(len(extra), "it", "them")+" only in the test env, and "+plural(len(extra), "it", "they")+" may use what the change changes)")
	}
	return strings.Join(parts, "; ")
}

// someOf names files, the first three of them if there are more.
func someOf(files []string) string {
	if len(files) <= 3 {
		return strings.Join(files, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(files[:3], ", "), len(files)-3)
}

// mixLeftOut are the .ex files of the project's copy at dir (as the
// project names them) that mix compile did not compile (compiled): those
// of a path it compiles only in another env, or in none. Those under
// _build, deps and priv are none of the project's sources (priv holds
// what the application reads at run time, such as the templates of a
// generator, which are .ex files compiled by no env), nor are those of
// a directory whose name starts with a dot.
func mixLeftOut(dir string, compiled map[string]bool) []string {
	var left []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != dir && (name == "_build" || name == "deps" || name == "priv" || name == "node_modules" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".ex") {
			return nil
		}
		if rel, err := filepath.Rel(dir, p); err == nil && !compiled[filepath.ToSlash(rel)] {
			left = append(left, filepath.ToSlash(rel))
		}
		return nil
	})
	return left
}
