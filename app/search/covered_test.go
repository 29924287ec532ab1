package search

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/index"
)

func TestNameParts(t *testing.T) {
	for _, tt := range []struct {
		name  string
		parts []string
		qual  int
	}{
		{"http.(*Server).Shutdown", []string{"http", "server", "shutdown"}, 1},
		{"http.(*Server).RegisterOnShutdown", []string{"http", "server", "register", "on", "shutdown"}, 1},
		{"Mix.State.handle_call/3", []string{"mix", "state", "handle", "call"}, 1},
		{"textproto.(*Reader).ReadMIMEHeader", []string{"textproto", "reader", "read", "mime", "header"}, 1},
		{"os.ReadFile", []string{"os", "read", "file"}, 1},
		{"x.T", nil, 0}, // words of one letter are no part
		{"Enum.reduce/3", []string{"enum", "reduce"}, 1},
		{"time.(*Time).UnmarshalJSON", []string{"time", "time", "unmarshal", "json"}, 1},
	} {
		parts, qual := nameParts(tt.name)
		if !cmp.Equal(parts, tt.parts) || qual != tt.qual {
			t.Errorf("nameParts(%q) = %q, %d; want %q, %d", tt.name, parts, qual, tt.parts, tt.qual)
		}
	}
}

func TestCovered(t *testing.T) {
	sq := func(x float64) float64 { return x * x }
	// The question's words, as Search has them: df, the chunks holding
	// each (a rare word weighs more), and their other forms.
	gs := func(ws ...group) []group { return ws }
	g := func(term string, df int64, forms ...string) group {
		return group{term: term, df: df, forms: append([]string{term}, forms...)}
	}
	for _, tt := range []struct {
		query, name, lang string
		gs                []group
		want              float64
		part              bool // the name says more than the question
	}{
		// Every word of the name, and every word of the question.
		{"http server shutdown", "http.(*Server).Shutdown", "go", gs(g("http", 4000), g("server", 2000), g("shutdown", 50)), 1, false},
		// The question holds no "register" nor "on": two of the name's
		// four words (its package aside) are the question's, and the
		// name has that share of the question's cover.
		{"http server shutdown", "http.(*Server).RegisterOnShutdown", "go", gs(g("http", 4000), g("server", 2000), g("shutdown", 50)), 2.0 / 4, true},
		// A Go name's package may be left out, two words remaining...
		{"server shutdown", "http.(*Server).Shutdown", "go", gs(g("server", 2000), g("shutdown", 50)), 1, false},
		// ...but not one.
		{"shutdown", "http.Shutdown", "go", gs(g("shutdown", 50)), 0, false},
		{"shutdown", "shutdown", "go", gs(g("shutdown", 50)), 0, false},
		// The type's word is not the package's: the name says "time",
		// which the question does not.
		{"unmarshal json into a struct", "time.(*Time).UnmarshalJSON", "go", gs(g("unmarshal", 300), g("json", 900), g("struct", 4000)),
			sq((1/math.Sqrt(300)+1/math.Sqrt(900))/(1/math.Sqrt(300)+1/math.Sqrt(900)+1/math.Sqrt(4000))) * 2 / 3, true},
		// A parser's names hold "parser", an agent noun of "parse", and
		// the name's "value" is no word of the question's.
		{"how are floats parsed", "toml.(*parser).valueFloat", "go", gs(group{term: "floats", df: 100, forms: []string{"floats", "float"}}, group{term: "parsed", df: 300, forms: []string{"parsed", "parse"}, agents: []string{"parser"}}),
			sq(formedShare) * 2 / 3, true},
		// An Elixir module is a word of the name like any other.
		{"reduce", "Enum.reduce/3", "elixir", gs(g("reduce", 50)), 0, false},
		{"enum reduce", "Enum.reduce/3", "elixir", gs(g("enum", 900), g("reduce", 100)), 1, false},
		// Forms of the question's words, a little less than the words
		// themselves, and an identifier's parts.
		{"sort slices", "sort.Slice", "go", gs(g("sort", 300), g("slices", 400, "slice")), formedShare * formedShare, false},
		{"sort slice", "sort.Slice", "go", gs(g("sort", 300), g("slice", 400, "slices")), 1, false},
		{"what does handle_call do in Mix.State", "Mix.State.handle_call/3", "elixir",
			gs(g("handle_call", 40), g("mix", 700), g("state", 900)), 1, false},
		// A name that leaves out the question's rarest word is a small
		// part of it: (1/√900 + 1/√2500) / (1/√900 + 1/√2500 + 1/√25),
		// squared.
		{"hash a string with sha256", "crypto.Hash.String", "go", gs(g("hash", 900), g("string", 2500), g("sha256", 25)), sq((1.0/30 + 1.0/50) / (1.0/30 + 1.0/50 + 1.0/5)), false},
	} {
		got, whole := covered(tt.name, tt.lang, heldForms(tt.query, tt.gs, questionWords(tt.query)), tt.gs)
		if diff := got - tt.want; diff > 1e-9 || diff < -1e-9 || got > 0 && whole == tt.part {
			t.Errorf("covered(%q, %q) = %v, %v; want %v, %v", tt.name, tt.query, got, whole, tt.want, !tt.part)
		}
	}
}

// A question in words of its own that are a symbol's name finds that
// symbol first, though a shorter chunk repeats the words more.
func TestSearchNameInWords(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, map[string]string{
		"srv/srv.go": `package srv

// Server serves.
type Server struct{ hooks []func() }

// RegisterOnShutdown registers a function to call on Shutdown of the
// server. The server calls it on shutdown: server shutdown hooks.
func (s *Server) RegisterOnShutdown(f func()) { s.hooks = append(s.hooks, f) }

// Shutdown gracefully stops the server: it closes the listeners, then
// waits for the connections to go idle, then calls the hooks that were
// registered, one by one, each in a goroutine of its own, and returns
// when every connection is closed or the context is done, whichever
// comes first. A closed server does not serve again.
func (s *Server) Shutdown() {
	for _, f := range s.hooks {
		go f()
	}
}
`,
	}, index.Config{})
	res, err := New(Config{Store: s}).Search(ctx, p.ID, "server shutdown", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].Name != "srv.(*Server).Shutdown" {
		t.Fatalf("hits %q; want srv.(*Server).Shutdown first", places(res.Hits))
	}
}

func TestPairs(t *testing.T) {
	gs := []group{{term: "enum", forms: []string{"enum"}}, {term: "reduce", forms: []string{"reduce", "reduces"}}, {term: "map", forms: []string{"map"}}}
	want := `("enum" AND (("reduce" OR "reduces") OR "map")) OR (("reduce" OR "reduces") AND "map")`
	if got := pairs(gs); got != want {
		t.Errorf("pairs = %s\nwant %s", got, want)
	}
}

func TestStopWordsOf(t *testing.T) {
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"errors is", []string{"is"}},
		{"time after func", []string{"after", "func"}},
		{"new request with context", []string{"with"}},
		// At most maxStops, and none in a question of many words.
		{"is it at the end", nil}, // all stop words: the query keeps them
		{"how does the http server handle a request with timeouts", nil},
		{"Enum at", []string{"at"}},
		// The words that ask are none: "is" asks here, as "how" does.
		{"how is a cidr parsed", nil},
		{"how does errors is work", []string{"is"}},
	} {
		kept, asked := withoutQuestion(index.QueryWords(tt.query), questionWords(tt.query))
		got := stopWordsOf(tt.query, kept, asked)
		if !slices.Equal(got, tt.want) {
			t.Errorf("stopWordsOf(%q) = %q, want %q", tt.query, got, tt.want)
		}
	}
}
