package ctxbuild

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// bigFunc is a Go function over chunk.DefaultMaxBytes, so split in pieces:
// it calls First at its top and Last at its end.
var bigFunc = "func Big() int {\n\tn := First()\n" +
	strings.Repeat("\tn += len(\"a line that only makes the function longer than one chunk may be\")\n", 130) +
	"\treturn n + Last()\n}\n"

var resolveFixture = map[string]string{
	// Line 1 is in no chunk: the licence comment is not the package's doc.
	"a/a.go": "// Copyright 2026 The Authors. All rights reserved.\n\npackage a\n\n" +
		"func F() int { return 1 }\n\n\nfunc G() int { return F() }\n",
	// Names that differ only in letter case.
	"srv/srv.go": "package srv\n\nfunc newServer() int { return 1 }\n\nfunc NewServer() int { return 2 }\n",
	"big/big.go": "package big\n\nfunc First() int { return 1 }\n\nfunc Last() int { return 2 }\n\n" + bigFunc,
	// A method and a function of the same name.
	"cache/cache.go": "package cache\n\ntype lrucache struct{}\n\nfunc (lrucache) Get() int { return 2 }\n\nfunc Get() int { return 1 }\n",
	"test/issue_test.exs": `defmodule IssueTest do
  use ExUnit.Case

  test "regression #1" do
    assert 1 == 1
  end

  test "something unrelated" do
    assert 2 == 2
  end

  test "regression #2" do
    assert 3 == 3
  end
end
`,
}

func TestResolveTargets(t *testing.T) {
	e := setupFiles(t, resolveFixture)
	for _, tc := range []struct {
		target, name string
	}{
		{filepath.Join(e.root, "a/a.go"), "a/a.go"}, // the whole file
		{filepath.Join(e.root, "a/a.go:6"), "a.G"},  // a blank line: the unit after it
		{filepath.Join(e.root, "a/a.go:5"), "a.F"},
		{"NewServer", "srv.NewServer"},
		{"newServer", "srv.newServer"},
		{"srv.NewServer", "srv.NewServer"},
		{`test "regression #2"`, `test "regression #2"`},
	} {
		c, err := e.b.Build(context.Background(), Request{Root: e.root, Task: "explain", Target: tc.target, Window: 8000, Count: o200k})
		if err != nil {
			t.Errorf("%s: %v", tc.target, err)
			continue
		}
		if c.Target.Name != tc.name {
			t.Errorf("%s resolves to %s, want %s", tc.target, c.Target.Name, tc.name)
		}
		if tc.name == `test "regression #2"` && (c.Target.StartLine != 12 || c.Target.EndLine != 14) {
			t.Errorf("%s spans lines %d-%d, want 12-14", tc.target, c.Target.StartLine, c.Target.EndLine)
		}
	}
	for _, target := range []string{
		filepath.Join(e.root, "a/a.go:99"),
		"user’s", "a\u00a0b", "a→b", // no-break space and non-ASCII punctuation: no FTS syntax error
	} {
		_, err := e.b.Build(context.Background(), Request{Root: e.root, Task: "explain", Target: target, Window: 8000, Count: o200k})
		if usererr.As(err) == nil {
			t.Errorf("%s: %v; want a usage error", target, err)
		}
	}
}

// A target split in pieces: the callees of every piece are its neighbours,
// and it is still found whole when its file changed since it was indexed.
func TestTargetInPieces(t *testing.T) {
	e := setupFiles(t, resolveFixture)
	c := e.build(t, Request{Target: "big.Big", Window: 16000})
	r := roles(c)
	for _, n := range []string{"big.First", "big.Last"} {
		if !strings.HasPrefix(r[n], RoleCallee+"/") {
			t.Errorf("%s is %q, want a callee; included: %v", n, r[n], r)
		}
	}
	if !strings.Contains(c.Target.Code, "n := First()") || !strings.Contains(c.Target.Code, "return n + Last()") {
		t.Errorf("the target is not the whole function")
	}

	src := resolveFixture["big/big.go"]
	src = strings.Replace(src, "func Big()", "// Big adds.\nfunc Big()", 1)
	if err := os.WriteFile(filepath.Join(e.root, "big/big.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	c = e.build(t, Request{Target: "big.Big", Window: 16000})
	if len(c.Stale) != 1 || !strings.Contains(c.Target.Code, "n := First()") || !strings.HasSuffix(c.Target.Code, "return n + Last()\n}") {
		t.Errorf("after an edit: stale %v, target lines %d-%d:\n%.200s…", c.Stale, c.Target.StartLine, c.Target.EndLine, c.Target.Code)
	}
}

// A file edited since it was indexed: its unit is found by its own name,
// not by another that ends alike.
func TestStaleFindsTheSameUnit(t *testing.T) {
	e := setupFiles(t, resolveFixture)
	p := filepath.Join(e.root, "cache/cache.go")
	if err := os.WriteFile(p, []byte("// Package cache caches.\n"+resolveFixture["cache/cache.go"]), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"cache.Get": "func Get() int { return 1 }", "cache.lrucache.Get": "func (lrucache) Get() int { return 2 }"} {
		c := e.build(t, Request{Target: name, Window: 8000})
		if !strings.Contains(c.Target.Code, want) || len(c.Stale) != 1 {
			t.Errorf("%s: stale %v, code %q; want %q", name, c.Stale, c.Target.Code, want)
		}
	}
}

// TestResolveByDefaults: a function of fewer arguments that exists through
// default arguments (`options \\ []` makes split/3 define split/2 too) is
// found by that arity, exactly or by its last parts; a misspelt one is
// offered under it; an arity it does not define is not found.
func TestResolveByDefaults(t *testing.T) {
	e := setupFiles(t, map[string]string{"lib/string.ex": `defmodule String do
  def split(string, pattern, options \\ []) do
    {string, pattern, options}
  end

  def pad(string, count, padding \\ " ", side \\ :right) do
    {string, count, padding, side}
  end

  def trim(string), do: string
end
`})
	for target, want := range map[string]string{
		"String.split/2": "String.split/3",
		"String.split/3": "String.split/3",
		"split/2":        "String.split/3",
		"String.pad/2":   "String.pad/4",
		"pad/3":          "String.pad/4",
	} {
		c, err := e.b.Build(context.Background(), Request{Root: e.root, Task: "explain", Target: target, Window: 8000, Count: o200k})
		if err != nil {
			t.Errorf("%s: %v", target, err)
			continue
		}
		if c.Target.Name != want {
			t.Errorf("%s resolves to %s, want %s", target, c.Target.Name, want)
		}
	}
	for target, want := range map[string]string{
		"String.split/1": "no file or symbol",
		"String.pad/1":   "no file or symbol",
		"String.trim/0":  "no file or symbol",
		"String.splt/2":  "did you mean String.split/2",
		"String.padd/3":  "did you mean String.pad/3",
	} {
		_, err := e.b.Build(context.Background(), Request{Root: e.root, Task: "explain", Target: target, Window: 8000, Count: o200k})
		if usererr.As(err) == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v; want a user error with %q", target, err, want)
		}
	}
}
