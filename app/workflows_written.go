package app

import (
	"context"
	"path/filepath"

	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/usererr"
)

// maxOneByOne is how many files a write may touch for them to be indexed
// one by one, as aiex index FILE indexes one (a run reads that file's
// rows alone); a write of more brings the whole project's index up to
// date in one run (changed files only), which costs a walk of the
// project but not a run and a rank update per file.
const maxOneByOne = 3

// indexWritten brings the index of the project at root up to date with
// the files a write changed, renamed away or deleted, so that the next
// command can name the code it wrote (aiex context MyApp.Cache.get/1)
// without an aiex index first. A project that has no index yet is left
// without: one file's run would make an index of that file alone. A
// failure is logged, not returned: the files are written, and the next
// aiex index puts the index right.
func (a *App) indexWritten(ctx context.Context, root string, changes []parse.Change) {
	// The write is done: indexing what it wrote finishes too, as the
	// write did, when the request is cancelled.
	ctx = context.WithoutCancel(ctx)
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	if _, ok, err := a.Store.FindCodeProject(ctx, root); err != nil || !ok {
		if err != nil {
			a.logger.Warn("index after write", "root", root, "err", err)
		}
		return
	}
	type written struct {
		path string
		gone bool // deleted, or renamed away
	}
	var paths []written
	for _, c := range changes {
		paths = append(paths, written{c.Path, c.Delete})
		if c.OldPath != "" && c.OldPath != c.Path {
			paths = append(paths, written{c.OldPath, true})
		}
	}
	ix := a.Indexer()
	if len(paths) > maxOneByOne {
		if _, err := ix.Index(ctx, root, index.Options{}); err != nil {
			a.logger.Warn("index after write", "root", root, "err", err)
		}
		return
	}
	for _, p := range paths {
		_, err := ix.Index(ctx, root, index.Options{Under: p.path})
		// A file gone that the index never held (of a kind it does not
		// index) leaves it as it should be.
		if err != nil && !(p.gone && usererr.As(err) != nil) {
			a.logger.Warn("index after write", "root", root, "path", p.path, "err", err)
		}
	}
}
