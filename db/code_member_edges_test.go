package db_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/db"
)

// memberFiles: a const group of package http, split in two pieces, a
// function of that package using one of its names, one of another
// package using another, and one of a package http in another directory,
// whose own StatusOK the group does not declare.
var memberFiles = map[string][]db.CodeChunk{
	"http/status.go": {
		{Name: "http.{StatusContinue,StatusSwitchingProtocols,StatusProcessing,StatusEarlyHints,…}#1", Kind: "const", StartLine: 3, EndLine: 9,
			StartByte: 10, EndByte: 200, Hash: "s1", Members: []string{"StatusContinue", "StatusSwitchingProtocols", "StatusProcessing", "StatusEarlyHints"}},
		{Name: "http.{StatusContinue,StatusSwitchingProtocols,StatusProcessing,StatusEarlyHints,…}#2", Kind: "const", StartLine: 10, EndLine: 12,
			StartByte: 201, EndByte: 300, Hash: "s2", Members: []string{"StatusOK", "StatusCreated"}},
	},
	"http/server.go": {
		{Name: "http.serve", Kind: "function", StartLine: 3, EndLine: 3, StartByte: 14, EndByte: 60, Hash: "h1", Refs: []string{"http.StatusOK"}},
	},
	"app/app.go": {
		{Name: "app.Handle", Kind: "function", StartLine: 5, EndLine: 5, StartByte: 30, EndByte: 90, Hash: "a1",
			Refs: []string{"http.StatusContinue", "http.StatusOK", "fmt.Println"}},
	},
	"vendor/http/x.go": {
		{Name: "http.other", Kind: "function", StartLine: 3, EndLine: 3, StartByte: 14, EndByte: 60, Hash: "v1", Refs: []string{"http.StatusOK"}},
	},
}

// TestCodeMemberEdgesAfterMigration: on a store whose index was written
// before migration 0017 (no code_members, the old code_edges view), the
// migration applies when the store opens and lists the names the groups
// already indexed declare: the graph resolves refs to them without the
// project being indexed again. CodeCallees and CodeCallers then follow
// refs to a group's names under the package rule of other names.
func TestCodeMemberEdgesAfterMigration(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, dir)
	p, err := s.CodeProject(ctx, "/src/proj")
	if err != nil {
		t.Fatal(err)
	}
	writeChunks(t, s, p, memberFiles)

	// Back to the schema before 0017, with the index as it wrote it.
	src, err := os.ReadFile("migrations/0004_code_index.sql")
	if err != nil {
		t.Fatal(err)
	}
	view := string(src[strings.Index(string(src), "CREATE VIEW code_edges"):])
	var lines []string
	for l := range strings.SplitSeq(view, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			lines = append(lines, l)
		}
	}
	if _, err := s.Execute(ctx, db.Stmt(`DROP VIEW code_edges`), db.Stmt(`DROP VIEW code_name_edges`), db.Stmt(`DROP VIEW code_member_edges`),
		db.Stmt(`DROP TABLE code_members`), db.Stmt(strings.Join(lines, "\n")),
		db.Stmt(`DELETE FROM schema_migrations WHERE version BETWEEN 17 AND 19`)); err != nil {
		t.Fatal(err)
	}
	chunk := func(name string) db.CodeChunk {
		t.Helper()
		cs, err := s.CodeChunksNamed(ctx, p.ID, name)
		if err != nil || len(cs) != 1 {
			t.Fatalf("chunks named %s: %+v, %v", name, cs, err)
		}
		return cs[0]
	}
	if cs, err := s.CodeCallees(ctx, chunk("app.Handle").ID); err != nil || len(cs) != 0 {
		t.Fatalf("before the migration, callees of app.Handle: %v, %v; want none", names(cs), err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}

	s = open(t, dir)
	defer s.Close(ctx)
	if v, err := s.SchemaVersion(ctx); err != nil || v < 17 {
		t.Fatalf("schema version %d, %v; want 17 or later", v, err)
	}
	piece1 := "http/status.go:http.{StatusContinue,StatusSwitchingProtocols,StatusProcessing,StatusEarlyHints,…}#1"
	piece2 := "http/status.go:http.{StatusContinue,StatusSwitchingProtocols,StatusProcessing,StatusEarlyHints,…}#2"
	for _, tt := range []struct {
		name    string
		callees []string
	}{
		{"app.Handle", []string{piece1, piece2}},
		{"http.serve", []string{piece2}},
		{"http.other", nil}, // http.StatusOK of its own directory's package
	} {
		cs, err := s.CodeCallees(ctx, chunk(tt.name).ID)
		if diff := cmp.Diff(tt.callees, names(cs)); err != nil || diff != "" {
			t.Errorf("callees of %s (-want +got):\n%s%v", tt.name, diff, err)
		}
	}
	for _, tt := range []struct {
		piece   string
		callers []string
	}{
		{piece1, []string{"app/app.go:app.Handle"}},
		{piece2, []string{"app/app.go:app.Handle", "http/server.go:http.serve"}},
		{"http/server.go:http.serve", nil},
	} {
		cs, err := s.CodeCallers(ctx, chunk(tt.piece[strings.IndexByte(tt.piece, ':')+1:]).ID)
		if diff := cmp.Diff(tt.callers, names(cs)); err != nil || diff != "" {
			t.Errorf("callers of %s (-want +got):\n%s%v", tt.piece, diff, err)
		}
	}
	rows, err := s.Query(ctx, `SELECT count(*) FROM code_members WHERE project = ?`, p.ID)
	if err != nil || fmt.Sprint(rows.Values) != "[[6]]" {
		t.Errorf("member rows after the migration: %v, %v; want the 6 names", rows.Values, err)
	}
	// For the ranks, the names some chunk refers to.
	ms, err := s.CodeMembers(ctx, p.ID)
	slices.SortFunc(ms, func(a, b db.CodeMember) int { return strings.Compare(a.Name, b.Name) })
	want := []db.CodeMember{{Name: "http.StatusContinue", ChunkID: chunk(piece1[strings.IndexByte(piece1, ':')+1:]).ID},
		{Name: "http.StatusOK", ChunkID: chunk(piece2[strings.IndexByte(piece2, ':')+1:]).ID}}
	if diff := cmp.Diff(want, ms); err != nil || diff != "" {
		t.Errorf("CodeMembers (-want +got):\n%s%v", diff, err)
	}
}
