package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"

	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/app/search"
	"github.com/aiex-dev/aiex/db"
)

// changedSinceIndexed returns the files of hits, each once in the order
// first hit, whose content is not what the index recorded, or that are
// gone: the lines a hit gives are the index's, and a
// file edited since may have them elsewhere (context reads the file as it
// is, search does not). A file the store cannot say anything of is left
// out; the hits stand either way.
func (a *App) changedSinceIndexed(ctx context.Context, proj db.CodeProject, hits []search.Hit) []string {
	var out []string
	seen := map[string]bool{}
	for _, h := range hits {
		if seen[h.Path] {
			continue
		}
		seen[h.Path] = true
		f, had, err := a.Store.CodeFile(ctx, proj.ID, h.Path)
		if err != nil || !had {
			continue
		}
		if !sameAsIndexed(filepath.Join(proj.Root, filepath.FromSlash(h.Path)), f) {
			out = append(out, h.Path)
		}
	}
	return out
}

// sameAsIndexed reports whether the file at abs is as the index recorded
// f: the same size, and the same modification and change times or, when
// they differ (the index records a file written within its clock's
// resolution as never seen, to read it again; a checkout touches files),
// the same content.
func sameAsIndexed(abs string, f db.CodeFile) bool {
	fi, err := os.Stat(abs)
	switch {
	case err != nil || !fi.Mode().IsRegular() || fi.Size() != f.Size:
		// Not a file now (a FIFO would hold the read below): changed.
		return false
	case fi.ModTime().UnixNano() == f.MtimeNS && index.CtimeNS(fi) == f.CtimeNS:
		// The ctime too: an edit that puts the mtime back changes it.
		return true
	}
	src, err := os.ReadFile(abs)
	if err != nil {
		return false
	}
	sum := sha256.Sum256(src)
	return hex.EncodeToString(sum[:]) == f.ContentHash
}
