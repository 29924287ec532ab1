package sandbox

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/aiex-dev/aiex/app/audit"
)

// Paths: every method takes a path relative to the project root, or an
// absolute path inside the project or an allowlisted path. Errors are a
// *RefusedError when a rule refuses the path, else an *fs.PathError
// (errors.Is(err, fs.ErrNotExist) and friends work).

// ReadFile reads the regular file at p, refusing files over the size
// limit.
func (s *Sandbox) ReadFile(ctx context.Context, p string) ([]byte, error) {
	var data []byte
	err := s.run(ctx, audit.OpRead, p, func() (string, string, error) {
		f, canon, err := s.openRead(audit.OpRead, p, false)
		if err != nil {
			return canon, "", err
		}
		defer f.Close()
		data, err = io.ReadAll(io.LimitReader(f, s.max+1))
		if err != nil {
			return canon, "", &fs.PathError{Op: "read", Path: p, Err: err}
		}
		if int64(len(data)) > s.max {
			data = nil
			return canon, "", refuse(audit.OpRead, p, RuleSizeLimit, "grew over the sandbox's limit of %d bytes while it was read", s.max)
		}
		return canon, fmt.Sprintf("%d bytes", len(data)), nil
	})
	return data, err
}

// Open opens the regular file at p for reading. The file was under the
// size limit when opened; reading it all is ReadFile's job.
func (s *Sandbox) Open(ctx context.Context, p string) (*os.File, error) {
	var f *os.File
	err := s.run(ctx, audit.OpRead, p, func() (canon, detail string, err error) {
		f, canon, err = s.openRead(audit.OpRead, p, false)
		return canon, "opened", err
	})
	if err != nil && f != nil {
		f.Close() // opened, but not audited
		f = nil
	}
	return f, err
}

// ReadDir lists the directory at p.
func (s *Sandbox) ReadDir(ctx context.Context, p string) ([]fs.DirEntry, error) {
	var ents []fs.DirEntry
	err := s.run(ctx, audit.OpList, p, func() (string, string, error) {
		f, canon, err := s.openRead(audit.OpList, p, true)
		if err != nil {
			return canon, "", err
		}
		defer f.Close()
		ents, err = f.ReadDir(-1)
		if err != nil {
			return canon, "", &fs.PathError{Op: "readdir", Path: p, Err: err}
		}
		return canon, fmt.Sprintf("%d entries", len(ents)), nil
	})
	return ents, err
}

// Stat describes the file at p, following symlinks beneath the roots.
func (s *Sandbox) Stat(ctx context.Context, p string) (fs.FileInfo, error) {
	var fi fs.FileInfo
	err := s.run(ctx, audit.OpStat, p, func() (string, string, error) {
		r, rel, err := s.locate(audit.OpStat, p)
		if err != nil {
			return "", "", err
		}
		canon := join(r, rel)
		fd, err := s.openBeneath(audit.OpStat, p, r, rel, unix.O_PATH)
		if err != nil {
			return canon, "", pathErr("stat", p, err)
		}
		f := os.NewFile(uintptr(fd), canon)
		defer f.Close()
		if err := onPseudoFS(audit.OpStat, p, fd); err != nil {
			return canon, "", err
		}
		fi, err = f.Stat()
		if err != nil {
			return canon, "", &fs.PathError{Op: "stat", Path: p, Err: err}
		}
		return canon, "", nil
	})
	return fi, err
}

// Lstat describes the file at p itself: a symlink there is not followed
// (those on the way to it are, beneath the roots).
func (s *Sandbox) Lstat(ctx context.Context, p string) (fs.FileInfo, error) {
	var fi fs.FileInfo
	err := s.run(ctx, audit.OpStat, p, func() (string, string, error) {
		r, rel, err := s.locate(audit.OpStat, p)
		if err != nil {
			return "", "", err
		}
		w, err := s.walk(audit.OpStat, p, r, rel, false)
		if err != nil {
			return join(r, rel), "", pathErr("lstat", p, err)
		}
		defer w.close()
		if err := s.deniedAt(audit.OpStat, p, w.dir, w.name); err != nil {
			return w.canon, "", err
		}
		name := w.name
		if name == "" {
			name = "."
		}
		fd, err := unix.Openat(w.dir, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return w.canon, "", &fs.PathError{Op: "lstat", Path: p, Err: err}
		}
		f := os.NewFile(uintptr(fd), w.canon)
		defer f.Close()
		if fi, err = f.Stat(); err != nil {
			return w.canon, "", &fs.PathError{Op: "lstat", Path: p, Err: err}
		}
		return w.canon, "", nil
	})
	return fi, err
}

// openRead opens p for reading: a regular file under the size limit, or
// a directory when dir is set. It returns the file and the path to record.
func (s *Sandbox) openRead(op, p string, dir bool) (*os.File, string, error) {
	r, rel, err := s.locate(op, p)
	if err != nil {
		return nil, "", err
	}
	canon := join(r, rel)
	flags := unix.O_RDONLY | unix.O_NONBLOCK | unix.O_NOCTTY // a FIFO must not block the open
	if dir {
		flags |= unix.O_DIRECTORY
	}
	fd, err := s.openBeneath(op, p, r, rel, flags)
	if err == unix.ENXIO {
		// A socket (or a device with no driver): open it as a path only,
		// to name what it is.
		if pfd, perr := s.openBeneath(op, p, r, rel, unix.O_PATH); perr == nil {
			defer unix.Close(pfd)
			if rerr := s.checkType(op, p, pfd, false); rerr != nil {
				return nil, canon, rerr
			}
		}
	}
	if err != nil {
		return nil, canon, pathErr("open", p, err)
	}
	if err := s.checkType(op, p, fd, dir); err != nil {
		unix.Close(fd)
		return nil, canon, err
	}
	return os.NewFile(uintptr(fd), canon), canon, nil
}

// checkType refuses what fd (as opened) must not be: on a pseudo
// filesystem, a device, FIFO or socket, or a file over the size limit;
// a directory unless dir, anything else if dir.
func (s *Sandbox) checkType(op, p string, fd int, dir bool) error {
	if err := onPseudoFS(op, p, fd); err != nil {
		return err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return &fs.PathError{Op: "stat", Path: p, Err: err}
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		if dir {
			return &fs.PathError{Op: "open", Path: p, Err: unix.ENOTDIR}
		}
		if st.Size > s.max {
			return refuse(op, p, RuleSizeLimit, "is %d bytes, over the sandbox's limit of %d bytes", st.Size, s.max)
		}
		return nil
	case unix.S_IFDIR:
		if !dir {
			return &fs.PathError{Op: "open", Path: p, Err: unix.EISDIR}
		}
		return nil
	default:
		return refuse(op, p, RuleSpecialFile, "is %s, not a regular file", kindOf(st.Mode))
	}
}

// kindOf names a special file's type.
func kindOf(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFCHR:
		return "a character device"
	case unix.S_IFBLK:
		return "a block device"
	case unix.S_IFIFO:
		return "a FIFO"
	case unix.S_IFSOCK:
		return "a socket"
	case unix.S_IFLNK:
		return "a symlink"
	}
	return "a special file"
}

// pseudoMagic are the filesystems whose files are never served, wherever
// they are mounted (a bind mount of /proc inside the project included).
var pseudoMagic = map[int64]string{
	unix.PROC_SUPER_MAGIC:    "proc",
	unix.SYSFS_MAGIC:         "sysfs",
	unix.DEVPTS_SUPER_MAGIC:  "devpts",
	unix.DEBUGFS_MAGIC:       "debugfs",
	unix.TRACEFS_MAGIC:       "tracefs",
	unix.SECURITYFS_MAGIC:    "securityfs",
	unix.CGROUP_SUPER_MAGIC:  "cgroup",
	unix.CGROUP2_SUPER_MAGIC: "cgroup2",
	unix.BPF_FS_MAGIC:        "bpf",
}

func onPseudoFS(op, p string, fd int) error {
	var sfs unix.Statfs_t
	if err := unix.Fstatfs(fd, &sfs); err != nil {
		return &fs.PathError{Op: "statfs", Path: p, Err: err}
	}
	if name, ok := pseudoMagic[int64(sfs.Type)]; ok {
		return refuse(op, p, RuleProc, "is on a %s pseudo filesystem", name)
	}
	return nil
}

// WriteFile writes data to p atomically (see WriteFrom).
func (s *Sandbox) WriteFile(ctx context.Context, p string, data []byte, perm fs.FileMode) error {
	return s.run(ctx, audit.OpWrite, p, func() (string, string, error) {
		if int64(len(data)) > s.max {
			return "", "", refuse(audit.OpWrite, p, RuleSizeLimit, "would be %d bytes, over the sandbox's limit of %d bytes", len(data), s.max)
		}
		canon, err := s.writeAtomic(ctx, p, perm, func(f *os.File) error {
			_, err := f.Write(data)
			return err
		})
		return canon, fmt.Sprintf("%d bytes", len(data)), err
	})
}

// WriteFrom writes what r yields to p atomically: into a temp file in the
// same directory, fsynced, then renamed over p, then the directory
// fsynced. Missing directories above p are made (0755 before the umask). If anything fails — r, the disk, the size limit — the temp
// file is removed and p is as it was. A symlink at p is followed (beneath
// the roots); an existing file keeps its permissions, a new one gets perm.
func (s *Sandbox) WriteFrom(ctx context.Context, p string, r io.Reader, perm fs.FileMode) error {
	return s.run(ctx, audit.OpWrite, p, func() (string, string, error) {
		var n int64
		canon, err := s.writeAtomic(ctx, p, perm, func(f *os.File) error {
			var err error
			n, err = io.Copy(f, io.LimitReader(r, s.max+1))
			if err == nil && n > s.max {
				return refuse(audit.OpWrite, p, RuleSizeLimit, "would be over the sandbox's limit of %d bytes", s.max)
			}
			return err
		})
		return canon, fmt.Sprintf("%d bytes", n), err
	})
}

// writeAtomic resolves p for writing and replaces it with what fill
// writes. It returns the canonical path written.
func (s *Sandbox) writeAtomic(ctx context.Context, p string, perm fs.FileMode, fill func(*os.File) error) (string, error) {
	r, rel, err := s.locate(audit.OpWrite, p)
	if err != nil {
		return "", err
	}
	if err := s.writableText(audit.OpWrite, p, r, rel); err != nil {
		return join(r, rel), err
	}
	w, err := s.walk(audit.OpWrite, p, r, rel, true)
	if err == unix.ENOENT {
		// A directory above p is missing: make the missing ones, then
		// resolve again.
		if dir := filepath.Dir(rel); dir != "." {
			if _, _, err := s.mkdirs(ctx, audit.OpWrite, p, r, dir, 0o755); err != nil {
				return join(r, rel), err
			}
		}
		w, err = s.walk(audit.OpWrite, p, r, rel, true)
	}
	if err != nil {
		return join(r, rel), pathErr("write", p, err)
	}
	defer w.close()
	if w.name == "" {
		return w.canon, &fs.PathError{Op: "write", Path: p, Err: unix.EISDIR}
	}
	if err := s.writable(audit.OpWrite, p, w.canon); err != nil {
		return w.canon, err
	}
	mode, keep := uint32(perm.Perm()), false
	var st unix.Stat_t
	switch err := unix.Fstatat(w.dir, w.name, &st, unix.AT_SYMLINK_NOFOLLOW); {
	case err == unix.ENOENT:
	case err != nil:
		return w.canon, &fs.PathError{Op: "write", Path: p, Err: err}
	case st.Mode&unix.S_IFMT == unix.S_IFREG:
		mode, keep = st.Mode&0o777, true
	case st.Mode&unix.S_IFMT == unix.S_IFDIR:
		return w.canon, &fs.PathError{Op: "write", Path: p, Err: unix.EISDIR}
	case st.Mode&unix.S_IFMT == unix.S_IFLNK:
		// Became a symlink after the walk: the rename below replaces the
		// link itself, inside this directory, and follows nothing.
	default:
		return w.canon, refuse(audit.OpWrite, p, RuleSpecialFile, "is %s, not a regular file", kindOf(st.Mode))
	}

	tmp := tempName(w.name)
	fd, err := unix.Openat(w.dir, tmp, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, mode)
	if err != nil {
		return w.canon, &fs.PathError{Op: "write", Path: p, Err: err}
	}
	f := os.NewFile(uintptr(fd), filepath.Join(filepath.Dir(w.canon), tmp))
	fail := func(err error) (string, error) {
		f.Close()
		unix.Unlinkat(w.dir, tmp, 0)
		var re *RefusedError
		if errors.As(err, &re) {
			return w.canon, re
		}
		return w.canon, &fs.PathError{Op: "write", Path: p, Err: err}
	}
	if err := fill(f); err != nil {
		return fail(err)
	}
	if keep {
		// Exactly the old bits, whatever the umask made of them (a chmod
		// only when it changed them: it costs a metadata update).
		var tst unix.Stat_t
		if err := unix.Fstat(fd, &tst); err != nil {
			return fail(err)
		}
		if tst.Mode&0o777 != mode {
			if err := f.Chmod(fs.FileMode(mode)); err != nil {
				return fail(err)
			}
		}
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		unix.Unlinkat(w.dir, tmp, 0)
		return w.canon, &fs.PathError{Op: "write", Path: p, Err: err}
	}
	if err := unix.Renameat(w.dir, tmp, w.dir, w.name); err != nil {
		unix.Unlinkat(w.dir, tmp, 0)
		return w.canon, &fs.PathError{Op: "write", Path: p, Err: err}
	}
	// Make the rename durable: fsync the directory (an O_PATH fd cannot
	// be synced; "." of it is the same directory, not looked up by name).
	if dfd, err := unix.Openat(w.dir, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err == nil {
		err = unix.Fsync(dfd)
		unix.Close(dfd)
		if err != nil {
			return w.canon, &fs.PathError{Op: "sync", Path: p, Err: err}
		}
	}
	return w.canon, nil
}

// tempPrefix starts the names of the sandbox's temp files.
const tempPrefix = ".aiex-"

// tempName is a fresh temp file name beside name (at most 255 bytes).
func tempName(name string) string {
	var b [8]byte
	rand.Read(b[:])
	suffix := "-" + hex.EncodeToString(b[:]) + ".tmp"
	if len(tempPrefix)+len(name)+len(suffix) > maxName {
		name = name[:maxName-len(tempPrefix)-len(suffix)]
	}
	return tempPrefix + name + suffix
}

// Remove removes the file or empty directory at p (a symlink at p is
// removed itself, not followed).
func (s *Sandbox) Remove(ctx context.Context, p string) error {
	return s.run(ctx, audit.OpRemove, p, func() (string, string, error) {
		r, rel, err := s.locate(audit.OpRemove, p)
		if err != nil {
			return "", "", err
		}
		if err := s.writableText(audit.OpRemove, p, r, rel); err != nil {
			return join(r, rel), "", err
		}
		w, err := s.walk(audit.OpRemove, p, r, rel, false)
		if err != nil {
			return join(r, rel), "", pathErr("remove", p, err)
		}
		defer w.close()
		if w.name == "" {
			return w.canon, "", refuse(audit.OpRemove, p, RuleOutsideRoot, "is a sandbox root, which is never removed")
		}
		if err := s.writable(audit.OpRemove, p, w.canon); err != nil {
			return w.canon, "", err
		}
		if err := s.deniedAt(audit.OpRemove, p, w.dir, w.name); err != nil {
			return w.canon, "", err
		}
		err = unix.Unlinkat(w.dir, w.name, 0)
		if err == unix.EISDIR {
			err = unix.Unlinkat(w.dir, w.name, unix.AT_REMOVEDIR)
		}
		if err != nil {
			return w.canon, "", &fs.PathError{Op: "remove", Path: p, Err: err}
		}
		return w.canon, "", nil
	})
}

// MkdirAll creates the directory p and the missing directories above it,
// with perm (before the umask). None may be in .git or a read-only root.
func (s *Sandbox) MkdirAll(ctx context.Context, p string, perm fs.FileMode) error {
	return s.run(ctx, audit.OpMkdir, p, func() (string, string, error) {
		r, rel, err := s.locate(audit.OpMkdir, p)
		if err != nil {
			return "", "", err
		}
		if err := s.writableText(audit.OpMkdir, p, r, rel); err != nil {
			return join(r, rel), "", err
		}
		canon, made, err := s.mkdirs(ctx, audit.OpMkdir, p, r, rel, perm)
		return canon, fmt.Sprintf("%d created", made), err
	})
}

// mkdirs creates rel beneath r and the missing directories above it, one
// element at a time, each resolved afresh beneath the root and checked
// before it is made. Each directory it makes is recorded (OpMkdir, its
// canonical path), before the operation's own record: the audit log shows
// every directory the assistant made, not only the files written into
// them. It returns the canonical path of rel and how many directories it
// made.
func (s *Sandbox) mkdirs(ctx context.Context, op, p string, r *root, rel string, perm fs.FileMode) (string, int, error) {
	canon, made := join(r, rel), 0
	parts := strings.Split(rel, "/")
	for i := range parts {
		w, err := s.walk(op, p, r, strings.Join(parts[:i+1], "/"), true)
		if err != nil {
			return canon, made, pathErr("mkdir", p, err)
		}
		canon = w.canon
		if w.name == "" {
			w.close()
			continue // the root itself
		}
		var st unix.Stat_t
		err = unix.Fstatat(w.dir, w.name, &st, 0)
		if err == unix.ENOENT {
			if err = s.writable(op, p, w.canon); err == nil {
				err = unix.Mkdirat(w.dir, w.name, uint32(perm.Perm()))
				if err == nil {
					made++
					st.Mode = unix.S_IFDIR
					detail := "made"
					if op == audit.OpWrite {
						detail = "made for a write beneath it"
					}
					err = s.record(ctx, audit.OpMkdir, w.canon, w.canon, detail, nil)
				} else if err == unix.EEXIST {
					err = unix.Fstatat(w.dir, w.name, &st, 0)
				}
			}
		}
		w.close()
		if err == nil && st.Mode&unix.S_IFMT != unix.S_IFDIR {
			err = unix.ENOTDIR
		}
		if err != nil {
			return canon, made, pathErr("mkdir", p, err)
		}
	}
	return canon, made, nil
}

// run performs one operation and records it: ok with detail, refused
// with the rule, or the error. A record the auditor cannot take fails the
// operation: nothing the sandbox does goes unrecorded without an error.
func (s *Sandbox) run(ctx context.Context, op, p string, fn func() (canon, detail string, err error)) error {
	leave, err := s.enter()
	if err != nil {
		return err
	}
	canon, detail, err := fn()
	leave()
	return s.record(ctx, op, p, canon, detail, err)
}

// record gives the auditor one record of an operation and returns err,
// joined with the auditor's error if it has one.
func (s *Sandbox) record(ctx context.Context, op, p, canon, detail string, err error) error {
	var re *RefusedError
	if errors.As(err, &re) {
		s.logger.Info("sandbox refused", "op", op, "path", p, "rule", re.Rule)
	}
	if s.auditor == nil {
		return err
	}
	rec := audit.Record{Actor: s.actor, Op: op, Path: cmp.Or(canon, p), Result: audit.ResultOK, Detail: detail}
	switch {
	case re != nil:
		rec.Result, rec.Path, rec.Detail = audit.ResultRefused, s.asked(p), "rule "+re.Rule+": "+re.Reason
	case err != nil:
		rec.Result, rec.Detail = audit.ResultError, err.Error()
	}
	if aerr := s.auditor.Record(ctx, rec); aerr != nil {
		return errors.Join(err, fmt.Errorf("sandbox: %s %s was not audited: %w", op, displayPath(p), aerr))
	}
	return err
}

// asked is a refused path as it was asked for, made absolute (not
// cleaned) so that its record says in which project it was refused:
// /p/../etc/passwd, /p/.git/config.
func (s *Sandbox) asked(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return s.Root() + "/" + p
}

// pathErr wraps a system error as an *fs.PathError; refusals pass as
// they are.
func pathErr(op, p string, err error) error {
	var re *RefusedError
	if errors.As(err, &re) {
		return err
	}
	return &fs.PathError{Op: op, Path: p, Err: err}
}

// join is the path rel names beneath r, as text (before symlinks).
func join(r *root, rel string) string {
	if rel == "." {
		return r.path
	}
	return r.path + "/" + rel
}
