package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestCodeChunksNamedLikeOwnCodeFirst: of the units a bare name names,
// the project's own come before examples, test data, vendored code and
// tests (CodeAside, which the SQL agrees with), the most central of each
// first (code_rank), then the shortest; and CodeChunksNamedLikeCount
// counts them all, however few are asked for, as the lookup keeps them:
// the names in the letter case typed when there are any.
func TestCodeChunksNamedLikeOwnCodeFirst(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	p, err := s.CodeProject(ctx, "/src/kong")
	if err != nil {
		t.Fatal(err)
	}
	unit := func(name string, line int, members ...string) db.CodeChunk {
		kind := "function"
		if len(members) > 0 {
			kind = "const"
		}
		return db.CodeChunk{Name: name, Kind: kind, StartLine: line, EndLine: line, StartByte: 10 * line, EndByte: 10*line + 9,
			Hash: fmt.Sprint(name, line), Members: members}
	}
	files := map[string][]db.CodeChunk{
		"_examples/docker/main.go":   {unit("main.(*CpCmd).Run", 1)},
		"examples/a/main.go":         {unit("main.Run", 1)},
		"example/b.go":               {unit("b.Run", 1)},
		"internal/testdata/t.go":     {unit("t.Run", 1)},
		"vendor/x/y/y.go":            {unit("y.Run", 1)},
		"kong_test.go":               {unit("kong.Run", 2)},
		"test/run_test.exs":          {unit("RunTest.Run", 1)},
		"lib/test/helper.ex":         {unit("Helper.Run", 1)},
		"context.go":                 {unit("kong.(*Context).Run", 1), unit("kong.run", 5)},
		"kong.go":                    {unit("kong.Run", 1)},
		"mapper.go":                  {unit("kong.(*Mapper).Run", 1)},
		"examplesque/e.go":           {unit("e.Run", 1)},
		"lib/app/test_helper.ex":     {unit("App.Run", 1)},
		"groups/g.go":                {unit("g.{Mode,Other}", 1, "Mode", "Other")},
		"groups/testdata/g.go":       {unit("g.{A,Mode}", 1, "A", "Mode")},
		"groups/vendor/h/h.go":       {unit("h.{MODE,B}", 1, "MODE", "B")},
		"lib/elixir/test/kernel.exs": {unit("KernelTest.run/1", 1)},
	}
	writeChunks(t, s, p, files)
	if _, err := s.Execute(ctx, db.CodeRankStmts(p.ID, map[string]float64{"kong.(*Context).Run": 3, "kong.(*Mapper).Run": 2, "kong.Run": 1, "main.(*CpCmd).Run": 9}, time.Now())...); err != nil {
		t.Fatal(err)
	}
	for path := range files {
		lang := "go"
		if strings.Contains(path, ".ex") {
			lang = "elixir"
		}
		want := !strings.HasPrefix(path, "examplesque/") && !strings.HasPrefix(path, "lib/app/") && path != "context.go" && path != "kong.go" &&
			path != "mapper.go" && path != "groups/g.go" && path != "lib/test/helper.ex"
		if path == "lib/test/helper.ex" {
			want = true // an Elixir directory test
		}
		if got := db.CodeAside(path, lang); got != want {
			t.Errorf("CodeAside(%s, %s) = %v; want %v", path, lang, got, want)
		}
	}
	cs, err := s.CodeChunksNamedLike(ctx, p.ID, "Run", 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"context.go:kong.(*Context).Run", "mapper.go:kong.(*Mapper).Run", "kong.go:kong.Run", // by rank
		"examplesque/e.go:e.Run", "lib/app/test_helper.ex:App.Run", // no rank: shortest first
		"main.go", // the rest, beside the project's code, most central first: main.(*CpCmd).Run
	}
	got := names(cs)
	if diff := cmp.Diff(want[:5], got[:5]); diff != "" || got[5] != "_examples/docker/main.go:main.(*CpCmd).Run" {
		t.Errorf("Run (-want +got):\n%s\nall: %q", diff, got)
	}
	for i, c := range cs {
		if aside := db.CodeAside(c.Path, c.Lang); aside != (i >= 5) {
			t.Errorf("%s at %d: aside %v", c.Path, i, aside)
		}
	}
	if n := len(cs); n != 13 {
		t.Errorf("Run: %d chunks; want 13 (not kong.run, nor KernelTest.run/1)", n)
	}
	for _, tt := range []struct {
		suffix string
		want   int
	}{
		{"Run", 13}, {"run", 2}, {"(*Mapper).Run", 1}, {"Mode", 2}, {"mode", 3}, {"g.Mode", 2}, {"Nothing", 0}, {"run/1", 1},
	} {
		n, err := s.CodeChunksNamedLikeCount(ctx, p.ID, tt.suffix)
		if err != nil || n != tt.want {
			t.Errorf("CodeChunksNamedLikeCount(%s) = %d, %v; want %d", tt.suffix, n, err, tt.want)
		}
		if cs, err := s.CodeChunksNamedLike(ctx, p.ID, tt.suffix, 100); err != nil || len(cs) != tt.want {
			t.Errorf("CodeChunksNamedLike(%s): %d chunks, %v; want as many as counted, %d", tt.suffix, len(cs), err, tt.want)
		}
	}
	// Of groups, the project's first.
	if cs, err := s.CodeChunksNamedLike(ctx, p.ID, "Mode", 100); err != nil || len(cs) != 2 || cs[0].Path != "groups/g.go" {
		t.Errorf("Mode: %q, %v; want groups/g.go first", names(cs), err)
	}
}
