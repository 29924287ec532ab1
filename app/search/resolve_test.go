package search

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
)

// bigGo declares a type over the chunker's piece size, which the index
// holds as p.Big#1, p.Big#2, and methods with both kinds of receiver.
func bigGo() string {
	var b strings.Builder
	b.WriteString("package p\n\n// Big is the config.\ntype Big struct {\n")
	for i := range 300 {
		fmt.Fprintf(&b, "\t// Field%d configures thing %d of the widget.\n\tField%d int\n", i, i, i)
	}
	b.WriteString("}\n\n// Serve serves.\nfunc (b *Big) Serve() error { return nil }\n\n// Name names.\nfunc (b Big) Name() string { return \"\" }\n")
	for i := range 70 {
		fmt.Fprintf(&b, "func bigHelper%d(b *Big) int { return b.Field%d }\n", i, i)
	}
	return b.String()
}

// TestSearchNamesAsTyped: a unit split in pieces is found by its name
// (its first piece), and a method by the name go doc gives it (p.Big.Serve
// for p.(*Big).Serve); each comes first, as the chunk named as the query.
func TestSearchNamesAsTyped(t *testing.T) {
	s, p, _ := setupFiles(t, map[string]string{"p/p.go": bigGo()}, index.Config{})
	sr := New(Config{Store: s})
	for query, want := range map[string]string{
		"p.Big": "p.Big#1", "Big": "p.Big#1",
		"p.Big.Serve": "p.(*Big).Serve", "Big.Serve": "p.(*Big).Serve",
		"p.Big.Name": "p.Big.Name",
	} {
		res, err := sr.Search(context.Background(), p.ID, query, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Name != want || !res.Hits[0].Exact {
			t.Errorf("%q: hits %q; want %s first, named as the query", query, names(res.Hits), want)
		}
	}
}

// TestSearchLimitAboveCandidates: -n N larger than the candidates a search
// usually ranks gets N hits when that many chunks match.
func TestSearchLimitAboveCandidates(t *testing.T) {
	var b strings.Builder
	b.WriteString("package w\n")
	for i := range 100 {
		fmt.Fprintf(&b, "// F%d makes a widget.\nfunc F%d() {}\n", i, i)
	}
	s, p, _ := setupFiles(t, map[string]string{"w.go": b.String()}, index.Config{})
	res, err := New(Config{Store: s}).Search(context.Background(), p.ID, "widget", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 100 {
		t.Fatalf("-n 100 over 100 matching chunks: %d hits", len(res.Hits))
	}
}

func TestPointerMethod(t *testing.T) {
	for sym, want := range map[string]string{
		"http.Server.Serve": "http.(*Server).Serve", "Server.Serve": "(*Server).Serve",
		"Serve": "", "a.b.c.d": "", "http.(*Server).Serve": "", "MyApp.get_user/1": "",
	} {
		if got := PointerMethod(sym); got != want {
			t.Errorf("PointerMethod(%q) = %q, want %q", sym, got, want)
		}
	}
}
