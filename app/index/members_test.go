package index

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestTermsOfMembers: a const/var group's name words hold the words of
// every name it declares, with their parts, and its one-letter names,
// which no other name's words hold.
func TestTermsOfMembers(t *testing.T) {
	tm := newTerms()
	got := tm.nameAndMembers("http.{_,A,StatusOK,errBad}", []string{"A", "StatusOK", "errBad", "x_y"})
	if want := "http StatusOK Status OK errBad err Bad A x_y"; got != want {
		t.Errorf("name and members: %q, want %q", got, want)
	}
	if got, want := tm.nameAndMembers("p.F", nil), tm.name("p.F"); got != want {
		t.Errorf("no members: %q, want the name's words %q", got, want)
	}
}

// TestIndexGroupMembers: the index keeps a group's members in its row,
// and its full-text name holds them, so that a name search for a member
// the chunk's name leaves out finds it; also when a second project's file
// of the same content takes its chunks from the store's cache.
func TestIndexGroupMembers(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	src := "package p\n\nconst (\n\tA = iota\n\tB\n\tC\n\tD\n\tHiddenName\n)\n"
	for i := range 2 {
		root := t.TempDir()
		if err := os.WriteFile(filepath.Join(root, "p.go"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		sum, err := New(Config{Store: s}).Index(ctx, root, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 && sum.Cached != 1 {
			t.Errorf("second project: %d files from the cache, want 1", sum.Cached)
		}
		p, _, err := s.FindCodeProject(ctx, root)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := s.CodeChunks(ctx, p.ID, "p.go")
		if err != nil || len(cs) != 2 || cs[1].Name != "p.{A,B,C,D,…}" || len(cs[1].Members) != 5 || cs[1].Members[4] != "HiddenName" {
			t.Errorf("project %d: chunks %+v, %v; want p.{A,B,C,D,…} with its 5 members", i, cs, err)
		}
		hits, err := s.SearchCode(ctx, p.ID, `name : "hiddenname"`, 5)
		if err != nil || len(hits) != 1 {
			t.Errorf("project %d: name search for a member: %d hits, %v; want the group", i, len(hits), err)
		}
	}
}
