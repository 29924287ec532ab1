package app

import (
	"cmp"
	"context"
	"slices"

	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/app/search"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// IndexRequest is aiex index: the project at Root, or the part Under it.
type IndexRequest struct {
	Root  string `json:"root"`
	Under string `json:"under,omitempty"`
	Force bool   `json:"force,omitempty"`
}

// IndexResult is what IndexProject did: the index, and the embeddings
// when they are configured.
type IndexResult struct {
	*index.Summary
	Embeddings *search.EmbedStats `json:"embeddings,omitempty"`
	// EmbedError says why embedding stopped (the model is not installed,
	// its server is down): the index itself is complete, and search ranks
	// without embeddings until a later run makes them.
	EmbedError string `json:"embed_error,omitempty"`
}

// IndexProject brings the project's index up to date (changed files
// only, unless Force) and embeds new chunks when [index] embed is set.
// progress, if set, is called as files are analysed.
func (a *App) IndexProject(ctx context.Context, req IndexRequest, progress func(index.Progress)) (*IndexResult, error) {
	sum, err := a.Indexer().Index(ctx, req.Root, index.Options{Under: req.Under, Force: req.Force, Progress: progress})
	if err != nil {
		return nil, err
	}
	res := &IndexResult{Summary: sum}
	// Embeddings, when configured: new chunks only (by content, cluster-wide).
	emb, embedded, err := a.EmbedIndex(ctx, req.Root, nil)
	switch {
	case err != nil && (ctx.Err() != nil || usererr.As(err) != nil):
		return nil, err // cancelled, or the config's mistake
	case err != nil:
		res.EmbedError = embedErrorText(err)
	}
	if embedded {
		res.Embeddings = &emb
	}
	return res, nil
}

// ProjectFiles is a project's files as the index knows them.
type ProjectFiles struct {
	Indexed bool          `json:"indexed"` // a complete index run has been made
	Files   []db.CodeFile `json:"files"`   // sorted by path
}

// Files lists the files of the project rooted at root that the index
// walked (those it skipped say why).
func (a *App) Files(ctx context.Context, root string) (*ProjectFiles, error) {
	p, ok, err := a.codeProject(ctx, root)
	if err != nil || !ok {
		return &ProjectFiles{Files: []db.CodeFile{}}, err
	}
	m, err := a.Store.CodeFiles(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	pf := &ProjectFiles{Indexed: !p.IndexedAt.IsZero(), Files: make([]db.CodeFile, 0, len(m))}
	for _, f := range m {
		pf.Files = append(pf.Files, f)
	}
	slices.SortFunc(pf.Files, func(x, y db.CodeFile) int { return cmp.Compare(x.Path, y.Path) })
	return pf, nil
}
