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
	home, _ := os.UserHomeDir()
	if h, err := filepath.EvalSymlinks(home); err == nil {
		home = h
	}
	outermost := ""
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		}
		up := filepath.Dir(d)
		if up == d {
			break // the filesystem's root: never a project found this way
		}
		if d != home && (exists(filepath.Join(d, "go.mod")) || exists(filepath.Join(d, "go.work")) || exists(filepath.Join(d, "mix.exs"))) {
			outermost = d
		}
		d = up
	}
	if outermost != "" {
		return outermost, nil
	}
	return dir, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
