package parse

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// project is a read-only set of files for Check.
type project map[string]string

func (p project) read(path string) ([]byte, error) {
	s, ok := p[path]
	if !ok {
		return nil, fmt.Errorf("read %s: %w", path, fs.ErrNotExist)
	}
	return []byte(s), nil
}

const cacheEx = `defmodule MyApp.Cache do
  @moduledoc "An ETS cache."

  def start_link(opts), do: GenServer.start_link(__MODULE__, opts)

  def init(opts), do: {:ok, opts}

  def child_spec(opts), do: %{id: __MODULE__, start: {__MODULE__, :start_link, [opts]}}

  @doc "Fetches a value."
  def get(cache, key) do
    case :ets.lookup(cache, key) do
      [{^key, value}] -> value
      [] -> nil
    end
  end

  def put(cache, key, value), do: :ets.insert(cache, {key, value})
end
`

const sessionEx = `defmodule MyApp.Session do
  @moduledoc false
  alias MyApp.Cache

  def fetch(id) do
    Cache.get(:sessions, id)
  end
end
`

func baseProject() project {
	return project{"lib/my_app/cache.ex": cacheEx, "lib/my_app/session.ex": sessionEx}
}

func checkAnswer(t *testing.T, p project, answer string) ([]Change, error) {
	t.Helper()
	return Check(mustDiffs(t, answer), p.read)
}

func contentOf(t *testing.T, changes []Change, path string) string {
	t.Helper()
	for _, c := range changes {
		if c.Path == path {
			return string(c.Content)
		}
	}
	t.Fatalf("no change for %s", path)
	return ""
}

func TestCheckTwoFiles(t *testing.T) {
	changes, err := checkAnswer(t, baseProject(), answerTwoFiles)
	if err != nil {
		t.Fatal(err)
	}
	wantCache := strings.Replace(cacheEx, "      [{^key, value}] -> value\n      [] -> nil\n", "      [{^key, value}] -> {:ok, value}\n      [] -> :error\n", 1)
	wantSession := strings.Replace(sessionEx, "    Cache.get(:sessions, id)\n", "    case Cache.get(:sessions, id) do\n      {:ok, session} -> session\n      :error -> nil\n    end\n", 1)
	want := []Change{
		{Path: "lib/my_app/cache.ex", OldPath: "lib/my_app/cache.ex", Content: []byte(wantCache)},
		{Path: "lib/my_app/session.ex", OldPath: "lib/my_app/session.ex", Content: []byte(wantSession)},
	}
	if diff := cmp.Diff(want, changes); diff != "" {
		t.Errorf("Check (-want +got):\n%s", diff)
	}
}

func TestCheckDoesNotApply(t *testing.T) {
	// The model misremembered a context line of the second hunk.
	answer := "```diff\n--- a/lib/my_app/cache.ex\n+++ b/lib/my_app/cache.ex\n" +
		"@@ -1,3 +1,3 @@\n defmodule MyApp.Cache do\n-  @moduledoc \"An ETS cache.\"\n+  @moduledoc \"A cache in ETS.\"\n \n" +
		"@@ -11,4 +11,4 @@\n   def get(cache, key) do\n     case :ets.lookup(cache, key) do\n-      [{^key, val}] -> val\n+      [{^key, val}] -> {:ok, val}\n       [] -> nil\n```\n"
	changes, err := checkAnswer(t, baseProject(), answer)
	if err == nil {
		t.Fatalf("Check applied: %+v", changes)
	}
	if changes != nil {
		t.Errorf("Check returned changes with an error")
	}
	var ce *CheckError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v is not a *CheckError", err)
	}
	want := &CheckError{Path: "lib/my_app/cache.ex", Hunk: 2, AnswerLine: 9, Line: 13,
		Reason: `line 13 is "      [{^key, value}] -> value", but the diff expects "      [{^key, val}] -> val"`}
	if diff := cmp.Diff(want, ce); diff != "" {
		t.Errorf("CheckError (-want +got):\n%s", diff)
	}
	const msg = `lib/my_app/cache.ex: hunk 2 (answer line 9) does not apply: line 13 is "      [{^key, value}] -> value", but the diff expects "      [{^key, val}] -> val"`
	if err.Error() != msg {
		t.Errorf("message\n%s\nwant\n%s", err, msg)
	}
}

// TestCheckRenameOntoExisting: a rename onto a file that exists is refused
// when checked, as a creation of one is; onto a file the same diff deletes
// first, it applies.
func TestCheckRenameOntoExisting(t *testing.T) {
	rename := "diff --git a/lib/my_app/cache.ex b/lib/my_app/session.ex\nsimilarity index 100%\nrename from lib/my_app/cache.ex\nrename to lib/my_app/session.ex\n"
	_, err := checkAnswer(t, baseProject(), "```diff\n"+rename+"```\n")
	if err == nil || !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), "lib/my_app/session.ex (answer line 2): the diff renames lib/my_app/cache.ex to it, but it already exists") {
		t.Fatalf("rename onto an existing file: %v", err)
	}
	del := "--- a/lib/my_app/session.ex\n+++ /dev/null\n@@ -1,8 +0,0 @@\n"
	for _, l := range strings.SplitAfter(strings.TrimSuffix(baseProject()["lib/my_app/session.ex"], "\n"), "\n") {
		del += "-" + strings.TrimSuffix(l, "\n") + "\n"
	}
	if _, err := checkAnswer(t, baseProject(), "```diff\n"+del+rename+"```\n"); err != nil {
		t.Fatalf("rename onto a file the diff deletes first: %v", err)
	}
}

func TestCheckErrorsPerFile(t *testing.T) {
	answer := "```diff\n--- a/lib/my_app/cache.ex\n+++ b/lib/my_app/cache.ex\n@@ -1 +1 @@\n-defmodule MyApp.Kache do\n+defmodule MyApp.Cache2 do\n" +
		"--- a/lib/missing.ex\n+++ b/lib/missing.ex\n@@ -1 +1 @@\n-a\n+b\n" +
		"--- /dev/null\n+++ b/lib/my_app/session.ex\n@@ -0,0 +1 @@\n+new\n" +
		"--- a/lib/my_app/session.ex\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-defmodule MyApp.Session do\n-  @moduledoc false\n" +
		"--- a/lib/my_app/cache.ex\n+++ b/lib/my_app/cache.ex\n@@ -40 +40 @@\n-done\n+done # the end\n" +
		"```\n"
	_, err := checkAnswer(t, baseProject(), answer)
	if err == nil {
		t.Fatal("Check applied")
	}
	for _, want := range []string{
		`lib/my_app/cache.ex: hunk 1 (answer line 4) does not apply: line 1 is "defmodule MyApp.Cache do", but the diff expects "defmodule MyApp.Kache do"`,
		`lib/missing.ex (answer line 7): the diff changes it, but it does not exist`,
		`lib/my_app/session.ex (answer line 12): the diff creates it, but it already exists`,
		`lib/my_app/session.ex (answer line 16): the diff deletes it, but lists 2 of its 8 lines; the file has changed since`,
		`lib/my_app/cache.ex: hunk 1 (answer line 23) does not apply: it starts at line 40, but the file has 19 lines`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks\n  %s\nin\n%s", want, err)
		}
	}
	if !errors.Is(err, fs.ErrNotExist) || !errors.Is(err, fs.ErrExist) {
		t.Error("causes are not wrapped")
	}
}

func TestCheckPlacement(t *testing.T) {
	const goFile = "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tname := \"world\"\n\tfmt.Println(\"hello\", name)\n}\n"
	tests := []struct {
		name      string
		file      string
		diff      string // hunks after the file header
		want      string
		wantNotes []string
	}{
		{"exact",
			goFile, "@@ -6,2 +6,2 @@\n \tname := \"world\"\n-\tfmt.Println(\"hello\", name)\n+\tfmt.Println(\"hi\", name)\n",
			strings.Replace(goFile, `"hello"`, `"hi"`, 1), nil},
		{"wrong line numbers",
			goFile, "@@ -60,2 +60,2 @@\n \tname := \"world\"\n-\tfmt.Println(\"hello\", name)\n+\tfmt.Println(\"hi\", name)\n",
			strings.Replace(goFile, `"hello"`, `"hi"`, 1), []string{"hunk 1 applied at line 6 (offset -54)"}},
		{"no line numbers",
			goFile, "@@ @@\n \tname := \"world\"\n-\tfmt.Println(\"hello\", name)\n+\tfmt.Println(\"hi\", name)\n",
			strings.Replace(goFile, `"hello"`, `"hi"`, 1), []string{"hunk 1 applied at line 6 (offset +5)"}},
		{"spaces for tabs",
			goFile, "@@ -6,2 +6,2 @@\n     name := \"world\"\n-    fmt.Println(\"hello\", name)\n+\tfmt.Println(\"hi\", name)\n",
			strings.Replace(goFile, `"hello"`, `"hi"`, 1), []string{"hunk 1 matched ignoring indentation"}},
		{"trailing spaces in the file",
			strings.Replace(goFile, "func main() {\n", "func main() {  \n", 1), "@@ -5,2 +5,2 @@\n func main() {\n-\tname := \"world\"\n+\tname := \"gopher\"\n",
			strings.Replace(strings.Replace(goFile, "func main() {\n", "func main() {  \n", 1), "world", "gopher", 1), []string{"hunk 1 matched ignoring trailing whitespace"}},
		{"insertion after a line (-N,0)",
			"a\nb\nc\n", "@@ -2,0 +3 @@\n+NEW\n", "a\nb\nNEW\nc\n", nil},
		{"insertion at the top (-0,0)",
			"a\nb\n", "@@ -0,0 +1 @@\n+NEW\n", "NEW\na\nb\n", nil},
		{"insertion at the end",
			"a\nb\n", "@@ -2,0 +3,2 @@\n+c\n+d\n", "a\nb\nc\nd\n", nil},
		{"deleting the leading lines (+0,0)",
			"a\nb\nc\nd\n", "@@ -1,2 +0,0 @@\n-a\n-b\n", "c\nd\n", nil},
		{"appending to a file without a final newline",
			"a\nb", "@@ -1,2 +1,3 @@\n a\n b\n+c\n", "a\nb\nc\n", []string{"hunk 1 matched ignoring trailing whitespace"}},
		{"diff with its own no-newline marker",
			"a\nb", "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+B\n\\ No newline at end of file\n", "a\nB", nil},
		{"two hunks, the second relative to the first",
			"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "@@ -2,1 +2,2 @@\n 2\n+2.5\n@@ -8,1 +9,1 @@\n-8\n+eight\n",
			"1\n2\n2.5\n3\n4\n5\n6\n7\neight\n9\n10\n", nil},
		{"insertion right after the previous hunk",
			"a\nb\nc\n", "@@ -1,2 +1,2 @@\n a\n-b\n+B\n@@ -2,0 +3 @@\n+NEW\n", "a\nB\nNEW\nc\n", nil},
		{"insertion right after the previous hunk, at the end",
			"a\nb\n", "@@ -2 +2 @@\n-b\n+B\n@@ -2,0 +3 @@\n+NEW\n", "a\nB\nNEW\n", nil},
		{"repeated lines: the nearest match wins",
			"end\nx\nend\nx\nend\n", "@@ -4,1 +4,1 @@\n-x\n+y\n", "end\nx\nend\ny\nend\n", nil},
		{"CRLF file keeps CRLF",
			"a\r\nb\r\nc\r\n", "@@ -2 +2,2 @@\n-b\n+B\n+B2\n", "a\r\nB\r\nB2\r\nc\r\n", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			answer := "```diff\n--- a/f\n+++ b/f\n" + tc.diff + "```\n"
			changes, err := checkAnswer(t, project{"f": tc.file}, answer)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, contentOf(t, changes, "f")); diff != "" {
				t.Errorf("content (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantNotes, changes[0].Notes); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckCRLFAnswer(t *testing.T) {
	// The answer came with CRLF line endings; the file has LF.
	answer := strings.ReplaceAll("```diff\n--- a/lib/my_app/session.ex\n+++ b/lib/my_app/session.ex\n@@ -5,3 +5,3 @@\n   def fetch(id) do\n-    Cache.get(:sessions, id)\n+    Cache.fetch(:sessions, id)\n   end\n```\n", "\n", "\r\n")
	changes, err := checkAnswer(t, baseProject(), answer)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(sessionEx, "Cache.get(", "Cache.fetch(", 1)
	if got := contentOf(t, changes, "lib/my_app/session.ex"); got != want {
		t.Errorf("content %q, want %q", got, want)
	}
}

func TestCheckNewDeleteRename(t *testing.T) {
	answer := "```diff\n" +
		"--- /dev/null\n+++ b/lib/my_app/limiter.ex\n@@ -0,0 +1,3 @@\n+defmodule MyApp.Limiter do\n+  def allow?(_id), do: true\n+end\n" +
		"--- a/lib/my_app/session.ex\n+++ /dev/null\n@@ -1,8 +0,0 @@\n" + prefixLines("-", sessionEx) +
		"diff --git a/lib/my_app/cache.ex b/lib/my_app/store.ex\nrename from lib/my_app/cache.ex\nrename to lib/my_app/store.ex\n--- a/lib/my_app/cache.ex\n+++ b/lib/my_app/store.ex\n@@ -1 +1 @@\n-defmodule MyApp.Cache do\n+defmodule MyApp.Store do\n" +
		"diff --git a/.keep b/.keep\nnew file mode 100644\n" +
		"```\n"
	p := baseProject()
	changes, err := checkAnswer(t, p, answer)
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{
		{Path: "lib/my_app/limiter.ex", Content: []byte("defmodule MyApp.Limiter do\n  def allow?(_id), do: true\nend\n")},
		{Path: "lib/my_app/session.ex", OldPath: "lib/my_app/session.ex", Delete: true},
		{Path: "lib/my_app/store.ex", OldPath: "lib/my_app/cache.ex", Content: []byte(strings.Replace(cacheEx, "MyApp.Cache do", "MyApp.Store do", 1))},
		{Path: ".keep", Content: []byte{}},
	}
	if diff := cmp.Diff(want, changes); diff != "" {
		t.Errorf("Check (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(baseProject(), p); diff != "" {
		t.Errorf("Check changed the project it read:\n%s", diff)
	}
}

// TestCheckSequential: diffs of the same file apply one after the other,
// and a file created earlier can be changed later.
func TestCheckSequential(t *testing.T) {
	answer := "First:\n```diff\n--- /dev/null\n+++ b/notes.md\n@@ -0,0 +1,2 @@\n+# Notes\n+one\n```\n" +
		"Then:\n```diff\n--- a/notes.md\n+++ b/notes.md\n@@ -1,2 +1,3 @@\n # Notes\n one\n+two\n```\n" +
		"And:\n```diff\n--- a/lib/my_app/session.ex\n+++ b/lib/my_app/session.ex\n@@ -1 +1 @@\n-defmodule MyApp.Session do\n+defmodule MyApp.Sessions do\n```\n" +
		"```diff\n--- a/lib/my_app/session.ex\n+++ b/lib/my_app/session.ex\n@@ -1,2 +1,2 @@\n defmodule MyApp.Sessions do\n-  @moduledoc false\n+  @moduledoc \"Sessions.\"\n```\n"
	changes, err := checkAnswer(t, baseProject(), answer)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 4 {
		t.Fatalf("got %d changes", len(changes))
	}
	if got := string(changes[1].Content); got != "# Notes\none\ntwo\n" {
		t.Errorf("notes.md = %q", got)
	}
	if got := string(changes[3].Content); !strings.HasPrefix(got, "defmodule MyApp.Sessions do\n  @moduledoc \"Sessions.\"\n") {
		t.Errorf("session.ex = %q", got)
	}
}

func TestCheckReadError(t *testing.T) {
	ds := mustDiffs(t, answerTwoFiles)
	boom := errors.New("permission denied")
	_, err := Check(ds, func(string) ([]byte, error) { return nil, boom })
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "lib/my_app/cache.ex (answer line 4): cannot read it: permission denied") {
		t.Errorf("Check = %v", err)
	}
}

func TestCheckNothing(t *testing.T) {
	changes, err := Check(nil, project{}.read)
	if err != nil || changes != nil {
		t.Errorf("Check(nil) = %v, %v", changes, err)
	}
}

func prefixLines(prefix, s string) string {
	var b strings.Builder
	for _, l := range splitKeep(s) {
		b.WriteString(prefix + l)
	}
	return b.String()
}
