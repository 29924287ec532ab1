package index

import (
	"context"
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/db/dbtest"
)

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

// TestQueryWordsStems: words of prose get their English stem and the
// range of the vocabulary their other forms are in; symbols, names in
// camel case or capitals, and words whose forms share too short a prefix
// are looked for as typed.
func TestQueryWordsStems(t *testing.T) {
	for q, want := range map[string][]QueryWord{
		"Gracefully shut down": {{"gracefully", "grace", "grac"}, {"shut", "shut", "shut"}, {"down", "down", "down"}},
		"retried requests?":    {{"retried", "retri", "retr"}, {"requests", "request", "request"}},
		"hoping the server's":  {{"hoping", "hope", "hop"}, {"server", "server", "server"}},
		"dying":                {{"dying", "", ""}}, // die: the prefix would be d
		"http.Server":          {{"http", "", ""}, {"server", "", ""}},
		"get_users":            {{"get_users", "", ""}},
		"Enum.map/2 maps":      {{"enum", "", ""}, {"map", "", ""}, {"maps", "map", "map"}},
		"ServeHTTP TLS utf8":   {{"servehttp", "", ""}, {"tls", "", ""}, {"utf8", "", ""}},
		`"evicting" entries,`:  {{"evicting", "evict", "evict"}, {"entries", "entri", "entr"}},
		"caf\u00e9s":           {{"cafes", "", ""}}, // not ASCII as typed
	} {
		if got := QueryWords(q); !slices.Equal(got, want) {
			t.Errorf("QueryWords(%q) = %+v, want %+v", q, got, want)
		}
	}
	for a, want := range map[[2]string]string{
		{"shut", "down"}:   "shutdown",
		{"time", "out"}:    "timeout",
		{"http", "server"}: "", // http.Server: a symbol
	} {
		ws := QueryWords(a[0] + " " + a[1])
		if want == "" {
			ws = QueryWords(a[0] + "." + a[1])
		}
		c, ok := Compound(ws[0], ws[1])
		if ok != (want != "") || c.Term != want {
			t.Errorf("Compound(%s, %s) = %q, %v; want %q", a[0], a[1], c.Term, ok, want)
		}
	}
	// The parts of a range other forms can be in: a suffix's first
	// letters, the last letter doubled (errorr…) and the stem's rest
	// (grac: grace).
	for q, want := range map[string][][2]string{
		"errors":      {{"errora", "errorb"}, {"errore", "errorg"}, {"errori", "errorj"}, {"errorl", "errorp"}, {"errorr", "erroru"}, {"errory", "errorz"}},
		"graceful":    {{"graca", "gracb"}, {"gracc", "gracd"}, {"grace", "gracg"}, {"graci", "gracj"}, {"gracl", "gracp"}, {"gracs", "gracu"}, {"gracy", "gracz"}},
		"http.Server": nil,
	} {
		ws := QueryWords(q)
		if got := ws[len(ws)-1].Ranges(); !slices.Equal(got, want) {
			t.Errorf("QueryWords(%q) ranges %q, want %q", q, got, want)
		}
	}
	for term, want := range map[string]string{"graceful": "grace", "retries": "retri", "get_user": "", "utf8": "", "http2": ""} {
		if got := Stem(term); got != want {
			t.Errorf("Stem(%q) = %q, want %q", term, got, want)
		}
	}
}
