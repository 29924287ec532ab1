package index

import (
	"context"
	"path"
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// importProject is a module with two packages named proto, a package
// named http of its own beside a use of net/http's, and one named rand
// beside a use of math/rand/v2's: each file's refs name the package its
// imports give.
func importProject() map[string]string {
	return map[string]string{
		"go.mod": "module example.com/m\n",
		"cluster/proto/p.go": `package proto

type Command struct{}

const (
	CommandA = iota
	Other
)
`,
		"command/proto/p.go": `package proto

type Command struct{}

const (
	CommandA = iota
	CommandB
)
`,
		"cmd/cli/http/client.go": "package http\n\ntype Client struct{}\n",
		"internal/rand/rand.go":  "package rand\n\nfunc N(n int) int { return n }\n",
		"store/store.go": `package store

import (
	"math/rand/v2"
	"net/http"

	"example.com/m/command/proto"
)

func Apply(c *proto.Command) int {
	var cl http.Client
	_ = cl
	return proto.CommandA + rand.N(3)
}
`,
		"cluster/join.go": `package cluster

import (
	"example.com/m/cluster/proto"
	"example.com/m/internal/rand"
)

func Join(c *proto.Command) int { return proto.CommandA + rand.N(2) }
`,
	}
}

// TestImportEdges: a Go ref to an imported package's name links only the
// package the file's import path names, forwards, backwards and in the
// ranks' graph (which agrees with the view).
func TestImportEdges(t *testing.T) {
	s, p, g, rows := indexedGraph(t, importProject())
	ctx := context.Background()
	for _, c := range []struct {
		name, dir string
		want      []string
	}{
		{"store.Apply", "store", []string{"proto.Command (command/proto)", "proto.{CommandA,CommandB} (command/proto)"}},
		{"cluster.Join", "cluster", []string{"proto.Command (cluster/proto)", "proto.{CommandA,Other} (cluster/proto)", "rand.N (internal/rand)"}},
	} {
		if got := placed(s.CodeCallees(ctx, chunkIn(t, s, p, c.name, c.dir).ID)); !slices.Equal(got, c.want) {
			t.Errorf("callees of %s:\n%q\nwant\n%q", c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		name, dir string
		want      []string
	}{
		{"proto.Command", "command/proto", []string{"store.Apply (store)"}},
		{"proto.Command", "cluster/proto", []string{"cluster.Join (cluster)"}},
		{"proto.{CommandA,CommandB}", "command/proto", []string{"store.Apply (store)"}},
		{"proto.{CommandA,Other}", "cluster/proto", []string{"cluster.Join (cluster)"}},
		{"http.Client", "cmd/cli/http", nil},
		{"rand.N", "internal/rand", []string{"cluster.Join (cluster)"}},
	} {
		if got := placed(s.CodeCallers(ctx, chunkIn(t, s, p, c.name, c.dir).ID)); !slices.Equal(got, c.want) {
			t.Errorf("callers of %s in %s: %q, want %q", c.name, c.dir, got, c.want)
		}
	}
	want := []string{
		"cluster.Join -> proto.Command", "cluster.Join -> proto.{CommandA,Other}", "cluster.Join -> rand.N",
		"store.Apply -> proto.Command", "store.Apply -> proto.{CommandA,CommandB}",
	}
	if got := edgesMatchView(t, s, p, g, graphMembers(g, rows)); !slices.Equal(got, want) {
		t.Errorf("edges: %q, want %q", got, want)
	}
}

// TestImportRanks: the ranks, computed from the chunks the first run
// wrote and then from the store, count no edge from a use of net/http's
// Client to the project's own http.Client: it ranks as its unused
// neighbour does.
func TestImportRanks(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	files := importProject()
	files["cmd/cli/http/client.go"] = "package http\n\ntype Client struct{}\n\ntype Unused struct{}\n"
	root := writeTree(t, files)
	ix, _ := newIndexer(t, s)
	if sum := index(t, ix, root, Options{}); !sum.Ranked {
		t.Fatalf("first run did not rank: %+v", sum)
	}
	p := mustProject(t, s, root)
	check := func(when string) {
		t.Helper()
		ranks, err := s.CodeRanks(ctx, p, []string{"http.Client", "http.Unused"})
		if err != nil || ranks["http.Client"] != ranks["http.Unused"] {
			t.Errorf("%s: ranks %v, %v; want http.Client's equal to http.Unused's", when, ranks, err)
		}
	}
	check("first run")
	writeFile(t, root, "store/store.go", files["store/store.go"]+"\n// edited\n")
	touch(t, root, "store/store.go")
	if _, err := s.Execute(ctx, db.Stmt(`DELETE FROM code_rank WHERE project = ?`, p)); err != nil {
		t.Fatal(err)
	}
	if sum := index(t, ix, root, Options{}); !sum.Ranked || sum.Unchanged == 0 {
		t.Fatalf("second run: %+v; want ranks read from the store", sum)
	}
	check("ranks from the store")
}

// aliasProject has two packages named proto and one named http of its
// own; server/cli.go reaches command/proto and http through renamed
// imports, server/both.go imports both protos, one renamed, and
// server/server.go cluster/proto and net/http by their names.
func aliasProject() map[string]string {
	return map[string]string{
		"go.mod":             "module example.com/gp\n",
		"cluster/proto/p.go": "package proto\n\ntype Command struct{}\n\nfunc Encode(v any) []byte { return nil }\n",
		"command/proto/p.go": "package proto\n\ntype Command struct{}\n\nfunc Encode(v any) []byte { return nil }\n",
		"http/http.go":       "package http\n\ntype Client struct{}\n\nfunc (c *Client) Get(u string) {}\n",
		"server/schedule.go": "package server\n\nfunc scheduleRunner() {}\n",
		"server/server.go": `package server

import (
	"net/http"

	"example.com/gp/cluster/proto"
)

func Shutdown(c *http.Client) []byte { return proto.Encode(proto.Command{}) }
`,
		"server/cli.go": `package server

import (
	cp "example.com/gp/command/proto"
	ourhttp "example.com/gp/http"
)

func RunCLI() {
	cp.Encode(cp.Command{})
	(&ourhttp.Client{}).Get("u")
	scheduleRunner()
}
`,
		"server/both.go": `package server

import (
	cp "example.com/gp/command/proto"
	"example.com/gp/cluster/proto"
)

func Both() { cp.Encode(proto.Command{}) }
`,
	}
}

// TestAliasedImportEdges: a call through a renamed import links the
// package its path names, in the view and in the ranks' graph alike; a
// renamed import whose package's name another import of its file takes
// links nothing rather than the wrong package.
func TestAliasedImportEdges(t *testing.T) {
	s, p, g, rows := indexedGraph(t, aliasProject())
	want := []string{
		"http.(*Client).Get -> http.Client",
		"server.Both -> proto.Command", // cluster/proto's: the unnamed import's
		"server.RunCLI -> http.Client", "server.RunCLI -> proto.Command", "server.RunCLI -> proto.Encode",
		"server.RunCLI -> server.scheduleRunner",
		"server.Shutdown -> proto.Command", "server.Shutdown -> proto.Encode",
	}
	if got := edgesMatchView(t, s, p, g, graphMembers(g, rows)); !slices.Equal(got, want) {
		t.Errorf("edges:\n%q\nwant\n%q", got, want)
	}
	ctx := context.Background()
	callees := func(name string) []string {
		t.Helper()
		cs, err := s.CodeChunksNamed(ctx, p, name)
		if err != nil || len(cs) != 1 {
			t.Fatalf("%s: %+v, %v", name, cs, err)
		}
		out := chunkDirs(s.CodeCallees(ctx, cs[0].ID))
		return out
	}
	for name, want := range map[string][]string{
		"server.RunCLI":   {"http.Client (http)", "proto.Command (command/proto)", "proto.Encode (command/proto)", "server.scheduleRunner (server)"},
		"server.Shutdown": {"proto.Command (cluster/proto)", "proto.Encode (cluster/proto)"},
		"server.Both":     {"proto.Command (cluster/proto)"},
	} {
		if got := callees(name); !slices.Equal(got, want) {
			t.Errorf("callees of %s: %q, want %q", name, got, want)
		}
	}
}

// chunkDirs lists chunks as name (directory), sorted.
func chunkDirs(cs []db.CodeChunk, err error) []string {
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	var out []string
	for _, c := range cs {
		out = append(out, c.Name+" ("+path.Dir(c.Path)+")")
	}
	slices.Sort(out)
	return out
}
