package chunk

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// fuzzChunk chunks src under each strategy (Hybrid with small pieces) and
// fails on any broken invariant; File must not panic on any input.
func fuzzChunk(t *testing.T, path string, src []byte) {
	// The fuzzer does not notice hangs; a watchdog makes one a crash with
	// the input (generous: the machine may be loaded).
	wd := time.AfterFunc(30*time.Second, func() { panic(fmt.Sprintf("File hangs on %q", src)) })
	defer wd.Stop()
	for _, opt := range []Options{
		{Strategy: Semantic},
		{Strategy: Hybrid, MaxBytes: 64},
		{Strategy: Size, Lines: 3, Overlap: 1},
	} {
		res, err := File(path, src, opt)
		if err != nil {
			t.Fatalf("%+v: %v", opt, err)
		}
		for _, e := range invariantErrors(src, res) {
			t.Errorf("%s %q: %s", opt.Strategy, src, e)
		}
	}
}

func FuzzElixir(f *testing.F) {
	for _, s := range []string{
		accountsEx,
		"defmodule A do\n  def f(x), do: x\nend\n",
		"defmodule Broken do\n  def bad(x) do\n    case x do\n      1 ->\n  def later(y) do\n    y\n  end\nend\n",
		"defmodule H do\n  @doc \"\"\"\n  never closed\n  def b, do: 2\nend\n",
		"defmodule T do\n  use ExUnit.Case\n  describe \"x\" do\n    test \"y\" do\n      assert ~s(a\nb)\n    end\n  end\nend\n",
		"defimpl P, for: [A, B] do\n  def f(_), do: :ok\nend\n",
		"def f(a, b \\\\ 1) when a > 0\ndefmacro first..last//step do\nend\n",
		")))\ndefmodule G do\n  def a, do: 1\nend\n",
		"defmodule",
		"def",
		"@doc",
		"\"\"\"",
		"~S\"\"\"\n",
		"defmodule A do defmodule B do def",
		"defmodule A do\n  defdelegate [a(x), b(), c(y \\\\ 1)], to: B\nend\n",
		"defmodule A do\n  def f, do: ~s\"abc #{\"x\n  def g, do: 1\nend\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		fuzzChunk(t, "lib/fuzz.exs", []byte(src))
	})
}

func FuzzGo(f *testing.F) {
	for _, s := range []string{
		sampleGo,
		"package p\n\nfunc A() int { return 1 }\n\nfunc B() {\n\tif x {\n",
		"package p\n\nfunc A() {}\n\n}}} what\n\nfunc B() {}\n",
		"func A() {}\n",
		"package p\ntype (\n",
		"package p\nfunc (",
		"package p\nvar x = `\nunterminated",
		"//go:build x\npackage",
		"package p; import \"C\"; func F[T any, U ~int](t T) {}",
		"package p\n\n// B.\nfunc B(){ if true {\n\n// C.\nfunc C() {}\n\ntype T struct{ x int }\n\nfunc (t *T) M() int { return t.x }\n",
		"package p\n\nimport (\n\t\"fmt\"\n\nvar V = (\nconst K\nfunc",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		fuzzChunk(t, "p/fuzz.go", []byte(src))
	})
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"", "\n", "a\nb\n", strings.Repeat("x\n", 20), "\r\n\r\n", "no newline"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		fuzzChunk(t, "notes.txt", []byte(src))
	})
}
