package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/english"
	"github.com/aiex-dev/aiex/app/parse"
)

// ValidateOptions configures Validate.
type ValidateOptions struct {
	// Toolchain also builds the result: go build and go vet for Go
	// (through the go command's -overlay: nothing is written to the
	// project), mix compile for Elixir (in a copy of the project).
	Toolchain bool
	Runner    Runner        // nil means Exec
	Timeout   time.Duration // per command; 0 means 3 minutes
	// TempDir is where the overlay files and the copy of a Mix project
	// go; "" means os.TempDir(). The Runner's commands must be able to
	// write there.
	TempDir string
	// LookPath finds a command; nil means exec.LookPath (tests pass one
	// that finds nothing).
	LookPath func(string) (string, error)
	// Readable are the directories (or files) outside the project the
	// checks may read: the config's [sandbox] allow and read_only paths.
	// A Mix path dependency outside the project is compiled with it only
	// if it is in one of them (it is copied beside the project's copy);
	// elsewhere the check says it could not check the change.
	Readable []string
	// Private are aiex's own paths (its data dir, its config file,
	// absolute): where they lie inside the project, the copy of a Mix
	// project that the checks compile leaves them out (SkipPrivate).
	Private []string
}

// Validate checks a proposal's result, adding to p.Checks: every changed
// Go and Elixir file must parse (go/parser, tree-sitter), or, if it did
// not parse before the change either, have no error it did not have (and
// the check is skipped if none shows, saying why); with Toolchain, Go
// packages must build and vet and a Mix project must compile, without
// defining again a module it has, and without errors, or calls of
// functions that do not exist (which mix only warns about), other than
// those they had before; a changed test file of a Mix project must
// compile too, and a changed script nothing compiles without running it
// makes the check say it could not check it. A toolchain that is not
// installed is a skipped check that says so.
func Validate(ctx context.Context, root string, p *Proposal, o ValidateOptions) {
	if o.Runner == nil {
		o.Runner = Exec{}
	}
	if o.Timeout == 0 {
		o.Timeout = 3 * time.Minute
	}
	if o.LookPath == nil {
		o.LookPath = exec.LookPath
	}
	syn, broken := syntax(root, p.Changes)
	p.Checks = append(p.Checks, syn)
	// A change that only deletes files has nothing to parse, but what is
	// left must still build.
	if !o.Toolchain || !slices.ContainsFunc(p.Checks, func(c Check) bool { return c.Name == "syntax" && c.Status != Failed }) {
		return
	}
	langs := map[string]bool{}
	for _, c := range p.Changes {
		langs[BuildLang(c.Path)] = true
	}
	if langs["go"] {
		checks, notes := goChecks(ctx, root, p.Changes, o)
		p.Checks = append(p.Checks, checks...)
		p.Notes = append(p.Notes, notes...)
	}
	if langs["elixir"] {
		// A Mix project with a file that does not parse did not compile
		// before the change and will not after it, whatever the change
		// does: mix stops at that file, and would blame the change. (go
		// build has its baseline, which lets through what already failed.)
		if i := slices.IndexFunc(broken, func(b brokenFile) bool { return chunk.Lang(b.path) == "elixir" }); i >= 0 {
			p.Checks = append(p.Checks, Check{Name: "mix compile", Status: Skipped,
				Detail: "not run: " + broken[i].path + " did not parse before the change either, so the project does not compile with or without it"})
		} else {
			c, note := mixCompile(ctx, root, p.Changes, o)
			p.Checks = append(p.Checks, c)
			if note != "" {
				p.Notes = append(p.Notes, note)
			}
		}
	}
}

// brokenFile is a changed file that did not parse before the change and
// does not after it, with no error the change visibly added: err is its
// error, as the parser gives it now.
type brokenFile struct{ path, err string }

// syntax parses every changed Go and Elixir file. A file that already
// did not parse before the change (as it is on disk under root) is
// judged as go build's baseline judges a package: its errors that the
// file had before are not the change's, and if it has others, the check
// fails with them and says that the file was broken before. If it has
// no other, nothing is known: the parsers stop at their first errors
// (go/parser after ten, and what follows an error is read askew; the
// Elixir one's names the outermost unclosed do alone), so an error the
// change adds behind an old one does not show. Such a file is returned
// in broken, and the check, which cannot say the file is no worse, is
// skipped, saying so, unless another file fails it. Parsing the changed
// lines alone would not tell either: out of their file they are no Go
// or Elixir source.
func syntax(root string, changes []parse.Change) (_ Check, broken []brokenFile) {
	var errs []string
	n := 0
	for _, c := range changes {
		if c.Delete || chunk.Lang(c.Path) == "text" {
			continue
		}
		n++
		now := syntaxErrors(c.Path, c.Content)
		if len(now) == 0 {
			continue
		}
		was := ""
		if c.OldPath != "" {
			if old, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(c.OldPath))); err == nil {
				before := syntaxErrors(c.Path, old)
				if fresh := freshErrors(before, now); len(fresh) > 0 && len(before) > 0 {
					now = fresh
					was = fmt.Sprintf(" (%s did not parse before the change either: %s)", c.OldPath, trimPos(before[0]))
				} else if len(before) > 0 {
					broken = append(broken, brokenFile{c.Path, trimPath(now[0])})
					continue
				}
			}
		}
		for _, e := range now {
			errs = append(errs, e+was)
		}
	}
	switch {
	case n == 0:
		return Check{Name: "syntax", Status: Skipped, Detail: "no Go or Elixir file changed"}, nil
	case len(errs) > 0:
		return Check{Name: "syntax", Status: Failed, Detail: strings.Join(errs, "\n")}, nil
	}
	parsed := english.CountAs(n-len(broken), "file parses", "files parse")
	if len(broken) == 0 {
		return Check{Name: "syntax", Status: OK, Detail: parsed}, nil
	}
	var why []string
	for _, b := range broken {
		why = append(why, fmt.Sprintf("could not check the syntax of %s: it did not parse before the change (%s), and the parser stops at its first errors, so it cannot tell whether the change adds one", b.path, b.err))
	}
	if n > len(broken) {
		why = append(why, parsed)
	}
	return Check{Name: "syntax", Status: Skipped, Detail: strings.Join(why, "\n")}, broken
}

// syntaxErrors are the syntax errors of the file at path with content
// src, each as "PATH: line L:C: syntax error: …".
func syntaxErrors(path string, src []byte) []string {
	res, err := chunk.File(path, src, chunk.Options{Strategy: chunk.Semantic})
	if err != nil {
		return []string{path + ": " + err.Error()}
	}
	var errs []string
	for _, w := range res.Warnings {
		if strings.Contains(w, "syntax error") {
			errs = append(errs, w)
		}
	}
	return errs
}

// syntaxPos is the position a syntax error starts with, after its path.
var syntaxPos = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^line \d+(:\d+)?: `) })

// digitRun is a number in a message.
var digitRun = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\d+`) })

// trimPath is a syntax error without its file's path.
func trimPath(e string) string {
	if i := strings.Index(e, ": line "); i >= 0 {
		return e[i+2:]
	}
	return e
}

// trimPos is a syntax error without its file's path and position: what it
// says, with the line numbers in it.
func trimPos(e string) string { return syntaxPos().ReplaceAllString(trimPath(e), "") }

// freshErrors are the errors of now that before does not account for.
// Two errors are the same if they say the same but for their numbers:
// lines added above an error move it, and Elixir's messages name lines
// ("missing terminator: end (for \"do\" starting at line 3)"). As many
// are accounted for as before has.
func freshErrors(before, now []string) []string {
	key := func(e string) string { return digitRun().ReplaceAllString(trimPos(e), "N") }
	left := map[string]int{}
	for _, e := range before {
		left[key(e)]++
	}
	var fresh []string
	for _, e := range now {
		if k := key(e); left[k] > 0 {
			left[k]--
			continue
		}
		fresh = append(fresh, e)
	}
	return fresh
}

// goChecks builds and vets the Go packages the changes touch, with the
// changed files laid over the project by the go command's -overlay. What
// already failed before the changes does not fail them (baseline); the
// notes say what was let pass so.
func goChecks(ctx context.Context, root string, changes []parse.Change, o ValidateOptions) ([]Check, []string) {
	if _, err := o.LookPath("go"); err != nil {
		return []Check{{Name: "go build", Status: Skipped, Detail: "go is not installed"}}, nil
	}
	modRoot, ok := findUp(root, "go.mod")
	if !ok {
		return []Check{{Name: "go build", Status: Skipped, Detail: "no go.mod above " + root}}, nil
	}
	tmp, err := os.MkdirTemp(o.TempDir, "aiex-overlay-")
	if err != nil {
		return []Check{SetupFailed("go build", err)}, nil
	}
	defer os.RemoveAll(tmp)
	overlay := map[string]string{}
	var names []string // overlay file's names in the go command's output → the file's
	var pkgs []string
	modChanged := false // the module's go.mod or go.sum, or its workspace's
	for i, c := range changes {
		if chunk.Lang(c.Path) != "go" {
			if goModuleFile(c.Path) {
				more, err := layModuleFile(root, modRoot, tmp, i, c, overlay)
				if err != nil {
					return []Check{SetupFailed("go build", err)}, nil
				}
				modChanged = modChanged || more
			}
			continue
		}
		abs := filepath.Join(root, filepath.FromSlash(c.Path))
		if c.Delete {
			overlay[abs] = ""
		} else {
			f := filepath.Join(tmp, fmt.Sprintf("%d.go", i))
			if err := os.WriteFile(f, c.Content, 0o600); err != nil {
				return []Check{SetupFailed("go build", err)}, nil
			}
			overlay[abs] = f
			names = append(names, outputNames(modRoot, f, abs)...)
		}
		dirs := []string{filepath.Dir(abs)}
		if c.OldPath != "" && c.OldPath != c.Path {
			old := filepath.Join(root, filepath.FromSlash(c.OldPath))
			overlay[old] = ""
			dirs = append(dirs, filepath.Dir(old))
		}
		for _, d := range dirs {
			rel, err := filepath.Rel(modRoot, d)
			if err != nil {
				continue
			}
			if pkg := "./" + filepath.ToSlash(rel); !slices.Contains(pkgs, pkg) {
				pkgs = append(pkgs, pkg)
			}
		}
	}
	b, _ := json.Marshal(map[string]any{"Replace": overlay})
	ov := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(ov, b, 0o600); err != nil {
		return []Check{SetupFailed("go build", err)}, nil
	}
	// The packages that import a changed one are built too: a change of
	// signature breaks its callers, a deleted file may leave them without
	// what they use. A package the change empties is not built.
	vetted := pkgs
	g, ok, unlisted := listPackages(ctx, o, modRoot, ov)
	if !ok {
		// go list can fail for the whole module over a package unrelated
		// to the change (it has, on a module whose dependencies the
		// read-only module cache lacked): the module's files still say
		// which packages import which.
		var err error
		if g, err = scanPackages(modRoot, overlay); err == nil {
			ok = true
		} else {
			unlisted += "; " + err.Error()
		}
	}
	if ok {
		vetted = slices.DeleteFunc(slices.Clone(pkgs), func(p string) bool { return !g.has(p) && !adds(modRoot, p, overlay) })
		pkgs = append(slices.Clone(vetted), g.importers(pkgs)...)
		if modChanged {
			// Other versions of the modules the project requires may
			// break any package that imports them.
			pkgs = g.withAll(pkgs)
		}
	}
	if len(pkgs) == 0 {
		return []Check{{Name: "go build", Status: Skipped, Detail: "no Go package left to build"}}, nil
	}
	project := strings.NewReplacer(names...)
	was := baseline{modRoot: modRoot, root: root, changes: changes, changed: vetted}
	if ok {
		was.graph = g
	}
	var notes []string
	build, out := runOut(ctx, o, modRoot, nil, "go build", "go", buildArgs(ov, pkgs)...)
	build.Detail = project.Replace(build.Detail)
	build, note := was.judge(ctx, o, build, project.Replace(out), buildArgs("", was.existing(pkgs)))
	if note != "" {
		notes = append(notes, note)
	}
	if build = unsummed(unfetched(build, modRoot, project.Replace(out)), root, modRoot, changes, project.Replace(out)); build.Status == Failed {
		build.Detail = moduleCacheHint(build.Detail)
	}
	if build.Status == OK && !ok {
		// Only the changed packages were built: a change of signature
		// may still break the packages that import them.
		build = Check{Name: "go build", Status: Skipped, Detail: fmt.Sprintf(
			"the changed packages build, but could not check the packages that import them: they could not be listed (%s)", unlisted)}
	}
	checks := []Check{build}
	switch build.Status {
	case Failed:
		return checks, notes
	case Skipped:
		// vet type-checks what the build could not get through: say so
		// rather than leave it out without a word.
		return append(checks, Check{Name: "go vet", Status: Skipped, Detail: "not run: go build could not check the change"}), notes
	}
	if len(vetted) == 0 {
		return append(checks, Check{Name: "go vet", Status: Skipped, Detail: "the change leaves no package of its own"}), notes
	}
	// vet runs its analysis tool in each package's directory, which a
	// package the change creates does not have on disk: such packages are
	// vetted in a stand-in for the module that has it (vetNew).
	var vet Check
	if slices.ContainsFunc(vetted, func(p string) bool {
		fi, ok := statOK(filepath.Join(modRoot, filepath.FromSlash(p)))
		return !ok || !fi.IsDir()
	}) {
		vet, out = vetNew(ctx, o, modRoot, tmp, overlay, vetted)
	} else {
		vet, out = runOut(ctx, o, modRoot, nil, "go vet", "go", append([]string{"vet", "-overlay=" + ov}, vetted...)...)
		vet.Detail, out = project.Replace(vet.Detail), project.Replace(out)
	}
	var vetArgs []string
	if old := was.existing(vetted); len(old) > 0 {
		vetArgs = append([]string{"vet"}, old...)
	}
	vet, note = was.judge(ctx, o, vet, out, vetArgs)
	if note != "" {
		notes = append(notes, note)
	}
	return append(checks, vet), notes
}

// buildArgs are go build's arguments for pkgs, through the overlay ov
// unless it is ""; nil for no package.
func buildArgs(ov string, pkgs []string) []string {
	if len(pkgs) == 0 {
		return nil
	}
	// The build writes no binary anyone runs: stamping it with the
	// module's version from version control would only cost a git run
	// and a look-up of that version through the module cache, which the
	// go command then records there (and, the cache being read-only to
	// the checks, says every time it could not).
	args := []string{"build", "-buildvcs=false"}
	if len(pkgs) == 1 {
		args = append(args, "-o", os.DevNull) // -o works for one package only
	}
	if ov != "" {
		args = append(args, "-overlay="+ov)
	}
	return append(args, pkgs...)
}

// outputNames pairs the names the go command, run in dir, may give the
// overlay file f in its messages (absolute, or relative to dir when
// shorter: ../../tmp/aiex-overlay-1/0.go) with the name of the file it
// stands for, relative to dir (calc/calc.go), as strings.NewReplacer
// takes them. The longer names come first: the absolute one is the tail
// of a relative one.
func outputNames(dir, f, file string) []string {
	name := file
	if rel, err := filepath.Rel(dir, file); err == nil {
		name = rel
	}
	out := []string{}
	if rel, err := filepath.Rel(dir, f); err == nil {
		out = append(out, rel, name)
		if !strings.HasPrefix(rel, "..") {
			out = append(out, "./"+rel, name)
		}
	}
	out = append(out, f, name)
	return out
}

// run runs one toolchain command as a check.
func run(parent context.Context, o ValidateOptions, dir string, env []string, name, cmd string, args ...string) Check {
	c, _ := runOut(parent, o, dir, env, name, cmd, args...)
	return c
}

// runOut is run, with the command's whole output when it ran to its end
// and failed (the check's detail keeps only the last lines): "" otherwise.
func runOut(parent context.Context, o ValidateOptions, dir string, env []string, name, cmd string, args ...string) (Check, string) {
	c, whole := runWhole(parent, o, dir, env, name, cmd, args...)
	if c.Status != Failed {
		return c, ""
	}
	return c, whole
}

// runWhole is run, with the command's whole output when it ran to its end
// and passed or failed (a passing build's warnings may matter): ""
// otherwise.
func runWhole(parent context.Context, o ValidateOptions, dir string, env []string, name, cmd string, args ...string) (Check, string) {
	ctx, cancel := context.WithTimeout(parent, o.Timeout)
	defer cancel()
	var out lockedBuffer
	code, err := o.Runner.Run(ctx, Command{Dir: dir, Name: cmd, Args: args, Env: env, Output: &out})
	whole := strings.TrimSpace(out.String())
	detail := tail(whole, 30)
	switch {
	case err == nil && code == 0:
		return Check{Name: name, Status: OK, Detail: detail}, whole
	case parent.Err() != nil:
		return Check{Name: name, Status: Failed, Detail: "interrupted"}, ""
	case ctx.Err() != nil:
		return Check{Name: name, Status: Failed, Detail: fmt.Sprintf("took longer than %v", o.Timeout)}, ""
	case err == nil && toolchainBroken(detail):
		// Not the change's fault, and nothing is known of it: like a
		// toolchain that is not installed, a skipped check that says why.
		return Check{Name: name, Status: Skipped, Detail: machineProblem + detail}, ""
	case err == nil:
		return Check{Name: name, Status: Failed, Detail: detail}, whole
	}
	return Check{Name: name, Status: Failed, Detail: err.Error()}, ""
}

// SetupFailed is the check name when aiex could not lay out what it
// runs (a temp dir, the overlay, the project's copy): a problem of this
// machine, most often a full disk, not of the change. Like a toolchain
// that cannot run here, it is a skipped check that says why.
func SetupFailed(name string, err error) Check {
	why := err.Error()
	if errors.Is(err, syscall.ENOSPC) {
		why = "the disk holding the temp dir " + os.TempDir() + " is full; free some space there and run the command again (" + why + ")"
	}
	return Check{Name: name, Status: Skipped, Detail: machineProblem + why}
}

// machineProblem starts the detail of a check skipped because it could
// not run here.
const machineProblem = "could not run here, so the change was not checked by it (a problem of this machine, not of the change):\n"

// toolchainBroken says whether a toolchain command's output says it could
// not set itself up (the go command without a usable build cache), which
// no change to the code can cause. Compilers' messages name a file and
// line; these name none.
func toolchainBroken(output string) bool {
	for _, sign := range []string{
		"failed to initialize build cache",                  // go: GOCACHE cannot be made or opened
		"build cache is required, but could not be located", // go: no $GOCACHE, $XDG_CACHE_HOME nor $HOME
		"build cache is disabled",                           // go: GOCACHE=off
		"go: cannot find GOROOT directory",                  // go: a broken installation
		"go: could not create module cache",                 // go: no writable GOMODCACHE nor GOPATH
		"no space left on device",                           // a full disk: its temp dir or cache
	} {
		if strings.Contains(output, sign) {
			return true
		}
	}
	return false
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("… %d lines before", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// findUp finds the nearest directory at or above dir holding name.
func findUp(dir, name string) (string, bool) {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, name)); err == nil {
			return d, true
		}
		up := filepath.Dir(d)
		if up == d {
			return "", false
		}
		d = up
	}
}
