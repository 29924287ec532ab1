package db

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/aiex-dev/aiex/app/usererr"
)

// fullBelow is how little free space makes a disk count as full when an
// open fails: Open's own writes (a Raft entry, a freelist page, a copy of
// the latest snapshot into SQLite) need little, and a disk with less than
// this left has no room for the command either.
const fullBelow = 1 << 20

// openDiskFull turns an Open that failed on a full disk into the sentence
// a failed write gives (diskFull). Open's writes often fail without saying
// why: when Raft cannot append to its log it steps down, and the entry
// waited for fails with "node is not the leader"; when it cannot restore a
// snapshot into SQLite it reports only "failed to load any existing
// snapshots". So besides the error's text, it asks the disk itself.
func openDiskFull(dir string, err error) error {
	var ue *usererr.Error
	if err == nil || errors.As(err, &ue) {
		return err
	}
	if isTooLarge(err) || fileLimitReached(dir) {
		return &usererr.Error{Msg: tooLargeMsg(dir), Err: err}
	}
	if !isNoSpace(err) {
		free, ok := freeSpace(dir)
		if !ok || free >= fullBelow {
			return err
		}
	}
	return &usererr.Error{Msg: diskFullMsg(dir), Err: err}
}

// isTooLarge reports whether err says that a file could not grow past the
// process's file size limit (ulimit -f): the OS's EFBIG, "file too large".
func isTooLarge(err error) bool {
	return errors.Is(err, syscall.EFBIG) || strings.Contains(err.Error(), "file too large")
}

// fileSizeLimit is the process's file size limit (RLIMIT_FSIZE, ulimit
// -f) in bytes; ok is false when there is none.
func fileSizeLimit() (limit uint64, ok bool) {
	var r syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_FSIZE, &r) != nil || r.Cur == ^uint64(0) {
		return 0, false
	}
	return r.Cur, true
}

// fileLimitReached reports whether a file of the data dir's store is at
// the process's file size limit: an open that failed without saying why
// (a Raft append that failed makes it step down: "node is not the
// leader") failed on it.
func fileLimitReached(dir string) bool {
	limit, ok := fileSizeLimit()
	if !ok {
		return false
	}
	found := false
	filepath.WalkDir(filepath.Join(dir, "store"), func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil && uint64(fi.Size())+fullBelow >= limit {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

func tooLargeMsg(dir string) string {
	limit, _ := fileSizeLimit()
	return fmt.Sprintf("the files of the data dir %s cannot grow past this process's file size limit (ulimit -f: %d bytes); raise the limit and run the command again", dir, limit)
}

// isNoSpace reports whether err says that a disk was full: the OS's
// ENOSPC, or SQLite's SQLITE_FULL, which rqlite passes on as text.
func isNoSpace(err error) bool {
	msg := err.Error()
	return errors.Is(err, syscall.ENOSPC) || strings.Contains(msg, "database or disk is full") || strings.Contains(msg, "no space left on device")
}

func diskFullMsg(dir string) string {
	return fmt.Sprintf("the disk holding the data dir %s is full; free some space there and run the command again", dir)
}

// freeSpace is how many bytes this process may still write on the disk
// holding dir: root may use the blocks kept in reserve for it.
func freeSpace(dir string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	blocks := st.Bavail
	if os.Geteuid() == 0 {
		blocks = st.Bfree
	}
	return blocks * uint64(st.Bsize), true
}
