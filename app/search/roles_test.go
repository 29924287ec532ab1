package search

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
)

// rolesFixture is a Go and Elixir project whose tests and whose code the
// Go tool leaves out hold a question's words better than the code it is
// about.
var rolesFixture = map[string]string{
	"sortx/slice.go": `package sortx

// Slice sorts the slice x given the provided less function.
func Slice(x any, less func(i, j int) bool) {}
`,
	"sortx/example_test.go": `package sortx_test

import "example.com/p/sortx"

// Example sorts a slice with a custom less function: people by age.
func Example() { sortx.Slice(people, func(i, j int) bool { return less(i, j) }) }
`,
	"runtime/mfinal.go": `package runtime

// KeepAlive marks its argument as currently reachable, keeping it alive.
func KeepAlive(x any) {
	if cgoAlwaysFalse {
		println(x)
	}
}

var cgoAlwaysFalse bool
`,
	"cmd/typecheck/_builtin/runtime.go": `package runtime

func KeepAlive(any)
`,
	"internal/sortx/testdata/slice.go": `package sortx

// Slice sorts a slice with a custom less function, as a fixture.
func Slice(x any, less func(i, j int) bool) {}
`,
	"lib/my_file.ex": `defmodule MyFile do
  @doc "Streams the file at path, line by line."
  def stream!(path), do: File.open!(path)
end
`,
	"test/my_file_test.exs": `defmodule MyFileTest do
  use ExUnit.Case

  test "reads a file line by line as a stream" do
    assert MyFile.stream!("a.txt")
  end
end
`,
}

// TestSearchTestsWeighLess: for a question about code, the code comes
// before tests holding more of its words (Go's _test.go, ExUnit tests)
// and before code the Go tool leaves out (_builtin, testdata); a question
// about tests, or naming one, gets the tests; a symbol typed in full
// still gets its definition first.
func TestSearchTestsWeighLess(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, rolesFixture, index.Config{})
	sr := New(Config{Store: s})
	for _, tt := range []struct {
		query     string
		firstPath string
		firstName string
	}{
		{"sort a slice with a custom less function", "sortx/slice.go", "sortx.Slice"},
		{"read a file line by line as a stream", "lib/my_file.ex", "MyFile.stream!/1"},
		{"keep-alive", "runtime/mfinal.go", "runtime.KeepAlive"},
		{"runtime.KeepAlive", "runtime/mfinal.go", "runtime.KeepAlive"},
		{"sortx.Slice", "sortx/slice.go", "sortx.Slice"},
		// About tests: the test holds every word.
		{"example of sorting a slice with a custom less function", "sortx/example_test.go", "sortx_test.Example"},
		{"test reading a file line by line as a stream", "test/my_file_test.exs", `test "reads a file line by line as a stream"`},
		{"sortx_test.Example", "sortx/example_test.go", "sortx_test.Example"},
	} {
		t.Run(tt.query, func(t *testing.T) {
			res, err := sr.Search(ctx, p.ID, tt.query, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 || res.Hits[0].Path != tt.firstPath || res.Hits[0].Name != tt.firstName {
				t.Fatalf("hits %q, want %s (%s) first", places(res.Hits), tt.firstName, tt.firstPath)
			}
		})
	}
}

func places(hits []Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, fmt.Sprintf("%s:%d %s %s %.3f", h.Path, h.StartLine, h.Name, h.Kind, h.Score))
	}
	return out
}

// TestRoles: which chunks are tests and which the Go tool leaves out.
func TestRoles(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, rolesFixture, index.Config{})
	sr := New(Config{Store: s})
	res, err := sr.Search(ctx, p.ID, "slice stream keepalive keep alive reads", 50)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]bool{}
	for _, h := range res.Hits {
		got[h.Path+" "+h.Name] = [2]bool{isTest(h.CodeChunk), leftOut(h.Path)}
	}
	for key, want := range map[string][2]bool{
		"sortx/slice.go sortx.Slice":                                         {false, false},
		"sortx/example_test.go sortx_test.Example":                           {true, false},
		"internal/sortx/testdata/slice.go sortx.Slice":                       {false, true},
		"cmd/typecheck/_builtin/runtime.go runtime.KeepAlive":                {false, true},
		"lib/my_file.ex MyFile.stream!/1":                                    {false, false},
		`test/my_file_test.exs test "reads a file line by line as a stream"`: {true, false},
	} {
		if g, ok := got[key]; !ok || g != want {
			t.Errorf("%s: test, left out %v (found %v), want %v", key, g, ok, want)
		}
	}
}

// TestSearchModuleOnce: an Elixir module and its header chunk, at the
// same line, are listed once: as the module, its header with it.
func TestSearchModuleOnce(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, map[string]string{
		"lib/special.ex": `defmodule MyApp.Special do
  @moduledoc "Special forms of the language: quote, unquote."
  alias MyApp.Other

  def quote_it(x), do: Other.q(x)
end
`,
		"lib/enumerable.ex": `defprotocol MyApp.Enumerable do
  @moduledoc "Enumerates special things."
  def count(e)
end
`,
	}, index.Config{})
	sr := New(Config{Store: s})
	for _, q := range []string{"MyApp.Special", "special forms", "MyApp.Enumerable", "special"} {
		res, err := sr.Search(ctx, p.ID, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, h := range res.Hits {
			at := fmt.Sprintf("%s:%d", h.Path, h.StartLine)
			if seen[at] {
				t.Errorf("%q: %s listed twice: %q", q, at, places(res.Hits))
			}
			seen[at] = true
			if h.StartLine != 1 || q == "special forms" || q == "special" {
				continue // only the header holds these words
			}
			// What it is, honestly: the module, with its header.
			b, _ := json.Marshal(h)
			var got struct {
				Kind   string `json:"kind"`
				Header *struct {
					Kind string `json:"kind"`
					Name string `json:"name"`
				} `json:"header"`
			}
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if !slices.Contains([]string{"module", "protocol"}, got.Kind) || got.Header == nil || got.Header.Kind != "header" {
				t.Errorf("%q: %s is %s with header %+v, want the module with its header", q, at, got.Kind, got.Header)
			}
		}
		if !seen["lib/special.ex:1"] && q != "MyApp.Enumerable" {
			t.Errorf("%q: no hit at lib/special.ex:1: %q", q, places(res.Hits))
		}
	}
}

// TestSearchPartialNames: a name typed in part, whose words the index
// does not hold, finds the names it begins, ranked by how much of the name
// was typed, below a name typed in full.
func TestSearchPartialNames(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, map[string]string{
		"strs/strs.go": `package strs

// TrimSpace returns s without leading and trailing white space.
func TrimSpace(s string) string { return s }

// trimSpaceTab trims spaces and tabs.
func trimSpaceTab(s string) string { return TrimSpace(s) }

// WriteString writes s.
func WriteString(s string) {}
`,
		"api/api.go": `package api

// ChatRequest asks for a chat.
type ChatRequest struct{ Model string }

// Registry holds models.
type Registry struct{}

// Pull fetches a model.
func (r *Registry) Pull(name string) error { return nil }

// Push sends a model.
func (r *Registry) Push(name string) error { return nil }
`,
		"mw/mw.go": `package mw

// Writer writes a chat request: chatReq is the request, chatReq again.
type Writer struct{ chatReq string }

func run() { sched := 1; _ = sched }

// Scheduler schedules runners.
type Scheduler struct{}
`,
		"lib/my_enum.ex": `defmodule MyEnum do
  def reduce(list, fun), do: reduce(list, nil, fun)
  def reduce(list, acc, fun), do: Enum.reduce(list, acc, fun)
  def reduce_while(list, acc, fun), do: reduce(list, acc, fun)
  def drop_list(list, n), do: Enum.drop(list, n)
end
`,
		"lib/my_server.ex": `defmodule MyServer do
  use GenServer
  def start_child(sup, spec), do: DynamicSupervisor.start_child(sup, spec)
end
`,
	}, index.Config{})
	sr := New(Config{Store: s})
	for _, tt := range []struct {
		query string
		first []string // one of
	}{
		{"TrimSpa", []string{"strs.TrimSpace"}},
		{"WriteStr", []string{"strs.WriteString"}},
		{"MyEnum.redu", []string{"MyEnum.reduce/2", "MyEnum.reduce/3"}},
		{"start_chi", []string{"MyServer.start_child/2"}},
		{"MyServ", []string{"MyServer"}},
		// Words the index holds as other names' (a field chatReq, a
		// variable sched) still begin the names typed in part.
		{"ChatReq", []string{"api.ChatRequest"}},
		{"api.ChatReq", []string{"api.ChatRequest"}},
		{"sched", []string{"mw.Scheduler"}},
		{"Registry.Pu", []string{"api.(*Registry).Pull", "api.(*Registry).Push"}},
		{"(*Registry).Pul", []string{"api.(*Registry).Pull"}},
		// Typed in full, as before.
		{"trimSpaceTab", []string{"strs.trimSpaceTab"}},
		{"MyEnum.reduce_while", []string{"MyEnum.reduce_while/3"}},
	} {
		t.Run(tt.query, func(t *testing.T) {
			res, err := sr.Search(ctx, p.ID, tt.query, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 || !slices.Contains(tt.first, res.Hits[0].Name) {
				t.Fatalf("hits %q (forms %q), want %s first", places(res.Hits), res.Forms, tt.first)
			}
		})
	}
}

// TestCompletes: how much of a name a symbol typed in part is.
func TestCompletes(t *testing.T) {
	for _, tt := range []struct {
		name, sym string
		want      float64
	}{
		{"strings.TrimSpace", "TrimSpa", 7.0 / 9},
		{"markdown.trimSpaceTab", "TrimSpa", 7.0 / 12 / 2},
		{"Enum.reduce/3", "Enum.redu", 4.0 / 6},
		{"Enum.reduce/3", "redu", 4.0 / 6},
		{"Enum.reduce_while/3", "Enum.redu", 4.0 / 12},
		{"GenServer", "GenServ", 7.0 / 9},
		{"GenServer.call/3", "GenServ", 0},
		{"p.Big#2", "Bi", 2.0 / 3},
		{"http.(*Server).Serve", "Serv", 4.0 / 5},
		{"Enum.reduce/3", "Enum.", 0},
		{"Enum.reduce/3", "num.redu", 0},
		{"Enum.reduce/3", "", 0},
	} {
		if got := completes(tt.name, tt.sym); got != tt.want {
			t.Errorf("completes(%q, %q) = %v, want %v", tt.name, tt.sym, got, tt.want)
		}
	}
}

// TestSearchCodeNamedAfterModule: code between a module's units (a lone
// @compile line, the comments closing its body) is named after the
// module, a name not its own: a search of the module's name lists the
// module once, not that code beside it; its words still find it.
func TestSearchCodeNamedAfterModule(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, map[string]string{
		"lib/enum.ex": `defmodule MyApp.Enum do
  @moduledoc "Enumerables."

  def map(xs, f), do: for(x <- xs, do: f.(x))

  @compile {:inline, reduce: 3}

  def reduce(xs, acc, f), do: :lists.foldl(f, acc, xs)

  # TODO: lazily reduce streams here.
end
`,
	}, index.Config{})
	sr := New(Config{Store: s})
	for _, q := range []string{"MyApp.Enum", "Enum"} {
		res, err := sr.Search(ctx, p.ID, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if h.Kind == "code" {
				t.Errorf("%q lists the code at %s:%d, named after its module: %q", q, h.Path, h.StartLine, places(res.Hits))
			}
		}
	}
	res, err := sr.Search(ctx, p.ID, "lazily reduce streams", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || res.Hits[0].Kind != "code" {
		t.Errorf("its own words find it first: %q", places(res.Hits))
	}
}
