package sandbox

import (
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// aiex keeps its own state — the store, which holds every provider key
// encrypted, the key file that decrypts them, the join file that decides
// which cluster the node enters, its config — in files that may lie
// inside a project (AIEX_DATA_DIR=.aiex in the project root). A change the
// model proposes is no way to change them: deleting secret.key broke
// every later command, and its checkpoint copied the key into the
// replicated store, next to the keys it protects. Nor may their contents
// reach a prompt or a diff. So the paths Options.Deny names are refused
// to every operation, by the path's text and by what it resolves to.

// Denied is one of aiex's own files or directories (Options.Deny).
type Denied struct {
	Path string // a file or directory, as configured
	What string // what it is, for refusals: "aiex's data dir"
}

// denied is a Denied entry as the sandbox checks it.
type denied struct {
	canon string // absolute, symlinks resolved as far as the path exists
	alias string // absolute as configured, if it differs
	what  string
	// dev and ino identify the file or directory when it exists (has is
	// set): a path that reaches it by another name (a symlink, a bind
	// mount, another letter case on a case-folding file system) is still
	// refused.
	dev, ino uint64
	has      bool
}

// openDenied resolves the Deny entries. Those strictly beneath a root are
// refused to the sandbox's own file operations (the others are refused as
// outside the roots already, or contain a root: a sandbox over the data
// dir itself, as checkpoint pruning opens, must still serve it). Every
// one that contains no root is kept out of the commands' Landlock rules
// (cmdDeny), which grant system paths beyond the roots: a config file in
// /etc/aiex, a data dir under /opt.
func (s *Sandbox) openDenied(list []Denied) {
	for _, d := range list {
		if d.Path == "" {
			continue
		}
		abs, err := filepath.Abs(d.Path)
		if err != nil {
			continue
		}
		e := denied{canon: canonPath(abs), what: d.What}
		if e.what == "" {
			e.what = "aiex's own state"
		}
		if abs != e.canon {
			e.alias = abs
		}
		var st unix.Stat_t
		if unix.Stat(e.canon, &st) == nil {
			e.dev, e.ino, e.has = st.Dev, st.Ino, true
		}
		if !s.holdsRoot(e.canon) {
			s.cmdDeny = append(s.cmdDeny, e)
		}
		if !s.beneathRoot(e.canon) && (e.alias == "" || !s.beneathRoot(e.alias)) {
			continue
		}
		s.deny = append(s.deny, e)
	}
	s.markDenying()
}

// canonPath resolves the symlinks of abs, or of the part of it that
// exists (a config file not written yet lies where its directory is).
func canonPath(abs string) string {
	if c, err := filepath.EvalSymlinks(abs); err == nil {
		return c
	}
	dir, rest := abs, ""
	for dir != "/" {
		rest = filepath.Join(filepath.Base(dir), rest)
		dir = filepath.Dir(dir)
		if c, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(c, rest)
		}
	}
	return abs
}

// beneathRoot says whether the absolute path c lies strictly beneath a
// directory root.
func (s *Sandbox) beneathRoot(c string) bool {
	for _, r := range s.roots {
		for _, base := range []string{r.path, r.alias} {
			if base != "" && !r.file && strings.HasPrefix(c, base+"/") {
				return true
			}
		}
	}
	return false
}

// holdsRoot reports whether c, a canonical path, is a root or lies above
// one.
func (s *Sandbox) holdsRoot(c string) bool {
	for _, r := range s.roots {
		if r.path == c || strings.HasPrefix(r.path, c+"/") {
			return true
		}
	}
	return false
}

// markDenying sets, on each root, whether a denied path lies beneath it:
// that root's paths are then resolved by the walk, which sees every
// directory on the way, and not by openat2, which shows only the end.
func (s *Sandbox) markDenying() {
	for _, r := range s.roots {
		if r.file {
			continue
		}
		for _, d := range s.deny {
			for _, p := range []string{d.canon, d.alias} {
				for _, base := range []string{r.path, r.alias} {
					if p != "" && base != "" && strings.HasPrefix(p, base+"/") {
						r.denies = true
					}
				}
			}
		}
	}
}

// deniedText refuses p, which is c (absolute, beneath a root) as text,
// when c is a denied path or lies beneath one. Letter case is ignored, as
// for .git: on a case-folding file system .AIEX is .aiex.
func (s *Sandbox) deniedText(op, p, c string) error {
	for _, d := range s.deny {
		for _, base := range []string{d.canon, d.alias} {
			if base == "" {
				continue
			}
			if strings.EqualFold(c, base) {
				return refuseDenied(op, p, d, false)
			}
			if len(c) > len(base) && c[len(base)] == '/' && strings.EqualFold(c[:len(base)], base) {
				return refuseDenied(op, p, d, true)
			}
		}
	}
	return nil
}

// deniedStat refuses p when st, a file or directory its resolution
// reached, is a denied one.
func (s *Sandbox) deniedStat(op, p string, st *unix.Stat_t, beneath bool) error {
	for _, d := range s.deny {
		if d.has && d.dev == st.Dev && d.ino == st.Ino {
			return refuseDenied(op, p, d, beneath)
		}
	}
	return nil
}

// deniedAt refuses p when name in the directory dirfd (not followed) is
// a denied file or directory: the final element of a path that the walk
// did not open (a removal, an lstat).
func (s *Sandbox) deniedAt(op, p string, dirfd int, name string) error {
	if len(s.deny) == 0 || name == "" {
		return nil
	}
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil // missing: the operation says so
	}
	return s.deniedStat(op, p, &st, false)
}

func refuseDenied(op, p string, d denied, beneath bool) *RefusedError {
	where := "is"
	if beneath {
		where = "is in"
	}
	return refuse(op, p, RuleAiexState, "%s %s %s: aiex never reads or changes its own state through the sandbox", where, d.what, d.canon)
}
