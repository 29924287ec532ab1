package search

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/app/internal/corpora"
)

// letterWords returns n distinct words of letters only (words of prose,
// each of whose other forms are looked for), none of them English.
func letterWords(n int) []string {
	out := make([]string, n)
	for i := range out {
		w := []byte("zq")
		for j := i; ; j /= 26 {
			w = append(w, byte('a'+j%26))
			if j < 26 {
				break
			}
		}
		out[i] = string(w)
	}
	return out
}

// TestSearchLongQuery: a query of more words than SQLite joins in one
// compound SELECT (500) is searched, by its most telling words, and finds
// what its words name.
func TestSearchLongQuery(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setup(t)
	sr := New(Config{Store: s})
	q := strings.Join(letterWords(600), " ") + " lookup user lookup user"
	res, err := sr.Search(ctx, p.ID, q, 5)
	if err != nil {
		t.Fatalf("a query of 600 words: %v", err)
	}
	if len(res.Hits) == 0 || res.Hits[0].Name != "store.(*Store).LookupUser" {
		t.Fatalf("hits %q (terms %q), want store.(*Store).LookupUser first", names(res.Hits), res.Terms)
	}
	if len(res.Terms) > maxWords || res.LeftOut != 602-len(res.Terms) {
		t.Errorf("%d terms looked for, %d left out, of 602", len(res.Terms), res.LeftOut)
	}
}

// TestVocabularyManyRanges: the vocabulary is read for more ranges than
// SQLite joins in one compound SELECT (500), with the counts and the last
// word of each range as for a few.
func TestVocabularyManyRanges(t *testing.T) {
	ctx := context.Background()
	s, _, _ := setup(t)
	sr := New(Config{Store: s})
	var q vocabQuery
	for _, w := range letterWords(600) {
		q.ranges = append(q.ranges, [2]string{w, w + "z"})
	}
	q.ranges = append(q.ranges, [2]string{"user", "userz"}, [2]string{"lookup", "lookupz"})
	q.exact = []string{"store", "nothing"}
	df := map[string]int64{}
	last, err := q.read(ctx, sr, 1, df)
	if err != nil {
		t.Fatalf("602 ranges: %v", err)
	}
	if len(last) != 602 || last[600] == "" || last[601] != "lookup" || last[0] != "" {
		t.Errorf("last words %q…%q, want user… and lookup for the last two, none for the others", last[:2], last[600:])
	}
	if df["store"] == 0 || df["lookup"] == 0 || len(df) != 3 {
		t.Errorf("counts %v, want store, lookup and a word beginning with user", df)
	}
}

// TestSearchWholeFile: a whole Go file as the question (`cat transfer.go
// | aiex ask review`) finds that file's code first.
func TestSearchWholeFile(t *testing.T) {
	root, ok := corpora.GoStd()
	if !ok {
		t.Skip("no Go standard library at $(go env GOROOT)/src")
	}
	ctx := context.Background()
	files := map[string]string{}
	for _, f := range []string{"net/http/transfer.go", "net/http/header.go", "bufio/bufio.go", "strings/strings.go"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		files[f] = string(b)
	}
	s, p, _ := setupFiles(t, files, index.Config{})
	sr := New(Config{Store: s})
	res, err := sr.Search(ctx, p.ID, "review\n"+files["net/http/transfer.go"], 10)
	if err != nil {
		t.Fatalf("transfer.go as the question: %v", err)
	}
	if len(res.Hits) < 5 {
		t.Fatalf("%d hits, want 10", len(res.Hits))
	}
	for _, h := range res.Hits[:5] {
		if h.Path != "net/http/transfer.go" {
			t.Errorf("hit %s:%d %s; the first five should be transfer.go's (terms %q)", h.Path, h.StartLine, h.Name, res.Terms)
		}
	}
}

// TestInformativeWords: of a long query, the words it repeats and few
// chunks hold are kept over those every chunk holds and those said once.
func TestInformativeWords(t *testing.T) {
	ctx := context.Background()
	s, _, _ := setup(t)
	sr := New(Config{Store: s})
	// Every word of the fixture's store.go once, FormatUserRecord's words
	// many times, and a lot of words nothing holds.
	q := strings.Repeat("formatuserrecord record ", 5) + "open store users path name normalize " +
		strings.Join(letterWords(100), " ")
	kept, gs, err := sr.informative(ctx, q, index.QueryWords(q))
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) == 0 || kept[0].Term != "formatuserrecord" || len(gs) != len(kept) {
		t.Fatalf("kept %v, want formatuserrecord first (the order of the query)", kept)
	}
	for _, g := range gs {
		if g.df == 0 || strings.HasPrefix(g.term, "zq") {
			t.Errorf("kept %s, held by %d chunks", g.term, g.df)
		}
	}
}
