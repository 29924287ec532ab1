package index

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/internal/corpora"
)

// TestImportEdgesGoStd: in the Go standard library, where html/template
// and text/template, and math/rand, math/rand/v2 and crypto/rand, share
// their names, net/rpc's template.Must (it imports html/template) links
// html/template's only, and crypto/internal/randutil's rand.Uint64
// (math/rand/v2's) not math/rand's. The packages are copied from the corpus into a
// project of their own: indexing all of it takes seconds.
func TestImportEdgesGoStd(t *testing.T) {
	if os.Getenv("AIEX_CORPORA") != "1" {
		t.Skip("set AIEX_CORPORA=1 to run the corpus tests")
	}
	src, ok := corpora.GoStd()
	if !ok {
		t.Skip("no Go standard library corpus")
	}
	files := map[string]string{}
	for _, dir := range []string{"html/template", "text/template", "net/rpc", "crypto/internal/randutil", "math/rand", "math/rand/v2", "crypto/rand"} {
		entries, err := os.ReadDir(filepath.Join(src, dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
				b, err := os.ReadFile(filepath.Join(src, dir, name))
				if err != nil {
					t.Fatal(err)
				}
				files[dir+"/"+name] = string(b)
			}
		}
	}
	s, p := indexedProject(t, files)
	ctx := context.Background()
	for _, c := range []struct{ from, file, name, dir string }{
		{"rpc.debug", "net/rpc/debug.go", "template.Must", "html/template"},
		{"rpc.debug", "net/rpc/debug.go", "template.New", "html/template"},
		{"randutil.MaybeReadByte", "crypto/internal/randutil/randutil.go", "rand.Uint64", "math/rand/v2"},
	} {
		var id int64
		cs, err := s.CodeChunksNamed(ctx, p, c.from)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range cs {
			if ch.Path == c.file {
				id = ch.ID
			}
		}
		if id == 0 {
			t.Fatalf("no chunk %s in %s: %+v", c.from, c.file, cs)
		}
		callees, err := s.CodeCallees(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var dirs []string
		for _, ch := range callees {
			if ch.Name == c.name {
				dirs = append(dirs, path.Dir(ch.Path))
			}
		}
		if len(dirs) != 1 || dirs[0] != c.dir {
			t.Errorf("%s's %s links %s's, want %s's only", c.from, c.name, dirs, c.dir)
		}
	}
}
