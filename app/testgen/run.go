package testgen

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app/english"
)

// Defaults for the zero Spec.
const (
	DefaultMutants = 3
	DefaultTimeout = 5 * time.Minute
)

// ErrNoToolchain is wrapped by Run's error when the language's toolchain
// is not in PATH (see Toolchain).
var ErrNoToolchain = errors.New("toolchain not available")

// SetupError is Run's error when it could not lay out what the tests run
// with in Spec.TempDir: its scratch directory, the generated file's copy,
// the overlay, a mutant's file, Elixir's copy of the project. That is a
// problem of the machine (most often a full disk), not of the tests, so
// that callers can say so rather than blame the generated file.
type SetupError struct {
	Err error
}

func (e *SetupError) Error() string { return "lay out the tests' scratch files: " + e.Err.Error() }

func (e *SetupError) Unwrap() error { return e.Err }

// setup marks err, when there is one, as a SetupError.
func setup(err error) error {
	if err == nil {
		return nil
	}
	return &SetupError{Err: err}
}

// Target is the unit the tests are for, as the prompt showed it (a
// chunk.Chunk carries all of it).
type Target struct {
	// Path is the unit's file, relative to Spec.Root.
	Path string
	// Name is the unit's name for messages ("MyApp.Math.clamp/3", "Clamp").
	Name string
	// StartLine and EndLine (1-based, inclusive) locate the unit when its
	// text does not; 0 means unknown.
	StartLine, EndLine int
	// Source is the unit's text. Mutants change only this part of the
	// file; where it is found once in the file it wins over the lines.
	Source string
}

// Spec says what Run checks. Root, TestPath, TestContent, Target.Path and
// Runner are required; the rest works at its zero value.
type Spec struct {
	// Root is the project directory. Run reads it and never writes to it.
	Root string
	// Lang is LangGo or LangElixir; "" takes it from TestPath.
	Lang string
	// TestPath is where the test file would go, relative to Root (see
	// TestPath); TestContent is the generated file.
	TestPath    string
	TestContent []byte
	Target      Target
	// Runner runs go and mix. It is required, so that running generated
	// code unconfined is a choice the caller makes (Exec{}).
	Runner Runner
	// Timeout bounds each test run: 0 means DefaultTimeout. A mutant's run
	// gets at most 10 s more than three times the unmutated run took (a
	// mutant can loop forever), within Timeout.
	Timeout time.Duration
	// Mutants is how many mutants to try: 0 means DefaultMutants, negative
	// none.
	Mutants int
	// TempDir is where Run makes its scratch directory (the overlay files,
	// Elixir's copy of the project); "" means os.TempDir(). The Runner's
	// children must be able to read and write it.
	TempDir string
	// CompileOnly builds the tests without running them (aiex gen tests
	// --no-run): Go's go test -c, with the vet checks go test makes;
	// ExUnit's mix test with every test excluded (the file is compiled,
	// nothing of it runs). The Report says whether they compile; no
	// mutant is made and the score is 0.
	CompileOnly bool
	// Private are aiex's own paths (its data dir, its config file,
	// absolute): where they lie inside Root, Elixir's copy of the project
	// leaves them out (workflow.SkipPrivate).
	Private []string
}

// Report is what Run found.
type Report struct {
	Lang     string `json:"lang"`
	TestPath string `json:"test_path"`
	// Compiles: the test file (and the project with it) builds. For Go,
	// go vet's checks that go test runs count as part of building.
	Compiles bool `json:"compiles"`
	// Passed: it compiles, at least one test ran, and none failed.
	Passed bool `json:"passed"`
	// Tests is how many tests ran (Go: subtests count, their parents do
	// not; ExUnit: tests, doctests and properties); Failed how many of
	// them failed (ExUnit: with invalid ones).
	Tests  int `json:"tests"`
	Failed int `json:"failed"`
	// FailedTests names up to ten of the failing tests.
	FailedTests []string `json:"failed_tests,omitempty"`
	// TimedOut: the unmutated run did not end within the timeout.
	TimedOut bool `json:"timed_out,omitempty"`
	// NotRun: the tests were built, not run (Spec.CompileOnly); only
	// Compiles, TimedOut and Output say anything.
	NotRun bool `json:"not_run,omitempty"`
	// Output is the end of the unmutated run's output (about 60 lines),
	// with scratch paths replaced by the project's.
	Output   string        `json:"output"`
	Duration time.Duration `json:"duration_ns"`
	// Mutants are the mutants tried, in order.
	Mutants []Mutant `json:"mutants,omitempty"`
	// NoMutants says why no mutant was run, when none was.
	NoMutants string `json:"no_mutants,omitempty"`
	// Score is in [0, 1]: (compiles + passed + killed/valid mutants) / 3,
	// each of the first two 1 or 0. When no mutant ran although the tests
	// pass (mutants turned off, or the target has nothing to mutate) it is
	// (compiles + passed) / 2; when the tests fail, mutants are not run and
	// count 0.
	Score float64 `json:"score"`
	// Unchecked, when the tests do not compile, says that the package
	// does not build without them either (a dependency the module cache
	// lacks, an error already in the package), quoting its first error:
	// the go command stopped at that, so nothing is known of the tests,
	// and their not compiling is not theirs. Go only.
	Unchecked string `json:"unchecked,omitempty"`
	// Changed lists the files of the project's code (paths relative to
	// the project) that the tests changed as they ran, in the copy they
	// ran in (Elixir): run in the project, they would rewrite its code,
	// and each later run would build the rewritten code, not the target
	// or its mutant. Such tests do not pass and score 0.
	Changed []string `json:"changed,omitempty"`
	// Summary is one line for people.
	Summary string `json:"summary"`
	// Total is the wall time of the whole Run.
	Total time.Duration `json:"total_ns"`
}

// Mutant is one small change to the target: the tests should fail on it.
type Mutant struct {
	// Description says where and what: "lib/x.ex:12:9: `>` → `<=`".
	Description string `json:"description"`
	// Path, Line and Column are where the mutant changes the target's
	// file: the project-relative path, the line and the byte column of
	// the changed text, both from 1. Two mutants of one line differ in
	// their column.
	Path   string `json:"path"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	// Killed: the tests failed (or timed out) on the mutant.
	Killed bool `json:"killed"`
	// Invalid: the mutant could not be tried, so it does not count: its
	// own code did not compile, or the run timed out before any test
	// started (building it took too long).
	Invalid bool `json:"invalid,omitempty"`
	// Output is the end of the run's output when the mutant was killed
	// (which test noticed) or invalid.
	Output   string        `json:"output,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// Killed counts the killed mutants and the valid ones.
func (r *Report) Killed() (killed, valid int) {
	for _, m := range r.Mutants {
		if !m.Invalid {
			valid++
			if m.Killed {
				killed++
			}
		}
	}
	return killed, valid
}

// outcome is what one test run showed.
type outcome struct {
	exit      int
	timedOut  bool
	compiled  bool
	stillborn bool // the mutated target did not compile
	// buildTimeout: it timed out before any test started, so it was
	// still building. Go's test events tell; mix's output does not (a
	// hang in a mix run is taken to be in a test).
	buildTimeout bool
	tests        int
	failed       int
	failNames    []string
	firstErr     string // the first compiler error line, for the summary
	output       string
	dur          time.Duration
}

// langRun runs one language's tests in one scratch directory.
type langRun interface {
	// baseline runs the generated tests against the unchanged project.
	baseline(ctx context.Context, timeout time.Duration) (outcome, error)
	// mutant runs them against the project with the target's file
	// replaced by src.
	mutant(ctx context.Context, src []byte, timeout time.Duration) (outcome, error)
	// compile builds them against the unchanged project, running none.
	compile(ctx context.Context, timeout time.Duration) (outcome, error)
}

// Run runs the generated test file against the project without writing
// into it, then (if the tests pass) against up to Spec.Mutants mutants of
// the target, and scores the tests. Go tests run through go test
// -overlay; Elixir tests in a scratch copy of the project. A test file
// that does not compile or fails is a Report, not an error; errors are
// for a bad Spec, a missing toolchain (ErrNoToolchain), scratch files
// that cannot be written (*SetupError), a runner that cannot start, and
// the context ending.
func Run(ctx context.Context, s Spec) (*Report, error) {
	began := time.Now()
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("testgen.Run: %w", err)
	}
	if ok, why := Toolchain(s.Lang); !ok {
		return nil, fmt.Errorf("testgen.Run: %w: %s", ErrNoToolchain, why)
	}
	scratch, err := os.MkdirTemp(s.TempDir, "aiex-testgen-")
	if err != nil {
		return nil, fmt.Errorf("testgen.Run: scratch dir: %w", setup(err))
	}
	defer os.RemoveAll(scratch)

	var lr langRun
	switch s.Lang {
	case LangGo:
		lr, err = newGoRun(&s, scratch)
	case LangElixir:
		lr, err = newExRun(&s, scratch)
	}
	if err != nil {
		return nil, fmt.Errorf("testgen.Run: %w", err)
	}

	rep := &Report{Lang: s.Lang, TestPath: s.TestPath}
	if s.CompileOnly {
		o, err := lr.compile(ctx, s.Timeout)
		if err != nil {
			return nil, fmt.Errorf("testgen.Run: %w", err)
		}
		rep.Compiles, rep.TimedOut = o.compiled && !o.timedOut, o.timedOut
		rep.Output, rep.Duration = o.output, o.dur
		rep.NotRun = true
		rep.NoMutants = "the tests were not run"
		rep.guard(lr) // compiling a test file runs its modules' bodies
		if err := rep.checkBefore(ctx, lr, s.Timeout); err != nil {
			return nil, fmt.Errorf("testgen.Run: %w", err)
		}
		rep.Summary = rep.summarize(o.firstErr, s.Timeout)
		rep.Total = time.Since(began)
		return rep, nil
	}
	base, err := lr.baseline(ctx, s.Timeout)
	if err != nil {
		return nil, fmt.Errorf("testgen.Run: %w", err)
	}
	rep.Compiles, rep.TimedOut = base.compiled, base.timedOut
	rep.Tests, rep.Failed, rep.FailedTests = base.tests, base.failed, base.failNames
	rep.Passed = base.compiled && !base.timedOut && base.exit == 0 && base.tests > 0 && base.failed == 0
	rep.Output, rep.Duration = base.output, base.dur
	if err := rep.checkBefore(ctx, lr, s.Timeout); err != nil {
		return nil, fmt.Errorf("testgen.Run: %w", err)
	}

	switch {
	case rep.guard(lr):
		rep.NoMutants = "the tests change the project's code"
	case s.Mutants < 0:
		rep.NoMutants = "mutants were turned off"
	case !rep.Passed:
		rep.NoMutants = "the tests do not pass on the unchanged code"
	default:
		if err := rep.mutate(ctx, &s, lr, base.dur); err != nil {
			return nil, fmt.Errorf("testgen.Run: %w", err)
		}
	}
	rep.score()
	rep.Summary = rep.summarize(base.firstErr, s.Timeout)
	rep.Total = time.Since(began)
	return rep, nil
}

// beforeChecker is a langRun that can tell whether the package built
// before the tests were added (Go).
type beforeChecker interface {
	builtBefore(ctx context.Context, timeout time.Duration) (ok bool, why string, err error)
}

// checkBefore sets Unchecked when the tests did not compile (in time or
// not) because the package does not build without them either, or its
// own existing tests do not compile (the go command's first error is in
// a _test.go file).
func (r *Report) checkBefore(ctx context.Context, lr langRun, timeout time.Duration) error {
	bc, ok := lr.(beforeChecker)
	if r.Compiles || r.TimedOut || !ok {
		return nil
	}
	built, why, err := bc.builtBefore(ctx, timeout)
	if err != nil || built {
		return err
	}
	if file, _, ok := strings.Cut(why, ":"); ok && strings.HasSuffix(file, "_test.go") && !strings.Contains(file, " ") {
		// The package builds; its own tests do not.
		r.Unchecked = "could not check the tests: the package's existing tests do not compile, so the go command stopped before it compiled the new ones: " + why
		return nil
	}
	r.Unchecked = "could not check the tests: the package does not build without them either, so the go command stopped before it compiled them: " + why
	return nil
}

// check validates s and fills in defaults.
func (s *Spec) check() error {
	if s.Runner == nil {
		return errors.New("Spec.Runner is nil: pass a confining runner, or testgen.Exec{} to run unconfined")
	}
	if s.Root == "" {
		return errors.New("Spec.Root is empty")
	}
	root, err := filepath.Abs(s.Root)
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		return fmt.Errorf("project root: %w", err)
	}
	s.Root = root
	if s.TestPath, err = relPath(s.TestPath); err != nil {
		return fmt.Errorf("test path: %w", err)
	}
	if s.Target.Path, err = relPath(s.Target.Path); err != nil {
		return fmt.Errorf("target path: %w", err)
	}
	if s.Lang == "" {
		s.Lang = LangOf(s.TestPath)
	}
	want := map[string]string{LangGo: "_test.go", LangElixir: "_test.exs"}[s.Lang]
	if want == "" {
		return fmt.Errorf("%w: cannot run %q tests (only go and elixir)", ErrPath, s.Lang)
	}
	if !strings.HasSuffix(s.TestPath, want) {
		return fmt.Errorf("%w: a %s test file's name ends in %s, not %s", ErrPath, s.Lang, want, path.Base(s.TestPath))
	}
	if LangOf(s.Target.Path) != s.Lang {
		return fmt.Errorf("%w: target %s is not a %s file", ErrPath, s.Target.Path, s.Lang)
	}
	if len(s.TestContent) == 0 {
		return errors.New("Spec.TestContent is empty")
	}
	tmp := s.TempDir
	if tmp == "" {
		tmp = os.TempDir()
	}
	if t, err := filepath.Abs(tmp); err == nil {
		if t2, err := filepath.EvalSymlinks(t); err == nil {
			t = t2
		}
		if r, err := filepath.Rel(root, t); err == nil && r != ".." && !strings.HasPrefix(r, "../") {
			return fmt.Errorf("%w: the temp dir %s is inside the project, and Run must not write there", ErrPath, tmp)
		}
	}
	if s.Timeout <= 0 {
		s.Timeout = DefaultTimeout
	}
	if s.Mutants == 0 {
		s.Mutants = DefaultMutants
	}
	return nil
}

// maxAttempts bounds the mutants tried for n valid ones: an invalid
// mutant (one that does not compile) is replaced by the next site, a few
// times at most.
func maxAttempts(n int) int { return n + 2 }

// mutate runs the mutants of the target and records them.
func (r *Report) mutate(ctx context.Context, s *Spec, lr langRun, baseDur time.Duration) error {
	src, err := os.ReadFile(filepath.Join(s.Root, filepath.FromSlash(s.Target.Path)))
	if err != nil {
		return fmt.Errorf("read target: %w", err)
	}
	start, end, note := unitRange(src, s.Target)
	var sites []site
	if s.Lang == LangGo {
		sites, err = goSites(s.Target.Path, src, start, end)
	} else {
		sites, err = elixirSites(src, start, end)
	}
	if err != nil {
		r.NoMutants = "the target does not parse: " + err.Error()
		return nil
	}
	sites = order(sites)
	if len(sites) == 0 {
		r.NoMutants = "the target has nothing to mutate: " + exMutated
		if s.Lang == LangGo {
			r.NoMutants = "the target has nothing to mutate: " + goMutated
		}
		if note != "" {
			r.NoMutants += " (" + note + ")"
		}
		return nil
	}
	timeout := min(s.Timeout, 3*baseDur+10*time.Second)
	valid := 0
	unwritten := "" // why the mutants could not be laid out
	for i, st := range sites {
		if valid == s.Mutants || i == maxAttempts(s.Mutants) {
			break
		}
		o, err := lr.mutant(ctx, st.apply(src), timeout)
		if se := (*SetupError)(nil); errors.As(err, &se) {
			// The tests ran: what they showed stands, scored without the
			// mutants that could not be laid out.
			unwritten = "the mutants could not be written in the temp dir: " + errText(se.Err)
			break
		}
		if err != nil {
			return err
		}
		if r.guard(lr) {
			// What this run and any later one showed is of the code the
			// tests wrote.
			r.NoMutants = "the tests change the project's code"
			return nil
		}
		m := st.mutant(s.Target.Path, src)
		m.Duration = o.dur
		switch {
		case o.stillborn:
			m.Invalid = true
			m.Output = o.output
		case o.buildTimeout:
			// Still building: no test had the chance to notice.
			m.Invalid = true
			m.Output = fmt.Sprintf("timed out after %s before any test started", timeout.Round(time.Millisecond))
		case o.timedOut:
			m.Killed = true
			m.Output = fmt.Sprintf("timed out after %s", timeout.Round(time.Second))
		case o.exit != 0 || o.failed > 0:
			m.Killed = true
			m.Output = o.output
		}
		if !m.Invalid {
			valid++
		}
		r.Mutants = append(r.Mutants, m)
	}
	switch {
	case valid == 0 && unwritten != "":
		r.NoMutants = unwritten
	case valid == 0:
		r.NoMutants = "no mutant of the target compiled (in time)"
	}
	return nil
}

// guard sets Changed, and fails the tests, when the runs so far changed
// the project's code in the copy they run in (codeGuard); it reports
// whether they did.
func (r *Report) guard(lr langRun) bool {
	g, ok := lr.(codeGuard)
	if !ok {
		return false
	}
	if ch := g.changed(); len(ch) > 0 {
		r.Changed, r.Passed = ch, false
		return true
	}
	return false
}

// errText is err's reason without the scratch path it names, if it is a
// path error: the path means nothing to the user.
func errText(err error) string {
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// score computes Score (see its doc).
func (r *Report) score() {
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	killed, valid := r.Killed()
	switch {
	case len(r.Changed) > 0:
		r.Score = 0 // whatever ran, ran against the code the tests wrote
	case valid > 0:
		r.Score = (b(r.Compiles) + b(r.Passed) + float64(killed)/float64(valid)) / 3
	case r.Passed:
		r.Score = (b(r.Compiles) + b(r.Passed)) / 2
	default:
		r.Score = b(r.Compiles) / 3
	}
}

// summarize writes the one-line Summary; limit is the run's timeout.
func (r *Report) summarize(firstErr string, limit time.Duration) string {
	var b strings.Builder
	tests := english.Count(r.Tests, "test")
	switch {
	case !r.Compiles && r.TimedOut:
		fmt.Fprintf(&b, "timed out after %s before any test ran", english.Duration(limit))
	case r.Unchecked != "":
		return r.Unchecked // nothing of the tests was compiled, nor scored
	case !r.Compiles:
		b.WriteString("does not compile")
		if firstErr != "" {
			b.WriteString(": " + firstErr)
		}
		if r.NotRun {
			return b.String() // nothing was scored
		}
	case len(r.Changed) > 0:
		fmt.Fprintf(&b, "%s; score %.2f", changedCode(r.Changed), r.Score)
		return b.String()
	case r.NotRun:
		return "compiles; the tests were not run"
	case r.TimedOut:
		fmt.Fprintf(&b, "timed out after %s", english.Duration(limit))
	case r.Tests == 0:
		b.WriteString("compiles, but no test ran")
	case r.Failed > 0:
		verb := "fail"
		if r.Failed == 1 {
			verb = "fails"
		}
		fmt.Fprintf(&b, "%d of %s %s", r.Failed, tests, verb)
		if len(r.FailedTests) > 0 {
			b.WriteString(" (" + r.FailedTests[0])
			if len(r.FailedTests) > 1 {
				b.WriteString(", …")
			}
			b.WriteString(")")
		}
	case !r.Passed:
		b.WriteString(tests + " ran, but the run failed")
	case r.Tests == 1:
		b.WriteString("1 test passes")
	default:
		b.WriteString(tests + " pass")
	}
	killed, valid := r.Killed()
	if valid > 0 {
		fmt.Fprintf(&b, "; %d/%d mutants killed", killed, valid)
		if killed < valid {
			b.WriteString(" (the tests miss some breakages of the target)")
		}
	} else if r.Passed && r.NoMutants != "" {
		b.WriteString("; no mutants: " + r.NoMutants)
	}
	fmt.Fprintf(&b, "; score %.2f", r.Score)
	if valid == 0 && r.Passed {
		// Full marks here say only that the tests compile and pass: how
		// well they catch breakages was not measured.
		b.WriteString(" (compiles and passes; not measured against mutants)")
	}
	return b.String()
}
