package index

import (
	"fmt"
	"os"
	"path/filepath"
)

// FindRoot returns the root of the project that contains dir:
//   - the nearest directory at or above dir holding a .git entry (a work
//     tree, or a submodule's .git file);
//   - else the outermost directory above it holding a go.mod, a go.work or
//     a mix.exs, below the user's home directory and the filesystem's root:
//     a Go module or workspace (all its modules), or a Mix project (the
//     umbrella, not one of its apps) that is not under git. A command run
//     in its internal/cache or lib/my_app then works on the whole project,
//     as go and mix do;
//   - else dir itself.
//
// dir must be absolute; symlinks are resolved first.
func FindRoot(dir string) (string, error) {
	dir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("index: %w", err)
	}
	if root := NamedRoot(dir); root != "" {
		return root, nil
	}
	return dir, nil
}

// NamedRoot is the root of the project that dir, an absolute path, lies
// in by its names, as FindRoot decides but without following the links
// on dir (so that a caller can tell where a path leads from where it is
// named); "" when no directory at or above dir marks a project.
func NamedRoot(dir string) string {
	home, _ := os.UserHomeDir()
	if h, err := filepath.EvalSymlinks(home); err == nil {
		home = h
	}
	outermost := ""
	for d := dir; ; {
		if exists(filepath.Join(d, ".git")) {
			return d
		}
		up := filepath.Dir(d)
		if up == d {
			return outermost // the filesystem's root: never a project found this way
		}
		if !isDir(d, home) && (exists(filepath.Join(d, "go.mod")) || exists(filepath.Join(d, "go.work")) || exists(filepath.Join(d, "mix.exs"))) {
			outermost = d
		}
		d = up
	}
}

// isDir reports whether d, its links followed, is dir (resolved already);
// never for an empty dir.
func isDir(d, dir string) bool {
	if dir == "" {
		return false
	}
	if d == dir {
		return true
	}
	r, err := filepath.EvalSymlinks(d)
	return err == nil && r == dir
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
