package search

import (
	"context"
	"os"
	"path/filepath"
)

// projectFiles reads what one search needs of the project's files, each
// at most once: the project's root (for links), and the text of the hits
// that a weighing reads (thinLists, coverage), checked against the index
// as the embedder checks it (chunkBytes).
type projectFiles struct {
	ctx     context.Context
	s       *Searcher
	project int64
	root    string
	looked  bool
	srcs    map[string][]byte
}

func (s *Searcher) files(ctx context.Context, project int64) *projectFiles {
	return &projectFiles{ctx: ctx, s: s, project: project, srcs: map[string][]byte{}}
}

// Root is the project's root, "" when the store does not know it.
func (f *projectFiles) Root() string {
	if !f.looked {
		f.looked = true
		f.root, _ = f.s.cfg.Store.CodeProjectRoot(f.ctx, f.project) // unknown: ""
	}
	return f.root
}

// text is h's text in its file as it is now; ok is false when the root
// is unknown or the file no longer holds it (changed since indexed).
func (f *projectFiles) text(h *Hit) (text []byte, ok bool) {
	root := f.Root()
	if root == "" {
		return nil, false
	}
	src, read := f.srcs[h.Path]
	if !read {
		src, _ = os.ReadFile(filepath.Join(root, filepath.FromSlash(h.Path)))
		f.srcs[h.Path] = src
	}
	return chunkBytes(src, h.CodeChunk)
}
