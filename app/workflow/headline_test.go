package workflow

import "testing"

// TestHeadline: a failed check is quoted by the line that says what
// failed — the compiler's first error — not by the go command's package
// header or mix's progress line; output that starts with its point keeps
// its first line. (Outputs as go 1.26 and Elixir 1.14 and 1.17 print them.)
func TestHeadline(t *testing.T) {
	for _, tc := range []struct{ name, detail, want string }{
		{"go test build failure",
			"# example.com/proj [example.com/proj.test]\n./main_test.go:9:6: TestSum redeclared in this block\n\t./main_gen_test.go:5:6: other declaration of TestSum\nFAIL\texample.com/proj [build failed]",
			"./main_test.go:9:6: TestSum redeclared in this block"},
		{"go build with vet's header",
			"# example.com/calc\n# [example.com/calc]\n./calc.go:5:2: fmt.Printf format %d has arg \"x\" of wrong type string",
			"./calc.go:5:2: fmt.Printf format %d has arg \"x\" of wrong type string"},
		{"go: a download first",
			"go: downloading golang.org/x/sys v0.35.0\n/root/go/pkg/mod/github.com/mattn/go-isatty@v0.0.20/isatty_tcgets.go:8:8: open /root/go/pkg/mod/cache/download/golang.org/x/sys/@v/v0.35.0.lock: permission denied",
			"/root/go/pkg/mod/github.com/mattn/go-isatty@v0.0.20/isatty_tcgets.go:8:8: open /root/go/pkg/mod/cache/download/golang.org/x/sys/@v/v0.35.0.lock: permission denied"},
		{"go: an import no module provides, and what to do on the line below",
			"uses_dep.go:3:8: no required module provides package github.com/davecgh/go-spew/spew; to add it:\n\tgo get github.com/davecgh/go-spew/spew",
			"uses_dep.go:3:8: no required module provides package github.com/davecgh/go-spew/spew; to add it: go get github.com/davecgh/go-spew/spew"},
		{"go: no error line",
			"# example.com/calc\ngo: updates to go.mod needed",
			"go: updates to go.mod needed"},
		{"elixir 1.14",
			"Compiling 1 file (.ex)\nGenerated shop app\n\n== Compilation error in file test/shop_test.exs ==\n** (CompileError) test/shop_test.exs:4: undefined function nope/0 (expected ShopTest to define such a function or for it to be imported, but none are available)\n    (elixir 1.14.0) lib/kernel/parallel_compiler.ex:346: Kernel.ParallelCompiler.require_file/2",
			"** (CompileError) test/shop_test.exs:4: undefined function nope/0 (expected ShopTest to define such a function or for it to be imported, but none are available)"},
		{"elixir 1.17, a warning first",
			"Compiling 1 file (.ex)\n    warning: variable \"x\" is unused\n    │\n  3 │   def f(x), do: 1\n\n    error: undefined function nope/0 (there is no such import)\n    │\n  4 │     assert nope() == 1\n    └─ test/shop_test.exs:4:12: ShopTest.\"test a\"/1\n\n** (CompileError) test/shop_test.exs: cannot compile module ShopTest (errors have been logged)",
			"error: undefined function nope/0 (there is no such import)"},
		{"tail marker first",
			"… 40 lines before\n./x_test.go:3:1: syntax error: non-declaration statement outside function body",
			"./x_test.go:3:1: syntax error: non-declaration statement outside function body"},
		{"a summary first keeps it",
			"1 of 4 tests fail (TestMax/equal); score 0.33\n    calc_test.go:17: Max(2, 2) = 3; want 2",
			"1 of 4 tests fail (TestMax/equal); score 0.33"},
		{"one line", "hunk 1 does not apply at line 12", "hunk 1 does not apply at line 12"},
		{"empty", "\n", ""},
	} {
		if got := Headline(tc.detail); got != tc.want {
			t.Errorf("%s: %q; want %q", tc.name, got, tc.want)
		}
	}
}

func TestFailuresQuoteTheError(t *testing.T) {
	p := &Proposal{Checks: []Check{
		{Name: "syntax", Status: OK},
		{Name: "tests compile", Status: Failed, Detail: "# example.com/proj [example.com/proj.test]\n./main_test.go:9:6: TestSum redeclared in this block"},
	}}
	if got := p.Failures(); len(got) != 1 || got[0] != "tests compile: ./main_test.go:9:6: TestSum redeclared in this block" {
		t.Fatalf("Failures() = %q", got)
	}
}
