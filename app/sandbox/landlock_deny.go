package sandbox

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// A Landlock rule grants its rights on a whole file hierarchy, and rules
// only add rights: nothing can take back, beneath a directory granted, what
// its rule grants. So a rule whose directory holds one of aiex's own paths
// (Options.Deny: a project run with AIEX_DATA_DIR=.aiex) is not added as it
// is. It is split along the way to each denied path: every directory on
// the way may be listed (READ_DIR alone), and every entry of those
// directories but the one leading on gets the rule's rights, a directory
// as a whole, a file on its own; the denied entry gets nothing. A command
// then reads and builds the project as before, and reads nothing of
// aiex's state. What Landlock cannot do is let a directory be listed but
// not a directory beneath it: READ_DIR on the project root lets a command
// list the data dir's names too (its files' contents stay unreadable). See
// DESIGN.md.

// denyTail is a denied path seen from a directory on the way to it: the
// names that lead from there to it.
type denyTail []string

// denyTails are the denied paths strictly beneath the directory dir
// (absolute, as the kernel names it), as the names leading to each; and
// whether dir lies at or beneath a denied path itself, when nothing of it
// may be granted. Letter case is ignored, as deniedText does.
func denyTails(dir string, deny []denied) (tails []denyTail, inside bool) {
	for _, d := range deny {
		for _, p := range []string{d.canon, d.alias} {
			if p == "" {
				continue
			}
			if beneathFold(dir, p) {
				return nil, true
			}
			if beneathFold(p, dir) && !strings.EqualFold(p, dir) {
				rel := strings.TrimPrefix(p[len(dir):], "/")
				tails = append(tails, strings.Split(rel, "/"))
			}
		}
	}
	return tails, false
}

// beneathFold says whether p is base or lies beneath it, letter case
// ignored.
func beneathFold(p, base string) bool {
	if base == "/" {
		return true
	}
	return strings.EqualFold(p, base) || len(p) > len(base) && p[len(base)] == '/' && strings.EqualFold(p[:len(base)], base)
}

// fdPath is the path of the open file fd as the kernel names it (symbolic
// links resolved), or fallback where /proc cannot say.
func fdPath(fd int, fallback string) string {
	if p, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd)); err == nil && filepath.IsAbs(p) {
		return p
	}
	if p, err := filepath.EvalSymlinks(fallback); err == nil {
		return p
	}
	return fallback
}

// isDenied says whether st is a denied file or directory by identity: a
// bind mount of the data dir, or its name in another letter case.
func isDenied(st *unix.Stat_t, deny []denied) bool {
	for _, d := range deny {
		if d.has && d.dev == st.Dev && d.ino == st.Ino {
			return true
		}
	}
	return false
}

// addSplitRule adds the rule of access on the directory dirfd, on whose
// way down to denied paths tails lead, as the entries along the way (see
// above). An entry that changed under it (gone, a directory turned into a
// file) gets what it is now; a symbolic link gets nothing: what it leads
// to is granted, or not, where it is. Whatever fails (a directory that
// cannot be listed, an entry the kernel takes no rule on) is granted
// nothing: a failure here must not make the whole ruleset fail, which in
// auto mode runs the command unconfined; refusing too much only fails
// the command.
func addSplitRule(rfd int, handled uint64, dirfd int, access uint64, tails []denyTail, deny []denied) {
	landlockAdd(rfd, dirfd, access&handled&unix.LANDLOCK_ACCESS_FS_READ_DIR)
	lfd, err := unix.Openat(dirfd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	f := os.NewFile(uintptr(lfd), ".")
	names, _ := f.Readdirnames(-1)
	f.Close()
	for _, name := range names {
		var next []denyTail
		denied := false
		for _, t := range tails {
			if strings.EqualFold(t[0], name) {
				if len(t) == 1 {
					denied = true
				}
				next = append(next, t[1:])
			}
		}
		if denied {
			continue
		}
		addEntryRule(rfd, handled, dirfd, name, access, next, deny)
	}
}

// addEntryRule grants access on the entry name of dirfd, not followed, or
// splits it further when denied paths lie beneath it (next).
func addEntryRule(rfd int, handled uint64, dirfd int, name string, access uint64, next []denyTail, deny []denied) {
	fd, err := unix.Openat(dirfd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return // gone since it was listed
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return
	}
	mode := st.Mode & unix.S_IFMT
	switch {
	case mode == unix.S_IFLNK || isDenied(&st, deny):
		return
	case mode == unix.S_IFDIR && len(next) > 0:
		addSplitRule(rfd, handled, fd, access, next, deny)
		return
	case mode != unix.S_IFDIR:
		access &= fsFile
	}
	landlockAdd(rfd, fd, access&handled)
}

// stateInReach says, for the warning about a command run without
// Landlock, which of aiex's own paths lie in its reach: rule aiex-state
// holds for the sandbox's own file operations, and only Landlock holds it
// for a command. "" when there are none beneath the roots.
func (s *Sandbox) stateInReach() string {
	if len(s.deny) == 0 {
		return ""
	}
	names := make([]string, len(s.deny))
	for i, d := range s.deny {
		names[i] = d.what + " " + d.canon
	}
	return strings.Join(names, ", ") + " can be read and changed by it: rule aiex-state is not enforced for commands without Landlock"
}
