package chunk

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// randomEdit changes src as an editor would: a line deleted, a line of the
// file copied elsewhere, a span replaced by another span of the file, a few
// characters typed (which often leaves the file broken for a while).
func randomEdit(r *rand.Rand, src []byte) []byte {
	if len(src) == 0 {
		return []byte("defmodule A do\nend\n")
	}
	at := r.IntN(len(src))
	switch r.IntN(6) {
	case 4: // a comment line, which keeps valid code valid
		at = bytes.LastIndexByte(src[:at], '\n') + 1
		return append(append(src[:at:at], "  # a note\n"...), src[at:]...)
	case 5: // a digit changed, or one typed
		if i := bytes.IndexAny(src[at:], "0123456789"); i >= 0 {
			at += i
			return append(append(src[:at:at], byte('0'+r.IntN(10))), src[at+1:]...)
		}
		return append(append(src[:at:at], '7'), src[at:]...)
	case 0: // delete the line at
		start := bytes.LastIndexByte(src[:at], '\n') + 1
		end := at + bytes.IndexByte(src[at:], '\n') + 1
		if end <= at {
			end = len(src)
		}
		return append(src[:start:start], src[end:]...)
	case 1: // copy the line at to the start of a random line
		start := bytes.LastIndexByte(src[:at], '\n') + 1
		end := at + bytes.IndexByte(src[at:], '\n') + 1
		if end <= at {
			end = len(src)
		}
		line := bytes.Clone(src[start:end])
		to := r.IntN(len(src))
		to = bytes.LastIndexByte(src[:to], '\n') + 1
		return append(append(src[:to:to], line...), src[to:]...)
	case 2: // replace a short span with another one
		end := min(len(src), at+r.IntN(40))
		from := r.IntN(len(src))
		with := bytes.Clone(src[from:min(len(src), from+r.IntN(40))])
		return append(append(src[:at:at], with...), src[end:]...)
	default: // type a few characters
		typed := []string{"x", " do", "end\n", "(", ")", "\"", "#", "@doc \"\"\"\n", "|> f()", "def g(y), do: y\n"}[r.IntN(10)]
		return append(append(src[:at:at], typed...), src[at:]...)
	}
}

// checkIncremental makes n versions of src, each one or two random edits
// away from it (so that a broken version does not break all the later
// ones), and chunks each with the tree kept from the version before and
// from scratch: the two must be the same. It returns how many parses
// were incremental.
func checkIncremental(t *testing.T, path string, src []byte, n int, seed uint64, opts ...Options) int {
	t.Helper()
	trees := NewTrees(DefaultTreeBytes)
	defer trees.Close()
	r := rand.New(rand.NewPCG(seed, 1))
	if _, err := File(path, src, Options{Trees: trees}); err != nil {
		t.Fatal(err)
	}
	orig := src
	for i := range n {
		src = randomEdit(r, bytes.Clone(orig))
		if r.IntN(2) == 0 {
			src = randomEdit(r, src)
		}
		for _, opt := range opts {
			want, err := File(path, src, opt)
			if err != nil {
				t.Fatal(err)
			}
			opt.Trees = trees
			got, err := File(path, src, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s, edit %d (seed %d): incremental chunks differ from a fresh parse's\ngot  %+v\nwant %+v", path, i, seed, got, want)
			}
		}
	}
	trees.mu.Lock()
	defer trees.mu.Unlock()
	return trees.reuse
}

func TestTreesIncrementalSameChunks(t *testing.T) {
	n := checkIncremental(t, "lib/accounts.ex", []byte(accountsEx), 200, 1, Options{}, Options{Strategy: Hybrid, MaxBytes: 256})
	// Each version parses twice with trees; a broken version parses again
	// from scratch, so not every parse reuses a tree.
	t.Logf("%d of 400 parses were incremental", n)
	if n < 100 {
		t.Errorf("only %d of 400 parses were incremental", n)
	}
}

// TestTreesIncrementalCorpus does the same on real files: the largest of
// the Elixir corpus, and two others.
func TestTreesIncrementalCorpus(t *testing.T) {
	dir := elixirCorpus(t)
	files := []string{"lib/elixir/lib/enum.ex", "lib/ex_unit/lib/ex_unit/assertions.ex", "lib/elixir/test/elixir/enum_test.exs"}
	if testing.Short() {
		files = files[:1]
	}
	for i, f := range files {
		src, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if n := checkIncremental(t, f, src, 12, uint64(i), Options{}); n == 0 {
			t.Errorf("%s: no parse was incremental", f)
		}
	}
}

func TestTreesBudget(t *testing.T) {
	trees := NewTrees(100)
	defer trees.Close()
	src := func(name string, size int) []byte {
		return []byte("defmodule " + name + " do\n" + strings.Repeat("#", size-len(name)-19) + "\nend\n")
	}
	for _, f := range []struct {
		key  string
		size int
		want int
	}{
		{"a", 40, 1},
		{"b", 40, 2},
		{"c", 40, 2},  // pushes a out
		{"b", 30, 2},  // replaces b: c and b
		{"d", 101, 2}, // over the budget: not kept
		{"e", 100, 1}, // takes the whole budget
	} {
		if _, err := File(f.key+".ex", src(strings.ToUpper(f.key), f.size), Options{Trees: trees}); err != nil {
			t.Fatal(err)
		}
		if got := trees.Len(); got != f.want {
			t.Errorf("after %s (%d bytes): %d trees kept, want %d", f.key, f.size, got, f.want)
		}
	}
	if k := trees.take("e.ex"); k == nil || len(k.src) != 100 {
		t.Errorf("e.ex is not kept whole: %+v", k)
	} else {
		k.tree.Close()
	}
	trees.Close()
	if trees.Len() != 0 || trees.size != 0 {
		t.Errorf("after Close: %d trees, %d bytes", trees.Len(), trees.size)
	}
	// A Go file is not parsed by tree-sitter: nothing is kept.
	if _, err := File("p.go", []byte("package p\n"), Options{Trees: trees}); err != nil || trees.Len() != 0 {
		t.Errorf("a Go file: %v, %d trees kept", err, trees.Len())
	}
}

func TestTreesKey(t *testing.T) {
	trees := NewTrees(DefaultTreeBytes)
	defer trees.Close()
	src := []byte("defmodule A do\n  def f, do: 1\nend\n")
	for _, key := range []string{"/one/lib/a.ex", "/two/lib/a.ex"} {
		if _, err := File("lib/a.ex", src, Options{Trees: trees, TreeKey: key}); err != nil {
			t.Fatal(err)
		}
	}
	if trees.Len() != 2 {
		t.Errorf("%d trees kept for two keys", trees.Len())
	}
}

func TestEdit(t *testing.T) {
	pt := func(row, col uint) sitter.Point { return sitter.Point{Row: row, Column: col} }
	for _, c := range []struct {
		old, new string
		want     sitter.InputEdit
	}{
		{"abc", "abc", sitter.InputEdit{StartByte: 3, OldEndByte: 3, NewEndByte: 3, StartPosition: pt(0, 3), OldEndPosition: pt(0, 3), NewEndPosition: pt(0, 3)}},
		{"a\nb\nc", "a\nXY\nb\nc", sitter.InputEdit{StartByte: 2, OldEndByte: 2, NewEndByte: 5, StartPosition: pt(1, 0), OldEndPosition: pt(1, 0), NewEndPosition: pt(2, 0)}},
		{"a\nXY\nb\nc", "a\nb\nc", sitter.InputEdit{StartByte: 2, OldEndByte: 5, NewEndByte: 2, StartPosition: pt(1, 0), OldEndPosition: pt(2, 0), NewEndPosition: pt(1, 0)}},
		{"déf f", "déf g", sitter.InputEdit{StartByte: 5, OldEndByte: 6, NewEndByte: 6, StartPosition: pt(0, 5), OldEndPosition: pt(0, 6), NewEndPosition: pt(0, 6)}},
		// The prefix and the suffix must not overlap: "aa" → "aaa".
		{"aa", "aaa", sitter.InputEdit{StartByte: 2, OldEndByte: 2, NewEndByte: 3, StartPosition: pt(0, 2), OldEndPosition: pt(0, 2), NewEndPosition: pt(0, 3)}},
		{"", "x\n", sitter.InputEdit{StartByte: 0, OldEndByte: 0, NewEndByte: 2, StartPosition: pt(0, 0), OldEndPosition: pt(0, 0), NewEndPosition: pt(1, 0)}},
	} {
		if got := edit([]byte(c.old), []byte(c.new)); *got != c.want {
			t.Errorf("edit(%q, %q) = %+v, want %+v", c.old, c.new, *got, c.want)
		}
	}
}

// FuzzElixirIncremental chunks b after a with trees kept, and b from
// scratch: the chunks must be the same.
func FuzzElixirIncremental(f *testing.F) {
	f.Add(accountsEx, strings.Replace(accountsEx, "def ", "defp ", 1))
	f.Add("defmodule A do\n  def f(x), do: x\nend\n", "defmodule A do\n  def f(x), do: x\n  def g, do: 1\nend\n")
	f.Add("defmodule H do\n  @doc \"\"\"\n  x\n  \"\"\"\n  def b, do: 2\nend\n", "defmodule H do\n  @doc \"\"\"\n  x\n  def b, do: 2\nend\n")
	f.Add("defmodule S do\n  def s, do: ~s(a)\nend\n", "defmodule S do\n  def s, do: ~s(a\n)\nend\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		trees := NewTrees(DefaultTreeBytes)
		defer trees.Close()
		if _, err := File("lib/f.ex", []byte(a), Options{Trees: trees}); err != nil {
			t.Fatal(err)
		}
		got, err := File("lib/f.ex", []byte(b), Options{Trees: trees})
		if err != nil {
			t.Fatal(err)
		}
		want, err := File("lib/f.ex", []byte(b), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after %q, %q: incremental chunks differ\ngot  %+v\nwant %+v", a, b, got, want)
		}
	})
}
