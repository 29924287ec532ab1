package prompt

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// elixirData and goData are representative requests for each language.
func elixirData() Data {
	return Data{
		Question: "Why does get/2 return nil after the TTL passes, and how should callers handle it?",
		Language: "elixir",
		Target: &Snippet{
			Path: "lib/my_app/cache.ex", Name: "MyApp.Cache.get/2", StartLine: 12, EndLine: 20,
			Code: "  def get(cache, key) do\n    case :ets.lookup(cache, key) do\n      [{^key, value, expires}] when expires > now() -> value\n      _ -> nil\n    end\n  end\n",
		},
		Context: []Snippet{
			{Path: "lib/my_app/cache.ex", Name: "MyApp.Cache.put/4", StartLine: 22, EndLine: 26, Code: "  def put(cache, key, value, ttl) do\n    :ets.insert(cache, {key, value, now() + ttl})\n    :ok\n  end\n"},
			{Path: "lib/my_app/session.ex", Name: "MyApp.Session.fetch/1", StartLine: 5, EndLine: 8, Code: "  def fetch(id), do: MyApp.Cache.get(:sessions, id)\n"},
		},
		Goal:        "Return {:ok, value} or :error instead of value or nil.",
		ModuleName:  "MyApp.RateLimiter",
		Description: "A token-bucket rate limiter keyed by user id, backed by ETS.",
		// As an AGENTS.md holds them (app.ConventionsFile).
		Conventions: []string{"# MyApp\n\n## Style\n- Functions that can fail return {:ok, value} or {:error, reason}.\n- ETS tables are owned by a supervised GenServer.\n\nRun `mix test` before proposing a change.\n"},
		Deps:        []string{"phoenix", "ecto_sql", "stream_data"},
		TestPath:    "test/my_app/cache_gen_test.exs",
		Answers: []Answer{
			{Text: "Use `with {:ok, v} <- Cache.get(...)`.\n\n```elixir\ndef get(c, k), do: ...\n```\n"},
			{Text: "Expired entries are never removed; add a sweeper."},
		},
	}
}

func goData() Data {
	return Data{
		Question: "Is Open safe to call from several goroutines?",
		Language: "go",
		Target: &Snippet{
			Path: "store/store.go", Name: "(*Store).Open", StartLine: 40, EndLine: 52,
			Code: "func (s *Store) Open(ctx context.Context) error {\n\tif s.db != nil {\n\t\treturn nil\n\t}\n\tdb, err := sql.Open(\"sqlite3\", s.path)\n\tif err != nil {\n\t\treturn fmt.Errorf(\"store: open: %w\", err)\n\t}\n\ts.db = db\n\treturn nil\n}\n",
		},
		Context: []Snippet{
			{Path: "store/store.go", Name: "Store", StartLine: 10, EndLine: 14, Code: "type Store struct {\n\tpath string\n\tdb   *sql.DB\n}\n"},
		},
		Goal:        "Make Open safe for concurrent use with sync.Once.",
		ModuleName:  "github.com/acme/app/ratelimit",
		GoPackage:   "ratelimit",
		Description: "A token-bucket rate limiter keyed by user id.",
		Conventions: []string{"- Errors wrap with %w and a prefix naming the operation."},
		Deps:        []string{"github.com/google/go-cmp", "golang.org/x/sync"},
		TestPath:    "store/store_gen_test.go",
		Answers: []Answer{
			{Label: "A", Text: "No: two goroutines can both see s.db == nil."},
			{Label: "B", Text: "Yes."},
		},
	}
}

func mustLoad(t testing.TB, dir string) *Set {
	t.Helper()
	s, err := Load(dir)
	if err != nil {
		t.Fatalf("Load(%q): %v", dir, err)
	}
	return s
}

func render(t *testing.T, s *Set, task string, d Data) (system, user string) {
	t.Helper()
	msgs, err := s.Render(task, d)
	if err != nil {
		t.Fatalf("Render(%s): %v", task, err)
	}
	for _, m := range msgs {
		switch m.Role {
		case providers.RoleSystem:
			system = m.Content
		case providers.RoleUser:
			user = m.Content
		default:
			t.Fatalf("Render(%s): unexpected role %q", task, m.Role)
		}
	}
	if msgs[len(msgs)-1].Role != providers.RoleUser {
		t.Fatalf("Render(%s): last message is %s, want user", task, msgs[len(msgs)-1].Role)
	}
	return system, user
}

// TestEmbeddedGolden renders every task for both languages and compares the
// messages with testdata/golden (go test -update rewrites them).
func TestEmbeddedGolden(t *testing.T) {
	s := mustLoad(t, "")
	for _, lang := range []struct {
		name string
		data func() Data
	}{{"elixir", elixirData}, {"go", goData}} {
		for _, task := range Tasks() {
			t.Run(task+"-"+lang.name, func(t *testing.T) {
				system, user := render(t, s, task, lang.data())
				got := "=== system\n" + system + "\n=== user\n" + user + "\n"
				golden := filepath.Join("testdata", "golden", task+"-"+lang.name+".txt")
				if *update {
					if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), got); diff != "" {
					t.Errorf("%s differs (-want +got):\n%s", golden, diff)
				}
			})
		}
	}
}

// TestEmbeddedContents checks what each prompt must say, independently of
// its wording.
func TestEmbeddedContents(t *testing.T) {
	s := mustLoad(t, "")
	ex, gd := elixirData(), goData()
	tests := []struct {
		task       string
		data       Data
		system     []string // substrings of the system message
		user       []string // substrings of the user message
		userAbsent []string
	}{
		{"ask", ex, []string{"Elixir", "{:ok, value}"},
			[]string{ex.Question, "```elixir\n  def get(cache, key) do\n", "lib/my_app/cache.ex:12-20 (MyApp.Cache.get/2)", "lib/my_app/session.ex:5-8", "- Functions that can fail return {:ok, value} or {:error, reason}."}, nil},
		{"ask", gd, []string{"Go", "%w"},
			[]string{gd.Question, "```go\nfunc (s *Store) Open(ctx context.Context) error {\n\tif s.db != nil {"}, nil},
		{"explain", ex, []string{"Elixir", "processes"},
			[]string{"Explain MyApp.Cache.get/2, lib/my_app/cache.ex:12-20", "```elixir\n", ex.Question}, nil},
		{"explain", gd, []string{"goroutines"}, []string{"(*Store).Open", "```go\n"}, nil},
		{"refactor", ex, []string{"unified diff", "```diff", "--- a/PATH", "+++ b/PATH", "@@ -START,COUNT +START,COUNT @@", "/dev/null", "mix format"},
			[]string{"Goal: " + ex.Goal, "lib/my_app/cache.ex, starting at line 12", "```elixir\n"}, nil},
		{"refactor", gd, []string{"unified diff", "gofmt"}, []string{"Goal: " + gd.Goal, "```go\n"}, nil},
		{"gen-module", ex, []string{"@moduledoc", "@spec", "```elixir PATH"},
			[]string{"MyApp.RateLimiter", ex.Description, "Run `mix test` before proposing a change."}, nil},
		{"gen-module", gd, []string{"package doc comment", "```go PATH"}, []string{"the Go package github.com/acme/app/ratelimit (package ratelimit)", gd.Description}, nil},
		{"gen-tests", ex, []string{"ExUnit", "async: true", "doctest", "StreamData", "check all", "describe"},
			[]string{"Write tests for MyApp.Cache.get/2", "```elixir\n", "The tests go in test/my_app/cache_gen_test.exs. Name the test module after that file"}, nil},
		{"gen-tests", gd, []string{"Table-driven", "t.Run", "cmp.Diff", "```go store/store_gen_test.go"},
			[]string{"```go\n", "The tests go in store/store_gen_test.go. The package's other _test.go files may already declare tests"}, nil},
		{"compare-judge", ex, []string{"JSON", `"winner"`, `"scores"`, `"reason"`, `"tie"`},
			[]string{ex.Question, `<answer label="A">`, `<answer label="B">`, "add a sweeper", "Labels: A, B."}, nil},
		{"compare-judge", gd, []string{"JSON"}, []string{`<answer label="A">`, "Labels: A, B."}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.task+"-"+tc.data.Language, func(t *testing.T) {
			system, user := render(t, s, tc.task, tc.data)
			for _, want := range tc.system {
				if !strings.Contains(system, want) {
					t.Errorf("system message lacks %q:\n%s", want, system)
				}
			}
			for _, want := range tc.user {
				if !strings.Contains(user, want) {
					t.Errorf("user message lacks %q:\n%s", want, user)
				}
			}
			for _, not := range tc.userAbsent {
				if strings.Contains(user, not) {
					t.Errorf("user message has %q:\n%s", not, user)
				}
			}
		})
	}
}

// TestStreamDataOnlyWhenUsed: property tests are asked for only when the
// project depends on stream_data.
func TestStreamDataOnlyWhenUsed(t *testing.T) {
	s := mustLoad(t, "")
	d := elixirData()
	d.Deps = []string{"phoenix"}
	system, _ := render(t, s, "gen-tests", d)
	if strings.Contains(system, "StreamData") || strings.Contains(system, "PropCheck") {
		t.Errorf("gen-tests mentions property testing for a project without it:\n%s", system)
	}
	d.Deps = []string{"phoenix", "propcheck"}
	if system, _ := render(t, s, "gen-tests", d); !strings.Contains(system, "use PropCheck") || strings.Contains(system, "StreamData") {
		t.Errorf("gen-tests for a PropCheck project:\n%s", system)
	}
}

// TestMinimalData: every task renders with only the field it cannot do
// without, with no language, and leaves no template debris.
func TestMinimalData(t *testing.T) {
	s := mustLoad(t, "")
	target := &Snippet{Path: "README", Code: "hello"}
	for _, tc := range []struct {
		task string
		data Data
	}{
		{"ask", Data{Question: "What is this?"}},
		{"explain", Data{Target: target}},
		{"refactor", Data{Target: target, Goal: "Shout."}},
		{"gen-module", Data{ModuleName: "Foo"}},
		{"gen-tests", Data{Target: target}},
		{"compare-judge", Data{Question: "q", Answers: []Answer{{Text: "x"}, {Text: "y"}, {Text: "z"}}}},
	} {
		t.Run(tc.task, func(t *testing.T) {
			system, user := render(t, s, tc.task, tc.data)
			for _, bad := range []string{"<no value>", "{{", "}}", "\n\n\n", "  \n"} {
				if strings.Contains(system+user, bad) {
					t.Errorf("output has %q:\n%s\n---\n%s", bad, system, user)
				}
			}
		})
	}
	_, user := render(t, s, "compare-judge", Data{Answers: []Answer{{Text: "x"}, {Text: "y"}, {Text: "z"}}})
	if !strings.Contains(user, "Labels: A, B, C.") {
		t.Errorf("answers without labels are not lettered:\n%s", user)
	}
}

func TestFence(t *testing.T) {
	tests := []struct{ lang, code, want string }{
		{"go", "x := 1\n", "```go\nx := 1\n```"},
		{"", "plain", "```\nplain\n```"},
		{"elixir", "\"\"\"\n```elixir\nIO.puts(1)\n```\n\"\"\"\n\n", "````elixir\n\"\"\"\n```elixir\nIO.puts(1)\n```\n\"\"\"\n````"},
	}
	for _, tc := range tests {
		if got := fence(tc.lang, tc.code); got != tc.want {
			t.Errorf("fence(%q, %q) = %q, want %q", tc.lang, tc.code, got, tc.want)
		}
	}
}

func TestHelpers(t *testing.T) {
	if got := indent(2, "a\n\nb"); got != "  a\n\n  b" {
		t.Errorf("indent = %q", got)
	}
	for i, want := range map[int]string{0: "A", 1: "B", 25: "Z", 26: "AA", 27: "AB", 51: "AZ", 52: "BA", -1: "?"} {
		if got := label(i); got != want {
			t.Errorf("label(%d) = %q, want %q", i, got, want)
		}
	}
	if !hasDep([]string{"github.com/google/go-cmp"}, "github.com/google/go-cmp") || hasDep([]string{"stream_data_x"}, "stream_data") {
		t.Error("hasDep")
	}
	if !hasDep([]string{"github.com/google/go-cmp/cmp"}, "github.com/google/go-cmp") {
		t.Error("hasDep does not match a package under a module")
	}
	for p, want := range map[string]string{"lib/a.ex": "elixir", "test/a_test.exs": "elixir", "a.go": "go", "x.heex": "heex", "README": ""} {
		if got := (Snippet{Path: p}).Lang(); got != want {
			t.Errorf("Lang(%s) = %q, want %q", p, got, want)
		}
	}
	if got := (Data{Target: &Snippet{Path: "x.go"}}).Lang(); got != "go" {
		t.Errorf("Data.Lang from target = %q", got)
	}
	if got := (Data{Language: "Elixir", Target: &Snippet{Path: "x.go"}}).Lang(); got != "elixir" {
		t.Errorf("Data.Lang = %q", got)
	}
	for s, want := range map[Snippet]string{
		{Path: "a.ex"}:                            "a.ex",
		{Path: "a.ex", StartLine: 3}:              "a.ex:3",
		{Path: "a.ex", StartLine: 3, EndLine: 3}:  "a.ex:3",
		{Path: "a.ex", StartLine: 3, EndLine: 9}:  "a.ex:3-9",
		{Path: "a.ex", StartLine: 0, EndLine: 9}:  "a.ex",
		{Path: "a.go", StartLine: 10, EndLine: 2}: "a.go:10",
	} {
		if got := s.Where(); got != want {
			t.Errorf("Where(%+v) = %q, want %q", s, got, want)
		}
	}
}

func TestTasks(t *testing.T) {
	want := []string{"ask", "compare-judge", "explain", "gen-module", "gen-tests", "refactor"}
	if diff := cmp.Diff(want, Tasks()); diff != "" {
		t.Errorf("Tasks (-want +got):\n%s", diff)
	}
	Tasks()[0] = "changed"
	if Tasks()[0] != "ask" {
		t.Error("Tasks returns the package's own slice")
	}
	// Every task has an embedded template, and no template lacks a task.
	entries, err := embedded.ReadDir("templates")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		files = append(files, strings.TrimSuffix(e.Name(), ".tmpl"))
	}
	if diff := cmp.Diff(want, files); diff != "" {
		t.Errorf("templates/ (-tasks +files):\n%s", diff)
	}
}

func TestUnknownTask(t *testing.T) {
	s := mustLoad(t, "")
	_, err := s.Render("summarize", Data{Question: "q"})
	ue := usererr.As(err)
	if ue == nil {
		t.Fatalf("Render(unknown) = %v, want a *usererr.Error", err)
	}
	if !strings.Contains(ue.Msg, `"summarize"`) || !strings.Contains(ue.Msg, "ask, compare-judge, explain") {
		t.Errorf("message %q does not name the task and the known tasks", ue.Msg)
	}
	if ue.ExitCode() != usererr.ExitUsage {
		t.Errorf("exit code %d, want %d", ue.ExitCode(), usererr.ExitUsage)
	}
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOverrideReplaces(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "explain.tmpl", `{{/* mine */}}
{{define "system"}}Be brief.{{end}}
{{define "user"}}Explain {{.Target.Name}} in {{langName .Lang}}:
{{fence .Target.Lang .Target.Code}}{{end}}`)
	writeFile(t, dir, "ask.tmpl", `{{define "user"}}Q: {{.Question}}{{end}}`)
	writeFile(t, dir, "notes.txt", "not a template")
	if err := os.Mkdir(filepath.Join(dir, "old.tmpl"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := mustLoad(t, dir)

	msgs, err := s.Render("explain", elixirData())
	if err != nil {
		t.Fatal(err)
	}
	want := []providers.Message{
		{Role: providers.RoleSystem, Content: "Be brief."},
		{Role: providers.RoleUser, Content: "Explain MyApp.Cache.get/2 in Elixir:\n```elixir\n  def get(cache, key) do\n    case :ets.lookup(cache, key) do\n      [{^key, value, expires}] when expires > now() -> value\n      _ -> nil\n    end\n  end\n```"},
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("override explain (-want +got):\n%s", diff)
	}

	// An override without a system template sends no system message.
	msgs, err = s.Render("ask", Data{Question: "why?"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]providers.Message{{Role: providers.RoleUser, Content: "Q: why?"}}, msgs); diff != "" {
		t.Errorf("override ask (-want +got):\n%s", diff)
	}

	// Tasks without an override keep the embedded template.
	embeddedSet := mustLoad(t, "")
	for _, task := range []string{"refactor", "gen-tests"} {
		a, _ := s.Render(task, goData())
		b, _ := embeddedSet.Render(task, goData())
		if diff := cmp.Diff(b, a); diff != "" {
			t.Errorf("%s changed by unrelated overrides:\n%s", task, diff)
		}
	}
}

// TestEditorFilesIgnored: the files an editor or file manager leaves
// beside an override being edited (Emacs's lock, a dangling symlink named
// .#TASK.tmpl; macOS's ._TASK.tmpl) are neither loaded nor refused.
func TestEditorFilesIgnored(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "ask.tmpl", `{{define "user"}}Q: {{.Question}}{{end}}`)
	if err := os.Symlink("user@host.1234:1700000000", filepath.Join(dir, ".#ask.tmpl")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "._ask.tmpl", "\x00\x05\x16\x07 not a template {{")
	msgs, err := mustLoad(t, dir).Render("ask", Data{Question: "why?"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]providers.Message{{Role: providers.RoleUser, Content: "Q: why?"}}, msgs); diff != "" {
		t.Errorf("ask with editor files beside its override (-want +got):\n%s", diff)
	}
}

func TestMissingOverrideDir(t *testing.T) {
	for _, dir := range []string{"", filepath.Join(t.TempDir(), "nope")} {
		s := mustLoad(t, dir)
		if _, err := s.Render("ask", Data{Question: "q"}); err != nil {
			t.Errorf("Load(%q).Render: %v", dir, err)
		}
	}
}

func TestBrokenOverrides(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		text     string
		wantLine int    // 0: no line in the message
		want     string // substring of the message after the path
	}{
		{"stray brace", "explain.tmpl", "{{define \"system\"}}x{{end}}\n{{define \"user\"}}\n{{ .Question } }\n{{end}}\n", 3, `unexpected "}" in operand`},
		{"unclosed action", "ask.tmpl", "{{define \"user\"}}\nline two\n\nQ: {{.Question", 4, "unclosed action"},
		{"action across lines", "ask.tmpl", "{{define \"user\"}}\nline two\n\nQ: {{.Question\n{{end}}", 5, `unexpected "{" in operand`},
		{"unterminated define", "refactor.tmpl", "{{define \"user\"}}\n{{if .Goal}}\n{{.Goal}}\n{{end}}", 4, "unexpected EOF"},
		{"unknown function", "gen-tests.tmpl", "\n\n{{define \"user\"}}{{shout .Question}}{{end}}", 3, `function "shout" not defined`},
		{"unclosed comment", "gen-module.tmpl", "{{define \"user\"}}x{{end}}\n\n{{/* unfinished", 3, "unclosed comment"},
		{"unknown field", "explain.tmpl", "{{define \"user\"}}\nExplain:\n{{.Target.Code}}\n{{.Tagret}}{{end}}", 4, "<.Tagret>: can't evaluate field Tagret"},
		{"unknown field in range", "ask.tmpl", "{{define \"user\"}}{{range .Context}}\n  {{.File}}\n{{end}}{{end}}", 2, "can't evaluate field File"},
		{"unknown field in system", "compare-judge.tmpl", "{{define \"system\"}}\n{{.Judge}}{{end}}{{define \"user\"}}x{{end}}", 2, "can't evaluate field Judge"},
		{"unknown field in go branch", "refactor.tmpl", "{{define \"user\"}}{{if eq .Lang \"go\"}}\n\n{{.GoVersion}}{{end}}{{end}}", 3, "can't evaluate field GoVersion"},
		{"wrong argument type", "ask.tmpl", "{{define \"user\"}}\n{{indent \"two\" .Question}}{{end}}", 2, "expected integer"},
		{"no user template", "ask.tmpl", "Q: {{.Question}}", 0, `defines no "user" template`},
		{"not a task", "explian.tmpl", "{{define \"user\"}}x{{end}}", 0, "is for no task"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeFile(t, dir, tc.file, tc.text)
			_, err := Load(dir)
			ue := usererr.As(err)
			if ue == nil {
				t.Fatalf("Load = %v, want a *usererr.Error", err)
			}
			prefix := "prompt template " + path
			if tc.wantLine > 0 {
				prefix += " line " + strconv.Itoa(tc.wantLine) + ": "
			}
			if !strings.HasPrefix(ue.Msg, prefix) {
				t.Errorf("message %q\ndoes not start with %q", ue.Msg, prefix)
			}
			if !strings.Contains(ue.Msg, tc.want) {
				t.Errorf("message %q lacks %q", ue.Msg, tc.want)
			}
			if strings.Contains(ue.Msg, "template: ") || strings.Contains(ue.Msg, "\n") {
				t.Errorf("message %q is not one clean line", ue.Msg)
			}
			if ue.ExitCode() != usererr.ExitUsage {
				t.Errorf("exit code %d, want %d", ue.ExitCode(), usererr.ExitUsage)
			}
		})
	}
}

// TestRenderTimeError: a field the sample data does not reach fails at
// Render, still naming the file and line.
func TestRenderTimeError(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "ask.tmpl", "{{define \"user\"}}{{if eq .Question \"deep\"}}\n{{.Deeper}}{{end}}ok{{end}}")
	s := mustLoad(t, dir)
	_, err := s.Render("ask", Data{Question: "deep"})
	ue := usererr.As(err)
	if ue == nil || !strings.HasPrefix(ue.Msg, "prompt template "+path+" line 2: ") {
		t.Fatalf("Render = %v, want a user error naming %s line 2", err, path)
	}
}

func TestEmptyUserMessage(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "ask.tmpl", "{{define \"user\"}}{{.Question}}{{end}}")
	s := mustLoad(t, dir)
	_, err := s.Render("ask", Data{Question: "  "})
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, path) {
		t.Fatalf("Render = %v, want a user error naming %s", err, path)
	}
}

func TestUnreadableOverrideDir(t *testing.T) {
	file := writeFile(t, t.TempDir(), "prompts", "a file, not a directory")
	_, err := Load(file)
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, file) {
		t.Fatalf("Load(file) = %v, want a user error naming it", err)
	}
	if !errors.Is(err, ue.Err) {
		t.Error("the cause is not wrapped")
	}
}

func TestSplitTemplateError(t *testing.T) {
	tests := []struct {
		msg    string
		line   int
		detail string
	}{
		{`template: explain.tmpl:3: unexpected "}" in operand`, 3, `unexpected "}" in operand`},
		{`template: explain.tmpl:12:7: executing "user" at <.Nope>: can't evaluate field Nope in type prompt.Data`, 12, `<.Nope>: can't evaluate field Nope in type prompt.Data`},
		{`template: a:b.tmpl:5: bad`, 5, "bad"},
		{`template: no template "user" associated with template "x"`, 0, `no template "user" associated with template "x"`},
		{`something else: 3: x`, 0, `something else: 3: x`},
		{"template: x.tmpl:2: multi\nline", 2, "multi\nline"},
	}
	for _, tc := range tests {
		line, detail := splitTemplateError(tc.msg)
		if line != tc.line || detail != tc.detail {
			t.Errorf("splitTemplateError(%q) = %d, %q; want %d, %q", tc.msg, line, detail, tc.line, tc.detail)
		}
	}
}

func BenchmarkLoadEmbedded(b *testing.B) {
	for b.Loop() {
		if _, err := Load(""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	s := mustLoad(b, "")
	d := elixirData()
	for b.Loop() {
		if _, err := s.Render("refactor", d); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEmbeddedParse parses every embedded template, which Load leaves to
// the first Render.
func TestEmbeddedParse(t *testing.T) {
	s := mustLoad(t, "")
	for _, task := range Tasks() {
		tmpl, err := s.byTask[task].get(task)
		if err != nil {
			t.Fatalf("%s: %v", task, err)
		}
		for _, part := range []string{"system", "user"} {
			if tmpl.Lookup(part) == nil {
				t.Errorf("%s defines no %q template", task, part)
			}
		}
	}
}

// TestConcurrentRender: first uses race to parse the same template.
func TestConcurrentRender(t *testing.T) {
	s := mustLoad(t, "")
	done := make(chan error)
	for range 8 {
		go func() {
			_, err := s.Render("ask", goData())
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func BenchmarkLoadAndRenderAll(b *testing.B) {
	d := goData()
	for b.Loop() {
		s, err := Load("")
		if err != nil {
			b.Fatal(err)
		}
		for _, task := range tasks {
			if _, err := s.Render(task, d); err != nil {
				b.Fatal(err)
			}
		}
	}
}
