package index

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/tokens"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// project is a small Go and Elixir project with references across files
// and packages.
var project = map[string]string{
	"go.mod": "module example.com/p\n",
	"server/server.go": `package server

import "fmt"

// Server serves users.
type Server struct{ name string }

// GetUser looks a user up by id.
func (s *Server) GetUser(id int) string { return lookupUser(id) }

func lookupUser(id int) string { return fmt.Sprint("user_", id) }
`,
	"server/start.go": `package server

// Start makes a Server.
func Start() *Server { return &Server{} }
`,
	"other/other.go": `package other

func lookupUser() {} // same name, another package: not a target of server's calls
`,
	"lib/accounts.ex": `defmodule MyApp.Accounts do
  @moduledoc "Users and their sessions."
  alias MyApp.Repo

  def get_user(id), do: Repo.get(id) |> normalize()

  defp normalize(user), do: user
end
`,
	"lib/repo.ex": `defmodule MyApp.Repo do
  def get(id), do: {:ok, id}
end
`,
}

// counter counts reads through the test hook.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) hook(rel string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n[rel]++
	return nil
}

func (c *counter) reads() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.n
	c.n = map[string]int{}
	return out
}

func newIndexer(t *testing.T, s *db.Store) (*Indexer, *counter) {
	t.Helper()
	c := &counter{n: map[string]int{}}
	return New(Config{Store: s, Logger: nil, readErr: c.hook}), c
}

func index(t *testing.T, ix *Indexer, root string, opt Options) *Summary {
	t.Helper()
	sum, err := ix.Index(context.Background(), root, opt)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// touch moves a file's mtime forward, as an edit would.
func touch(t *testing.T, root, rel string) {
	t.Helper()
	// Not the minute ago of writeFile, and in the past too (see racy).
	other := time.Now().Add(-30 * time.Second)
	if err := os.Chtimes(filepath.Join(root, rel), other, other); err != nil {
		t.Fatal(err)
	}
}

func TestIndexIncremental(t *testing.T) {
	ctx := context.Background()
	root := writeTree(t, project)
	s := dbtest.Open(t)
	ix, reads := newIndexer(t, s)

	sum := index(t, ix, root, Options{})
	if sum.Files != 5 || sum.Changed != 5 || sum.Analyzed != 5 || sum.Read != 5 || sum.Batches != 1 {
		t.Fatalf("first run %+v", sum)
	}
	reads.reads()

	// Nothing changed: nothing is read, nothing written.
	sum = index(t, ix, root, Options{})
	if r := reads.reads(); len(r) != 0 || sum.Unchanged != 5 || sum.Changed != 0 || sum.Batches != 0 {
		t.Fatalf("unchanged run read %v: %+v", r, sum)
	}

	// One file edited: only it is read and chunked.
	writeFile(t, root, "server/start.go", "package server\n\n// Start makes a Server.\nfunc Start() *Server { return &Server{name: \"x\"} }\n")
	touch(t, root, "server/start.go")
	sum = index(t, ix, root, Options{})
	if r := reads.reads(); !cmp.Equal(r, map[string]int{"server/start.go": 1}) || sum.Changed != 1 || sum.Analyzed != 1 {
		t.Fatalf("one edit read %v: %+v", r, sum)
	}

	// Touched but not changed: read, found identical, rows left alone.
	before, _ := s.CodeChunks(ctx, mustProject(t, s, root), "lib/repo.ex")
	touch(t, root, "lib/repo.ex")
	sum = index(t, ix, root, Options{})
	after, _ := s.CodeChunks(ctx, mustProject(t, s, root), "lib/repo.ex")
	if sum.Read != 1 || sum.Changed != 0 || sum.Unchanged != 5 || !cmp.Equal(before, after) {
		t.Fatalf("touch: %+v; chunks %v → %v", sum, before, after)
	}

	// A copy of a known content is not chunked again, here or in another
	// project: the analysis comes from the cache.
	data, _ := os.ReadFile(filepath.Join(root, "lib/repo.ex"))
	writeFile(t, root, "lib/repo_copy.ex", string(data))
	sum = index(t, ix, root, Options{})
	if sum.Changed != 1 || sum.Cached != 1 || sum.Analyzed != 0 {
		t.Fatalf("copy: %+v", sum)
	}
	other := writeTree(t, map[string]string{"repo.ex": string(data)})
	if sum = index(t, ix, other, Options{}); sum.Cached != 1 || sum.Analyzed != 0 {
		t.Fatalf("other project: %+v", sum)
	}
	if got, _ := s.CodeChunksNamed(ctx, mustProject(t, s, other), "MyApp.Repo.get/1"); len(got) != 1 || got[0].Path != "repo.ex" {
		t.Fatalf("chunks from the cache in the other project: %+v", got)
	}

	// A removed file's rows go.
	if err := os.Remove(filepath.Join(root, "lib/repo_copy.ex")); err != nil {
		t.Fatal(err)
	}
	sum = index(t, ix, root, Options{})
	if got, _ := s.CodeChunks(ctx, mustProject(t, s, root), "lib/repo_copy.ex"); sum.Removed != 1 || len(got) != 0 {
		t.Fatalf("removal: %+v, chunks left %v", sum, got)
	}

	// --force reads everything, and analyses nothing that is the same:
	// its files are rewritten, not changed; one edited since is both.
	edited := filepath.Join(root, "lib/repo.ex")
	if err := os.WriteFile(edited, []byte(project["lib/repo.ex"]+"\n# edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Not so recent that the runs below read it again as racily clean.
	if past := time.Now().Add(-time.Minute); os.Chtimes(edited, past, past) != nil {
		t.Fatal("chtimes")
	}
	sum = index(t, ix, root, Options{Force: true})
	if sum.Read != 5 || sum.Analyzed != 1 || sum.Cached != 4 || sum.Changed != 5 || sum.Rewritten != 4 || sum.Reanalyzed != 0 {
		t.Fatalf("force: %+v; want 5 read, 4 from the cache and rewritten, 1 changed", sum)
	}

	// Another token family is another analyzer: everything is chunked anew.
	ix2 := New(Config{Store: s, Family: tokens.FamilyLlama2})
	if sum = index(t, ix2, root, Options{}); sum.Analyzed != 5 {
		t.Fatalf("new analyzer: %+v", sum)
	}
	if sum = index(t, ix2, root, Options{}); sum.Read != 0 {
		t.Fatalf("new analyzer, second run: %+v", sum)
	}
}

func mustProject(t *testing.T, s *db.Store, root string) int64 {
	t.Helper()
	root, _ = filepath.EvalSymlinks(root)
	p, ok, err := s.FindCodeProject(context.Background(), root)
	if err != nil || !ok {
		t.Fatalf("project %s: %v %v", root, ok, err)
	}
	return p.ID
}

func TestIndexUnder(t *testing.T) {
	root := writeTree(t, project)
	s := dbtest.Open(t)
	ix, reads := newIndexer(t, s)
	// A project only ever indexed a directory at a time is not read again.
	for range 2 {
		index(t, ix, root, Options{Under: "server"})
	}
	if r := reads.reads(); !cmp.Equal(r, map[string]int{"server/server.go": 1, "server/start.go": 1}) {
		t.Fatalf("two runs under server read %v", r)
	}
	index(t, ix, root, Options{})
	if r := reads.reads(); len(r) != 3 {
		t.Fatalf("the whole project after server read %v", r)
	}
	writeFile(t, root, "lib/new.ex", "defmodule New do\nend\n")
	writeFile(t, root, "server/new.go", "package server\n")
	sum := index(t, ix, root, Options{Under: "lib"})
	if r := reads.reads(); !cmp.Equal(r, map[string]int{"lib/new.ex": 1}) || sum.Files != 3 || sum.Removed != 0 {
		t.Fatalf("under lib: read %v, %+v", r, sum)
	}

	// One file: only it is read, as a walk of its directory would take
	// it; its rows go when it is gone or ignored.
	writeFile(t, root, "server/start.go", "package server\n\n// Start starts.\nfunc Start() {}\n")
	writeFile(t, root, "server/new.go", "package server\n\nfunc New() {}\n")
	sum = index(t, ix, root, Options{Under: "server/start.go"})
	if r := reads.reads(); !cmp.Equal(r, map[string]int{"server/start.go": 1}) || sum.Files != 1 || sum.Changed != 1 {
		t.Fatalf("under server/start.go: read %v, %+v", r, sum)
	}
	if sum = index(t, ix, root, Options{Under: "server/start.go"}); sum.Read != 0 || sum.Unchanged != 1 {
		t.Fatalf("under server/start.go again: %+v", sum)
	}
	if sum = index(t, ix, root, Options{Under: "go.mod"}); sum.Files != 0 || sum.Read != 0 || !strings.Contains(sum.LeftOut, "the index takes .eex .ex") {
		t.Fatalf("under a file the index does not take: %+v", sum)
	}
	writeFile(t, root, ".git/notes.md", "# not the project's\n")
	if sum = index(t, ix, root, Options{Under: ".git/notes.md"}); sum.Files != 0 || sum.LeftOut != "git's own files are not indexed" {
		t.Fatalf("under a file in .git: %+v", sum)
	}
	writeFile(t, root, "server/.gitignore", "start.go\n")
	if sum = index(t, ix, root, Options{Under: "server/start.go"}); sum.Files != 0 || sum.Removed != 1 || sum.LeftOut != ".gitignore leaves it out" {
		t.Fatalf("under an ignored file: %+v", sum)
	}
	if r := reads.reads(); len(r) != 0 {
		t.Fatalf("under an ignored file: read %v", r)
	}
	// A file or directory that is gone: its rows go; one the index holds
	// nothing of is a usage error.
	index(t, ix, root, Options{Under: "server/new.go"})
	libFiles := index(t, ix, root, Options{Under: "lib"}).Files
	if err := os.Remove(filepath.Join(root, "server", "new.go")); err != nil {
		t.Fatal(err)
	}
	if sum = index(t, ix, root, Options{Under: "server/new.go"}); sum.Removed != 1 || sum.Files != 0 {
		t.Fatalf("under a deleted file: %+v", sum)
	}
	if err := os.RemoveAll(filepath.Join(root, "lib")); err != nil {
		t.Fatal(err)
	}
	if sum = index(t, ix, root, Options{Under: "lib"}); libFiles == 0 || sum.Removed != libFiles {
		t.Fatalf("under a deleted directory: %+v", sum)
	}
	for _, p := range []string{"server/new.go", "server/nope.go", "lib"} {
		_, err := ix.Index(context.Background(), root, Options{Under: p})
		if ue := usererr.As(err); ue == nil || ue.Code != usererr.ExitUsage || !strings.Contains(ue.Msg, p+" does not exist") {
			t.Fatalf("under %s, gone and not indexed: %v", p, err)
		}
	}
}

func TestSearch(t *testing.T) {
	root := writeTree(t, project)
	ix, _ := newIndexer(t, dbtest.Open(t))
	index(t, ix, root, Options{})
	tests := []struct {
		query string
		want  []string // the hits' names, sorted
	}{
		{"GetUser", []string{"server.(*Server).GetUser"}},
		{"user", []string{"MyApp.Accounts.get_user/1", "MyApp.Accounts.normalize/1", "other.lookupUser", "server.(*Server).GetUser", "server.lookupUser"}},
		{"get_user", []string{"MyApp.Accounts.get_user/1"}},
		{"sessions", []string{"MyApp.Accounts"}},      // words of the moduledoc, in the header chunk
		{"fmt.Sprint", []string{"server.lookupUser"}}, // a qualified call: both words
		{"Repo get", []string{"MyApp.Accounts.get_user/1", "MyApp.Repo.get/1"}},
		{"func", nil}, // a keyword: in no body
		{"MyApp.Repo", []string{"MyApp.Accounts", "MyApp.Accounts.get_user/1", "MyApp.Repo", "MyApp.Repo.get/1"}},
	}
	for _, tt := range tests {
		hits, err := ix.Search(context.Background(), root, tt.query, 10)
		if err != nil {
			t.Fatalf("%q: %v", tt.query, err)
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.Name)
		}
		if tt.query == "user" && got[len(got)-1] != "MyApp.Accounts.normalize/1" {
			t.Errorf("search user: %v; the only match in a body alone should come last", got)
		}
		if tt.query == "MyApp.Repo" && got[0] != "MyApp.Repo" {
			t.Errorf("search MyApp.Repo: %v; the chunk of that name should come first", got)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("search %q: got %v, want %v", tt.query, got, tt.want)
		}
	}
}

func TestSymbolGraph(t *testing.T) {
	ctx := context.Background()
	root := writeTree(t, project)
	s := dbtest.Open(t)
	ix, _ := newIndexer(t, s)
	index(t, ix, root, Options{})
	p := mustProject(t, s, root)
	one := func(name string) db.CodeChunk {
		t.Helper()
		cs, err := s.CodeChunksNamed(ctx, p, name)
		if err != nil || len(cs) != 1 {
			t.Fatalf("chunks named %s: %v %v", name, cs, err)
		}
		return cs[0]
	}
	names := func(cs []db.CodeChunk, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.Name)
		}
		return out
	}
	tests := []struct {
		name             string
		callees, callers []string
	}{
		// Same package, other file; the other package's lookupUser is not it.
		{"server.(*Server).GetUser", []string{"server.Server", "server.lookupUser"}, nil},
		{"server.Server", nil, []string{"server.(*Server).GetUser", "server.Start"}},
		{"server.lookupUser", nil, []string{"server.(*Server).GetUser"}},
		// Elixir: a remote call through an alias, and a local call.
		{"MyApp.Accounts.get_user/1", []string{"MyApp.Accounts.normalize/1", "MyApp.Repo.get/1"}, nil},
		{"MyApp.Repo.get/1", nil, []string{"MyApp.Accounts.get_user/1"}},
	}
	for _, tt := range tests {
		c := one(tt.name)
		if got := names(s.CodeCallees(ctx, c.ID)); !slices.Equal(got, tt.callees) {
			t.Errorf("callees of %s: %v, want %v", tt.name, got, tt.callees)
		}
		if got := names(s.CodeCallers(ctx, c.ID)); !slices.Equal(got, tt.callers) {
			t.Errorf("callers of %s: %v, want %v", tt.name, got, tt.callers)
		}
	}
}

func TestTerms(t *testing.T) {
	tm := newTerms()
	if got, want := tm.name("http.(*Server).parseHTTPRequest"), "http Server parseHTTPRequest parse HTTP Request"; got != want {
		t.Errorf("name: %q, want %q", got, want)
	}
	if got, want := tm.name("MyApp.Accounts.get_user/1"), "MyApp My App Accounts get_user get user"; got != want {
		t.Errorf("name: %q, want %q", got, want)
	}
	body := "func (s *Server) Get(id int) { return s.users[id] } // the users, the IDs 2x x\xc3\xa9t\xc3\xa9"
	if got, want := tm.body([]byte(body)), "Server Get id int users IDs x\xc3\xa9t\xc3\xa9"; got != want {
		t.Errorf("body: %q, want %q", got, want)
	}
	for q, want := range map[string]string{
		"http.Server":  `"http" "Server"`,
		"the func":     `"the" "func"`,
		"get the user": `"get" "user"`,
		`a"b`:          ``, // one-letter words are not indexed
		`ab"cd`:        `"ab" "cd"`,
	} {
		if got := MatchQuery(q); got != want {
			t.Errorf("MatchQuery(%q) = %q, want %q", q, got, want)
		}
	}
}

// TestIndexCancel: a cancelled run stops, leaves no goroutine behind and
// no half-written file; the next run finishes the job.
func TestIndexCancel(t *testing.T) {
	files := map[string]string{}
	for i := range 200 {
		files[fmt.Sprintf("p%d/f%d.go", i%10, i)] = fmt.Sprintf("package p%d\n\nfunc F%d() { G() }\n", i%10, i)
	}
	root := writeTree(t, files)
	s := dbtest.Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	before := runtime.NumGoroutine()
	n := 0
	ix := New(Config{Store: s, BatchBytes: 1 << 10, readErr: func(string) error {
		if n++; n == 100 { // the hook runs on one worker at a time here
			cancel()
		}
		return nil
	}, Workers: 1})
	if _, err := ix.Index(ctx, root, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}

	sum := index(t, New(Config{Store: s}), root, Options{})
	if sum.Changed+sum.Unchanged != 200 || sum.Changed == 0 || sum.Changed == 200 {
		t.Fatalf("run after the cancelled one: %+v", sum)
	}
	// Every file has its chunk, every chunk its index row.
	rows, err := s.Query(context.Background(), `SELECT (SELECT count(*) FROM code_chunks), (SELECT count(*) FROM code_fts),
		(SELECT count(*) FROM code_files)`)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(rows.Values[0]...); got != "400 400 200" {
		t.Fatalf("chunks, index rows, files: %s; want 400 400 200", got)
	}
}

// TestIndexKeepsUnchangedChunks: re-indexing an edited file keeps the rows
// of the chunks the edit left as they were (their ids, words and refs), with
// their new positions, and replaces the others.
func TestIndexKeepsUnchangedChunks(t *testing.T) {
	ctx := context.Background()
	root := writeTree(t, project)
	s := dbtest.Open(t)
	ix, _ := newIndexer(t, s)
	index(t, ix, root, Options{})
	p := mustProject(t, s, root)
	ids := func() map[string]db.CodeChunk {
		t.Helper()
		cs, err := s.CodeChunks(ctx, p, "server/server.go")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]db.CodeChunk{}
		for i, c := range cs {
			if i > 0 && c.StartByte < cs[i-1].StartByte {
				t.Errorf("chunks out of the file's order: %s after %s", c.Name, cs[i-1].Name)
			}
			out[c.Name] = c
		}
		return out
	}
	before := ids()

	// A function added above the others shifts them; lookupUser changes.
	writeFile(t, root, "server/server.go", `package server

import "fmt"

// Added shifts what follows.
func Added() int { return 1 }

// Server serves users.
type Server struct{ name string }

// GetUser looks a user up by id.
func (s *Server) GetUser(id int) string { return lookupUser(id) }

func lookupUser(id int) string { return fmt.Sprint("customer_", id) }
`)
	touch(t, root, "server/server.go")
	if sum := index(t, ix, root, Options{}); sum.Changed != 1 {
		t.Fatalf("re-index: %+v", sum)
	}
	after := ids()
	for _, name := range []string{"server.Server", "server.(*Server).GetUser"} {
		b, a := before[name], after[name]
		if a.ID != b.ID || a.StartLine != b.StartLine+3 || a.StartByte <= b.StartByte {
			t.Errorf("%s: before %+v, after %+v: want the same id, 3 lines down", name, b, a)
		}
	}
	if a, b := after["server.lookupUser"], before["server.lookupUser"]; a.ID == b.ID || a.ID == 0 {
		t.Errorf("changed lookupUser kept id %d", a.ID)
	}
	if _, ok := after["server.Added"]; !ok || len(after) != 5 {
		t.Errorf("chunks after the edit: %v", slices.Sorted(maps.Keys(after)))
	}

	// The words are the new ones; the graph reaches the new row from the
	// kept one, and back.
	search := func(q string) []string {
		t.Helper()
		hits, err := ix.Search(ctx, root, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hits {
			out = append(out, h.Name)
		}
		return out
	}
	if got := search("customer_"); !slices.Equal(got, []string{"server.lookupUser"}) {
		t.Errorf("search customer_: %v", got)
	}
	if got := search("user_"); slices.Contains(got, "server.lookupUser") {
		t.Errorf("search user_ still finds the old lookupUser: %v", got)
	}
	callees, err := s.CodeCallees(ctx, after["server.(*Server).GetUser"].ID)
	if err != nil || len(callees) != 2 || callees[1].ID != after["server.lookupUser"].ID {
		t.Errorf("callees of GetUser: %+v %v", callees, err)
	}
	callers, err := s.CodeCallers(ctx, after["server.lookupUser"].ID)
	if err != nil || len(callers) != 1 || callers[0].ID != before["server.(*Server).GetUser"].ID {
		t.Errorf("callers of lookupUser: %+v %v", callers, err)
	}

	// No row is left behind: every word list and ref belongs to a chunk.
	for _, q := range []string{
		`SELECT count(*) FROM code_fts WHERE rowid NOT IN (SELECT id FROM code_chunks)`,
		`SELECT count(*) FROM code_chunks WHERE id NOT IN (SELECT rowid FROM code_fts)`,
		`SELECT count(*) FROM code_refs WHERE from_id NOT IN (SELECT id FROM code_chunks)`,
	} {
		rows, err := s.Query(ctx, q)
		if err != nil || len(rows.Values) != 1 || fmt.Sprint(rows.Values[0][0]) != "0" {
			t.Errorf("%s: %v %v", q, rows.Values, err)
		}
	}
}

// TestIndexKeepsTreesOfEditedFiles: with Config.Trees, the trees of files
// the index had an earlier version of are kept for their next edit; a
// first index keeps none, and the chunks are those of an index without
// trees.
func TestIndexKeepsTreesOfEditedFiles(t *testing.T) {
	root := writeTree(t, project)
	trees := chunk.NewTrees(chunk.DefaultTreeBytes)
	defer trees.Close()
	s := dbtest.Open(t)
	ix := New(Config{Store: s, Trees: trees})
	index(t, ix, root, Options{})
	if trees.Len() != 0 {
		t.Errorf("a first index kept %d trees", trees.Len())
	}
	plain := dbtest.Open(t)
	other := New(Config{Store: plain})
	index(t, other, root, Options{})
	for i, body := range []string{"x", "y", "Repo.get(id) |> normalize() |> elem(1)"} {
		writeFile(t, root, "lib/accounts.ex", fmt.Sprintf(`defmodule MyApp.Accounts do
  @moduledoc "Users and their sessions."
  alias MyApp.Repo

  def get_user(id), do: %s

  defp normalize(user), do: user
end
`, body))
		touch(t, root, "lib/accounts.ex")
		if sum := index(t, ix, root, Options{}); sum.Changed != 1 || sum.Analyzed != 1 {
			t.Fatalf("edit %d: %+v", i, sum)
		}
		if trees.Len() != 1 {
			t.Errorf("edit %d: %d trees kept, want the edited file's", i, trees.Len())
		}
		index(t, other, root, Options{})
		got, err := s.CodeChunks(context.Background(), mustProject(t, s, root), "lib/accounts.ex")
		if err != nil {
			t.Fatal(err)
		}
		want, err := plain.CodeChunks(context.Background(), mustProject(t, plain, root), "lib/accounts.ex")
		if err != nil {
			t.Fatal(err)
		}
		strip := func(cs []db.CodeChunk) []db.CodeChunk {
			for i := range cs {
				cs[i].ID = 0
			}
			return cs
		}
		if diff := cmp.Diff(strip(want), strip(got)); diff != "" {
			t.Errorf("edit %d: chunks with kept trees differ (-without +with):\n%s", i, diff)
		}
	}
}

// TestIndexRunsOverlap: runs at once on one store, as a node serving
// several clients makes them (or nodes of a cluster, which write through
// the same log), all complete; their chunks have distinct ids and each
// project's index is whole. Runs on one project take turns.
func TestIndexRunsOverlap(t *testing.T) {
	s := dbtest.Open(t)
	roots := []string{writeTree(t, project), writeTree(t, project), writeTree(t, project)}
	roots = append(roots, roots[0]) // one project twice
	var wg sync.WaitGroup
	errs := make([]error, len(roots))
	for i, root := range roots {
		wg.Go(func() {
			_, errs[i] = New(Config{Store: s, BatchBytes: 1}).Index(context.Background(), root, Options{})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("run %d: %v", i, err)
		}
	}
	seen := map[int64]string{}
	for _, root := range roots[:3] {
		p := mustProject(t, s, root)
		for rel := range project {
			cs, err := s.CodeChunks(context.Background(), p, rel)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				if other, ok := seen[c.ID]; ok && other != root+"/"+rel {
					t.Errorf("chunk id %d is in %s and in %s/%s", c.ID, other, root, rel)
				}
				seen[c.ID] = root + "/" + rel
			}
		}
		hits, err := s.SearchCode(context.Background(), p, "lookupUser", 10)
		if err != nil || len(hits) == 0 {
			t.Errorf("%s: search lookupUser: %d hits, %v", root, len(hits), err)
		}
	}
	if len(seen) == 0 {
		t.Fatal("no chunks")
	}
}

// TestNarrowRunKeepsRanks: the ranks are recomputed once 2 % of the
// project's files changed, however narrow the runs that changed them: a
// run of one file of a project of 60 does not rank the whole graph again.
func TestNarrowRunKeepsRanks(t *testing.T) {
	files := map[string]string{}
	for i := range 60 {
		files[fmt.Sprintf("p/f%02d.go", i)] = fmt.Sprintf("package p\n\nfunc F%d() { F%d() }\n", i, (i+1)%60)
	}
	root := writeTree(t, files)
	ix, _ := newIndexer(t, dbtest.Open(t))
	if sum := index(t, ix, root, Options{}); !sum.Ranked {
		t.Fatalf("first run: %+v", sum)
	}
	writeFile(t, root, "p/f07.go", "package p\n\nfunc F7() { F8(); F9() }\n")
	if sum := index(t, ix, root, Options{Under: "p/f07.go"}); sum.Changed != 1 || sum.Ranked {
		t.Fatalf("one file of 60 changed: %+v; want it indexed, the ranks kept", sum)
	}
	writeFile(t, root, "p/f08.go", "package p\n\nfunc F8() {}\n")
	if sum := index(t, ix, root, Options{Under: "p"}); sum.Changed != 1 || !sum.Ranked {
		t.Fatalf("a second file of 60 changed: %+v; want the ranks computed again (2 %% of 60 is 1.2)", sum)
	}
}
