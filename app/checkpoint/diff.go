package checkpoint

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
)

// DiffOptions configures Diff.
type DiffOptions struct {
	// Current diffs the checkpoint's "before" contents against the
	// working tree as it is now: everything restoring it would undo,
	// including changes made since. Without it the diff is what the
	// checkpoint's write did (before → after).
	Current bool
}

// FileDiff is the diff of one file.
type FileDiff struct {
	Path   string `json:"path"`
	Kind   string `json:"kind"` // added, deleted, modified, mode, unchanged
	Binary bool   `json:"binary,omitempty"`
	// OldMode and NewMode are the permission bits before and after, when
	// a file that is on both sides changed them (git's "old mode 100644",
	// "new mode 100755" head the unified diff too).
	OldMode string `json:"old_mode,omitempty"`
	NewMode string `json:"new_mode,omitempty"`
	Unified string `json:"unified"` // "" for a binary or unchanged file
}

// DiffResult is a checkpoint's diff.
type DiffResult struct {
	Checkpoint *Checkpoint `json:"checkpoint"`
	Current    bool        `json:"current"`
	Files      []FileDiff  `json:"files"`
}

// Text is the diff as one unified diff, git style ("diff --git" headers).
func (r *DiffResult) Text() string {
	var b strings.Builder
	for _, f := range r.Files {
		if f.Kind == "unchanged" {
			continue
		}
		fmt.Fprintf(&b, "diff --git a/%s b/%s\n", f.Path, f.Path)
		if f.Binary {
			if f.OldMode != "" {
				fmt.Fprintf(&b, "old mode %s\nnew mode %s\n", f.OldMode, f.NewMode)
			}
			fmt.Fprintf(&b, "Binary files differ\n")
			continue
		}
		b.WriteString(f.Unified)
	}
	return b.String()
}

// Diff returns the diff of the checkpoint ref names: what its write did,
// or with Current what has changed in its files since before it.
func (s *Store) Diff(ctx context.Context, ref string, opts DiffOptions) (*DiffResult, error) {
	st, err := s.load(ctx, ref)
	if err != nil {
		return nil, err
	}
	c := info(st.Row, st.Tags, st.Files)
	res := &DiffResult{Checkpoint: c, Current: opts.Current, Files: []FileDiff{}}
	var hashes []string
	for _, f := range c.Files {
		for _, fs := range []*FileState{f.Before, f.After} {
			if fs != nil && (fs == f.Before || !opts.Current) {
				hashes = append(hashes, fs.Hash)
			}
		}
	}
	contents, err := s.contents(ctx, hashes)
	if err != nil {
		return nil, err
	}
	for _, f := range c.Files {
		before, bst := contentOf(contents, f.Before)
		after, ast := contentOf(contents, f.After)
		if opts.Current {
			if after, ast, err = s.current(ctx, f.Path); err != nil {
				return nil, err
			}
		}
		res.Files = append(res.Files, fileDiff(f.Path, before, after, bst, ast))
	}
	return res, nil
}

func contentOf(contents map[string][]byte, st *FileState) ([]byte, *FileState) {
	if st == nil {
		return nil, nil
	}
	return contents[st.Hash], st
}

// fileDiff is the diff of one file from (before, bst) to (after, ast); a
// nil state is an absent file.
func fileDiff(p string, before, after []byte, bst, ast *FileState) FileDiff {
	fc := FileChanged{Path: p, Before: bst, After: ast}
	d := FileDiff{Path: p, Kind: fc.Kind()}
	if bst == nil && ast == nil || bst != nil && ast != nil && *bst == *ast {
		d.Kind = "unchanged"
		return d
	}
	var modes string
	if bst != nil && ast != nil && bst.Mode != ast.Mode {
		d.OldMode, d.NewMode = gitMode(bst.Mode), gitMode(ast.Mode)
		modes = fmt.Sprintf("old mode %s\nnew mode %s\n", d.OldMode, d.NewMode)
	}
	if d.Kind == "mode" {
		d.Kind, d.Unified = "mode", modes
		return d
	}
	if isBinary(before) || isBinary(after) {
		d.Binary = true
		return d
	}
	aName, bName := "a/"+p, "b/"+p
	if bst == nil {
		aName = "/dev/null"
	}
	if ast == nil {
		bName = "/dev/null"
	}
	d.Unified = unified(before, after, aName, bName)
	if d.Unified == "" { // an empty file created or deleted
		d.Unified = fmt.Sprintf("--- %s\n+++ %s\n", aName, bName)
	}
	d.Unified = modes + d.Unified
	return d
}

// gitMode is a regular file's mode as git writes it: 100644.
func gitMode(m fs.FileMode) string { return fmt.Sprintf("100%03o", m.Perm()) }
