package checkpoint

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// FS is the file access checkpoints read and write a project through: the
// sandbox (app/sandbox) in the app, DirFS in tests and as the unsandboxed
// fallback. Names are relative to the project root, with forward slashes.
type FS interface {
	// ReadFile returns the file's content; an error matching
	// fs.ErrNotExist when there is no such file.
	ReadFile(ctx context.Context, rel string) ([]byte, error)
	// WriteFile replaces the file's content atomically (a temporary file
	// renamed over it: a reader sees the old content or the new, never a
	// part), creating the directories it needs; perm is its mode.
	WriteFile(ctx context.Context, rel string, data []byte, perm fs.FileMode) error
	// Remove deletes the file, or the directory if it is empty.
	Remove(ctx context.Context, rel string) error
	// ReadDir lists a directory.
	ReadDir(ctx context.Context, rel string) ([]fs.DirEntry, error)
	// Stat describes the file (fs.ErrNotExist when there is none).
	Stat(ctx context.Context, rel string) (fs.FileInfo, error)
	// Lstat describes the file itself: a symbolic link is not followed.
	Lstat(ctx context.Context, rel string) (fs.FileInfo, error)
}

// Dir is an FS over a directory, confined to it by os.Root: no name can
// reach outside it, through ".." or a symbolic link. It is the
// unsandboxed fallback; the assistant's writes go through the sandbox.
type Dir struct {
	root *os.Root
	// NoSync skips fsync before the rename (tests, benchmarks of the
	// rest). Without it a crash right after WriteFile returns cannot leave
	// an empty file where the old content was.
	NoSync bool
}

// DirFS opens the directory dir as an FS. Close releases it.
func DirFS(dir string) (*Dir, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return &Dir{root: r}, nil
}

// Close releases the directory.
func (d *Dir) Close() error { return d.root.Close() }

// ReadFile implements FS.
func (d *Dir) ReadFile(_ context.Context, rel string) ([]byte, error) {
	return d.root.ReadFile(filepath.FromSlash(rel))
}

// Stat implements FS.
func (d *Dir) Stat(_ context.Context, rel string) (fs.FileInfo, error) {
	return d.root.Stat(filepath.FromSlash(rel))
}

// Lstat implements FS.
func (d *Dir) Lstat(_ context.Context, rel string) (fs.FileInfo, error) {
	return d.root.Lstat(filepath.FromSlash(rel))
}

// ReadDir implements FS.
func (d *Dir) ReadDir(_ context.Context, rel string) ([]fs.DirEntry, error) {
	f, err := d.root.Open(filepath.FromSlash(rel))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}

// Remove implements FS.
func (d *Dir) Remove(_ context.Context, rel string) error {
	return d.root.Remove(filepath.FromSlash(rel))
}

// WriteFile implements FS: the content goes to a new file beside the
// target (".NAME.aiex-RANDOM"), is flushed to disk, and is renamed over the
// target. If any step fails the temporary file is removed and the target
// is as it was. A symbolic link at rel is followed, as the sandbox does:
// the file it leads to is written, within the directory.
func (d *Dir) WriteFile(_ context.Context, rel string, data []byte, perm fs.FileMode) (err error) {
	if rel, err = d.resolve(rel); err != nil {
		return err
	}
	dir, name := path.Split(rel)
	if dir != "" {
		if err := d.root.MkdirAll(filepath.FromSlash(strings.TrimSuffix(dir, "/")), 0o755); err != nil {
			return err
		}
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:]) // crypto/rand does not fail on supported platforms
	tmp := filepath.FromSlash(dir + "." + name + ".aiex-" + hex.EncodeToString(rnd[:]))
	f, err := d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = d.root.Remove(tmp)
		}
	}()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm.Perm()) // exact, whatever the umask
	}
	if err == nil && !d.NoSync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &fs.PathError{Op: "write", Path: rel, Err: unwrapPath(err)}
	}
	return d.root.Rename(tmp, filepath.FromSlash(rel))
}

// resolve follows the symbolic links at the end of rel to the name of
// what they lead to (which need not exist). os.Root refuses any that
// leads out of the directory when it is used.
func (d *Dir) resolve(rel string) (string, error) {
	for range 40 {
		fi, err := d.root.Lstat(filepath.FromSlash(rel))
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return rel, nil // a missing or unreadable name: the write says
		}
		target, err := d.root.Readlink(filepath.FromSlash(rel))
		if err != nil {
			return "", err
		}
		target = filepath.ToSlash(target)
		if path.IsAbs(target) {
			return "", &fs.PathError{Op: "write", Path: rel, Err: errors.New("symbolic link to an absolute path")}
		}
		rel = path.Join(path.Dir(rel), target)
	}
	return "", &fs.PathError{Op: "write", Path: rel, Err: errors.New("too many levels of symbolic links")}
}

// unwrapPath drops the temporary file's name from an error.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
