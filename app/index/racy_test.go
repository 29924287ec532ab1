package index

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db/dbtest"
)

// A file written again within one tick of the file system's clock keeps
// its size and mtime; a run that read the first version must not take
// the second for it.
func TestIndexSeesWriteWithinOneTick(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "a.go")
	if err := os.WriteFile(p, []byte("package a\n\nfunc Old() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The write's clock tick is the read's: an mtime not older than the
	// read, whatever the time the test takes to get there (a second ahead).
	tick := time.Now().Add(time.Second)
	if err := os.Chtimes(p, tick, tick); err != nil {
		t.Fatal(err)
	}
	s := dbtest.Open(t)
	ix, _ := newIndexer(t, s)
	index(t, ix, root, Options{})

	// The same size, and the mtime the clock's tick gave both writes.
	if err := os.WriteFile(p, []byte("package a\n\nfunc New() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, tick, tick); err != nil {
		t.Fatal(err)
	}
	sum := index(t, ix, root, Options{})
	if sum.Changed != 1 {
		t.Fatalf("second write of a.go not seen: %+v", sum)
	}
	hits, err := s.CodeChunksNamed(t.Context(), mustProject(t, s, root), "a.New")
	if err != nil || len(hits) != 1 {
		t.Fatalf("a.New after the second write: %v %v", hits, err)
	}

	// Once the file is older than the clock's tick, its mtime is trusted.
	ago := time.Now().Add(-time.Minute)
	if err := os.Chtimes(p, ago, ago); err != nil {
		t.Fatal(err)
	}
	index(t, ix, root, Options{})
	if sum := index(t, ix, root, Options{}); sum.Read != 0 {
		t.Fatalf("an old file was read again: %+v", sum)
	}
}

func TestRacy(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 500, time.UTC)
	for _, c := range []struct {
		mtime time.Time
		want  bool
	}{
		{now.Add(-50 * time.Millisecond), true},
		{now.Add(-time.Second), false},
		{now, true},
		{now.Add(time.Hour), true}, // a clock ahead: not to be trusted either
		// A file system stamping whole seconds (FAT: two).
		{now.Truncate(time.Second).Add(-time.Second), true},
		{now.Truncate(time.Second).Add(-3 * time.Second), false},
	} {
		if got := racy(c.mtime.UnixNano(), now); got != c.want {
			t.Errorf("racy(%v, now %v) = %v, want %v", c.mtime, now, got, c.want)
		}
	}
}
