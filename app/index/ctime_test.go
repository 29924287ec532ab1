package index

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aiex-dev/aiex/db/dbtest"
)

// An edit that keeps the file's size and puts its mtime back (touch -r,
// cp -p, rsync -t, tools that keep mtimes) changes its ctime, which no
// one can set back: the next run, whole or narrowed to the file, reads it
// and search finds the new code, not the old; the run after that reads
// nothing again.
func TestIndexSeesEditWithMtimePutBack(t *testing.T) {
	for _, under := range []string{"", "a.go"} {
		t.Run("under="+under, func(t *testing.T) {
			root := writeTree(t, map[string]string{"a.go": "package a\n\nfunc Old() {}\n", "b.go": "package a\n\nfunc B() {}\n"})
			p := filepath.Join(root, "a.go")
			s := dbtest.Open(t)
			ix, reads := newIndexer(t, s)
			index(t, ix, root, Options{})
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}

			if err := os.WriteFile(p, []byte("package a\n\nfunc New() {}\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
			if fi2, err := os.Stat(p); err != nil || fi2.Size() != fi.Size() || !fi2.ModTime().Equal(fi.ModTime()) {
				t.Fatalf("the edit did not keep the size and mtime: %v", err)
			}
			sum := index(t, ix, root, Options{Under: under})
			if sum.Changed != 1 || sum.Analyzed != 1 || reads.reads()["a.go"] != 2 {
				t.Fatalf("an edit with its mtime put back not seen: %+v, reads %v", sum, reads.reads())
			}
			hits, err := ix.Search(t.Context(), root, "New", 10)
			if err != nil || len(hits) != 1 || hits[0].Name != "a.New" {
				t.Fatalf("search New after the edit: %+v %v", hits, err)
			}
			if hits, err := ix.Search(t.Context(), root, "Old", 10); err != nil || len(hits) != 0 {
				t.Fatalf("search Old after the edit: %+v %v; want nothing", hits, err)
			}

			// Its mtime is a minute old: the ctime recorded with it is
			// trusted at once, as the mtime is (writer.go, racy).
			if sum := index(t, ix, root, Options{Under: under}); sum.Read != 0 {
				t.Fatalf("a file read since was read again: %+v", sum)
			}
		})
	}
}

// A file whose inode changed and whose content did not (chmod, a new
// hard link) is read to see that, not analysed again, and not read by
// the run after.
func TestIndexChmodReadsNotAnalyses(t *testing.T) {
	root := writeTree(t, map[string]string{"a.go": "package a\n\nfunc A() {}\n"})
	s := dbtest.Open(t)
	ix, _ := newIndexer(t, s)
	index(t, ix, root, Options{})
	if sum := index(t, ix, root, Options{}); sum.Read != 0 {
		t.Fatalf("nothing changed: %+v", sum)
	}
	if err := os.Chmod(filepath.Join(root, "a.go"), 0o600); err != nil {
		t.Fatal(err)
	}
	sum := index(t, ix, root, Options{})
	if sum.Read != 1 || sum.Analyzed != 0 || sum.Unchanged != 1 || sum.Changed != 0 {
		t.Fatalf("chmod: %+v; want it read, unchanged", sum)
	}
	if sum := index(t, ix, root, Options{}); sum.Read != 0 {
		t.Fatalf("after chmod: %+v; want nothing read", sum)
	}
}
