package ctxbuild

import (
	"os"
	"path/filepath"
	"strings"
)

// targetRef is target, which Build resolved in the project at root, as a
// later request may name it from any directory of the project: a PATH or
// PATH:LINE as the file's path relative to the root (the form aiex prints
// paths in), a symbol as typed. It decides between a path and a symbol as
// resolve does.
func targetRef(root, target string) string {
	p, line, hasLine := cutLine(target)
	if rel, ok := targetFile(root, p); ok && hasLine {
		return rel + ":" + line
	}
	if rel, ok := targetFile(root, target); ok {
		return rel
	}
	return strings.TrimSpace(target)
}

// RootTarget is ref, a target as Context.TargetRef records it, as Build
// takes it from whatever directory it runs in: its path, when it names a
// file relative to the project's root, is made absolute. A file of that
// path under the current directory would otherwise be taken first (see
// targetFile), though the target was the root's. Symbols, and paths that
// name no file of the root, are returned as they are.
func RootTarget(root, ref string) string {
	isFile := func(p string) bool {
		if root == "" || p == "" || filepath.IsAbs(p) {
			return false
		}
		fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(p)))
		return err == nil && !fi.IsDir()
	}
	if isFile(ref) {
		return filepath.Join(root, filepath.FromSlash(ref))
	}
	if p, line, ok := cutLine(ref); ok && isFile(p) {
		return filepath.Join(root, filepath.FromSlash(p)) + ":" + line
	}
	return ref
}
