package index

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// tokenizer is an FTS5 table with code_fts's tokenizer and a vocabulary
// of its token instances, to see how SQLite itself cuts and folds text.
func tokenizer(t *testing.T) *db.Store {
	t.Helper()
	s := dbtest.Open(t)
	if _, err := s.Execute(context.Background(),
		db.Stmt(`CREATE VIRTUAL TABLE tok USING fts5(x, tokenize = "unicode61 tokenchars '_'")`),
		db.Stmt(`CREATE VIRTUAL TABLE tok_i USING fts5vocab(tok, instance)`)); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWordsAreTokens: every word scan cuts is one token of code_fts's
// tokenizer, and fold folds it as the tokenizer does. It checks each
// character that continues a word, in all of Unicode, between two ASCII
// letters. (Those that start one are letters or private use, never the
// marks the tokenizer keeps only inside a token, so they start one there
// too.) The characters scan takes for separators need no check: a word
// cut finer than the tokenizer would cut it is still one token.
func TestWordsAreTokens(t *testing.T) {
	ctx := context.Background()
	s := tokenizer(t)
	var ranges [][2]rune // of characters wordRune takes
	count := 0
	for r := rune(0x80); r <= utf8.MaxRune; r++ {
		if !wordRune(r) {
			continue
		}
		count++
		if n := len(ranges); n > 0 && ranges[n-1][1] == r-1 {
			ranges[n-1][1] = r
		} else {
			ranges = append(ranges, [2]rune{r, r})
		}
	}
	js, _ := json.Marshal(ranges)
	if _, err := s.Execute(ctx, db.Stmt(`WITH RECURSIVE c(cp, hi) AS (
			SELECT value->>0, value->>1 FROM json_each(?)
			UNION ALL SELECT cp + 1, hi FROM c WHERE cp < hi)
		INSERT INTO tok(rowid, x) SELECT cp, 'x' || char(cp) || 'y' FROM c`, string(js))); err != nil {
		t.Fatal(err)
	}
	rows, err := s.Query(ctx, `SELECT doc, group_concat(term, ' ') FROM tok_i GROUP BY doc`)
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for _, row := range rows.Values {
		r := rune(row[0].(int64))
		got := row[1].(string)
		text := "x" + string(r) + "y"
		var words []string
		scan([]byte(text), func(w []byte) { words = append(words, string(w)) })
		if len(words) != 1 || words[0] != text {
			t.Fatalf("scan(%q) = %q", text, words)
		}
		if want := fold(text); got != want {
			bad++
			if bad < 20 {
				t.Errorf("U+%04X %q: tokens %q, fold %q", r, text, got, want)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d differ", bad, len(rows.Values))
	}
	if len(rows.Values) != count {
		t.Errorf("%d characters, %d rows", count, len(rows.Values))
	}
}

// TestQueryWords: queries are cut where the tokenizer cuts them (a
// typographic apostrophe, a no-break space, an arrow separate words) and
// their words folded as it folds them.
func TestQueryWords(t *testing.T) {
	for q, want := range map[string]string{
		"user\u2019s":          `"user"`, // s is too short to be indexed
		"foo\u00a0bar":         `"foo" "bar"`,
		"ab\u2192cd":           `"ab" "cd"`,
		"read\u2014write":      `"read" "write"`,
		"caf\u00e9 na\u00efve": "\"caf\u00e9\" \"na\u00efve\"",
		"cafe\u0301":           "\"cafe\u0301\"", // decomposed: the accent is part of the word
		"\u0301ab":             `"ab"`,
		"x\xffyz":              `"yz"`, // invalid UTF-8 separates
		"\u65e5\u672c\u8a9e":   "\"\u65e5\u672c\u8a9e\"",
	} {
		if got := MatchQuery(q); got != want {
			t.Errorf("MatchQuery(%q) = %q, want %q", q, got, want)
		}
	}
	for q, want := range map[string][]string{
		"Caf\u00e9 NA\u00cfVE na\u00efve naive":         {"cafe", "naive"},
		"cafe\u0301s":                                   {"cafes"},
		"\u01d8ber \u1ec7":                              {"\u01d8ber", "\u1ec7"},                            // two diacritics: kept
		"\u0439\u043e\u0434 \u03ac\u03bb\u03c6\u03b1":   {"\u0439\u043e\u0434", "\u03ac\u03bb\u03c6\u03b1"}, // not Latin: kept
		"STRA\u1e9eE \u03a3\u03bf\u03c6\u03bf\u03c2":    {"stra\u00dfe", "\u03c3\u03bf\u03c6\u03bf\u03c3"},
		"I\u0307stanbul \u0130zmir \u0131\u015f\u0131k": {"istanbul", "izmir", "\u0131s\u0131k"},
		"the user\u2019s key":                           {"user", "key"},
	} {
		if got := QueryTerms(q); !slices.Equal(got, want) {
			t.Errorf("QueryTerms(%q) = %q, want %q", q, got, want)
		}
	}
}

// TestSearchUnicode: queries holding characters that separate words, or
// accented words, find what the index holds instead of failing.
func TestSearchUnicode(t *testing.T) {
	root := writeTree(t, map[string]string{
		"notes.md": "# Notes\n\nThe caf\u00e9 serves a na\u00efve user\u2019s drink \u2192 quickly.\n",
		"a.go":     "package a\n\n// FormatUser prints the user\u00a0record.\nfunc FormatUser() {}\n",
	})
	ix, _ := newIndexer(t, dbtest.Open(t))
	index(t, ix, root, Options{})
	for _, tt := range []struct {
		query string
		want  []string // the hits' names, sorted
	}{
		{"user\u2019s", []string{"a.FormatUser", "notes.md"}},
		{"user\u00a0record", []string{"a.FormatUser"}},
		{"drink\u2192quickly", []string{"notes.md"}},
		{"NA\u00cfVE caf\u00e9", []string{"notes.md"}},
		{"naive cafe", []string{"notes.md"}},
	} {
		hits, err := ix.Search(context.Background(), root, tt.query, 10)
		if err != nil {
			t.Fatalf("%q: %v", tt.query, err)
		}
		var got []string
		for _, h := range hits {
			got = append(got, h.Name)
		}
		slices.Sort(got)
		if !slices.Equal(got, tt.want) {
			t.Errorf("search %q: got %v, want %v", tt.query, got, tt.want)
		}
	}
}
