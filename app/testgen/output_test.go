package testgen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/workflow"
)

// feed writes lines through a sink with the given line func and returns
// the kept text.
func feed(keep int, line func(string) (string, bool), lines ...string) string {
	s := newSink(keep, line)
	for _, l := range lines {
		s.Write([]byte(l + "\n"))
	}
	s.close()
	return s.text(keep)
}

// Lines recorded from go1.26 go test -json runs.
var (
	goBuildFail = []string{
		`{"ImportPath":"example.com/gm [example.com/gm.test]","Action":"build-output","Output":"# example.com/gm [example.com/gm.test]\n"}`,
		`{"ImportPath":"example.com/gm [example.com/gm.test]","Action":"build-output","Output":"../bad_test.go:6:17: cannot use Clamp(1, 2, 3) (value of type int) as string value in variable declaration\n"}`,
		`{"ImportPath":"example.com/gm [example.com/gm.test]","Action":"build-fail"}`,
		`{"Time":"2026-11-27T05:26:05.840351104Z","Action":"start","Package":"example.com/gm"}`,
		`{"Time":"2026-11-27T05:26:05.840564286Z","Action":"output","Package":"example.com/gm","Output":"FAIL\texample.com/gm [build failed]\n"}`,
		`{"Time":"2026-11-27T05:26:05.840572662Z","Action":"fail","Package":"example.com/gm","Elapsed":0,"FailedBuild":"example.com/gm [example.com/gm.test]"}`,
	}
	goSetupFail = []string{
		`{"ImportPath":"github.com/google/go-cmp/cmp","Action":"build-output","Output":"# example.com/gm\n"}`,
		`{"ImportPath":"github.com/google/go-cmp/cmp","Action":"build-output","Output":"m_test.go:5:2: no required module provides package github.com/google/go-cmp/cmp; to add it:\n"}`,
		`{"ImportPath":"github.com/google/go-cmp/cmp","Action":"build-fail"}`,
		`{"Action":"fail","Package":"example.com/gm","Elapsed":0,"FailedBuild":"github.com/google/go-cmp/cmp"}`,
	}
	goTestRun = []string{
		`{"Action":"start","Package":"example.com/gm"}`,
		`{"Action":"run","Package":"example.com/gm","Test":"TestClamp"}`,
		`{"Action":"output","Package":"example.com/gm","Test":"TestClamp","Output":"=== RUN   TestClamp\n"}`,
		`{"Action":"run","Package":"example.com/gm","Test":"TestClamp/low"}`,
		`{"Action":"output","Package":"example.com/gm","Test":"TestClamp/low","Output":"--- PASS: TestClamp/low (0.00s)\n"}`,
		`{"Action":"pass","Package":"example.com/gm","Test":"TestClamp/low","Elapsed":0}`,
		`{"Action":"run","Package":"example.com/gm","Test":"TestClamp/high"}`,
		`{"Action":"output","Package":"example.com/gm","Test":"TestClamp/high","Output":"    m_test.go:9: got 10 want 11\n"}`,
		`{"Action":"fail","Package":"example.com/gm","Test":"TestClamp/high","Elapsed":0}`,
		`{"Action":"skip","Package":"example.com/gm","Test":"TestClamp/skipped","Elapsed":0}`,
		`{"Action":"fail","Package":"example.com/gm","Test":"TestClamp","Elapsed":0}`,
		`{"Action":"run","Package":"example.com/gm","Test":"TestParent"}`,
		`{"Action":"pass","Package":"example.com/gm","Test":"TestParent/a","Elapsed":0}`,
		`{"Action":"fail","Package":"example.com/gm","Test":"TestParent","Elapsed":0}`,
		`{"Action":"pass","Package":"example.com/gm","Test":"TestFlat","Elapsed":0}`,
		`not json: a line the go command printed itself`,
		`{"Action":"output","Package":"example.com/gm","Output":"FAIL\n"}`,
		`{"Action":"fail","Package":"example.com/gm","Elapsed":0.003}`,
	}
)

func TestGoEvents(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		exit  int
		want  outcome
		text  string
	}{
		{"build fails", goBuildFail, 1, outcome{exit: 1,
			firstErr: "../bad_test.go:6:17: cannot use Clamp(1, 2, 3) (value of type int) as string value in variable declaration"},
			"# example.com/gm [example.com/gm.test]\n../bad_test.go:6:17: cannot use Clamp(1, 2, 3) (value of type int) as string value in variable declaration\nFAIL\texample.com/gm [build failed]"},
		{"setup fails", goSetupFail, 1, outcome{exit: 1,
			firstErr: "m_test.go:5:2: no required module provides package github.com/google/go-cmp/cmp; to add it:"}, ""},
		// Leaves count: TestClamp/low and /high (the skip does not),
		// TestParent/a, its parent TestParent that failed while it passed,
		// and TestFlat.
		{"tests run", goTestRun, 1, outcome{exit: 1, compiled: true, tests: 5, failed: 2,
			failNames: []string{"TestClamp/high", "TestParent"}},
			"--- PASS: TestClamp/low (0.00s)\n    m_test.go:9: got 10 want 11\nnot json: a line the go command printed itself\nFAIL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := newGoEvents()
			text := feed(100, ev.line, tc.lines...)
			o := outcome{exit: tc.exit}
			ev.finish(&o)
			if d := cmp.Diff(tc.want, o, cmp.AllowUnexported(outcome{})); d != "" {
				t.Errorf("outcome (-want +got):\n%s", d)
			}
			if tc.text != "" && text != tc.text {
				t.Errorf("text:\n%s\nwant:\n%s", text, tc.text)
			}
		})
	}
}

func TestExOutput(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		exit  int
		want  outcome
	}{
		{"pass", []string{"....", "Finished in 0.03 seconds (0.00s async, 0.03s sync)", "1 doctest, 3 tests, 0 failures", "", "Randomized with seed 0"},
			0, outcome{compiled: true, tests: 4}},
		{"failures", []string{
			"  1) test distance above (Calc.MathTest)",
			"     test/calc/math_test.exs:5",
			"  2) doctest Calc.Math.distance/2 (1) (Calc.MathTest)",
			"2 properties, 1 doctest, 5 tests, 2 failures, 1 excluded",
		}, 2, outcome{exit: 2, compiled: true, tests: 8, failed: 2,
			failNames: []string{"test distance above (Calc.MathTest)", "doctest Calc.Math.distance/2 (1) (Calc.MathTest)"}}},
		{"old excluded format and invalid", []string{"3 tests, 0 failures, 1 invalid (1 excluded)"}, 1,
			outcome{exit: 1, compiled: true, tests: 3, failed: 1}},
		{"test file does not compile", []string{
			"** (CompileError) test/x_test.exs:5: undefined function expected/0",
			"    (elixir 1.14.0) lib/kernel/parallel_compiler.ex:346: ...",
		}, 1, outcome{exit: 1, firstErr: "** (CompileError) test/x_test.exs:5: undefined function expected/0"}},
		{"elixir 1.15+ error lines", []string{
			"error: undefined variable \"expected\"",
			"** (CompileError) test/x_test.exs: cannot compile file (errors have been logged)",
		}, 1, outcome{exit: 1, firstErr: "error: undefined variable \"expected\""}},
		{"deps missing", []string{
			"Unchecked dependencies for environment test:",
			"* stream_data (Hex package)",
			"  the dependency is not available, run \"mix deps.get\"",
			"** (Mix) Can't continue due to errors on dependencies",
		}, 1, outcome{exit: 1, firstErr: "the project's dependencies are not fetched (mix deps.get)"}},
		{"not a summary", []string{"expected 3 failures, got 2 failures in 1 run"}, 0, outcome{compiled: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ex := &exOutput{}
			feed(100, ex.line, tc.lines...)
			o := outcome{exit: tc.exit}
			ex.finish(&o)
			if d := cmp.Diff(tc.want, o, cmp.AllowUnexported(outcome{})); d != "" {
				t.Errorf("outcome (-want +got):\n%s", d)
			}
		})
	}
	ex := &exOutput{}
	feed(10, ex.line, "== Compilation error in file lib/calc/math.ex ==", "** (CompileError) lib/calc/math.ex:3: x")
	if !ex.projectErr {
		t.Error("a project compile error is not noticed")
	}
}

func TestSink(t *testing.T) {
	// Writes split anywhere; the tail keeps the last lines and says how
	// many came before; blank edges go.
	s := newSink(3, nil)
	for _, chunk := range []string{"\none\ntw", "o\nthr", "ee\r\nfour\n", "five", "\n\n"} {
		s.Write([]byte(chunk))
	}
	s.close()
	if got, want := s.text(3), "… (4 earlier lines)\nfour\nfive"; got != want {
		t.Errorf("text %q, want %q", got, want)
	}
	if got := s.text(1); got != "… (5 earlier lines)\nfive" {
		t.Errorf("text(1) %q", got)
	}
	// An endless line is cut; a line without a newline at the end is kept.
	s = newSink(5, nil)
	s.Write([]byte(strings.Repeat("x", 3*maxLineLen)))
	s.Write([]byte("\nlast"))
	s.close()
	lines := strings.Split(s.text(5), "\n")
	if len(lines) != 2 || len(lines[0]) != maxLineLen+len(" …") || lines[1] != "last" {
		t.Errorf("lines %d, first %d bytes, last %q", len(lines), len(lines[0]), lines[len(lines)-1])
	}
}

func TestCopyTree(t *testing.T) {
	src := t.TempDir()
	writeFiles(t, src, map[string]string{
		"mix.exs":                          "x",
		"lib/a.ex":                         "a",
		"priv/p.txt":                       "p",
		".git/HEAD":                        "ref",
		"deps/jason/mix.exs":               "j",
		"assets/node_modules/x/i.js":       "n",
		"_build/test/lib/a/ebin/a.beam":    "beam",
		"_build/dev/lib/a/ebin/a.beam":     "dev",
		"apps/x/_build/prod/lib/x.beam":    "prod",
		".elixir_ls/build/x":               "ls",
		"test/test_helper.exs":             "ExUnit.start()",
		"deps/jason/.git/not_a_git_dir_ok": "skipped too",
	})
	outside := t.TempDir()
	for _, l := range [][2]string{
		{"../../../../priv", "_build/test/lib/a/priv"},     // relative, inside
		{filepath.Join(src, "lib"), "abs_in"},              // absolute, inside
		{outside, "abs_out"},                               // absolute, outside
		{"../../" + filepath.Base(outside), "lib/rel_out"}, // relative, outside (t.TempDir's dirs are siblings)
	} {
		if err := os.Symlink(l[0], filepath.Join(src, l[1])); err != nil {
			t.Fatal(err)
		}
	}
	mtime := treeHash(t, src)["lib/a.ex"]
	dst := filepath.Join(t.TempDir(), "copy")
	if err := workflow.CopyTree(src, dst, workflow.MixCopySkip); err != nil {
		t.Fatal(err)
	}
	got := treeHash(t, dst)
	for _, p := range []string{"mix.exs", "lib/a.ex", "priv/p.txt", "deps/jason/mix.exs", "_build/test/lib/a/ebin/a.beam", "test/test_helper.exs"} {
		if got[p] == "" {
			t.Errorf("%s not copied", p)
		}
	}
	for _, p := range []string{".git", "assets/node_modules", "_build/dev", "apps/x/_build/prod", ".elixir_ls", "deps/jason/.git"} {
		if got[p] != "" {
			t.Errorf("%s copied", p)
		}
	}
	if got["lib/a.ex"] != mtime {
		t.Errorf("lib/a.ex: %s, was %s (content and mtime must be kept)", got["lib/a.ex"], mtime)
	}
	links := map[string]string{
		"_build/test/lib/a/priv": "../../../../priv",
		"abs_in":                 filepath.Join(dst, "lib"),
		"abs_out":                outside,
		"lib/rel_out":            outside,
	}
	for p, want := range links {
		if l, err := os.Readlink(filepath.Join(dst, p)); err != nil || l != want {
			t.Errorf("link %s -> %q, %v; want %q", p, l, err, want)
		}
	}
}

// ExUnit's --trace rewrites each test's line with a carriage return when
// the test ends; the kept output holds the line as a terminal shows it,
// and the line func still sees that a test started.
func TestSinkKeepsWhatCarriageReturnsLeave(t *testing.T) {
	ex := &exOutput{}
	got := feed(10, ex.line,
		"FooTest [test/foo_test.exs]",
		"  * test greets the world [L#5]\r  * test greets the world (0.00ms) [L#5]",
		"  * doctest Foo.hello/0 (1) [L#3]\r  * doctest Foo.hello/0 (1) (0.00ms) [L#3]\r",
	)
	want := "FooTest [test/foo_test.exs]\n  * test greets the world (0.00ms) [L#5]\n  * doctest Foo.hello/0 (1) (0.00ms) [L#3]"
	if got != want {
		t.Errorf("kept output:\n%q\nwant\n%q", got, want)
	}
	if !ex.started {
		t.Error("the traced test lines were not seen as tests that started")
	}
}
