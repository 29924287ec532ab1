package checkpoint

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"sync"
)

// ModeSetter is an FS that can change a file's permission bits in place.
// An FS whose WriteFile keeps an existing file's mode (as the sandbox
// does) needs it for a write that changes the mode; without it the file
// is removed and written again (see setMode).
type ModeSetter interface {
	Chmod(ctx context.Context, rel string, mode fs.FileMode) error
}

// modeError is a write whose content was written but whose mode could not
// be set: the file is no longer as it was, so a roll-back must put it
// back too.
type modeError struct{ err error }

func (e *modeError) Error() string { return e.err.Error() }
func (e *modeError) Unwrap() error { return e.err }

// setMode makes the file p, just written with data, have mode: WriteFile
// was asked for it, but an FS may keep an existing file's mode. It is
// called only for a write that changes the mode (a restore putting back
// the mode a chmod changed, a rename keeping its source's), so the extra
// Stat costs nothing in the common case.
//
// Without a ModeSetter the file is removed and written again, now new,
// with the mode: for that moment there is no file at p, and a crash then
// would leave none; the checkpoint, already committed, holds both the
// content before and after.
func (s *Store) setMode(ctx context.Context, p string, data []byte, mode fs.FileMode) error {
	fi, err := s.fs.Stat(ctx, p)
	if err != nil {
		return &modeError{err}
	}
	if got := fi.Mode().Perm(); got == mode || got == mode&^processUmask() {
		return nil
	}
	if ms, ok := s.fs.(ModeSetter); ok {
		if err := ms.Chmod(ctx, p, mode); err != nil {
			return &modeError{err}
		}
		return nil
	}
	li, err := s.fs.Lstat(ctx, p)
	if err != nil {
		return &modeError{err}
	}
	if li.Mode()&fs.ModeSymlink != 0 {
		// Removing would remove the link, not the file it leads to. The
		// content is written; the mode stays as it was.
		s.logger.Warn("checkpoint: the mode of a file reached through a symbolic link was left as it was",
			"path", p, "mode", fmt.Sprintf("%o", fi.Mode().Perm()), "want", fmt.Sprintf("%o", mode))
		return nil
	}
	if err := s.fs.Remove(ctx, p); err != nil {
		return &modeError{err}
	}
	if err := s.fs.WriteFile(ctx, p, data, mode); err != nil {
		return &modeError{err}
	}
	return nil
}

// processUmask is the process's umask (read from /proc/self/status, as
// setting it to read it would race with other goroutines creating
// files), or the usual 022 where that cannot be read.
var processUmask = sync.OnceValue(func() fs.FileMode {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0o022
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Umask:"); ok {
			if m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
				return fs.FileMode(m).Perm()
			}
		}
	}
	return 0o022
})
