package app

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/db"
)

// A file edited since it was indexed, keeping its size, with its mtime
// put back (touch -r, cp -p): its hits are flagged as changed.
func TestSameAsIndexedSeesMtimePutBack(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.go")
	old := []byte("package a\n\nfunc Old() {}\n")
	if err := os.WriteFile(p, old, 0o644); err != nil {
		t.Fatal(err)
	}
	ago := time.Now().Add(-time.Minute)
	if err := os.Chtimes(p, ago, ago); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(old)
	f := db.CodeFile{Path: "a.go", ContentHash: hex.EncodeToString(sum[:]), Size: fi.Size(), MtimeNS: fi.ModTime().UnixNano(), CtimeNS: index.CtimeNS(fi)}
	if !sameAsIndexed(p, f) {
		t.Fatal("a file as indexed taken for changed")
	}
	if err := os.WriteFile(p, []byte("package a\n\nfunc New() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, ago, ago); err != nil {
		t.Fatal(err)
	}
	if sameAsIndexed(p, f) {
		t.Fatal("an edit with its mtime put back taken for the indexed file")
	}
}
