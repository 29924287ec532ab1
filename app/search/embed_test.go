package search

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
)

// TestEmbedSharedContent: a changed file's chunks are skipped, not the
// other chunks of the same content. Forty files open alike (their header
// chunks share a hash); the first is edited after indexing, so its header
// can no longer be read, and every other chunk must still be embedded.
func TestEmbedSharedContent(t *testing.T) {
	ctx := context.Background()
	files := map[string]string{"b/b.go": "package b\n\n// Record keeps a user record.\nfunc Record() {}\n"}
	for i := range 40 {
		files[fmt.Sprintf("a/a%02d.go", i)] = fmt.Sprintf("package a\n\nfunc F%d() {}\n", i)
	}
	s, p, root := setupFiles(t, files, index.Config{Workers: 1})
	if err := os.WriteFile(filepath.Join(root, "a/a00.go"), []byte("// Package a is edited.\npackage a\n\nfunc F0() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	emb := &wordEmbedder{}
	sr := New(Config{Store: s, Embedder: emb, EmbedModel: "words", EmbedKey: "fake/words"})
	st, err := sr.Embed(ctx, p, "n1", nil)
	if err != nil {
		t.Fatal(err)
	}
	left, err := s.CodeUnembedded(ctx, p.ID, "fake/words", 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range left {
		if c.Path != "a/a00.go" {
			t.Errorf("%s (%s) left unembedded", c.Name, c.Path)
		}
	}
	// The edited file's two chunks are stale; the rest is 39 functions,
	// the header they share (the stale header's content too, so only
	// F0 is left) and b.go's header and function.
	if st.Stale != 2 || st.Embedded != 42 || len(left) != 1 {
		t.Errorf("embed: %+v, %d chunks left; want 42 embedded, 2 stale, 1 left", st, len(left))
	}

	// A second run finds only the stale chunk: it embeds nothing and ends.
	calls := emb.calls
	if st, err := sr.Embed(ctx, p, "n1", nil); err != nil || st.Embedded != 0 || st.Stale != 1 || emb.calls != calls {
		t.Errorf("second run: %+v, %v, %d calls", st, err, emb.calls-calls)
	}
}

// TestEmbedManyStale: more stale chunks than a batch, ahead of all the
// others, are all skipped and the others embedded (the rounds that find
// only stale chunks do not end the run).
func TestEmbedManyStale(t *testing.T) {
	ctx := context.Background()
	files := map[string]string{}
	for i := range 50 {
		files[fmt.Sprintf("a/a%02d.go", i)] = fmt.Sprintf("package a\n\nfunc F%d() {}\n", i)
	}
	for i := range 50 {
		files[fmt.Sprintf("b/b%02d.go", i)] = fmt.Sprintf("package b\n\nfunc G%d() {}\n", i)
	}
	s, p, root := setupFiles(t, files, index.Config{Workers: 1})
	for i := range 50 {
		if err := os.WriteFile(filepath.Join(root, fmt.Sprintf("a/a%02d.go", i)), []byte("package a\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sr := New(Config{Store: s, Embedder: &wordEmbedder{}, EmbedModel: "words", EmbedKey: "fake/words"})
	st, err := sr.Embed(ctx, p, "n1", nil)
	if err != nil {
		t.Fatal(err)
	}
	// a's functions are gone; its header is still the files' first bytes.
	left, err := s.CodeUnembedded(ctx, p.ID, "fake/words", 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range left {
		if filepath.Dir(c.Path) != "a" {
			t.Errorf("%s (%s) left unembedded", c.Name, c.Path)
		}
	}
	if st.Stale != len(left) || st.Stale != 50 || st.Embedded != 52 {
		t.Errorf("embed: %+v, %d chunks left; want 52 embedded, 50 stale and left", st, len(left))
	}
}
