package db

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
)

// The store holds every prompt and answer, so nobody but the data dir's
// owner may read it. A data dir aiex creates is 0700, but one the user
// made (mkdir, a shared parent) may be open to others, and the libraries
// under the store create what they need with modes of their own, under the
// process's umask: rqlite its directories 0755, SQLite its files 0644.
// So the store's directory is made 0700 before they run, whatever the data
// dir's mode and the umask, which keeps everything in it out of other
// users' reach; and, at each open and close, whatever in it others could
// read is narrowed to its owner, so that the files stay private if the
// store is ever moved out of it. The data dir itself is the user's: when
// others can enter it, Open says so once (Config.Warn) and leaves it be.

// makeStoreDir makes the store's directory raftDir, 0700, if missing.
func makeStoreDir(dir, raftDir string) error {
	if err := os.MkdirAll(raftDir, 0o700); err != nil {
		return unwritable(dir, err)
	}
	return nil
}

// privateStore narrows the store's directory raftDir and everything under
// it to the owner: directories 0700, files without group or other bits.
// Symbolic links and special files are left alone (a chmod would follow a
// link out of the store).
func privateStore(raftDir string) error {
	var errs []error
	filepath.WalkDir(raftDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if !os.IsNotExist(err) { // removed meanwhile (a snapshot reaped)
				errs = append(errs, err)
			}
			return nil
		}
		info, err := d.Info()
		if err != nil || !(info.IsDir() || info.Mode().IsRegular()) {
			return nil
		}
		perm := info.Mode().Perm()
		want := perm &^ 0o077
		if info.IsDir() {
			want |= 0o700
		}
		if want != perm {
			if err := os.Chmod(p, want); err != nil && !os.IsNotExist(err) {
				errs = append(errs, err)
			}
		}
		return nil
	})
	return errors.Join(errs...)
}

// keepPrivate runs privateStore, for which a failure (a file that is not
// this user's) is worth a warning, not a failed open or close.
func keepPrivate(raftDir string, logger *slog.Logger) {
	if err := privateStore(raftDir); err != nil {
		logger.Warn("could not keep the store private to its owner", "dir", raftDir, "err", err)
	}
}

// openDirWarning says what to do when other users can reach into data dir
// dir; "" when they cannot.
func openDirWarning(dir string) string {
	info, err := os.Stat(dir)
	if err != nil || info.Mode().Perm()&0o077 == 0 {
		return ""
	}
	return fmt.Sprintf("data dir %s is open to other users (mode %04o): run chmod 700 %s so that only you can read what aiex keeps there",
		dir, info.Mode().Perm(), dir)
}
