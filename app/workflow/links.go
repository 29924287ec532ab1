package workflow

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxLinks is how many symbolic links ResolveLinks follows in one path,
// as the sandbox and the kernel count them.
const maxLinks = 40

// ErrLinkLoop is returned by ResolveLinks for a path through more than
// 40 symbolic links.
var ErrLinkLoop = errors.New("too many levels of symbolic links")

// ResolveLinks is where a write to rel, a path relative to the directory
// root (absolute, its symlinks resolved), would land: rel's symbolic links
// followed as they are now, element by element — the last one too if
// followFinal (a write follows it; a removal does not) — and, from the
// first element that does not exist, the rest as written. Nothing is
// written, and the result may lie outside root: that is for the caller to
// judge (a proposal's dry run asks the sandbox about it). ".." after a
// link goes up from where the link led, as the kernel has it.
func ResolveLinks(root, rel string, followFinal bool) (string, error) {
	cur := filepath.Clean(root)
	rest := strings.Split(filepath.ToSlash(rel), "/")
	links := 0
	for len(rest) > 0 {
		name := rest[0]
		rest = rest[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			cur = filepath.Dir(cur)
			continue
		}
		next := filepath.Join(cur, name)
		fi, err := os.Lstat(next)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
			// Made by the write, or not to be looked into: as written.
			return filepath.Join(append([]string{next}, rest...)...), nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 || (len(rest) == 0 && !followFinal) {
			cur = next
			continue
		}
		if links++; links > maxLinks {
			return "", ErrLinkLoop
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", err
		}
		if filepath.IsAbs(target) {
			cur = "/"
		}
		rest = append(strings.Split(filepath.ToSlash(target), "/"), rest...)
	}
	return cur, nil
}
