package index

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// ftsStats is what bm25 and the vocabulary see of the full-text index:
// the averages record (row count and each column's token total), the
// rows' sizes, the vocabulary's counts and each query's hits with their
// bm25.
type ftsStats struct {
	Averages string
	Rows     int64
	Terms    string
	Hits     map[string][]string
}

var ftsStatsQueries = []string{"user", "server", "repo", "get", "customer_", "word7", "word250 OR word3"}

func readFTSStats(t *testing.T, s *db.Store, root string) ftsStats {
	t.Helper()
	ctx := context.Background()
	p := mustProject(t, s, root)
	rows, err := s.Query(ctx, `SELECT (SELECT hex(block) FROM code_fts_data WHERE id = 1), (SELECT count(*) FROM code_fts_docsize),
		(SELECT count(*) || ' terms, ' || sum(doc) || ' docs, ' || sum(cnt) || ' hits' FROM code_fts_terms)`)
	if err != nil || len(rows.Values) != 1 {
		t.Fatalf("fts stats: %v %v", rows.Values, err)
	}
	r := rows.Values[0]
	st := ftsStats{Averages: fmt.Sprint(r[0]), Rows: r[1].(int64), Terms: fmt.Sprint(r[2]), Hits: map[string][]string{}}
	for _, q := range ftsStatsQueries {
		hits, err := s.SearchCode(ctx, p, q, 50)
		if err != nil {
			t.Fatalf("search %q: %v", q, err)
		}
		for _, h := range hits {
			st.Hits[q] = append(st.Hits[q], fmt.Sprintf("%s %.12f", h.Name, h.Rank))
		}
	}
	return st
}

// statsProject is project with a package whose bodies hold hundreds of
// words each: the rows' sizes and the totals take varints of more than
// one byte.
func statsProject() map[string]string {
	files := maps.Clone(project)
	var b strings.Builder
	b.WriteString("package big\n")
	for f := range 60 {
		fmt.Fprintf(&b, "\n// F%d uses", f)
		for w := range 300 {
			fmt.Fprintf(&b, " word%d", (f*7+w)%400)
		}
		fmt.Fprintf(&b, ".\nfunc F%d() {}\n", f)
	}
	files["big/big.go"] = b.String()
	return files
}

// TestIndexFTSStatsAsFresh: whatever rewrote the rows of the full-text
// index — a forced run over an unchanged tree, an edit, a forced run after
// one — bm25 sees what it sees in a store that indexed the tree once: the
// deleted rows leave the row count and the token totals too.
func TestIndexFTSStatsAsFresh(t *testing.T) {
	const edited = `package server

import "fmt"

// Server serves users.
type Server struct{ name string }

// GetUser looks a user up by id.
func (s *Server) GetUser(id int) string { return lookupUser(id) }

func lookupUser(id int) string { return fmt.Sprint("customer_", id) }
`
	tests := []struct {
		name  string
		steps []func(t *testing.T, ix *Indexer, root string)
	}{
		{"force twice", []func(*testing.T, *Indexer, string){
			func(t *testing.T, ix *Indexer, root string) { index(t, ix, root, Options{Force: true}) },
			func(t *testing.T, ix *Indexer, root string) { index(t, ix, root, Options{Force: true}) },
		}},
		{"edit", []func(*testing.T, *Indexer, string){
			func(t *testing.T, ix *Indexer, root string) {
				writeFile(t, root, "server/server.go", edited)
				touch(t, root, "server/server.go")
				if sum := index(t, ix, root, Options{}); sum.Changed != 1 {
					t.Fatalf("edit: %+v", sum)
				}
			},
		}},
		{"edit then force", []func(*testing.T, *Indexer, string){
			func(t *testing.T, ix *Indexer, root string) {
				writeFile(t, root, "server/server.go", edited)
				touch(t, root, "server/server.go")
				if sum := index(t, ix, root, Options{Force: true}); sum.Changed != 6 || sum.Rewritten != 5 {
					t.Fatalf("forced run after the edit: %+v", sum)
				}
			},
			func(t *testing.T, ix *Indexer, root string) { index(t, ix, root, Options{Force: true}) },
		}},
		{"force after drift", []func(*testing.T, *Indexer, string){
			func(t *testing.T, ix *Indexer, root string) {
				// The totals of a store whose deletes left their rows
				// counted: twice the rows and tokens there are.
				_, err := ix.cfg.Store.Execute(context.Background(), db.Stmt(`UPDATE code_fts_data SET block = X'8161837E83A965' WHERE id = 1`))
				if err != nil {
					t.Fatal(err)
				}
				index(t, ix, root, Options{Force: true})
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeTree(t, statsProject())
			s := dbtest.Open(t)
			ix, _ := newIndexer(t, s)
			index(t, ix, root, Options{})
			first := readFTSStats(t, s, root)
			for _, step := range tt.steps {
				step(t, ix, root)
			}
			got := readFTSStats(t, s, root)

			fresh := dbtest.Open(t)
			index(t, New(Config{Store: fresh}), root, Options{})
			want := readFTSStats(t, fresh, root)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("full-text index after the runs (-fresh +got):\n%s", diff)
			}
			if strings.HasPrefix(tt.name, "force") {
				if diff := cmp.Diff(first, got); diff != "" {
					t.Errorf("full-text index after forced runs (-before +after):\n%s", diff)
				}
			}
			edits := strings.HasPrefix(tt.name, "edit")
			if hits := got.Hits["customer_"]; edits != (len(hits) == 1 && strings.HasPrefix(hits[0], "server.lookupUser ")) {
				t.Errorf("search customer_: %v", hits)
			}
		})
	}
}
