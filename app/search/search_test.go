package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// fixture is a small Go project: a store package everyone calls, two
// look-alike helpers of which only one is central, and a test file.
var fixture = map[string]string{
	"store/store.go": `package store

// Open opens the user store.
func Open(path string) *Store { return &Store{path: path} }

// Store keeps users.
type Store struct{ path string }

// LookupUser finds a user by name in the store.
func (s *Store) LookupUser(name string) string { return normalizeName(name) }

func normalizeName(name string) string { return name }
`,
	"api/api.go": `package api

import "example.com/p/store"

func Handle() { store.Open("a"); FormatUserRecord("x"); FormatUserRecord("y") }

func Serve() { FormatUserRecord("z") }

func Other() { FormatUserRecord("w") }

// FormatUserRecord prints a user record for the api.
func FormatUserRecord(r string) string { return r }

// FormatUserEntry prints a user entry for the api.
func FormatUserEntry(r string) string { return r }
`,
	"api/api_test.go": `package api

import "testing"

// TestLookupUserByName checks the user lookup by name.
func TestLookupUserByName(t *testing.T) { _ = "lookup user by name" }
`,
}

func setup(t *testing.T) (*db.Store, db.CodeProject, string) {
	t.Helper()
	return setupFiles(t, fixture, index.Config{})
}

// setupFiles indexes a project of files with cfg (its Store set here); a
// file "symlink:TARGET" is a symlink to TARGET.
func setupFiles(t *testing.T, files map[string]string, cfg index.Config) (*db.Store, db.CodeProject, string) {
	t.Helper()
	ctx := context.Background()
	s := dbtest.Open(t)
	cfg.Store = s
	root := t.TempDir()
	for rel, src := range files {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if to, ok := strings.CutPrefix(src, "symlink:"); ok {
			if err := os.Symlink(to, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root, _ = filepath.EvalSymlinks(root)
	if _, err := index.New(cfg).Index(ctx, root, index.Options{}); err != nil {
		t.Fatal(err)
	}
	p, ok, err := s.FindCodeProject(ctx, root)
	if err != nil || !ok {
		t.Fatalf("project: %v %v", ok, err)
	}
	return s, p, root
}

func names(hits []Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Name)
	}
	return out
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setup(t)
	sr := New(Config{Store: s})
	for _, tt := range []struct {
		query   string
		first   string
		relaxed bool
	}{
		{"store.Open", "store.Open", false},                            // a symbol in full
		{"LookupUser", "store.(*Store).LookupUser", false},             // its last part
		{"lookup user", "store.(*Store).LookupUser", false},            // words; the test named so weighs less
		{"user lookup frobnicate", "store.(*Store).LookupUser", false}, // a word nothing holds is left out
		{"normalize user record", "api.FormatUserRecord", true},        // no chunk holds all three
	} {
		t.Run(tt.query, func(t *testing.T) {
			res, err := sr.Search(ctx, p.ID, tt.query, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 || res.Hits[0].Name != tt.first {
				t.Fatalf("hits %q, want %s first", names(res.Hits), tt.first)
			}
			if res.Relaxed != tt.relaxed {
				t.Errorf("relaxed = %v, want %v", res.Relaxed, tt.relaxed)
			}
			for i := 1; i < len(res.Hits); i++ {
				if res.Hits[i].Score > res.Hits[i-1].Score {
					t.Errorf("hits out of order: %v", res.Hits)
				}
			}
		})
	}
	if res, err := sr.Search(ctx, p.ID, "frobnicate", 5); err != nil || len(res.Hits) != 0 {
		t.Errorf("a word nothing holds: %v, %v", res, err)
	}
	if res, err := sr.Search(ctx, p.ID, "  ", 5); err != nil || len(res.Hits) != 0 {
		t.Errorf("an empty query: %v, %v", res, err)
	}
}

// TestSearchUnicode: accented words are found whatever their case or
// accents (the index folds them: café is held as cafe), and characters
// that separate words (a typographic apostrophe, a no-break space, an
// arrow) separate them in queries too.
func TestSearchUnicode(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, map[string]string{
		"notes.md": "# Notes\n\nThe caf\u00e9 serves a na\u00efve user\u2019s drink \u2192 quickly.\n",
		"a.go":     "package a\n\n// FormatUser prints the user\u00a0record.\nfunc FormatUser() {}\n",
	}, index.Config{})
	sr := New(Config{Store: s})
	for _, tt := range []struct {
		query string
		want  []string // the hits' names, sorted
	}{
		{"na\u00efve", []string{"notes.md"}},
		{"caf\u00e9", []string{"notes.md"}},
		{"NA\u00cfVE", []string{"notes.md"}},
		{"Caf\u00c9 drink", []string{"notes.md"}},
		{"cafe\u0301", []string{"notes.md"}}, // decomposed
		{"naive", []string{"notes.md"}},
		{"user\u2019s", []string{"a.FormatUser", "notes.md"}},
		{"user\u00a0record", []string{"a.FormatUser", "notes.md"}}, // relaxed: notes.md holds user
		{"drink\u2192quickly", []string{"notes.md"}},
	} {
		res, err := sr.Search(ctx, p.ID, tt.query, 10)
		if err != nil {
			t.Errorf("%q: %v", tt.query, err)
			continue
		}
		got := names(res.Hits)
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("search %q: hits %q (terms %q), want %q", tt.query, got, res.Terms, tt.want)
		}
	}
}

// TestCentrality: FormatUserRecord and FormatUserEntry match "format user"
// alike, but four chunks call the first and none the second.
func TestCentrality(t *testing.T) {
	s, p, _ := setup(t)
	res, err := New(Config{Store: s}).Search(context.Background(), p.ID, "prints user", 5)
	if err != nil {
		t.Fatal(err)
	}
	var rec, ent *Hit
	for i := range res.Hits {
		switch res.Hits[i].Name {
		case "api.FormatUserRecord":
			rec = &res.Hits[i]
		case "api.FormatUserEntry":
			ent = &res.Hits[i]
		}
	}
	if rec == nil || ent == nil {
		t.Fatalf("hits %q", names(res.Hits))
	}
	if !(rec.Central > ent.Central && rec.Score > ent.Score) {
		t.Errorf("central %.3f vs %.3f, score %.3f vs %.3f: the called one should win", rec.Central, ent.Central, rec.Score, ent.Score)
	}
}

// TestNamesOnly: a word in more chunks than MaxRanked is looked for in
// names only.
func TestNamesOnly(t *testing.T) {
	s, p, _ := setup(t)
	res, err := New(Config{Store: s, MaxRanked: 1}).Search(context.Background(), p.ID, "user", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.NamesOnly) != 1 || res.NamesOnly[0] != "user" {
		t.Errorf("names only: %q", res.NamesOnly)
	}
	for _, h := range res.Hits {
		if !strings.Contains(strings.ToLower(h.Name), "user") {
			t.Errorf("hit %s does not have user in its name", h.Name)
		}
	}
	if len(res.Hits) < 3 {
		t.Errorf("hits %q", names(res.Hits))
	}
}

// wordEmbedder embeds a text as the counts of a few words: a stand-in for
// a model, deterministic, with known similarities.
type wordEmbedder struct {
	calls int
}

var dims = []string{"record", "entry", "store", "user"}

func (e *wordEmbedder) Embed(_ context.Context, model string, input []string) ([][]float32, error) {
	if model != "words" {
		return nil, fmt.Errorf("model %q not found", model)
	}
	e.calls++
	out := make([][]float32, len(input))
	for i, in := range input {
		v := make([]float32, len(dims))
		for j, d := range dims {
			v[j] = float32(strings.Count(strings.ToLower(in), d))
		}
		out[i] = v
	}
	return out, nil
}

func TestEmbeddings(t *testing.T) {
	ctx := context.Background()
	s, p, root := setup(t)
	emb := &wordEmbedder{}
	sr := New(Config{Store: s, Embedder: emb, EmbedModel: "words", EmbedKey: "fake/words"})

	// Change a file after indexing: its chunks are skipped, not embedded
	// with text they no longer have.
	if err := os.WriteFile(filepath.Join(root, "api/api_test.go"), []byte("package api\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := sr.Embed(ctx, p, "n1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Embedded == 0 || st.Stale != 2 {
		t.Errorf("embed: %+v; want some embedded, 2 stale (the changed file's header and test)", st)
	}
	// A second run has nothing left to embed (the stale one stays).
	calls := emb.calls
	if st, err := sr.Embed(ctx, p, "n1", nil); err != nil || st.Embedded != 0 || emb.calls != calls {
		t.Errorf("second run: %+v, %v, %d calls", st, err, emb.calls-calls)
	}

	// "format entry" ties lexically between the two formatters only on
	// "format"; the embedding of the query is closest to the entry one.
	res, err := sr.Search(ctx, p.ID, "prints user entry", 5)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Embeddings {
		t.Fatal("embeddings not used")
	}
	if res.Hits[0].Name != "api.FormatUserEntry" || res.Hits[0].Semantic != 1 {
		t.Errorf("hits %q (first semantic %.2f)", names(res.Hits), res.Hits[0].Semantic)
	}

	// Another model's embeddings are not this one's.
	other := New(Config{Store: s, Embedder: emb, EmbedModel: "words", EmbedKey: "fake/other"})
	if res, err := other.Search(ctx, p.ID, "prints user entry", 5); err != nil || res.Embeddings {
		t.Errorf("other model: embeddings %v, %v", res.Embeddings, err)
	}
	// A failing embedder (its provider down, refusing) leaves the search
	// ranked without embeddings, saying why and naming the model.
	bad := New(Config{Store: s, Embedder: emb, EmbedModel: "nope", EmbedKey: "fake/words"})
	res, err = bad.Search(ctx, p.ID, "prints user entry", 5)
	if err != nil {
		t.Fatalf("failing embedder: %v", err)
	}
	if res.Embeddings || !strings.Contains(res.EmbedError, "nope") || len(res.Hits) == 0 {
		t.Errorf("failing embedder: embeddings %v, error %q, %d hits", res.Embeddings, res.EmbedError, len(res.Hits))
	}
	for _, h := range res.Hits {
		if h.Semantic != 0 {
			t.Errorf("%s has semantic %.2f without the query's embedding", h.Name, h.Semantic)
		}
	}
	// A search cancelled while the query is embedded is cancelled.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := bad.Search(cctx, p.ID, "prints user entry", 5); err == nil {
		t.Error("a cancelled search returned no error")
	}
}

// TestSearchSameCodeOnce: a symlink to a file of the project is indexed
// under both paths, but the same code (name and content) is listed once,
// at the real file's path; code alike in content under another name is
// another symbol and stays.
func TestSearchSameCodeOnce(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, map[string]string{
		"lib/repo.ex": `defmodule R3.Repo do
  def fetch(id) do
    {:ok, id}
  end

  def other(x), do: fetch(x)
end
`,
		"lib/shared/repo.ex": "symlink:../repo.ex",
		"lib/twin.ex": `defmodule R3.Twin do
  def fetch(id) do
    {:ok, id}
  end
end
`,
	}, index.Config{})
	sr := New(Config{Store: s})
	for _, q := range []string{"R3.Repo.fetch/1", "fetch"} {
		res, err := sr.Search(ctx, p.ID, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range res.Hits {
			got = append(got, h.Path+" "+h.Name)
		}
		n := 0
		for _, g := range got {
			switch g {
			case "lib/repo.ex R3.Repo.fetch/1":
				n++
			case "lib/shared/repo.ex R3.Repo.fetch/1":
				t.Errorf("%q: the link's copy listed: %q", q, got)
			}
		}
		if n != 1 || !slices.Contains(got, "lib/twin.ex R3.Twin.fetch/1") {
			t.Errorf("%q: hits %q; want R3.Repo.fetch/1 once at lib/repo.ex, and R3.Twin.fetch/1", q, got)
		}
	}
}

// TestSearchByDefaults: String.split/2, defined by split/3's default
// argument, finds split/3 as named so.
func TestSearchByDefaults(t *testing.T) {
	s, p, _ := setupFiles(t, map[string]string{"lib/string.ex": `defmodule String do
  def split(string, pattern, options \\ []) do
    {string, pattern, options}
  end

  def splitter(string), do: string
end
`}, index.Config{})
	res, err := New(Config{Store: s}).Search(context.Background(), p.ID, "String.split/2", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].Name != "String.split/3" || !res.Hits[0].Exact {
		t.Errorf("hits %q; want String.split/3 first, named as the query", names(res.Hits))
	}
}

// TestSearchShortNames: a name of one letter, which the full-text index
// holds no word for, is found when typed exactly, qualified or bare.
func TestSearchShortNames(t *testing.T) {
	s, p, _ := setupFiles(t, map[string]string{"p/p.go": `package p

// X is the answer.
const X = 42

// G greets.
func G() string { return "hi" }

// Greeting is longer.
func Greeting() string { return G() }
`}, index.Config{})
	sr := New(Config{Store: s})
	for query, want := range map[string]string{"p.X": "p.X", "X": "p.X", "G": "p.G", "p.G": "p.G"} {
		res, err := sr.Search(context.Background(), p.ID, query, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Name != want || !res.Hits[0].Exact {
			t.Errorf("%q: hits %q; want %s first, named as the query", query, names(res.Hits), want)
		}
		if res.Terms == nil {
			t.Errorf("%q: terms nil; want an empty list", query)
		}
	}
}
