package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestContextTakesTheLibrarysRun: in a project laid out as kong is, a
// bare Run that ten units have is the library's, not an example's with a
// shorter name; aiex context --json counts in also_more the four neither
// taken nor listed, and the search its hint names shows every one of
// them.
func TestContextTakesTheLibrarysRun(t *testing.T) {
	files := map[string]string{
		".git/HEAD":                  "ref: refs/heads/main\n",
		"context.go":                 "package kong\n\ntype Context struct{}\n\n// Run runs the command.\nfunc (c *Context) Run() error { return nil }\n",
		"_examples/docker/main.go":   "package main\n\ntype CpCmd struct{}\n\nfunc (c *CpCmd) Run() error { return nil }\n",
		"_examples/shell/main.go":    "package main\n\ntype RmCmd struct{}\n\nfunc (r *RmCmd) Run() error { return nil }\n",
		"_examples/server/server.go": "package server\n\nfunc Run() {}\n",
		"examples/a/a.go":            "package a\n\nfunc Run() {}\n",
		"example/b.go":               "package b\n\nfunc Run() {}\n",
		"internal/testdata/t.go":     "package t\n\nfunc Run() {}\n",
		"vendor/x/y/y.go":            "package y\n\nfunc Run() {}\n",
		"kong_test.go":               "package kong\n\nfunc Run() {}\n",
		"_examples/git/main.go":      "package main\n\nfunc Run() {}\n",
	}
	_, dir := indexedProject(t, files)
	var got struct {
		Target   struct{ Name, Path string } `json:"target"`
		Also     []string                    `json:"also"`
		AlsoHint string                      `json:"also_hint"`
		AlsoMore int                         `json:"also_more"`
	}
	r := runCLI(t, false, nil, "--data-dir", dir, "--json", "context", "--window", "4000", "Run")
	if err := json.Unmarshal([]byte(r.stdout), &got); r.code != 0 || err != nil {
		t.Fatalf("context --json Run: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	const search = "aiex search -n 10 Run"
	if got.Target.Name != "kong.(*Context).Run" || len(got.Also) != 5 || got.AlsoMore != 4 || !strings.Contains(got.AlsoHint, "4 more not listed (PATH:LINE or a fuller name takes one of them)") {
		t.Errorf("context --json Run: took %s (%s), also %q, also_more %d, hint %q; want kong.(*Context).Run, 5 listed and 4 more",
			got.Target.Name, got.Target.Path, got.Also, got.AlsoMore, got.AlsoHint)
	}
	r = runCLI(t, false, nil, "--data-dir", dir, "search", "-n", "10", "Run")
	if r.code != 0 {
		t.Fatalf("search: exit %d: %s", r.code, r.stderr)
	}
	for rel := range files {
		if strings.HasSuffix(rel, ".go") && !strings.Contains(r.stdout, rel+":") {
			t.Errorf("%s: no %s in\n%s", search, rel, r.stdout)
		}
	}
}
