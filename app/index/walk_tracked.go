package index

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	gitindex "github.com/go-git/go-git/v5/plumbing/format/index"
)

// trackedPaths are the paths git's index holds for a work tree: the files
// git tracks whatever .gitignore says (added before a rule ignored them, or
// with git add -f). For git they are part of the project: git ls-files
// lists them and git status shows their changes, so the walk lists them too.
type trackedPaths struct {
	// names are the index's paths, slash-separated and sorted bytewise, so
	// that those below a directory d form one run starting at d + "/". A
	// path in conflict is there once per stage.
	names []string
}

// readTracked reads the paths of the git index of the work tree at root:
// .git/index, or the index of the git directory that a .git file names
// (a linked worktree's, a submodule's). A root without .git has none; an
// index go-git cannot read (damaged, or a split or sparse index, whose
// extensions it does not know) is an error.
func readTracked(root string) (t *trackedPaths, err error) {
	file, err := indexFile(root)
	if file == "" || err != nil {
		return &trackedPaths{}, err
	}
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		return &trackedPaths{}, nil // a repository nothing was ever added to
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// A damaged index must not end the walk, even if it finds a case the
	// decoder's checks miss.
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("decode %s: %v", file, r)
		}
	}()
	var idx gitindex.Index
	if err := gitindex.NewDecoder(f).Decode(&idx); err != nil {
		return nil, fmt.Errorf("decode %s: %w", file, err)
	}
	t = &trackedPaths{names: make([]string, 0, len(idx.Entries))}
	for _, e := range idx.Entries {
		// git writes neither empty, "." or ".." names nor absolute ones;
		// one in a damaged index could name a file outside the project.
		if fs.ValidPath(e.Name) {
			t.names = append(t.names, e.Name)
		}
	}
	// git keeps its entries in this order; a sort makes sure of it, at the
	// cost of one pass when they already are.
	if !slices.IsSorted(t.names) {
		slices.Sort(t.names)
	}
	return t, nil
}

// indexFile is the path of the index of the work tree at root: in its .git
// directory, or in the git directory that its .git file names ("gitdir:
// PATH", relative to root unless absolute); "" when root has no .git.
func indexFile(root string) (string, error) {
	dotGit := filepath.Join(root, ".git")
	fi, err := os.Lstat(dotGit)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	case err != nil:
		return "", err
	case fi.IsDir():
		return filepath.Join(dotGit, "index"), nil
	case !fi.Mode().IsRegular():
		return "", fmt.Errorf("%s is neither a directory nor a file", dotGit)
	}
	b, err := os.ReadFile(dotGit)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	dir, ok := strings.CutPrefix(strings.TrimSuffix(line, "\r"), "gitdir: ")
	if !ok || dir == "" {
		return "", fmt.Errorf("%s does not name a git directory (gitdir: PATH)", dotGit)
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, dir)
	}
	return filepath.Join(dir, "index"), nil
}

// has reports whether the index holds the file p.
func (t *trackedPaths) has(p string) bool {
	_, ok := slices.BinarySearch(t.names, p)
	return ok
}

// holds reports whether the index holds a path below the directory dir
// (ending in "/").
func (t *trackedPaths) holds(dir string) bool {
	i, _ := slices.BinarySearch(t.names, dir)
	return i < len(t.names) && strings.HasPrefix(t.names[i], dir)
}

// tracked is the walk's view of the index, read the first time a rule
// ignores a path: a project where nothing is ignored never reads it. An
// index that cannot be read counts as empty (the walk goes on with the
// ignore rules alone) and is logged.
func (w *walker) tracked() *trackedPaths {
	if w.git == nil {
		t, err := readTracked(w.root)
		if err != nil {
			logger := w.logger
			if logger == nil {
				logger = slog.New(slog.DiscardHandler)
			}
			logger.Debug("index: git index not read; ignored files it tracks are left out", "root", w.root, "err", err)
			t = &trackedPaths{}
		}
		w.git = t
	}
	return w.git
}
