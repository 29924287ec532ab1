package testgen

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aiex-dev/aiex/app/workflow"
)

// exRun runs generated ExUnit tests. mix has no overlay, so the project
// is copied into the scratch directory (see workflow.MixCopySkip; aiex's
// own paths, Spec.Private, are left out), the test file written into the
// copy, and mix test run there; mutants rewrite the target's file in the
// same copy, one after the other, so that each run recompiles only what
// the mutant touched.
type exRun struct {
	s          *Spec
	copyRoot   string // the copy of the project
	appDir     string // the mix project of the test file, in the copy
	buildPath  string // MIX_BUILD_PATH for the runs, in the copy
	relTest    string // the test file, relative to appDir
	targetCopy string // the target's file in the copy
	// code is the copy's code as the runs wrote it: what the tests
	// change of it shows (see codeGuard).
	code *codeSnapshot
}

func newExRun(s *Spec, scratch string) (*exRun, error) {
	x := &exRun{s: s, copyRoot: filepath.Join(scratch, "project")}
	if err := workflow.CopyTree(s.Root, x.copyRoot, workflow.SkipPrivate(s.Root, s.Private, workflow.MixCopySkip)); err != nil {
		return nil, setup(fmt.Errorf("copy the project: %w", err))
	}
	test := filepath.Join(x.copyRoot, filepath.FromSlash(s.TestPath))
	if err := os.MkdirAll(filepath.Dir(test), 0o755); err != nil {
		return nil, setup(err)
	}
	if err := os.WriteFile(test, s.TestContent, 0o644); err != nil {
		return nil, setup(err)
	}
	x.targetCopy = filepath.Join(x.copyRoot, filepath.FromSlash(s.Target.Path))
	var err error
	if x.code, err = snapCode(x.copyRoot); err != nil {
		return nil, setup(fmt.Errorf("read the copy of the project: %w", err))
	}
	for d := filepath.Dir(test); ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "mix.exs")); err == nil {
			x.appDir = d
			break
		}
		if d == x.copyRoot || len(d) < len(x.copyRoot) {
			return nil, fmt.Errorf("%w: no mix.exs in the directories above %s", ErrPath, s.TestPath)
		}
	}
	rel, err := filepath.Rel(x.appDir, test)
	if err != nil {
		return nil, err
	}
	x.relTest = rel
	x.buildPath = x.findBuildPath()
	return x, nil
}

// findBuildPath chooses where the runs build: the _build of the mix
// project or of the nearest directory above it that has one (an umbrella
// app builds in the umbrella's), else where mix would make it (an
// umbrella app's mix.exs sets build_path to the umbrella's). Setting it
// explicitly keeps a MIX_BUILD_PATH in the user's environment from
// sending the build out of the copy.
func (x *exRun) findBuildPath() string {
	for d := x.appDir; len(d) >= len(x.copyRoot); d = filepath.Dir(d) {
		if fi, err := os.Stat(filepath.Join(d, "_build")); err == nil && fi.IsDir() {
			return filepath.Join(d, "_build", "test")
		}
	}
	if b, err := os.ReadFile(filepath.Join(x.appDir, "mix.exs")); err == nil && strings.Contains(string(b), "build_path:") {
		return filepath.Join(x.copyRoot, "_build", "test")
	}
	return filepath.Join(x.appDir, "_build", "test")
}

func (x *exRun) baseline(ctx context.Context, timeout time.Duration) (outcome, error) {
	if o, ok := x.clash(); ok {
		return o, nil
	}
	// --trace: ExUnit names each test as it starts ("  * test adds
	// [L#4]"), so a test that hangs past the timeout is told from a file
	// that never finished compiling (it also runs the tests one at a
	// time, and without ExUnit's own per-test timeout: ours bounds them).
	return x.run(ctx, false, timeout, "--trace")
}

// topModule finds the modules a file defines at its top level.
var topModule = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?m)^defmodule\s+([A-Z][\w.]*)`) })

// clash reports, as a test file that does not compile, a module the
// generated file defines that another file under the mix project's test/
// defines too. mix test FILE alone would pass, but the project's whole
// test run would not: it refuses to compile two files defining one
// module ("cannot define module … because it is currently being
// defined"), or one file's tests replace the other's.
func (x *exRun) clash() (outcome, bool) {
	mine := map[string]bool{}
	for _, m := range topModule().FindAllSubmatch(x.s.TestContent, -1) {
		mine[string(m[1])] = true
	}
	if len(mine) == 0 {
		return outcome{}, false
	}
	generated := filepath.Join(x.copyRoot, filepath.FromSlash(x.s.TestPath))
	var module, where string
	filepath.WalkDir(filepath.Join(x.appDir, "test"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == generated || LangOf(p) != LangElixir {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		for _, m := range topModule().FindAllSubmatch(b, -1) {
			if mine[string(m[1])] {
				module, where = string(m[1]), p
				return filepath.SkipAll
			}
		}
		return nil
	})
	if module == "" {
		return outcome{}, false
	}
	rel, _ := filepath.Rel(x.copyRoot, where)
	msg := fmt.Sprintf("%s already defines %s, so the project's tests would not compile with this file; give the test module another name",
		filepath.ToSlash(rel), module)
	return outcome{exit: 1, firstErr: msg, output: msg}, true
}

// compile compiles the test file in the copy without running any of it:
// mix test with every kind of test excluded loads (compiles) the file,
// and ExUnit skips a module all of whose tests are excluded, setup_all
// and all.
func (x *exRun) compile(ctx context.Context, timeout time.Duration) (outcome, error) {
	if o, ok := x.clash(); ok {
		return o, nil
	}
	return x.run(ctx, false, timeout, "--exclude", "test", "--exclude", "doctest", "--exclude", "property")
}

func (x *exRun) mutant(ctx context.Context, src []byte, timeout time.Duration) (outcome, error) {
	if err := os.WriteFile(x.targetCopy, src, 0o644); err != nil {
		return outcome{}, setup(err)
	}
	x.code.expect(x.s.Target.Path, src)
	// mix recompiles a source whose size changed or whose mtime is later
	// than the manifest's, in whole seconds. A mutant of the same size
	// written in the second the last compile began would be missed:
	// date the manifests back so the mtime test holds (the digest test
	// that follows it leaves unchanged files alone).
	if err := x.backdateManifests(); err != nil {
		return outcome{}, err
	}
	start := time.Now()
	o, err := x.run(ctx, true, timeout)
	if err == nil && o.timedOut && !x.compiledSince(start) {
		// mix prints nothing when the tests start, but it writes the
		// compile manifest when compiling ends: without a new one the
		// mutant was still compiling, and no test had the chance to
		// notice it.
		o.buildTimeout = true
	}
	return o, err
}

// changed lists the files of code the runs so far changed in the copy
// (codeGuard).
func (x *exRun) changed() []string { return x.code.changed() }

// compiledSince reports whether mix finished compiling an app of the copy
// after t: it rewrites the app's manifest then (backdateManifests dated
// them all before t).
func (x *exRun) compiledSince(t time.Time) bool {
	ms, _ := filepath.Glob(filepath.Join(x.buildPath, "lib", "*", ".mix", "compile.elixir"))
	for _, m := range ms {
		if fi, err := os.Stat(m); err == nil && !fi.ModTime().Before(t.Add(-time.Second)) {
			return true
		}
	}
	return false
}

func (x *exRun) backdateManifests() error {
	ms, err := filepath.Glob(filepath.Join(x.buildPath, "lib", "*", ".mix", "compile.elixir"))
	if err != nil {
		return err
	}
	past := time.Now().Add(-2 * time.Second)
	var errs []error
	for _, m := range ms {
		if fi, err := os.Stat(m); err == nil && fi.ModTime().After(past) {
			errs = append(errs, os.Chtimes(m, past, past))
		}
	}
	return errors.Join(errs...)
}

func (x *exRun) run(ctx context.Context, mutant bool, timeout time.Duration, extra ...string) (outcome, error) {
	// --seed 0: the same order every run.
	args := append([]string{"test", x.relTest, "--seed", "0"}, extra...)
	keep := tailLines
	if mutant {
		args = append(args, "--max-failures", "1")
		keep = mutantLines
	}
	env := []string{
		"MIX_ENV=test",
		"MIX_BUILD_PATH=" + x.buildPath,
		"HEX_OFFLINE=1",
	}
	ex := &exOutput{}
	sk := newSink(keep, ex.line)
	o, err := runCmd(ctx, x.s.Runner, Command{Dir: x.appDir, Name: "mix", Args: args, Env: env, Output: sk}, timeout)
	if err != nil {
		return o, err
	}
	sk.close()
	ex.finish(&o)
	if mutant && ex.projectErr {
		o.stillborn = true
	}
	o.output = strings.ReplaceAll(sk.text(keep), x.copyRoot+string(filepath.Separator), "")
	o.firstErr = strings.ReplaceAll(o.firstErr, x.copyRoot+string(filepath.Separator), "")
	return o, nil
}

var (
	// exSummary matches ExUnit's result line: "1 doctest, 3 tests,
	// 1 failure", "2 properties, 5 tests, 0 failures, 1 excluded", "3 tests,
	// 0 failures (1 excluded)".
	exSummary = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d+ [a-z]+(, \d+ [a-z]+)*( \(\d+ [a-z]+\))?$`) })
	exCount   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(\d+) ([a-z]+)`) })
	// exFailure matches the header of a failure: "  1) test clamps (MathTest)".
	exFailure = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\s+\d+\) ((?:test|doctest|property) .+) \(([\w.]+)\)$`)
	})
)

// exOutput follows mix test's output.
type exOutput struct {
	summary    bool
	started    bool // a test started (--trace names each): the file compiled
	tests      int
	failed     int
	failNames  []string
	projectErr bool   // the project (not the test file) failed to compile
	errLine    string // the first "error: …" line (Elixir 1.15+)
	raised     string // the first "** (…Error) …" line
	deps       bool   // mix says to fetch dependencies
}

func (e *exOutput) line(l string) (string, bool) {
	t := strings.TrimSpace(l)
	switch {
	case strings.HasPrefix(t, "* test ") || strings.HasPrefix(t, "* doctest ") || strings.HasPrefix(t, "* property "):
		e.started = true
	case strings.Contains(t, "failure") && exSummary().MatchString(t):
		e.summary = true
		for _, m := range exCount().FindAllStringSubmatch(t, -1) {
			n, _ := strconv.Atoi(m[1])
			switch m[2] {
			case "test", "tests", "doctest", "doctests", "property", "properties":
				e.tests += n
			case "failure", "failures", "invalid":
				e.failed += n
			}
		}
	case strings.HasPrefix(t, "== Compilation error in file "):
		e.projectErr = true
	case strings.HasPrefix(t, "** (") && e.raised == "":
		e.raised = t
	case strings.HasPrefix(t, "error: ") && e.errLine == "":
		e.errLine = t
	case strings.Contains(t, "mix deps.get"):
		e.deps = true
	}
	if m := exFailure().FindStringSubmatch(l); m != nil {
		e.failNames = appendName(e.failNames, m[1]+" ("+m[2]+")")
	}
	return l, true
}

func (e *exOutput) finish(o *outcome) {
	o.compiled = e.summary || e.started || (o.exit == 0 && !o.timedOut)
	o.tests, o.failed, o.failNames = e.tests, e.failed, e.failNames
	if !o.compiled {
		switch {
		case e.deps:
			o.firstErr = "the project's dependencies are not fetched (mix deps.get)"
		case e.errLine != "":
			o.firstErr = e.errLine
		default:
			o.firstErr = e.raised
		}
	}
}
