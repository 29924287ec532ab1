package testgen

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// goRun runs generated Go tests with go test -overlay: the test file, and
// a mutant's copy of the target's file, live in the scratch directory and
// the go command reads them in place of the project's paths. Nothing is
// written into the project; the build cache is the user's.
type goRun struct {
	s       *Spec
	scratch string
	pkgDir  string // the test file's directory in the project (go test's cwd)
	testAbs string // the test file's path in the project (need not exist)
	testTmp string // the generated file in the scratch dir
	names   []string
	parse   error // the generated file does not parse
	n       int   // runs so far, to name overlay files
}

func newGoRun(s *Spec, scratch string) (*goRun, error) {
	g := &goRun{s: s, scratch: scratch}
	g.testAbs = filepath.Join(s.Root, filepath.FromSlash(s.TestPath))
	g.pkgDir = filepath.Dir(g.testAbs)
	g.names, g.parse = goTestNames(s.TestPath, s.TestContent)
	g.testTmp = filepath.Join(scratch, "test", path.Base(s.TestPath))
	if err := os.MkdirAll(filepath.Dir(g.testTmp), 0o700); err != nil {
		return nil, setup(err)
	}
	if err := os.WriteFile(g.testTmp, s.TestContent, 0o600); err != nil {
		return nil, setup(err)
	}
	return g, nil
}

// goTestNames returns the names of the test, fuzz and example functions of
// a Go test file, in order.
func goTestNames(name string, src []byte) ([]string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv != nil {
			continue
		}
		for _, prefix := range []string{"Test", "Fuzz", "Example"} {
			if isTestName(fd.Name.Name, prefix) && fd.Name.Name != "TestMain" {
				out = append(out, fd.Name.Name)
			}
		}
	}
	return out, nil
}

// isTestName is the go command's rule: the prefix, then nothing or a
// character that is not a lower-case letter.
func isTestName(name, prefix string) bool {
	if !strings.HasPrefix(name, prefix) {
		return false
	}
	if len(name) == len(prefix) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(name[len(prefix):])
	return !unicode.IsLower(r)
}

func (g *goRun) baseline(ctx context.Context, timeout time.Duration) (outcome, error) {
	if g.parse != nil {
		// go test would say the same, slower.
		msg := strings.ReplaceAll(g.parse.Error(), "\n", " ")
		return outcome{exit: 1, firstErr: msg, output: msg}, nil
	}
	return g.run(ctx, nil, timeout, false)
}

func (g *goRun) mutant(ctx context.Context, src []byte, timeout time.Duration) (outcome, error) {
	return g.run(ctx, src, timeout, false)
}

// compile builds the test binary (go test -c, which vets as go test
// does) without running it.
func (g *goRun) compile(ctx context.Context, timeout time.Duration) (outcome, error) {
	if g.parse != nil {
		return g.baseline(ctx, timeout)
	}
	return g.run(ctx, nil, timeout, true)
}

// builtBefore builds the package of the test file and its own tests as
// they are, without the generated file (go test -c -vet=off): whether
// the package built before the tests were added. When it does not (a
// dependency that cannot be loaded, an error already in the package),
// why is its first error. A build that does not end in time is taken to
// build: nothing is known against the tests.
func (g *goRun) builtBefore(ctx context.Context, timeout time.Duration) (ok bool, why string, err error) {
	g.n++
	args := []string{"test", "-c", "-o", filepath.Join(g.scratch, fmt.Sprintf("before%d.test", g.n)), "-vet=off", "-json", g.modFlag(), "."}
	ev := newGoEvents()
	sk := newSink(tailLines, ev.line)
	o, err := runCmd(ctx, g.s.Runner, Command{Dir: g.pkgDir, Name: "go", Args: args, Output: sk}, timeout)
	if err != nil {
		return false, "", err
	}
	sk.close()
	if o.timedOut || o.exit == 0 {
		return true, "", nil
	}
	if ev.firstErr != "" {
		return false, ev.firstErr, nil
	}
	// No compiler-style line: the go command's own ("go: …"), past its
	// progress lines.
	for l := range strings.Lines(sk.text(tailLines)) {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "# ") && !goProgress(l) {
			return false, l, nil
		}
	}
	return false, fmt.Sprintf("go test -c exited %d", o.exit), nil
}

// goProgress reports whether l is one of the go command's progress lines
// ("go: downloading golang.org/x/sys v0.35.0"): what it set out to do,
// not what went wrong.
func goProgress(l string) bool {
	for _, p := range []string{"go: downloading ", "go: finding module for package ", "go: found ", "go: extracting "} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// run runs go test on the package of the test file, with the generated
// file and, if target is not nil, the mutated target in the overlay; with
// compileOnly, it builds the test binary instead (go test -c).
func (g *goRun) run(ctx context.Context, target []byte, timeout time.Duration, compileOnly bool) (outcome, error) {
	g.n++
	replace := map[string]string{g.testAbs: g.testTmp}
	rewrite := map[string]string{g.testTmp: g.s.TestPath}
	targetAbs := filepath.Join(g.s.Root, filepath.FromSlash(g.s.Target.Path))
	if target != nil {
		tmp := filepath.Join(g.scratch, fmt.Sprintf("mutant%d", g.n), filepath.Base(targetAbs))
		if err := os.MkdirAll(filepath.Dir(tmp), 0o700); err != nil {
			return outcome{}, setup(err)
		}
		if err := os.WriteFile(tmp, target, 0o600); err != nil {
			return outcome{}, setup(err)
		}
		replace[targetAbs] = tmp
		rewrite[tmp] = g.s.Target.Path
	}
	overlay, err := json.Marshal(struct{ Replace map[string]string }{replace})
	if err != nil {
		return outcome{}, err
	}
	overlayFile := filepath.Join(g.scratch, fmt.Sprintf("overlay%d.json", g.n))
	if err := os.WriteFile(overlayFile, overlay, 0o600); err != nil {
		return outcome{}, setup(err)
	}

	run := "^$" // no test functions: build and vet only
	if len(g.names) > 0 {
		run = "^(" + strings.Join(g.names, "|") + ")$"
	}
	args := []string{"test", "-overlay=" + overlayFile, "-run=" + run, "-count=1", "-json",
		"-timeout=" + timeout.String(), g.modFlag()}
	if compileOnly {
		args = []string{"test", "-c", "-o", filepath.Join(g.scratch, "compile.test"), "-overlay=" + overlayFile, "-json", g.modFlag()}
	}
	if target != nil {
		// A mutant's own vet findings are not the tests' doing, and the
		// first failure is enough.
		args = append(args, "-vet=off", "-failfast")
	}
	args = append(args, ".")

	ev := newGoEvents()
	keep := tailLines
	if target != nil {
		keep = mutantLines
	}
	sk := newSink(keep, ev.line)
	o, err := runCmd(ctx, g.s.Runner, Command{Dir: g.pkgDir, Name: "go", Args: args, Output: sk}, timeout)
	if err != nil {
		return o, err
	}
	sk.close()
	ev.finish(&o)
	if target != nil && ev.buildFailed {
		// The test file built against the unchanged target, so a build
		// failure now is the mutant's.
		o.stillborn = true
	}
	o.output = rewritePaths(sk.text(keep), g.pkgDir, rewrite)
	o.firstErr = rewritePaths(o.firstErr, g.pkgDir, rewrite)
	return o, nil
}

// modFlag keeps go.mod and go.sum as they are whatever GOFLAGS says
// (-mod=mod would let go test write them): -mod=vendor for a module that
// vendors, else -mod=readonly.
func (g *goRun) modFlag() string {
	for d := g.pkgDir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(d, "vendor", "modules.txt")); err == nil {
				return "-mod=vendor"
			}
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "-mod=readonly"
}

// runCmd runs cmd under its own timeout and fills in exit, timedOut and
// dur. Its error is the runner's, or ctx's when ctx ended.
func runCmd(ctx context.Context, r Runner, cmd Command, timeout time.Duration) (outcome, error) {
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	began := time.Now()
	exit, err := r.Run(cctx, cmd)
	o := outcome{exit: exit, dur: time.Since(began)}
	switch {
	case ctx.Err() != nil:
		return o, ctx.Err()
	case cctx.Err() != nil:
		o.timedOut, o.exit = true, -1
		return o, nil
	case err != nil:
		return o, fmt.Errorf("run %s %s: %w", cmd.Name, strings.Join(cmd.Args, " "), err)
	}
	return o, nil
}

// rewritePaths replaces scratch paths in text (absolute, or relative to
// dir as the compiler prints them) with the project paths they stand for.
func rewritePaths(text, dir string, rewrite map[string]string) string {
	for from, to := range rewrite {
		if rel, err := filepath.Rel(dir, from); err == nil && rel != from {
			text = strings.ReplaceAll(text, from, to)
			text = strings.ReplaceAll(text, rel, to)
		} else {
			text = strings.ReplaceAll(text, from, to)
		}
	}
	return text
}

// goEvent is an event of go test -json (cmd/test2json's shape, plus the
// build events of go 1.24+).
type goEvent struct {
	Action      string
	Package     string
	Test        string
	Output      string
	ImportPath  string
	FailedBuild string
}

// goEvents follows a go test -json stream.
type goEvents struct {
	buildFailed bool
	ran         bool              // the test binary ran (a test started, or it reported)
	timedOut    bool              // the test binary hit -timeout
	results     map[string]string // test name → pass, fail or skip
	order       []string          // tests in the order they ended
	firstErr    string
}

func newGoEvents() *goEvents { return &goEvents{results: map[string]string{}} }

// compileErr matches a compiler or vet error line: file.go:12:3: message.
var compileErr = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\S+\.go:\d+(:\d+)?: `) })

// line takes one line of go test -json output and returns the text to
// keep, as go test -v would print it, without === RUN/PAUSE/CONT noise.
func (e *goEvents) line(l string) (string, bool) {
	var ev goEvent
	if !strings.HasPrefix(l, "{") || json.Unmarshal([]byte(l), &ev) != nil || ev.Action == "" {
		e.noteErr(l)
		return l, true // go's own messages: "go: …", setup errors
	}
	switch ev.Action {
	case "build-fail":
		e.buildFailed = true
	case "pass", "fail", "skip":
		switch {
		case ev.Test != "":
			if _, ok := e.results[ev.Test]; !ok {
				e.order = append(e.order, ev.Test)
			}
			e.results[ev.Test] = ev.Action
		case ev.FailedBuild != "":
			e.buildFailed = true
		default:
			e.ran = true
		}
	case "run":
		e.ran = true
	}
	out := strings.TrimRight(ev.Output, "\n")
	if out == "" {
		return "", false
	}
	if t := strings.TrimSpace(out); strings.HasPrefix(t, "=== RUN") || strings.HasPrefix(t, "=== PAUSE") ||
		strings.HasPrefix(t, "=== CONT") || strings.HasPrefix(t, "=== NAME") {
		return "", false
	}
	if ev.Action == "build-output" {
		e.noteErr(out)
	}
	if strings.HasPrefix(out, "panic: test timed out after") {
		e.timedOut = true
	}
	return out, true
}

func (e *goEvents) noteErr(l string) {
	if e.firstErr == "" && compileErr().MatchString(l) {
		e.firstErr = l
	}
}

// finish fills in what the stream showed. Tests are the leaves: a test
// with subtests counts as its subtests, unless it failed while they all
// passed (then it counts too, as a failure).
func (e *goEvents) finish(o *outcome) {
	o.compiled = !e.buildFailed && (e.ran || o.exit == 0)
	o.buildTimeout = o.timedOut && !e.ran
	o.timedOut = o.timedOut || e.timedOut
	hasKids := map[string]bool{}
	failedKid := map[string]bool{}
	for name, res := range e.results {
		for p := name; strings.Contains(p, "/"); {
			p = p[:strings.LastIndex(p, "/")]
			hasKids[p] = true
			if res == "fail" {
				failedKid[p] = true
			}
		}
	}
	for _, name := range e.order {
		res := e.results[name]
		if hasKids[name] {
			if res == "fail" && !failedKid[name] {
				o.tests++
				o.failed++
				o.failNames = appendName(o.failNames, name)
			}
			continue
		}
		if res == "skip" {
			continue
		}
		o.tests++
		if res == "fail" {
			o.failed++
			o.failNames = appendName(o.failNames, name)
		}
	}
	if !o.compiled {
		o.firstErr = e.firstErr
	}
}

// appendName adds a failing test's name, up to ten.
func appendName(names []string, n string) []string {
	if len(names) < 10 {
		names = append(names, n)
	}
	return names
}
