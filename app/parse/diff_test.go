package parse

import (
	"strings"
	"testing"

	"github.com/bluekeyes/go-gitdiff/gitdiff"
	"github.com/google/go-cmp/cmp"
)

// answerTwoFiles is a typical refactor answer: prose, a git-style diff of
// two files in a fence, more prose.
const answerTwoFiles = `I'll make ` + "`get/2`" + ` return a tagged tuple and update the caller.

` + "```diff" + `
diff --git a/lib/my_app/cache.ex b/lib/my_app/cache.ex
index 3f2a1b0..9c4d2e1 100644
--- a/lib/my_app/cache.ex
+++ b/lib/my_app/cache.ex
@@ -10,8 +10,8 @@ defmodule MyApp.Cache do
   @doc "Fetches a value."
   def get(cache, key) do
     case :ets.lookup(cache, key) do
-      [{^key, value}] -> value
-      [] -> nil
+      [{^key, value}] -> {:ok, value}
+      [] -> :error
     end
   end
 
diff --git a/lib/my_app/session.ex b/lib/my_app/session.ex
--- a/lib/my_app/session.ex
+++ b/lib/my_app/session.ex
@@ -3,5 +3,8 @@ defmodule MyApp.Session do
   alias MyApp.Cache
 
   def fetch(id) do
-    Cache.get(:sessions, id)
+    case Cache.get(:sessions, id) do
+      {:ok, session} -> session
+      :error -> nil
+    end
   end
` + "```" + `

Callers that matched on ` + "`nil`" + ` now need to handle ` + "`:error`" + `.
`

// summary is what a FileDiff comes to, for comparing.
type summary struct {
	Old, New        string
	IsNew, IsDelete bool
	IsRename        bool
	Line            int
	HunkLines       []int
	Hunks           []string // "@@ -a,b +c,d @@" headers
	Added, Deleted  int64
}

func summarize(ds []*FileDiff) []summary {
	var out []summary
	for _, d := range ds {
		s := summary{Old: d.OldName, New: d.NewName, IsNew: d.IsNew, IsDelete: d.IsDelete, IsRename: d.IsRename, Line: d.Line, HunkLines: d.HunkLines}
		for _, f := range d.TextFragments {
			s.Hunks = append(s.Hunks, strings.TrimSpace(f.Header()))
			s.Added += f.LinesAdded
			s.Deleted += f.LinesDeleted
		}
		out = append(out, s)
	}
	return out
}

func mustDiffs(t *testing.T, answer string) []*FileDiff {
	t.Helper()
	ds, err := Diffs(answer)
	if err != nil {
		t.Fatalf("Diffs: %v", err)
	}
	return ds
}

func TestDiffsTwoFiles(t *testing.T) {
	got := summarize(mustDiffs(t, answerTwoFiles))
	want := []summary{
		{Old: "lib/my_app/cache.ex", New: "lib/my_app/cache.ex", Line: 4, HunkLines: []int{8},
			Hunks: []string{"@@ -10,8 +10,8 @@ defmodule MyApp.Cache do"}, Added: 2, Deleted: 2},
		{Old: "lib/my_app/session.ex", New: "lib/my_app/session.ex", Line: 19, HunkLines: []int{22},
			Hunks: []string{"@@ -3,5 +3,8 @@ defmodule MyApp.Session do"}, Added: 4, Deleted: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diffs (-want +got):\n%s", diff)
	}
}

func TestDiffsForms(t *testing.T) {
	const hunk = "@@ -1,3 +1,3 @@\n defmodule A do\n-  def b, do: 1\n+  def b, do: 2\n end\n"
	one := func(old, new string) []summary {
		return []summary{{Old: old, New: new, Line: 0, Hunks: []string{"@@ -1,3 +1,3 @@"}, Added: 1, Deleted: 1}}
	}
	tests := []struct {
		name   string
		answer string
		want   []summary
	}{
		{"fenced, plain headers with prefixes",
			"```diff\n--- a/lib/a.ex\n+++ b/lib/a.ex\n" + hunk + "```\n",
			one("lib/a.ex", "lib/a.ex")},
		{"fenced, no prefixes",
			"```diff\n--- lib/a.ex\n+++ lib/a.ex\n" + hunk + "```\n",
			one("lib/a.ex", "lib/a.ex")},
		{"prefix on one side only",
			"```diff\n--- lib/a.ex\n+++ b/lib/a.ex\n" + hunk + "```\n",
			one("lib/a.ex", "lib/a.ex")},
		{"git header without prefixes",
			"```diff\ndiff --git lib/a.ex lib/a.ex\n--- lib/a.ex\n+++ lib/a.ex\n" + hunk + "```\n",
			one("lib/a.ex", "lib/a.ex")},
		{"patch fence",
			"```patch\n--- a/lib/a.ex\n+++ b/lib/a.ex\n" + hunk + "```\n",
			one("lib/a.ex", "lib/a.ex")},
		{"unlabelled fence",
			"```\n--- a/lib/a.ex\n+++ b/lib/a.ex\n" + hunk + "```\n",
			one("lib/a.ex", "lib/a.ex")},
		{"elixir-labelled fence holding a diff",
			"```elixir\n--- a/lib/a.ex\n+++ b/lib/a.ex\n" + hunk + "```\n",
			one("lib/a.ex", "lib/a.ex")},
		{"bare, in prose",
			"Change it like this:\n\n--- a/lib/a.ex\n+++ b/lib/a.ex\n" + hunk + "\nThat is all.\n",
			one("lib/a.ex", "lib/a.ex")},
		{"bare, git style",
			"diff --git a/lib/a.ex b/lib/a.ex\nindex 1234567..89abcde 100644\n--- a/lib/a.ex\n+++ b/lib/a.ex\n" + hunk,
			one("lib/a.ex", "lib/a.ex")},
		{"GNU diff timestamps",
			"--- lib/a.ex\t2024-05-01 10:00:00.000000000 +0200\n+++ lib/a.ex\t2024-05-01 10:05:00.000000000 +0200\n" + hunk,
			one("lib/a.ex", "lib/a.ex")},
		{"miscounted hunk header",
			"```diff\n--- a/lib/a.ex\n+++ b/lib/a.ex\n@@ -1,7 +1,9 @@\n defmodule A do\n-  def b, do: 1\n+  def b, do: 2\n end\n```\n",
			one("lib/a.ex", "lib/a.ex")},
		{"hunk header without numbers",
			"```diff\n--- a/lib/a.ex\n+++ b/lib/a.ex\n@@ @@\n defmodule A do\n-  def b, do: 1\n+  def b, do: 2\n end\n```\n",
			one("lib/a.ex", "lib/a.ex")},
		{"CRLF answer",
			strings.ReplaceAll("```diff\n--- a/lib/a.ex\n+++ b/lib/a.ex\n"+hunk+"```\n", "\n", "\r\n"),
			one("lib/a.ex", "lib/a.ex")},
		{"no diff at all",
			"Use `Enum.map/2`:\n\n```elixir\nEnum.map(list, &(&1 * 2))\n```\n", nil},
		{"a Go block with dashes is not a diff",
			"```go\nfmt.Println(\"--- a\")\n// +++ b\n```\n", nil},
		{"a hunk changing nothing is dropped",
			"```diff\n--- a/lib/a.ex\n+++ b/lib/a.ex\n@@ -1,2 +1,2 @@\n defmodule A do\n end\n```\n", nil},
		{"binary patches are skipped",
			"```diff\ndiff --git a/logo.png b/logo.png\nindex 1..2 100644\nBinary files a/logo.png and b/logo.png differ\n```\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := summarize(mustDiffs(t, tc.answer))
			for i := range got {
				got[i].Line, got[i].HunkLines = 0, nil
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Diffs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDiffsNewDeleteRename(t *testing.T) {
	answer := "Add the module, drop the old one:\n\n```diff\n" +
		"--- /dev/null\n+++ b/lib/my_app/limiter.ex\n@@ -0,0 +1,5 @@\n+defmodule MyApp.Limiter do\n+  @moduledoc false\n\n+  def allow?(_id), do: true\n+end\n" +
		"--- a/lib/my_app/old_limiter.ex\n+++ /dev/null\n@@ -1,3 +0,0 @@\n-defmodule MyApp.OldLimiter do\n-\n-end\n" +
		"```\n\nAnd in git form:\n\n```diff\n" +
		"diff --git a/README.md b/README.md\ndeleted file mode 100644\nindex 1111111..0000000\n--- a/README.md\n+++ /dev/null\n@@ -1 +0,0 @@\n-# App\n" +
		"diff --git a/docs/new.md b/docs/new.md\nnew file mode 100644\n--- /dev/null\n+++ b/docs/new.md\n@@ -0,0 +1 @@\n+# New\n" +
		"diff --git a/lib/x.ex b/lib/y.ex\nsimilarity index 90%\nrename from lib/x.ex\nrename to lib/y.ex\n--- a/lib/x.ex\n+++ b/lib/y.ex\n@@ -1 +1 @@\n-defmodule X do\n+defmodule Y do\n" +
		"diff --git a/empty.txt b/empty.txt\nnew file mode 100644\n" +
		"```\n"
	got := summarize(mustDiffs(t, answer))
	want := []summary{
		// The blank line that lost its "+" counts as added: a new file has no old lines.
		{New: "lib/my_app/limiter.ex", IsNew: true, Line: 4, HunkLines: []int{6}, Hunks: []string{"@@ -0,0 +1,5 @@"}, Added: 5},
		{Old: "lib/my_app/old_limiter.ex", IsDelete: true, Line: 12, HunkLines: []int{14}, Hunks: []string{"@@ -1,3 +0,0 @@"}, Deleted: 3},
		{Old: "README.md", IsDelete: true, Line: 23, HunkLines: []int{28}, Hunks: []string{"@@ -1,1 +0,0 @@"}, Deleted: 1},
		{New: "docs/new.md", IsNew: true, Line: 30, HunkLines: []int{34}, Hunks: []string{"@@ -0,0 +1,1 @@"}, Added: 1},
		{Old: "lib/x.ex", New: "lib/y.ex", IsRename: true, Line: 36, HunkLines: []int{42}, Hunks: []string{"@@ -1,1 +1,1 @@"}, Added: 1, Deleted: 1},
		{New: "empty.txt", IsNew: true, Line: 45},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diffs (-want +got):\n%s", diff)
	}
	ds := mustDiffs(t, answer)
	if p := ds[1].Path(); p != "lib/my_app/old_limiter.ex" {
		t.Errorf("Path of a deletion = %q", p)
	}
	if p := ds[0].Path(); p != "lib/my_app/limiter.ex" {
		t.Errorf("Path of a new file = %q", p)
	}
}

// TestDiffsFencedEqualsBare: the same diff reads the same in a fence, bare,
// and with git headers.
func TestDiffsFencedEqualsBare(t *testing.T) {
	body := "--- a/main.go\n+++ b/main.go\n@@ -3,6 +3,7 @@ import (\n \t\"fmt\"\n \t\"os\"\n+\t\"strings\"\n )\n \n func main() {\n@@ -10,3 +11,3 @@ func main() {\n \tname := os.Args[1]\n-\tfmt.Println(name)\n+\tfmt.Println(strings.ToUpper(name))\n }\n"
	forms := map[string]string{
		"fenced": "Here:\n\n```diff\n" + body + "```\n",
		"bare":   "Here:\n\n" + body + "\nDone.\n",
		"git":    "```diff\ndiff --git a/main.go b/main.go\nindex 83db48f..bf269f4 100644\n" + body + "```\n",
		"tilde":  "~~~diff\n" + body + "~~~\n",
	}
	var first []*gitdiff.File
	for name, answer := range forms {
		ds := mustDiffs(t, answer)
		var files []*gitdiff.File
		for _, d := range ds {
			files = append(files, d.File)
		}
		if len(files) != 1 || len(files[0].TextFragments) != 2 {
			t.Fatalf("%s: got %d files", name, len(files))
		}
		if first == nil {
			first = files
			continue
		}
		if diff := cmp.Diff(first, files); diff != "" {
			t.Errorf("%s differs:\n%s", name, diff)
		}
	}
}

func TestDiffsBlankContextAndNoNewline(t *testing.T) {
	// Models trim trailing spaces, so a blank context line comes as an empty
	// line; and the last line may carry a "no newline" marker.
	answer := "```diff\n--- a/lib/a.ex\n+++ b/lib/a.ex\n@@ -1,4 +1,4 @@\n defmodule A do\n\n-  def b, do: 1\n+  def b, do: 2\n end\n\\ No newline at end of file\n\n```\n"
	ds := mustDiffs(t, answer)
	if len(ds) != 1 {
		t.Fatalf("got %d files", len(ds))
	}
	f := ds[0].TextFragments[0]
	if f.OldLines != 4 || f.NewLines != 4 {
		t.Errorf("counts -%d +%d, want -4 +4", f.OldLines, f.NewLines)
	}
	if l := f.Lines[1]; l.Op != gitdiff.OpContext || l.Line != "\n" {
		t.Errorf("blank line read as %v %q", l.Op, l.Line)
	}
	if last := f.Lines[len(f.Lines)-1]; last.Line != "end" {
		t.Errorf("last line %q, want %q (no newline)", last.Line, "end")
	}
}

func TestDiffsUnterminatedFence(t *testing.T) {
	// The stream stopped mid-hunk: what arrived still parses.
	answer := "```diff\n--- a/lib/a.ex\n+++ b/lib/a.ex\n@@ -1,5 +1,5 @@\n defmodule A do\n-  def b, do: 1\n+  def b, do: 2\n"
	got := summarize(mustDiffs(t, answer))
	want := []summary{{Old: "lib/a.ex", New: "lib/a.ex", Line: 2, HunkLines: []int{4}, Hunks: []string{"@@ -1,2 +1,2 @@"}, Added: 1, Deleted: 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diffs (-want +got):\n%s", diff)
	}
}

func TestDiffsErrors(t *testing.T) {
	tests := []struct {
		name, answer, want string
	}{
		{"hunk without file header",
			"Change:\n\n```diff\n@@ -1,2 +1,2 @@\n-a\n+b\n```\n",
			"answer line 4: hunk \"@@ -1,2 +1,2 @@\" has no file header"},
		{"absolute path",
			"```diff\n--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-a\n+b\n```\n",
			"answer line 2: path \"/etc/passwd\" is outside the project"},
		{"escaping path",
			"```diff\n--- a/../x\n+++ b/../x\n@@ -1 +1 @@\n-a\n+b\n```\n",
			"path \"../x\" is outside the project"},
		{"new file with old lines",
			"```diff\n--- /dev/null\n+++ b/n.ex\n@@ -0,0 +1,2 @@\n-old\n+new\n```\n",
			"answer line 4: new file depends on old contents"},
		{"unplaceable insertion",
			"```diff\n--- a/a.ex\n+++ b/a.ex\n@@ @@\n+new\n```\n",
			"answer line 4: hunk has neither line numbers nor context lines"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds, err := Diffs(tc.answer)
			if err == nil {
				t.Fatalf("Diffs = %d files, no error; want %q", len(ds), tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "parse diffs: ") {
				t.Errorf("error %q lacks the operation prefix", err)
			}
		})
	}
}

func TestDiffsFor(t *testing.T) {
	answer := "```diff\n@@ -1,2 +1,2 @@\n defmodule A do\n-  def b, do: 1\n+  def b, do: 2\n```\n"
	ds, err := DiffsFor(answer, "lib/a.ex")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].OldName != "lib/a.ex" || ds[0].NewName != "lib/a.ex" || ds[0].Line != 2 {
		t.Fatalf("DiffsFor = %+v", summarize(ds))
	}
}

// TestDiffsRenameThenPlainHeader: a pure rename in git form (no ---/+++
// of its own) ends where the next file's plain --- / +++ header begins,
// whether or not a diff --git line comes first: both files are changed,
// the rename not dropped for the other file's names. Renaming AGENTS.md,
// the project's conventions file, is no different here.
func TestDiffsRenameThenPlainHeader(t *testing.T) {
	const other = "--- a/other.txt\n+++ b/other.txt\n@@ -1 +1,2 @@\n hello\n+world\n"
	for _, tc := range []struct {
		name, answer string
		want         []summary
	}{
		{"notes.md", "```diff\ndiff --git a/notes.md b/docs/notes.md\nsimilarity index 100%\nrename from notes.md\nrename to docs/notes.md\n" + other + "```\n",
			[]summary{
				{Old: "notes.md", New: "docs/notes.md", IsRename: true, Line: 2},
				{Old: "other.txt", New: "other.txt", Line: 6, HunkLines: []int{8}, Hunks: []string{"@@ -1,1 +1,2 @@"}, Added: 1},
			}},
		{"bare", "diff --git a/notes.md b/docs/notes.md\nsimilarity index 100%\nrename from notes.md\nrename to docs/notes.md\n" + other,
			[]summary{
				{Old: "notes.md", New: "docs/notes.md", IsRename: true, Line: 1},
				{Old: "other.txt", New: "other.txt", Line: 5, HunkLines: []int{7}, Hunks: []string{"@@ -1,1 +1,2 @@"}, Added: 1},
			}},
		{"AGENTS.md", "```diff\ndiff --git a/AGENTS.md b/docs/AGENTS.md\nsimilarity index 100%\nrename from AGENTS.md\nrename to docs/AGENTS.md\n" + other + "```\n",
			[]summary{
				{Old: "AGENTS.md", New: "docs/AGENTS.md", IsRename: true, Line: 2},
				{Old: "other.txt", New: "other.txt", Line: 6, HunkLines: []int{8}, Hunks: []string{"@@ -1,1 +1,2 @@"}, Added: 1},
			}},
		// A rename with changes keeps its own ---/+++, as git writes them
		// (old and new name) or as a model may (the new name twice).
		{"with changes", "diff --git a/a.txt b/b.txt\nrename from a.txt\nrename to b.txt\n--- a/b.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-x\n+y\n",
			[]summary{
				{Old: "a.txt", New: "b.txt", IsRename: true, Line: 1, HunkLines: []int{6}, Hunks: []string{"@@ -1,1 +1,1 @@"}, Added: 1, Deleted: 1},
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, summarize(mustDiffs(t, tc.answer))); diff != "" {
				t.Errorf("Diffs (-want +got):\n%s", diff)
			}
		})
	}
}
