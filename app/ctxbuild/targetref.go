package ctxbuild

import (
	"errors"
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

// From says where AbsPath reads a relative path from.
type From int

const (
	// FromCwd reads a path the user gave: relative to the current
	// directory, as the shell completes it and every other program
	// reads it, else relative to the project's root, as aiex prints
	// paths (search, context's table, also).
	FromCwd From = iota
	// FromRoot reads a path aiex recorded relative to the project's root
	// (Context.TargetRef, a session's target) there only: a file of that
	// path under the current directory is not the one recorded.
	FromRoot
)

// ErrOutside is the cause of the error for a path that leads out of the
// project (AbsPath, and Build's for such a target).
var ErrOutside = errors.New("outside the project")

// AbsPath is p — a path, or a target (PATH, PATH:LINE, a symbol) — with
// its path made absolute as aiex reads it in the project at root, for a
// process whose working directory is not this one's (a node), or for a
// later request made from another directory (a session's next question).
// The one rule:
//
//   - A relative path is read, with FromCwd, relative to the current
//     directory first and, when nothing is there, relative to root; with
//     FromRoot, relative to root only. What is there may be a file or a
//     directory (a symlink counts as itself). An absolute path is taken
//     as it is.
//   - When p as a whole names nothing, it is taken as PATH:SUFFIX at its
//     last colon, and the suffix is kept as it is, a line number or not,
//     for the reader to judge.
//   - A path read relative to root, or an absolute one with FromRoot, that
//     leads out of the project is refused when something is there (a
//     usage error saying it is outside the project at root, its cause
//     ErrOutside): the reading is aiex's own, and ../../etc/passwd is no
//     file of the project. A path the user gave that is there relative to
//     the current directory is taken wherever it is, as the shell would
//     read it: the caller judges one out of the project (Build refuses it;
//     aiex chunks reads a file of no project).
//   - Anything else — a symbol, a path where nothing is — is returned as
//     it is.
//
// root "" reads relative to the current directory only.
func AbsPath(root, p string, from From) (string, error) {
	if abs, ok, err := absPath(root, p, from); ok || err != nil {
		return abs, err
	}
	if path, suffix, ok := cutLine(p); ok {
		if abs, ok, err := absPath(root, path, from); err != nil {
			return "", err
		} else if ok {
			return abs + ":" + suffix, nil
		}
	}
	return p, nil
}

// absPath is AbsPath for p without a suffix; ok is false when nothing is
// at p as AbsPath reads it.
func absPath(root, p string, from From) (abs string, ok bool, err error) {
	there := func(p string) bool {
		_, err := os.Lstat(p)
		return err == nil
	}
	switch {
	case p == "":
		return "", false, nil
	case filepath.IsAbs(p):
		if from == FromRoot && root != "" && !underRoot(root, p) && there(p) {
			return "", false, outside(p, root)
		}
		return p, there(p), nil
	case from == FromCwd && there(p):
		abs, err := filepath.Abs(p)
		return abs, err == nil, nil
	case root == "":
		return "", false, nil
	}
	abs = filepath.Join(root, filepath.FromSlash(p))
	if !there(abs) {
		return "", false, nil
	}
	if !underRoot(root, abs) {
		return "", false, outside(p, root)
	}
	return abs, true, nil
}

// underRoot reports whether the absolute path abs is root or lies under it,
// by its names alone (where a symlink leads is the reader's to judge).
func underRoot(root, abs string) bool {
	rel, err := filepath.Rel(root, abs)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
