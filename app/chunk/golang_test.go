package chunk

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sampleGo = `// Copyright notice, not part of any chunk.

//go:build linux

// Package store keeps things.
package store

import (
	"errors"
	"fmt"
)

import "strings"

// ErrMissing is returned for unknown keys.
var ErrMissing = errors.New("missing")

const (
	a = iota
	b
	c
	d
	e
)

type (
	// Key names a thing.
	Key string

	// List is a generic list.
	List[T any] struct {
		items []T
	}
)

// Store is a store.
type Store struct {
	m map[Key]string
}

// Get returns the value of k.
func (s *Store) Get(k Key) (string, error) {
	v, ok := s.m[k]
	if !ok {
		return "", fmt.Errorf("get %q: %w", k, ErrMissing)
	}
	return strings.TrimSpace(v), nil
}

func (k Key) String() string { return string(k) }

// Push appends v.
func (l *List[T]) Push(v T) { l.items = append(l.items, v) }

func newStore() *Store { return &Store{m: map[Key]string{}} }
`

func TestGoConstructs(t *testing.T) {
	res := chunkString(t, "store/store.go", sampleGo, Options{Strategy: Semantic})
	want := []string{
		"header store 3-13",
		"var store.ErrMissing 15-16",
		"const store.{a,b,c,d,…} 18-24 private",
		"type store.Key 27-28",
		"type store.List 30-33",
		"type store.Store 36-39",
		"method store.(*Store).Get 41-48",
		"method store.Key.String 50-50",
		"method store.(*List).Push 52-53",
		"function store.newStore 55-55 private",
	}
	if diff := cmp.Diff(want, outline(res)); diff != "" {
		t.Errorf("outline (-want +got):\n%s", diff)
	}
	get := res.Chunks[6]
	if get.Parent != "store.Store" || get.Lang != "go" {
		t.Errorf("Get: parent %q, lang %q", get.Parent, get.Lang)
	}
	if diff := cmp.Diff([]string{"Store", "Key", "fmt.Errorf", "ErrMissing", "strings.TrimSpace"}, get.Refs); diff != "" {
		t.Errorf("refs of Get (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Store", "Key"}, res.Chunks[9].Refs); diff != "" {
		t.Errorf("refs of newStore (-want +got):\n%s", diff)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("warnings %q", res.Warnings)
	}
}

func TestGoBroken(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // leading chunks
	}{
		{"unterminated func at the end", "package p\n\nfunc A() int { return 1 }\n\nfunc B() {\n\tif x {\n", []string{"header p 1-1", "function p.A 3-3"}},
		{"garbage between funcs", "package p\n\nfunc A() {}\n\n}}} what\n\nfunc B() {}\n", []string{"header p 1-1", "function p.A 3-3"}},
		{"no package clause", "func A() {}\n", nil},
		{"half a type", "package p\n\ntype T struct {\n\tA int\n", []string{"header p 1-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := chunkString(t, "p/p.go", tt.src, Options{Strategy: Semantic})
			if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "syntax error") {
				t.Errorf("warnings %q, want a syntax error", res.Warnings)
			}
			got := outline(res)
			if len(got) == 0 {
				t.Fatal("no chunks")
			}
			// Every non-blank line is in some chunk.
			covered := make([]bool, strings.Count(tt.src, "\n")+2)
			for _, c := range res.Chunks {
				for l := c.StartLine; l <= c.EndLine; l++ {
					covered[l] = true
				}
			}
			for i, line := range strings.Split(tt.src, "\n") {
				if strings.TrimSpace(line) != "" && !covered[i+1] {
					t.Errorf("line %d %q is in no chunk: %q", i+1, line, got)
				}
			}
			if len(got) > len(tt.want) {
				got = got[:len(tt.want)]
			}
			if diff := cmp.Diff(tt.want, got, cmpEmpty); diff != "" {
				t.Errorf("outline (-want +got):\n%s", diff)
			}
		})
	}
}

// cmpEmpty makes nil and empty slices equal.
var cmpEmpty = cmp.FilterValues(func(a, b []string) bool { return len(a) == 0 && len(b) == 0 }, cmp.Ignore())

func TestGoHybridKeepsRawStringsWhole(t *testing.T) {
	var b strings.Builder
	b.WriteString("package p\n\nfunc Big() string {\n\tx := 0\n")
	for range 100 {
		b.WriteString("\tx++ // some work that takes a line\n")
	}
	b.WriteString("\treturn `\n")
	for range 100 {
		b.WriteString("raw string line that must stay with its quotes\n")
	}
	b.WriteString("`\n}\n")
	src := b.String()
	res := chunkString(t, "p/big.go", src, Options{MaxBytes: 1024})
	var n int
	for _, c := range res.Chunks {
		if !strings.HasPrefix(c.Name, "p.Big#") {
			continue
		}
		n++
		if strings.Count(src[c.StartByte:c.EndByte], "`")%2 != 0 {
			t.Errorf("%s cuts the raw string", c.Name)
		}
	}
	if n < 4 {
		t.Errorf("%d pieces: %q", n, outline(res))
	}
}

// TestGoRecoversAfterBrokenDecl: a function missing its closing brace (a
// file being edited) would take every declaration after it into its body;
// they come out as their own chunks, with their doc comments and refs.
func TestGoRecoversAfterBrokenDecl(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"unclosed if", `package mid

import "fmt"

func A() { fmt.Println("a") }

// B is being edited.
func B(){ if true { fmt.Println("b")

func C() {}

type T struct{ x int }

// M returns x.
// It is documented on two lines.
func (t *T) M() int { return t.x }
`, []string{
			"header mid 1-3",
			"function mid.A 5-5",
			"function mid.B 7-8",
			"function mid.C 10-10",
			"type mid.T 12-12",
			"method mid.(*T).M 14-16",
		}},
		{"brace closed at column 0 by the wrong block", "package p\n\nfunc B() {\n\tif x {\n\t\tf()\n}\n\n// V is a var.\nvar V = C()\n\nconst K = 1\n\nfunc C() int { return K }\n",
			[]string{"header p 1-1", "function p.B 3-6", "var p.V 8-9", "const p.K 11-11", "function p.C 13-13"}},
		{"garbage before a func", "package p\n\nfunc A() {}\n\n}}} what\n\nfunc B() {}\n",
			[]string{"header p 1-1", "function p.A 3-3", "text p.go 5-5", "function p.B 7-7"}},
		{"unclosed import group", "package p\n\nimport (\n\t\"fmt\"\n\nfunc A() { fmt.Println() }\n",
			[]string{"header p 1-4", "function p.A 6-6"}},
		{"keywords in strings and comments do not cut", "package p\n\nfunc B() { if x {\n\ts := `\nfunc Fake() {}\n`\n/*\nfunc Fake2() {}\n*/\n\nfunc C() {}\n",
			[]string{"header p 1-1", "function p.B 3-9", "function p.C 11-11"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := chunkString(t, "p/p.go", tt.src, Options{Strategy: Semantic})
			if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "syntax error") {
				t.Errorf("warnings %q, want a syntax error", res.Warnings)
			}
			if diff := cmp.Diff(tt.want, outline(res)); diff != "" {
				t.Errorf("outline (-want +got):\n%s", diff)
			}
		})
	}
	res := chunkString(t, "mid/mid.go", tests[0].src, Options{Strategy: Semantic})
	refs := map[string][]string{}
	for _, c := range res.Chunks {
		refs[c.Name] = c.Refs
	}
	if diff := cmp.Diff(map[string][]string{
		"mid":        nil,
		"mid.A":      {"fmt.Println"},
		"mid.B":      {"fmt.Println"},
		"mid.C":      nil,
		"mid.T":      nil,
		"mid.(*T).M": {"T"},
	}, refs, cmpEmpty); diff != "" {
		t.Errorf("refs (-want +got):\n%s", diff)
	}
}

// TestGoBrokenTextPiecesNamed: the stretches a syntax error leaves as text
// are numbered across the file, as other text pieces are, so that no two
// of the file's chunks share a name.
func TestGoBrokenTextPiecesNamed(t *testing.T) {
	src := "package p\n\nfunc A() int {\n\tif true {\n\t\treturn 2\n\nfunc B() int { return 3 }\n\ntype (\n\tX int\n)\n"
	res := chunkString(t, "p/b.go", src, Options{Strategy: Semantic})
	var texts []string
	seen := map[string]bool{}
	for _, c := range res.Chunks {
		if seen[c.Name] {
			t.Errorf("two chunks named %s: %q", c.Name, outline(res))
		}
		seen[c.Name] = true
		if c.Kind == KindText {
			texts = append(texts, c.Name)
		}
	}
	if !slices.Equal(texts, []string{"b.go#1", "b.go#2"}) {
		t.Errorf("text pieces %q, want b.go#1, b.go#2: %q", texts, outline(res))
	}
}
