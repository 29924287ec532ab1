// Package within tells whether a file, its symlinks followed, lies inside
// a project. A project cloned from elsewhere may hold a symlink to a file
// outside it (../../../home/me/.aws/credentials): its name says source code,
// and whatever reads it as the project's would send the file's contents
// into prompts, to a model perhaps in the cloud.
package within

import (
	"path/filepath"
	"strings"
)

// Root reports whether path, with every symlink in it resolved, is root
// or lies below it. root must have its own symlinks resolved (as
// filepath.EvalSymlinks returns it). A path that cannot be resolved (it
// does not exist, a loop) is not within.
func Root(root, path string) bool {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return false
	}
	rel, err := filepath.Rel(root, real)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
