package ctxbuild

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestTargetNamingSeveral: a bare name that three packages define is
// taken as the first (shortest) and the other two are listed in Also; a
// name typed in full names one, and a unit's own pieces are not others.
func TestTargetNamingSeveral(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"w/w.go":     "package w\n\n// Run runs w.\nfunc Run() {}\n",
		"sub/r.go":   "package sub\n\n// Run runs sub.\nfunc Run() {}\n",
		"zz/r.go":    "package zz\n\n// Run runs zz.\nfunc Run() {}\n",
		"one/one.go": "package one\n\n// Only is alone.\nfunc Only() {}\n",
	})
	c := e.build(t, Request{Target: "Run", Question: "what does it do?", Window: 8000})
	if c.Target == nil || len(c.Also) != 2 {
		t.Fatalf("target %+v, also %q; want one Run taken and the other two listed", c.Target, c.Also)
	}
	for _, a := range c.Also {
		if !strings.Contains(a, ".Run (") || strings.Contains(a, c.Target.Path) {
			t.Errorf("also %q: want another package's Run with its path", a)
		}
	}
	if c.AlsoHint != "name one in full to take it" {
		t.Errorf("hint %q; want the names in full", c.AlsoHint)
	}
	for _, target := range []string{"sub.Run", "Only"} {
		if c := e.build(t, Request{Target: target, Question: "q", Window: 8000}); len(c.Also) != 0 {
			t.Errorf("%s: also %q; want none", target, c.Also)
		}
	}
}

// TestTargetNamingSameName: units of the same name — two init functions
// of one file, a function of name_linux.go and of name_other.go, the
// main.main of three commands — are
// each listed in Also, and the hint gives the PATH:LINE that takes each,
// since their names cannot tell them apart: the path as the list shows
// it, relative to the project's root, which takes that unit from a
// subdirectory too.
func TestTargetNamingSameName(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"lib/coll/list.go": "package coll\n\nvar registry = map[string]int{}\n\n" +
			"func init() {\n\tregistry[\"a\"] = 1\n}\n\nfunc init() {\n\tregistry[\"b\"] = 2\n}\n",
		"store/name_linux.go": "//go:build linux\n\npackage store\n\nfunc platformName() string { return \"linux\" }\n",
		"store/name_other.go": "//go:build !linux\n\npackage store\n\nfunc platformName() string { return \"other\" }\n",
		"cmd/a/main.go":       "package main\n\nfunc main() {}\n",
		"cmd/b/main.go":       "package main\n\nfunc main() {}\n",
		"cmd/c/main.go":       "package main\n\nfunc main() {}\n",
	})
	t.Chdir(filepath.Join(e.root, "lib"))
	for _, tc := range []struct {
		target, also, hint string
		line               int // the line the hint's target takes
	}{
		{"coll.init", "coll.init (lib/coll/list.go:9)", "give lib/coll/list.go:9 to take it", 9},
		{"store.platformName", "store.platformName (store/name_other.go:5)", "give store/name_other.go:5 to take it", 5},
	} {
		c := e.build(t, Request{Target: tc.target, Question: "what does it do?", Window: 8000})
		if !slices.Equal(c.Also, []string{tc.also}) || c.AlsoHint != tc.hint {
			t.Errorf("%s: also %q, hint %q; want [%q], %q", tc.target, c.Also, c.AlsoHint, tc.also, tc.hint)
			continue
		}
		take := strings.TrimSuffix(strings.TrimPrefix(tc.hint, "give "), " to take it")
		other := e.build(t, Request{Target: take, Question: "q", Window: 8000})
		if other.Target == nil || other.Target.Name != tc.target || other.Target.StartLine != tc.line || other.Target.StartLine == c.Target.StartLine && other.Target.Path == c.Target.Path {
			t.Errorf("%s: the hint's %s took %+v; want the other unit, at line %d", tc.target, take, other.Target, tc.line)
		}
	}
	if c := e.build(t, Request{Target: "main.main", Question: "q", Window: 8000}); c.AlsoHint != "give cmd/b/main.go:3 or cmd/c/main.go:3 to take one" {
		t.Errorf("main.main: also %q, hint %q", c.Also, c.AlsoHint)
	}
}

// TestTargetNamingShadowedPath: where the current directory has a file
// of the path the list shows (q/p/f.go beside the project's p/f.go), the
// hint gives the path relative to the current directory, which takes the
// unit listed, not that file.
func TestTargetNamingShadowedPath(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"p/f.go":   "package p\n\nfunc init() {}\n\nfunc init() {}\n",
		"q/p/f.go": "package p\n\nfunc Other() {}\n\nfunc Another() {}\n",
	})
	t.Chdir(filepath.Join(e.root, "q"))
	c := e.build(t, Request{Target: "p.init", Question: "q", Window: 8000})
	if !slices.Equal(c.Also, []string{"p.init (p/f.go:5)"}) || c.AlsoHint != "give ../p/f.go:5 to take it" {
		t.Fatalf("also %q, hint %q; want p/f.go:5, given as ../p/f.go:5", c.Also, c.AlsoHint)
	}
	if c := e.build(t, Request{Target: "../p/f.go:5", Question: "q", Window: 8000}); c.Target.Name != "p.init" || c.Target.StartLine != 5 {
		t.Errorf("../p/f.go:5 took %+v; want p.init at line 5", c.Target)
	}
}

// TestTargetNamingMoreThanListed: of a name that names more units than
// are listed (seven init functions of a package), Also lists maxAlso of
// them and the hint says how many more there are and how to take one of
// them, rather than let the list pass for the whole; AlsoMore is that
// count. It promises no command listing them all: search ranks at most
// eight chunks of a name first and fills the rest with chunks holding
// the word (search.Named), so none lists exactly the units of a name.
func TestTargetNamingMoreThanListed(t *testing.T) {
	files := map[string]string{}
	for i := 1; i <= maxAlso+2; i++ {
		files[fmt.Sprintf("net/f%d.go", i)] = fmt.Sprintf("package net\n\nvar x%d int\n\nfunc init() {\n\tx%d = %d\n}\n", i, i, i)
	}
	e := setupFiles(t, files)
	t.Chdir(e.root)
	c := e.build(t, Request{Target: "net.init", Question: "q", Window: 8000})
	if c.Target == nil || len(c.Also) != maxAlso || c.AlsoMore != 1 {
		t.Fatalf("target %+v, also %q, %d more; want %d listed and 1 more", c.Target, c.Also, c.AlsoMore, maxAlso)
	}
	const want = "; 1 more not listed (PATH:LINE or a fuller name takes one of them)"
	if !strings.HasPrefix(c.AlsoHint, "give net/f") || !strings.HasSuffix(c.AlsoHint, want) || strings.Count(c.AlsoHint, "net/f") != maxAlso {
		t.Errorf("hint %q; want the %d listed by PATH:LINE, then %q", c.AlsoHint, maxAlso, want)
	}
	// Of as many as are listed, nothing more is said.
	delete(files, fmt.Sprintf("net/f%d.go", maxAlso+2))
	e = setupFiles(t, files)
	t.Chdir(e.root)
	if c := e.build(t, Request{Target: "net.init", Question: "q", Window: 8000}); len(c.Also) != maxAlso || c.AlsoMore != 0 || strings.Contains(c.AlsoHint, "more") {
		t.Errorf("%d others: also %q, hint %q, %d more; want all listed and no more", maxAlso, c.Also, c.AlsoHint, c.AlsoMore)
	}
}

// TestTargetNamingOwnCodeFirst: of nine units a bare name names (kong's
// Run), the project's own is taken, though an example's name is shorter,
// before those beside it (examples, test data, vendored code, tests); the
// hint counts the three neither taken nor listed, though the lookup
// fetches only six. A name in full that several commands have
// (main.main) takes the project's command before an example's.
func TestTargetNamingOwnCodeFirst(t *testing.T) {
	files := map[string]string{
		"kong.go":                    "package kong\n\ntype Context struct{}\n\n// Run runs the command.\nfunc (c *Context) Run() error { return nil }\n",
		"_examples/docker/main.go":   "package main\n\ntype CpCmd struct{}\n\nfunc (c *CpCmd) Run() error { return nil }\n\nfunc main() {}\n",
		"_examples/shell/main.go":    "package main\n\ntype RmCmd struct{}\n\nfunc (r *RmCmd) Run() error { return nil }\n\nfunc main() {}\n",
		"examples/a/a.go":            "package a\n\nfunc Run() {}\n",
		"example/b.go":               "package b\n\nfunc Run() {}\n",
		"internal/testdata/t.go":     "package t\n\nfunc Run() {}\n",
		"vendor/x/y/y.go":            "package y\n\nfunc Run() {}\n",
		"kong_test.go":               "package kong\n\nfunc Run() {}\n",
		"cmd/kongplete/main.go":      "package main\n\nfunc Run() {}\n\nfunc main() { Run() }\n",
		"_examples/server/server.go": "package server\n\nfunc Run() {}\n",
	}
	e := setupFiles(t, files)
	t.Chdir(e.root)
	c := e.build(t, Request{Target: "Run", Question: "q", Window: 8000})
	own := []string{"kong.go", "cmd/kongplete/main.go"}
	if c.Target == nil || !slices.Contains(own, c.Target.Path) {
		t.Fatalf("Run took %+v; want the project's own", c.Target)
	}
	const want = "; 4 more not listed (PATH:LINE or a fuller name takes one of them)"
	if len(c.Also) != maxAlso || c.AlsoMore != 4 || !strings.HasSuffix(c.AlsoHint, want) {
		t.Errorf("also %q, hint %q, %d more; want %d listed and 4 more", c.Also, c.AlsoHint, c.AlsoMore, maxAlso)
	}
	// The other of the project's own is listed first.
	other := own[0]
	if c.Target.Path == other {
		other = own[1]
	}
	if len(c.Also) == 0 || !strings.Contains(c.Also[0], "("+other+":") {
		t.Errorf("also %q; want %s first", c.Also, other)
	}
	if c := e.build(t, Request{Target: "main.main", Question: "q", Window: 8000}); c.Target.Path != "cmd/kongplete/main.go" || len(c.Also) != 2 {
		t.Errorf("main.main took %s, also %q; want cmd/kongplete's, and the examples' listed", c.Target.Path, c.Also)
	}
}
