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

// TestCodeFilePathsIn checks that a directory's files are its own only:
// not those of its subdirectories, nor of a sibling whose name starts
// with its own (a/ and ab/, a.go), nor another project's.
func TestCodeFilePathsIn(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	p, err := s.CodeProject(ctx, "/src/proj")
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.CodeProject(ctx, "/src/other")
	if err != nil {
		t.Fatal(err)
	}
	writeCodeFiles(t, s, p, "a.go", "a/x.go", "a/y.go", "a/sub/z.go", "a/sub/deeper/w.go", "ab/v.go", "a0.go",
		"README.md", "é/f.go", "é/g/h.go", "zeta.go")
	writeCodeFiles(t, s, other, "a/other.go", "root.go")

	for _, tc := range []struct {
		dir  string
		want []string
	}{
		{"a", []string{"a/x.go", "a/y.go"}},
		{"a/", []string{"a/x.go", "a/y.go"}},
		{"a/sub", []string{"a/sub/z.go"}},
		{"ab", []string{"ab/v.go"}},
		{"é", []string{"é/f.go"}},
		{"", []string{"README.md", "a.go", "a0.go", "zeta.go"}},
		{".", []string{"README.md", "a.go", "a0.go", "zeta.go"}},
		{"none", []string{}},
	} {
		got, err := s.CodeFilePathsIn(ctx, p.ID, tc.dir)
		if err != nil {
			t.Fatalf("CodeFilePathsIn(%q): %v", tc.dir, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("CodeFilePathsIn(%q) (-want +got):\n%s", tc.dir, diff)
		}
	}
}

// TestCodeFilePathsInPlan checks that the query reads a range of
// code_files' primary key, not the project's every row: a run narrowed
// to one file makes it, on every save of an editor.
func TestCodeFilePathsInPlan(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	for _, tc := range []struct{ dir, want string }{
		{"net/http", "USING PRIMARY KEY (project=? AND path>? AND path<?)"},
		{"", "USING PRIMARY KEY (project=?)"},
	} {
		q, args := db.CodeFilePathsInQuery(1, tc.dir)
		plan, err := s.Query(ctx, "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatal(err)
		}
		detail := fmt.Sprint(plan.Values)
		if !strings.Contains(detail, "SEARCH code_files "+tc.want) {
			t.Errorf("dir %q: query plan %s; want a search %s", tc.dir, detail, tc.want)
		}
		if strings.Contains(detail, "TEMP B-TREE") {
			t.Errorf("dir %q: query plan %s sorts; the key is in path order already", tc.dir, detail)
		}
	}
}

// writeCodeFiles records file rows of p as an index run that skipped
// them would: rows without chunks.
func writeCodeFiles(t *testing.T, s *db.Store, p db.CodeProject, paths ...string) {
	t.Helper()
	w := db.CodeWrite{Project: p.ID, Node: s.NodeID(), Now: time.Now(), Analyzer: "test"}
	for _, path := range paths {
		w.Files = append(w.Files, db.CodeFile{Path: path, Size: 1, MtimeNS: 1, Analyzer: "test", Skipped: "binary"})
	}
	stmts, err := w.Statements()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Execute(context.Background(), stmts...); err != nil {
		t.Fatal(err)
	}
}
