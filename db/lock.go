package db

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
)

// lockFile is the data dir's lock, held (flock, exclusive) while a process
// has the store open. It holds the PID of its owner for error messages.
const lockFile = "aiex.lock"

// dirLock is an exclusive lock on a data dir.
type dirLock struct {
	f *os.File
}

// lockDir creates dir if needed and locks it. If another process holds the
// lock it fails at once with a *usererr.Error naming that process.
func lockDir(dir string) (*dirLock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, unwritable(dir, err)
	}
	path := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, unwritable(dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			msg := fmt.Sprintf("data dir %s is in use by %s; wait for it to finish, or use another --data-dir", dir, holder(f))
			if pid := holderPID(f); pid > 0 && ProcessState(pid) == 'T' {
				// Waiting would be forever.
				msg = fmt.Sprintf("data dir %s is in use by PID %d, which is stopped (Ctrl+Z); bring it back with fg in its shell (or kill -CONT %d), or end it", dir, pid, pid)
			} else if serving(dir) {
				// A process that serves the data dir holds it (app/node's
				// socket): a node, or a TUI or events tail lending its core.
				msg = fmt.Sprintf("data dir %s is held by %s, an aiex node, TUI or events tail serving it; commands go through it while it runs, but this one cannot: stop it first",
					dir, holder(f))
			}
			return nil, &usererr.Error{Msg: msg, Err: err}
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// Record our PID for the next process's error message.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &dirLock{f: f}, nil
}

// serving reports whether a process serves the data dir on its socket
// (app/node's aiex.sock): one answers the connection, or at least its
// kernel does (a holder stopped with Ctrl+Z). A socket left by a process
// that was killed refuses it: the holder is then some other command.
func serving(dir string) bool {
	c, err := net.DialTimeout("unix", filepath.Join(dir, "aiex.sock"), 200*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// lockDirWaiting is lockDir for a process that will serve the data dir (a
// node): one held by a command that does not serve it (aiex search, run by
// an editor the moment the node starts) is waited for, up to wait, as that
// command finishes in a moment; the node exited instead. A holder that
// serves the data dir is not waited for: it runs until stopped.
func lockDirWaiting(ctx context.Context, dir string, wait time.Duration) (*dirLock, error) {
	deadline := time.Now().Add(wait)
	for {
		l, err := lockDir(dir)
		if err == nil || !errors.Is(err, syscall.EWOULDBLOCK) || serving(dir) || time.Now().After(deadline) {
			return l, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// DirBusy reports whether a process holds the data dir's lock (has its
// store open), and which, as lockDir's errors name it. It creates nothing.
func DirBusy(dir string) (holderDesc string, busy bool) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR, 0)
	if err != nil {
		return "", false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return holder(f), errors.Is(err, syscall.EWOULDBLOCK)
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return "", false
}

// holder describes the process holding the lock, from the PID it wrote.
func holder(f *os.File) string {
	pid := holderPID(f)
	if pid <= 0 {
		return "another aiex process"
	}
	return fmt.Sprintf("PID %d", pid)
}

// holderPID is the PID the lock's holder wrote, or 0.
func holderPID(f *os.File) int {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b[:n])))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// unlock releases the lock. The file stays: removing it would race with a
// process that has just opened it.
func (l *dirLock) unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing drops the flock
	l.f = nil
	return err
}

// unwritable is the user-facing error for a data dir we cannot create or write.
func unwritable(dir string, err error) error {
	reason := err.Error()
	var pe *os.PathError
	if errors.As(err, &pe) {
		reason = pe.Err.Error()
	}
	return &usererr.Error{
		Msg: fmt.Sprintf("cannot write data dir %s: %s; choose a writable one with --data-dir or AIEX_DATA_DIR", dir, reason),
		Err: err,
	}
}

// IsDataDir reports whether dir is an aiex data dir: it holds the lock
// file every process on it takes, or the node-id file of its store. A
// copy of a project made to build it leaves such a directory out: its
// key file and store are not the project's.
func IsDataDir(dir string) bool {
	for _, name := range dataDirMarkers {
		if fi, err := os.Lstat(filepath.Join(dir, name)); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// dataDirMarkers are the files whose presence makes a directory a data
// dir (IsDataDir).
var dataDirMarkers = []string{lockFile, nodeIDFile}

// DataDirMarker reports whether a regular file named name marks the
// directory holding it as an aiex data dir (IsDataDir), for a walk that
// has the directory's entries at hand.
func DataDirMarker(name string) bool { return slices.Contains(dataDirMarkers, name) }
