package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/app/usererr"
)

// ReadOnlyError refuses a write (Apply or Restore) to files the user has
// made read-only: a file whose owner-write bit is clear, or one in a
// directory whose owner-write bit is clear (its entries would change: a
// file written is renamed over the old, a new file or a deletion changes
// the directory). Nothing was written or recorded. The bits are looked
// at, not the write's error: as root a write would succeed.
type ReadOnlyError struct {
	Files []ReadOnly
	// Checkpoint, for a restore, is the checkpoint restored.
	Checkpoint string
}

// ReadOnly is a file a write was refused for, and what is read-only: the
// file (File, with its Mode), the directory its write changes (Dir, with
// DirMode), or both.
type ReadOnly struct {
	Path    string      `json:"path"`
	File    bool        `json:"file,omitempty"`
	Mode    fs.FileMode `json:"mode,omitempty"`
	Dir     string      `json:"dir,omitempty"`
	DirMode fs.FileMode `json:"dir_mode,omitempty"`
}

// Error is one line: each file and what is read-only about it, then what
// to do, as "refused: x.go is read-only (mode 0444); make it writable
// (chmod u+w x.go) or leave it out of the change".
func (e *ReadOnlyError) Error() string {
	var what, names []string
	add := func(n string) {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	for _, f := range e.Files {
		var why []string
		if f.File || f.Dir == "" {
			why = append(why, fmt.Sprintf("is read-only (mode %04o)", f.Mode))
			add(f.Path)
		}
		if f.Dir != "" {
			dir := f.Dir
			if dir == "." {
				dir = "the project's root directory"
			} else {
				dir = shownPath(dir)
			}
			w := fmt.Sprintf("in a read-only directory, %s (mode %04o)", dir, f.DirMode)
			if len(why) == 0 {
				w = "is " + w
			}
			why = append(why, w)
			add(f.Dir)
		}
		what = append(what, shownPath(f.Path)+" "+strings.Join(why, ", "))
	}
	args := make([]string, len(names))
	for i, n := range names {
		args[i] = shellArg(n)
	}
	it, them := "it", "it"
	if len(names) > 1 {
		it = "them"
	}
	switch {
	case len(e.Files) > 1:
		them = "them"
	case !e.Files[0].File:
		them = shownPath(e.Files[0].Path) // the directory is made writable, the file left out
	}
	todo := fmt.Sprintf("or leave %s out of the change", them)
	if e.Checkpoint != "" {
		todo = "and restore checkpoint " + e.Checkpoint + " again"
	}
	return fmt.Sprintf("refused: %s; make %s writable (chmod u+w %s) %s", strings.Join(what, "; "), it, strings.Join(args, " "), todo)
}

// userError is e as the CLI prints it.
func (e *ReadOnlyError) userError() error { return usererr.Wrap(e, "%s", e.Error()) }

// writable reports what of p is read-only for a write that changes it
// (cur: its state now; nil for a new file): the file, when its
// owner-write bit is clear, and the directory whose entries the write
// changes (p's, or for a new file in new directories the nearest that
// exists), when its owner-write bit is clear. dirs caches directories'
// modes (unknownMode: not known) over the files of one write.
func (s *Store) writable(ctx context.Context, p string, cur *FileState, dirs map[string]fs.FileMode) (ReadOnly, bool) {
	return writableIn(ctx, s.fs, p, cur, dirs)
}

// ReadOnlyOf is the refusal Apply would give changes for read-only files
// in fsys (a *usererr.Error whose cause is a *ReadOnlyError), or nil: a
// proposal's checks say it before the user is asked to write it.
func ReadOnlyOf(ctx context.Context, fsys FS, changes []Change) error {
	var readOnly []ReadOnly
	dirs := map[string]fs.FileMode{}
	for _, c := range changes {
		var cur *FileState
		if fi, err := fsys.Stat(ctx, c.Path); err == nil && fi.Mode().IsRegular() {
			cur = &FileState{Mode: fi.Mode().Perm()}
		} else if c.Delete {
			continue // nothing there to remove: the write says so
		}
		if ro, ok := writableIn(ctx, fsys, c.Path, cur, dirs); ok {
			readOnly = append(readOnly, ro)
		}
	}
	if len(readOnly) == 0 {
		return nil
	}
	return (&ReadOnlyError{Files: readOnly}).userError()
}

// writableIn is Store.writable in fsys.
func writableIn(ctx context.Context, fsys FS, p string, cur *FileState, dirs map[string]fs.FileMode) (ReadOnly, bool) {
	ro := ReadOnly{Path: p}
	if cur != nil && cur.Mode&0o200 == 0 {
		ro.File, ro.Mode = true, cur.Mode
	}
	for dir := path.Dir(p); ; dir = path.Dir(dir) {
		m, ok := dirs[dir]
		if !ok {
			fi, err := fsys.Stat(ctx, dir)
			switch {
			case errors.Is(err, fs.ErrNotExist) && dir != ".":
				continue // made by the write: its parent is changed
			case err != nil || !fi.IsDir():
				m = unknownMode // the write will say what is wrong
			default:
				m = fi.Mode().Perm()
			}
			dirs[dir] = m
		}
		if m != unknownMode && m&0o200 == 0 {
			ro.Dir, ro.DirMode = dir, m
		}
		break
	}
	return ro, ro.File || ro.Dir != ""
}

// unknownMode is a directory's mode that could not be read.
const unknownMode = ^fs.FileMode(0)

// dirWritable reports whether dir's owner-write bit is set (or cannot be
// read: then its removal says).
func (s *Store) dirWritable(ctx context.Context, dir string) bool {
	fi, err := s.fs.Stat(ctx, dir)
	return err != nil || fi.Mode().Perm()&0o200 != 0
}

// shownPath is a path as a message shows it: quoted as Go quotes a string
// when it has a space or a character that does not print.
func shownPath(p string) string {
	if strings.HasPrefix(p, `"`) || !utf8.ValidString(p) || strings.IndexFunc(p, func(r rune) bool { return r == ' ' || !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(p)
	}
	return p
}

// shellArg is p as a shell reads it, single-quoted unless it is plain,
// and not taken for an option.
func shellArg(p string) string {
	if strings.HasPrefix(p, "-") {
		p = "./" + p
	}
	if p != "" && strings.IndexFunc(p, func(r rune) bool {
		return !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("/._-+,:@%", r)))
	}) < 0 {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}
