package search

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
)

// statusGo declares its names in groups whose chunk names show at most
// four of them.
const statusGo = `package http

// Status codes.
const (
	StatusContinue           = 100
	StatusSwitchingProtocols = 101
	StatusProcessing         = 102
	StatusEarlyHints         = 103
	StatusOK                 = 200
)

// Write writes a status line to the response writer.
func Write(w Writer, code int) { w.Write(code) }

// Writer writes responses.
type Writer interface{ Write(code int) }
`

const mainGo = `package main

const (
	A = iota
	B
)

func main() { println(A, B) }
`

// TestSearchGroupMembers: a name declared in a Go const/var group finds
// the group first, as the chunk named as the query, whether typed bare or
// qualified by its package, one letter long or not; another package's
// name finds nothing.
func TestSearchGroupMembers(t *testing.T) {
	s, p, _ := setupFiles(t, map[string]string{"http/status.go": statusGo, "main.go": mainGo}, index.Config{})
	sr := New(Config{Store: s})
	group := "http.{StatusContinue,StatusSwitchingProtocols,StatusProcessing,StatusEarlyHints,…}"
	for query, want := range map[string]string{
		"StatusOK": group, "http.StatusOK": group, "StatusContinue": group,
		"A": "main.{A,B}", "main.B": "main.{A,B}", "B": "main.{A,B}",
	} {
		res, err := sr.Search(context.Background(), p.ID, query, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Name != want || !res.Hits[0].Exact {
			t.Errorf("%q: hits %q; want %s first, named as the query", query, names(res.Hits), want)
		}
	}
	for _, query := range []string{"main.StatusOK", "http.B"} {
		res, err := sr.Search(context.Background(), p.ID, query, 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if h.Exact {
				t.Errorf("%q: %s found as named so", query, h.Name)
			}
		}
	}

	// The words of every member are name words: a word of a name the
	// group's display name leaves out ranks it as a name match.
	res, err := sr.Search(context.Background(), p.ID, "status ok", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].Name != group || !strings.Contains(strings.Join(res.Hits[0].Members, " "), "StatusOK") {
		t.Errorf("status ok: hits %q; want %s first, with its members", names(res.Hits), group)
	}
}
