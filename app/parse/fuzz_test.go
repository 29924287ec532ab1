package parse

import (
	"fmt"
	"io/fs"
	"strings"
	"testing"
)

func FuzzCodeBlocks(f *testing.F) {
	for _, seed := range []string{
		"",
		"```go\nx := 1\n```\n",
		"~~~\n```\n~~~",
		"```elixir\nunterminated\n``",
		"> ```\n> a\n\n- ```go\n  b\n  ```\n",
		"````md\n```go\n```\n````",
		"\r\n```\r\n\r\n```\r\n",
		"    ```\n    indented\n",
		answerTwoFiles,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, md string) {
		blocks := CodeBlocks(md)
		lines := strings.Count(strings.ReplaceAll(md, "\r\n", "\n"), "\n") + 1
		prevEnd := 0
		for _, b := range blocks {
			if b.StartLine < 1 || b.EndLine < b.StartLine || b.EndLine > lines {
				t.Fatalf("block lines %d-%d out of 1-%d", b.StartLine, b.EndLine, lines)
			}
			if b.StartLine <= prevEnd {
				t.Fatalf("block at %d overlaps the previous one ending at %d", b.StartLine, prevEnd)
			}
			prevEnd = b.EndLine
			if b.Code != "" && !strings.HasSuffix(b.Code, "\n") {
				t.Fatalf("code %q does not end in a newline", b.Code)
			}
		}
	})
}

func FuzzDiffs(f *testing.F) {
	for _, seed := range []struct{ answer, file string }{
		{answerTwoFiles, sessionEx},
		{"```diff\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n```", "a\n"},
		{"--- a/f\n+++ b/f\n@@ @@\n a\n+b\n", "a"},
		{"```diff\n--- /dev/null\n+++ b/f\n@@ -0,0 +1 @@\n+x\n", ""},
		{"```diff\n--- a/f\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n```\n", "x\n"},
		{"diff --git a/f b/g\nrename from f\nrename to g\n", "x"},
		{"```diff\n--- a/f\n+++ b/f\n@@ -3,0 +4,2 @@\n+y\n+z\n@@ -1,0 +0,0 @@\n-q\n```", "a\r\nb\r\nc\r\n"},
		{"```diff\n@@ -1 +1 @@\n-a\n+b\n```", "a\n"},
		{"--- a/f\n+++ b/f\n@@ -99999999999999999999,1 +1 @@\n-a\n+b\n", "a\n"},
		{"--- \"a/f\\\"q\"\n+++ \"b/f\\\"q\"\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n", "a"},
	} {
		f.Add(seed.answer, seed.file)
	}
	f.Fuzz(func(t *testing.T, answer, file string) {
		ds, err := Diffs(answer)
		if err != nil {
			return
		}
		for _, d := range ds {
			if d.Line < 1 || len(d.HunkLines) != len(d.TextFragments) {
				t.Fatalf("file at line %d has %d hunk lines for %d hunks", d.Line, len(d.HunkLines), len(d.TextFragments))
			}
			if d.Path() == "" {
				t.Fatalf("file at line %d has no path", d.Line)
			}
		}
		read := func(path string) ([]byte, error) {
			if strings.HasPrefix(path, "missing") {
				return nil, fmt.Errorf("read %s: %w", path, fs.ErrNotExist)
			}
			return []byte(file), nil
		}
		changes, err := Check(ds, read)
		if err != nil {
			if changes != nil {
				t.Fatal("changes returned with an error")
			}
			return
		}
		for _, c := range changes {
			if c.Delete != (c.Content == nil) {
				t.Fatalf("change to %s: Delete %v with content %q", c.Path, c.Delete, c.Content)
			}
		}
	})
}
