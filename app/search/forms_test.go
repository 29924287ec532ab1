package search

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
)

// formsFixture is a small Go and Elixir project whose words are other
// forms of the words questions about it are asked in.
var formsFixture = map[string]string{
	"server/server.go": `package server

// Server serves connections.
type Server struct{ conns int }

// Shutdown stops the server, graceful: it waits for open connections.
func (s *Server) Shutdown() error { return nil }

// Close stops the server at once.
func (s *Server) Close() error { return nil }

// Retry sends the request again after a failure, up to a limit.
func Retry(req string) error { return nil }

// Timeout is how long a request may take.
const Timeout = 30
`,
	"lib/cache.ex": `defmodule MyApp.Cache do
  @moduledoc "A cache of entries."

  @doc "Evicts the expired entries of the cache."
  def evict_expired(cache), do: cache

  @doc "The user with an id."
  def get_user(id), do: id

  @doc "Every user."
  def get_users, do: []
end
`,
}

// TestSearchWordForms: a question finds code written with other forms of
// its words (gracefully: graceful; retried: Retry) and with two of its
// words as one (shut down: Shutdown; time out: Timeout), in Go and Elixir,
// while symbols are still looked for as typed and come first.
func TestSearchWordForms(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, formsFixture, index.Config{})
	sr := New(Config{Store: s})
	for _, tt := range []struct {
		query string
		first string
		forms map[string][]string // some of Result.Forms
	}{
		{"gracefully shut down", "server.(*Server).Shutdown", map[string][]string{
			"gracefully": {"graceful"}, "shut": {"shutdown"}, "down": {"shutdown"}}},
		{"retried requests", "server.Retry", map[string][]string{
			"retried": {"retry"}, "requests": {"request"}}},
		{"when do requests time out", "server.Timeout", map[string][]string{"time": {"timeout"}}},
		{"evicting expiring entry", "MyApp.Cache.evict_expired/1", map[string][]string{
			"evicting": {"evict"}, "expiring": {"expired"}, "entry": {"entries"}}},
		// Symbols as typed: named so, first.
		{"get_user", "MyApp.Cache.get_user/1", nil},
		{"MyApp.Cache.get_users/0", "MyApp.Cache.get_users/0", nil},
		{"server.(*Server).Close", "server.(*Server).Close", nil},
		{"Shutdown", "server.(*Server).Shutdown", nil},
	} {
		t.Run(tt.query, func(t *testing.T) {
			res, err := sr.Search(ctx, p.ID, tt.query, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 || res.Hits[0].Name != tt.first {
				t.Fatalf("hits %q (terms %q, forms %q), want %s first", names(res.Hits), res.Terms, res.Forms, tt.first)
			}
			for term, want := range tt.forms {
				for _, f := range want {
					if !slices.Contains(res.Forms[term], f) {
						t.Errorf("forms of %s: %q, want %s among them", term, res.Forms[term], f)
					}
				}
			}
		})
	}
}

// TestSearchSymbolsAsTyped: the words of a symbol are not looked for in
// other forms: get_user does not find get_users by its words, nor
// Server.Close chunks holding only closed or closes.
func TestSearchSymbolsAsTyped(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, formsFixture, index.Config{})
	sr := New(Config{Store: s})
	for _, q := range []string{"get_user", "server.(*Server).Close", "Enum.map/2", "ServeHTTP"} {
		res, err := sr.Search(ctx, p.ID, q, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Forms) != 0 {
			t.Errorf("%q: forms %q; a symbol's words are looked for as typed", q, res.Forms)
		}
	}
	// A word of prose is: users finds get_user/1 by its name's part user.
	res, err := sr.Search(ctx, p.ID, "users", 5)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(res.Hits); !slices.Contains(got, "MyApp.Cache.get_user/1") || !slices.Contains(got, "MyApp.Cache.get_users/0") {
		t.Errorf("users: hits %q (forms %q), want get_user/1 and get_users/0", got, res.Forms)
	}
}

// TestSearchWordFormsWideRanges: a word whose range of the vocabulary
// holds more words than are read at first has the same forms found, from
// the parts of the range that can hold them.
func TestSearchWordFormsWideRanges(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, formsFixture, index.Config{})
	whole, narrow := New(Config{Store: s}), New(Config{Store: s})
	narrow.wideRange = 1
	for _, q := range []string{"gracefully shut down", "retried requests", "evicting expiring entry", "when do requests time out"} {
		want, err := whole.Search(ctx, p.ID, q, 5)
		if err != nil {
			t.Fatal(err)
		}
		got, err := narrow.Search(ctx, p.ID, q, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(want.Forms) == 0 || !reflect.DeepEqual(got.Forms, want.Forms) || !slices.Equal(names(got.Hits), names(want.Hits)) {
			t.Errorf("%q: forms %q, hits %q; read whole: %q, %q", q, got.Forms, names(got.Hits), want.Forms, names(want.Hits))
		}
	}
}
