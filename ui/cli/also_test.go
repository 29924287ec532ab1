package cli_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestContextSaysWhatElseANameNamed: a bare name several packages define
// takes one, and aiex context lists the others.
func TestContextSaysWhatElseANameNamed(t *testing.T) {
	_, dir := indexedProject(t, map[string]string{
		".git/HEAD": "ref: refs/heads/main\n",
		"a/a.go":    "package a\n\nfunc Run() {}\n",
		"bb/b.go":   "package bb\n\nfunc Run() {}\n",
	})
	r := runCLI(t, false, nil, "--data-dir", dir, "context", "--window", "4000", "Run")
	if r.code != 0 || !strings.Contains(r.stdout, "also named so: ") || !strings.Contains(r.stdout, ".Run (") {
		t.Fatalf("context Run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestContextJSONCountsTheOthersNotListed: of a name eight units have
// (the init functions of a package's eight files), aiex context --json
// lists five others in also and counts the two it leaves out in
// also_more, which the text says only in its hint; the text is as
// before. Of a name that lists all, also_more is absent.
func TestContextJSONCountsTheOthersNotListed(t *testing.T) {
	files := map[string]string{".git/HEAD": "ref: refs/heads/main\n", "one/one.go": "package one\n\nfunc Only() {}\nfunc Twice() {}\n", "two/two.go": "package two\n\nfunc Twice() {}\n"}
	for i := range 8 {
		files[fmt.Sprintf("q/f%d.go", i)] = fmt.Sprintf("package q\n\nvar x%d int\n\nfunc init() {\n\tx%d = %d\n}\n", i, i, i)
	}
	_, dir := indexedProject(t, files)
	var got struct {
		Also     []string `json:"also"`
		AlsoHint string   `json:"also_hint"`
		AlsoMore *int     `json:"also_more"`
	}
	r := runCLI(t, false, nil, "--data-dir", dir, "--json", "context", "--window", "4000", "q.init")
	if r.code != 0 {
		t.Fatalf("context --json q.init: exit %d\n%s", r.code, r.stderr)
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("context --json q.init: %v\n%s", err, r.stdout)
	}
	if len(got.Also) != 5 || got.AlsoMore == nil || *got.AlsoMore != 2 || !strings.Contains(got.AlsoHint, "2 more not listed") {
		t.Errorf("context --json q.init: also %q, also_more %v, hint %q; want 5 listed and also_more 2\n%s", got.Also, got.AlsoMore, got.AlsoHint, r.stdout)
	}
	r = runCLI(t, false, nil, "--data-dir", dir, "context", "--window", "4000", "q.init")
	if r.code != 0 || !strings.Contains(r.stdout, "also named so: ") || !strings.Contains(r.stdout, " to take one; 2 more not listed (PATH:LINE or a fuller name takes one of them)\n") {
		t.Errorf("context q.init: exit %d; want the others and the hint as before\n%s%s", r.code, r.stdout, r.stderr)
	}

	got.AlsoMore = nil
	r = runCLI(t, false, nil, "--data-dir", dir, "--json", "context", "--window", "4000", "Twice")
	if err := json.Unmarshal([]byte(r.stdout), &got); r.code != 0 || err != nil {
		t.Fatalf("context --json Twice: exit %d, %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	if len(got.Also) != 1 || got.AlsoMore != nil {
		t.Errorf("context --json Twice: also %q; want 1 listed and no also_more\n%s", got.Also, r.stdout)
	}
}
