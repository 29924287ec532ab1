package chunk

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// numbered returns n lines "line 1" … "line n".
func numbered(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	return b.String()
}

func TestTextFiles(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opt  Options
		want []string
	}{
		{"one run", numbered(10), Options{}, []string{"text notes.md 1-10"}},
		{"defaults: 60 lines, 10 overlap", numbered(130), Options{},
			[]string{"text notes.md#1 1-60", "text notes.md#2 51-110", "text notes.md#3 101-130"}},
		{"custom lines and overlap", numbered(10), Options{Lines: 4, Overlap: 1},
			[]string{"text notes.md#1 1-4", "text notes.md#2 4-7", "text notes.md#3 7-10"}},
		{"no overlap", numbered(10), Options{Lines: 5, Overlap: -1},
			[]string{"text notes.md#1 1-5", "text notes.md#2 6-10"}},
		{"blank lines at the ends left out", "\n\n  \n" + numbered(3) + "\n\n", Options{}, []string{"text notes.md 4-6"}},
		{"no final newline", "a\nb", Options{}, []string{"text notes.md 1-2"}},
		{"empty", "", Options{}, nil},
		{"only blank", "\n \n\t\n", Options{}, nil},
		{"hybrid caps bytes", strings.Repeat(strings.Repeat("x", 99)+"\n", 30), Options{MaxBytes: 1000, Overlap: -1},
			[]string{"text notes.md#1 1-10", "text notes.md#2 11-20", "text notes.md#3 21-30"}},
		{"semantic does not", strings.Repeat(strings.Repeat("x", 99)+"\n", 30), Options{Strategy: Semantic, MaxBytes: 1000},
			[]string{"text notes.md 1-30"}},
		{"a line longer than MaxBytes stays whole", strings.Repeat("y", 5000) + "\nz\n", Options{MaxBytes: 1000, Overlap: -1},
			[]string{"text notes.md#1 1-1", "text notes.md#2 2-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := chunkString(t, "docs/notes.md", tt.src, tt.opt)
			if res.Lang != "text" || res.Skipped != "" {
				t.Errorf("lang %q skipped %q", res.Lang, res.Skipped)
			}
			if diff := cmp.Diff(tt.want, outline(res), cmpEmpty); diff != "" {
				t.Errorf("outline (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSkipped(t *testing.T) {
	tests := []struct {
		name, path string
		src        []byte
		opt        Options
		want       SkipReason
	}{
		{"NUL byte", "a.bin", []byte("abc\x00def"), Options{}, SkipBinary},
		{"NUL in Go", "a.go", []byte("package a\x00"), Options{}, SkipBinary},
		{"invalid UTF-8", "latin1.txt", []byte("caf\xe9\n"), Options{}, SkipBinary},
		{"over the default 1 MiB", "big.ex", []byte(strings.Repeat("# x\n", 300_000)), Options{}, SkipTooLarge},
		{"over a set limit", "a.txt", []byte("0123456789"), Options{MaxFileSize: 5}, SkipTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := File(tt.path, tt.src, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if res.Skipped != tt.want || len(res.Chunks) != 0 || len(res.Warnings) != 1 {
				t.Errorf("skipped %q, %d chunks, warnings %q; want skipped %q", res.Skipped, len(res.Chunks), res.Warnings, tt.want)
			}
		})
	}
}

func TestOptionErrors(t *testing.T) {
	for _, opt := range []Options{
		{Strategy: "fancy"},
		{Lines: 5, Overlap: 5},
		{Lines: -1},
		{MaxBytes: -1},
	} {
		if _, err := File("a.txt", []byte("a\n"), opt); !errors.Is(err, ErrOptions) {
			t.Errorf("%+v: error %v, want ErrOptions", opt, err)
		}
	}
}

func TestSizeStrategyOnCode(t *testing.T) {
	res := chunkString(t, "a.go", "package a\n\nfunc A() {}\n", Options{Strategy: Size})
	if diff := cmp.Diff([]string{"text a.go 1-3"}, outline(res)); diff != "" {
		t.Errorf("outline (-want +got):\n%s", diff)
	}
	if res.Lang != "go" || res.Chunks[0].Lang != "go" {
		t.Errorf("lang %q", res.Lang)
	}
}

func TestLang(t *testing.T) {
	for path, want := range map[string]string{"a.ex": "elixir", "test/a_test.exs": "elixir", "a.go": "go", "a.md": "text", "Makefile": "text", "a.ex.bak": "text"} {
		if got := Lang(path); got != want {
			t.Errorf("Lang(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestCounterAndJSON(t *testing.T) {
	words := func(s string) int { return len(strings.Fields(s)) }
	res := chunkString(t, "a.ex", "defmodule A do\n  def f(x), do: x\nend\n", Options{Count: words})
	f := res.Chunks[1]
	if f.Tokens != 4 { // "def", "f(x),", "do:", "x"
		t.Errorf("tokens %d, want 4", f.Tokens)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"kind", "name", "start_line", "end_line", "start_byte", "end_byte", "tokens", "hash", "path", "lang", "parent"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON has no %q: %s", k, b)
		}
	}
	if len(f.Hash) != 32 {
		t.Errorf("hash %q", f.Hash)
	}
	if !res.Chunks[0].Container() || f.Container() {
		t.Error("Container: module should be one, function not")
	}
}

// TestConcurrent chunks Elixir and Go from many goroutines at once (run
// with -race): each call has its own parser.
func TestConcurrent(t *testing.T) {
	want := map[string][]string{}
	for _, f := range []struct{ path, src string }{{"a.ex", accountsEx}, {"b.go", sampleGo}} {
		want[f.path] = outline(chunkString(t, f.path, f.src, Options{}))
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 20 {
				path, src := "a.ex", accountsEx
				if (i+j)%2 == 1 {
					path, src = "b.go", sampleGo
				}
				res, err := File(path, []byte(src), Options{})
				if err != nil {
					t.Error(err)
					return
				}
				if diff := cmp.Diff(want[path], outline(res)); diff != "" {
					t.Errorf("%s differs under concurrency:\n%s", path, diff)
					return
				}
			}
		})
	}
	wg.Wait()
}
