package index

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// statusGroup is the name of memberProject's const group: it shows four
// of the five names the group declares, not StatusOK.
const statusGroup = "http.{StatusContinue,StatusSwitchingProtocols,StatusProcessing,StatusEarlyHints,…}"

// memberProject uses a name a const group declares from the group's
// package, from another package, and from a package of the same name in
// another directory, which has a StatusOK of its own.
func memberProject() map[string]string {
	var big strings.Builder
	big.WriteString("package big\n\nconst (\n")
	for i := range 400 {
		fmt.Fprintf(&big, "\tBig%03d = %d // long enough a line that the group is split\n", i, i)
	}
	big.WriteString(")\n\nfunc Last() int { return Big399 }\n")
	return map[string]string{
		"go.mod": "module example.com/m\n",
		"net/http/status.go": `package http

// Status codes.
const (
	StatusContinue           = 100
	StatusSwitchingProtocols = 101
	StatusProcessing         = 102
	StatusEarlyHints         = 103
	StatusOK                 = 200
)
`,
		"net/http/server.go": "package http\n\nfunc f() int { return StatusOK }\n",
		"app/handler.go":     "package app\n\nimport \"net/http\"\n\nfunc Handle() int { return http.StatusOK }\n",
		"other/http/x.go":    "package http\n\nfunc g() int { return StatusOK }\n",
		"big/big.go":         big.String(),
	}
}

// chunkNamed returns the one chunk of the project named name.
func chunkNamed(t *testing.T, s *db.Store, p int64, name string) db.CodeChunk {
	t.Helper()
	cs, err := s.CodeChunksNamed(context.Background(), p, name)
	if err != nil || len(cs) != 1 {
		t.Fatalf("chunks named %s: %+v, %v; want one", name, cs, err)
	}
	return cs[0]
}

// checkEdges checks the callees and callers of the project's chunks by
// name (callers in name order): each map gives a chunk's name and the
// names it should list; nil for none.
func checkEdges(t *testing.T, s *db.Store, p int64, callees, callers map[string][]string) {
	t.Helper()
	ctx := context.Background()
	for from, want := range callees {
		if got := chunkNames(s.CodeCallees(ctx, chunkNamed(t, s, p, from).ID)); !slices.Equal(got, want) {
			t.Errorf("callees of %s: %q, want %q", from, got, want)
		}
	}
	for to, want := range callers {
		got := chunkNames(s.CodeCallers(ctx, chunkNamed(t, s, p, to).ID))
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("callers of %s: %q, want %q", to, got, want)
		}
	}
}

// indexedProject indexes files into a new store and returns it with the
// project's id.
func indexedProject(t *testing.T, files map[string]string) (*db.Store, int64) {
	t.Helper()
	s := dbtest.Open(t)
	root := writeTree(t, files)
	ix, _ := newIndexer(t, s)
	index(t, ix, root, Options{})
	return s, mustProject(t, s, root)
}

// indexedGraph indexes files into a new store and returns it with the
// project, its graph and its member rows, as the ranks read them.
func indexedGraph(t *testing.T, files map[string]string) (*db.Store, int64, []db.GraphChunk, []db.CodeMember) {
	t.Helper()
	ctx := context.Background()
	s, p := indexedProject(t, files)
	g, err := s.CodeGraph(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.CodeMembers(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	return s, p, g, rows
}

// edgeNames are the edges Edges finds in g, as "from -> to", sorted.
func edgeNames(g []db.GraphChunk, members []Member) []string {
	var out []string
	for _, e := range Edges(g, members...) {
		out = append(out, g[e[0]].Name+" -> "+g[e[1]].Name)
	}
	slices.Sort(out)
	return out
}

// edgesMatchView fails t unless Edges, with members, finds in g the edges
// the code_edges view resolves for project p; it returns the view's.
func edgesMatchView(t *testing.T, s *db.Store, p int64, g []db.GraphChunk, members []Member) []string {
	t.Helper()
	got, want := edgeNames(g, members), viewEdges(t, s, p)
	if !slices.Equal(got, want) {
		t.Errorf("Edges:\n%q\nthe view:\n%q", got, want)
	}
	return want
}

// viewEdges are the project's edges as the code_edges view resolves
// them, as "from -> to", sorted.
func viewEdges(t *testing.T, s *db.Store, p int64) []string {
	t.Helper()
	res, err := s.Query(context.Background(), `SELECT DISTINCT f.name, t.name FROM code_edges AS e
		JOIN code_chunks AS f ON f.id = e.from_id JOIN code_chunks AS t ON t.id = e.to_id WHERE e.project = ?`, p)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range res.Values {
		out = append(out, fmt.Sprintf("%s -> %s", r[0], r[1]))
	}
	slices.Sort(out)
	return out
}

// chunkIn is the chunk named name in the directory dir of project p.
func chunkIn(t *testing.T, s *db.Store, p int64, name, dir string) db.CodeChunk {
	t.Helper()
	cs, err := s.CodeChunksNamed(context.Background(), p, name)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if path.Dir(c.Path) == dir {
			return c
		}
	}
	t.Fatalf("no chunk %s in %s: %+v", name, dir, cs)
	return db.CodeChunk{}
}

// placed lists chunks as name (directory), sorted.
func placed(cs []db.CodeChunk, err error) []string {
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

func chunkNames(cs []db.CodeChunk, err error) []string {
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

// TestMemberEdges: a ref to a name a Go const/var group declares is an
// edge to the group, forwards (CodeCallees) and backwards (CodeCallers),
// with the package rule of other names: StatusOK in package http reaches
// the group of its own directory only. A name of a split group leads to
// the piece that declares it. The ranks count these edges, whether the
// run ranks the chunks it wrote or reads the graph from the store.
func TestMemberEdges(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	root := writeTree(t, memberProject())
	ix, _ := newIndexer(t, s)
	if sum := index(t, ix, root, Options{}); !sum.Ranked {
		t.Fatalf("first run did not rank: %+v", sum)
	}
	p := mustProject(t, s, root)
	group := chunkNamed(t, s, p, statusGroup)

	for _, tt := range []struct {
		from string
		want []string
	}{
		{"http.f", []string{statusGroup}},
		{"app.Handle", []string{statusGroup}},
		{"big.Last", nil}, // set below: the piece declaring Big399
	} {
		if tt.from == "big.Last" {
			cs, err := s.CodeChunks(ctx, p, "big/big.go")
			if err != nil || len(cs) < 3 {
				t.Fatalf("big.go: %d chunks, %v; want the group in pieces", len(cs), err)
			}
			for _, c := range cs {
				if slices.Contains(c.Members, "Big399") {
					tt.want = []string{c.Name}
				}
			}
			if len(tt.want) != 1 || strings.HasSuffix(tt.want[0], "#1") {
				t.Fatalf("big.go's chunks: %v; want Big399 in a later piece", chunkNames(cs, nil))
			}
		}
		got := chunkNames(s.CodeCallees(ctx, chunkNamed(t, s, p, tt.from).ID))
		if !slices.Equal(got, tt.want) {
			t.Errorf("callees of %s: %q, want %q", tt.from, got, tt.want)
		}
	}
	if got := chunkNames(s.CodeCallees(ctx, chunkNamed(t, s, p, "http.g").ID)); len(got) != 0 {
		t.Errorf("callees of http.g in other/http: %q; want none (StatusOK of its own package is not declared there)", got)
	}
	if got, want := chunkNames(s.CodeCallers(ctx, group.ID)), []string{"app.Handle", "http.f"}; !slices.Equal(got, want) {
		t.Errorf("callers of the group: %q, want %q", got, want)
	}

	// Ranked from the chunks the first run wrote: the group, referred to
	// twice, outranks a chunk nobody refers to.
	checkRanks := func(when string) {
		t.Helper()
		ranks, err := s.CodeRanks(ctx, p, []string{statusGroup, "http.g"})
		if err != nil || !(ranks[statusGroup] > 1.5*ranks["http.g"]) {
			t.Errorf("%s: ranks %v, %v; want the group well above http.g", when, ranks, err)
		}
	}
	checkRanks("first run")

	// Ranked from the store: an edit of one file of six is over 2 %.
	writeFile(t, root, "app/handler.go", "package app\n\nimport \"net/http\"\n\nfunc Handle() int { return http.StatusOK + 1 }\n")
	touch(t, root, "app/handler.go")
	if _, err := s.Execute(ctx, db.Stmt(`DELETE FROM code_rank WHERE project = ?`, p)); err != nil {
		t.Fatal(err)
	}
	if sum := index(t, ix, root, Options{}); !sum.Ranked || sum.Unchanged == 0 {
		t.Fatalf("second run: %+v; want ranks read from the store", sum)
	}
	checkRanks("ranks from the store")
}

// TestMemberEdgesMatchView: Edges with the project's code_members rows
// resolves refs exactly as the code_edges view does.
func TestMemberEdgesMatchView(t *testing.T) {
	s, p, g, rows := indexedGraph(t, memberProject())
	if want := edgesMatchView(t, s, p, g, graphMembers(g, rows)); len(want) != 3 {
		t.Errorf("the view's edges: %q; want the 3 refs to groups", want)
	}
}

// TestMembersFollowChunks: code_members holds exactly the names the
// project's group chunks declare, through edits that change a group,
// edits that keep its row, removals and a forced run: no row of a chunk
// that went, none missing.
func TestMembersFollowChunks(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	files := memberProject()
	root := writeTree(t, files)
	ix, _ := newIndexer(t, s)
	index(t, ix, root, Options{})
	p := mustProject(t, s, root)
	check := func(when string, wantRows int) {
		t.Helper()
		for _, q := range []string{
			`SELECT count(*) FROM code_members WHERE chunk_id NOT IN (SELECT id FROM code_chunks)`,
			// What the chunks declare, against what the table holds.
			`SELECT count(*) FROM (SELECT c.project, substr(c.name, 1, instr(c.name, '.')) || m.value, c.id
				FROM code_chunks AS c, json_each(c.meta, '$[12]') AS m
				EXCEPT SELECT project, name, chunk_id FROM code_members)`,
			`SELECT count(*) FROM (SELECT project, name, chunk_id FROM code_members
				EXCEPT SELECT c.project, substr(c.name, 1, instr(c.name, '.')) || m.value, c.id
				FROM code_chunks AS c, json_each(c.meta, '$[12]') AS m)`,
		} {
			rows, err := s.Query(ctx, q)
			if err != nil || len(rows.Values) != 1 || fmt.Sprint(rows.Values[0][0]) != "0" {
				t.Errorf("%s: %s: %v %v", when, q, rows.Values, err)
			}
		}
		rows, err := s.Query(ctx, `SELECT count(*) FROM code_members WHERE project = ?`, p)
		if err != nil || fmt.Sprint(rows.Values) != fmt.Sprintf("[[%d]]", wantRows) {
			t.Errorf("%s: member rows %v, %v; want %d", when, rows.Values, err, wantRows)
		}
	}
	check("first run", 405)

	// The group loses StatusOK: http.f no longer reaches it.
	edit := func(rel, src string) {
		t.Helper()
		writeFile(t, root, rel, src)
		touch(t, root, rel)
		index(t, ix, root, Options{})
	}
	edit("net/http/status.go", strings.Replace(files["net/http/status.go"], "\tStatusOK                 = 200\n", "", 1))
	check("group changed", 404)
	if got := chunkNames(s.CodeCallees(ctx, chunkNamed(t, s, p, "http.f").ID)); len(got) != 0 {
		t.Errorf("callees of http.f after StatusOK went: %q", got)
	}

	// StatusOK comes back, then a declaration above the group shifts it:
	// its row is kept, and so are its members.
	edit("net/http/status.go", files["net/http/status.go"])
	check("group changed back", 405)
	before := chunkNamed(t, s, p, statusGroup)
	edit("net/http/status.go", "package http\n\n// Shifted.\nconst Shift = 1\n"+
		strings.TrimPrefix(files["net/http/status.go"], "package http\n"))
	after := chunkNamed(t, s, p, statusGroup)
	if after.ID != before.ID {
		t.Errorf("the group's row was not kept: id %d, then %d", before.ID, after.ID)
	}
	check("group shifted", 405)
	if got := chunkNames(s.CodeCallees(ctx, chunkNamed(t, s, p, "http.f").ID)); !slices.Equal(got, []string{statusGroup}) {
		t.Errorf("callees of http.f with the group shifted: %q", got)
	}

	if err := os.Remove(filepath.Join(root, "big", "big.go")); err != nil {
		t.Fatal(err)
	}
	index(t, ix, root, Options{})
	check("big.go removed", 5)
	index(t, ix, root, Options{Force: true})
	check("forced run", 5)
}
