package search

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/index"
)

func TestMentions(t *testing.T) {
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"how does Enum.reduce work on maps?", []string{"Enum.reduce"}},
		{"why does `http.(*Server).Shutdown` wait, and what calls Server.Close()?", []string{"http.(*Server).Shutdown", "Server.Close"}},
		{"what calls handle_call in my GenServer (the one in lib/app/server.ex)", []string{"handle_call", "GenServer"}},
		{"is MyApp.Accounts.get_user/1 used.", []string{"MyApp.Accounts.get_user/1"}},
		{"explain main.go and README.md, e.g. for Go 1.26.8 in net/http", nil},
		{"How does the Server handle JSON over HTTP", nil},
		{"does valid?/1 or (Enum.map) or __using__ matter", []string{"valid?/1", "Enum.map"}},
		{"ab.c cd.e ef.g gh.i ij.k", []string{"ab.c", "cd.e", "ef.g", "gh.i"}},
		{"Enum.reduce again Enum.reduce", []string{"Enum.reduce"}},
	} {
		if got := mentions(tt.query); !cmp.Equal(got, tt.want) {
			t.Errorf("mentions(%q) = %q, want %q", tt.query, got, tt.want)
		}
	}
}

func TestMentioned(t *testing.T) {
	for _, tt := range []struct {
		name string
		ms   []string
		want float64
	}{
		{"Enum.reduce/3", []string{"Enum.reduce"}, 1},
		{"Enum.reduce/3", []string{"Enum.reduce/3"}, 1},
		{"Enum.reduce/2", []string{"Enum.reduce/3"}, 0},
		{"http.(*Server).Shutdown", []string{"Server.Shutdown"}, 1},
		{"http.(*Server).Shutdown", []string{"Shutdown"}, 1},
		{"strings.TrimSpace", []string{"GenServer", "TrimSpa"}, 7.0 / 9},
		{"Mix.Tasks.Release", []string{"Enum.reduce"}, 0},
	} {
		if got := mentioned(tt.name, tt.ms); got != tt.want {
			t.Errorf("mentioned(%q, %q) = %v, want %v", tt.name, tt.ms, got, tt.want)
		}
	}
}

// A question naming a symbol finds it first, though a module's long doc
// holds more of the question's words.
func TestSearchMentionedSymbols(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, map[string]string{
		"lib/release.ex": `defmodule MyApp.Release do
  @moduledoc """
  How does a release work? A release holds maps of the work to do and
  reduces them: on maps of apps it works, and reduce works on maps of
  work. Each release work map reduces the maps, and the maps work.
  """
  def run(apps), do: apps
end
`,
		"lib/my_enum.ex": `defmodule MyEnum do
  @doc "Reduces the enumerable."
  def reduce(enumerable, acc, fun), do: fold(enumerable, acc, fun)

  defp fold(list, acc, fun), do: List.foldl(list, acc, fun)

  def map(list, fun), do: for(x <- list, do: fun.(x))
end
`,
		"srv/srv.go": `package srv

// Server serves.
type Server struct{ done chan struct{} }

// Shutdown stops the server and waits for its connections to close
// before it returns.
func (s *Server) Shutdown() { <-s.done }

// waitForConnections waits for the connections of the server to close:
// it waits, and waits again, until every connection of the server closed.
func waitForConnections(s *Server) { s.Shutdown() }
`,
	}, index.Config{})
	sr := New(Config{Store: s})
	for _, tt := range []struct {
		query string
		first []string // one of
	}{
		{"how does MyEnum.reduce work on maps", []string{"MyEnum.reduce/3"}},
		{"why does Server.Shutdown wait for the connections of the server to close", []string{"srv.(*Server).Shutdown"}},
		{"when does reduce/3 work on maps", []string{"MyEnum.reduce/3"}},
	} {
		t.Run(tt.query, func(t *testing.T) {
			res, err := sr.Search(ctx, p.ID, tt.query, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 || !slices.Contains(tt.first, res.Hits[0].Name) {
				t.Fatalf("hits %q, want %s first", places(res.Hits), tt.first)
			}
		})
	}
}
