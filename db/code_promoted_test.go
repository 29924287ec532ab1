package db_test

import (
	"testing"

	"github.com/aiex-dev/aiex/db"
	"github.com/google/go-cmp/cmp"
)

// TestCodeChunksShapes: a type's shape goes into the cache's element after
// imports (null when the chunk has none) and comes back; a chunk without
// either keeps the elements older readers know.
func TestCodeChunksShapes(t *testing.T) {
	in := []db.CodeChunk{
		{Name: "srv.Server", Kind: "type", Refs: []string{"srv.Base"}, Shape: []string{"struct", "Base=*Base", "name"}},
		{Name: "srv", Kind: "header", Refs: []string{"io"}, Imports: map[string]string{"io": "io"}},
		{Name: "srv.f", Kind: "function", Refs: []string{"srv.g"}},
	}
	enc := string(db.EncodeCodeChunks(nil, in))
	want := `[["srv.Server","type","",0,0,0,0,0,"",["srv.Base"],0,0,[],null,["struct","Base=*Base","name"]],` +
		`["srv","header","",0,0,0,0,0,"",["io"],0,0,[],{"io":"io"}],["srv.f","function","",0,0,0,0,0,"",["srv.g"],0,0,[]]]`
	if enc != want {
		t.Errorf("encoded:\n%s\nwant\n%s", enc, want)
	}
	out, err := db.DecodeCodeChunks([]byte(enc))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(in, out); d != "" {
		t.Errorf("decoded (-want +got):\n%s", d)
	}
}
