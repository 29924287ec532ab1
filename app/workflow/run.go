package workflow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// Command is one toolchain invocation: `go build …`, `go test …`, `mix test …`.
type Command struct {
	// Dir is the absolute working directory.
	Dir string
	// Name is the program ("go", "mix"), looked up in PATH.
	Name string
	Args []string
	// Env holds KEY=VALUE settings added to the runner's own base
	// environment (which the runner chooses: this process's, or a
	// scrubbed one); later entries win.
	Env []string
	// Output receives the command's standard output and standard error
	// together. It is safe for concurrent writes.
	Output io.Writer
}

// Runner runs commands for Run. The caller's runner confines the child
// (Landlock: the project read-only, the scratch directory Run creates
// under Spec.TempDir read-write); Exec runs it plainly.
//
// Run returns the exit status of a command that ran to its end (non-zero
// is not an error), and an error when the command could not be started or
// was stopped (the context ended). Run must not return before the child
// has exited.
type Runner interface {
	Run(ctx context.Context, cmd Command) (exitCode int, err error)
}

// Exec is the plain os/exec Runner: the child gets this process's
// environment plus Command.Env, runs in its own process group, and the
// whole group is killed when the context ends. It confines nothing: give
// Run a confining Runner for generated code you have not read.
type Exec struct{}

// Run implements Runner.
func (Exec) Run(ctx context.Context, c Command) (int, error) {
	cmd := exec.CommandContext(ctx, c.Name, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), c.Env...)
	out := c.Output
	if out == nil {
		out = io.Discard
	}
	cmd.Stdout, cmd.Stderr = out, out
	// mix starts the Erlang VM, which may start helpers of its own: kill
	// the group, not just the child, and do not wait forever for
	// grandchildren that keep the output pipe open.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return -1, ctx.Err()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), nil
	}
	if err != nil {
		return -1, err
	}
	return 0, nil
}

// CopyTree copies the directory src to dst (which must not exist),
// leaving out what skip says (rel is slash-separated, relative to src)
// and any aiex data dir inside it (its key file and store are not the
// project's, and commands run in the copy must not read them).
// Modification times are kept (mix decides what to recompile by them);
// symlinks are recreated: one whose target is inside src points at the
// same place inside dst, so nothing reached through the copy leads back
// into src; one whose target is outside points at it absolutely. Other
// special files are left out. Regular files go
// through io.Copy, which uses copy_file_range (a reflink where the file
// system has them).
func CopyTree(src, dst string, skip func(rel string, dir bool) bool) error {
	// A project reached through a symlink (cd into a link to it) is
	// copied, not the link: WalkDir does not follow a root that is one.
	if r, err := filepath.EvalSymlinks(src); err == nil {
		src = r
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if rel != "." && (skip(filepath.ToSlash(rel), d.IsDir()) || d.IsDir() && db.IsDataDir(p)) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		to := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.Mkdir(to, info.Mode().Perm()|0o700)
		case d.Type()&fs.ModeSymlink != 0:
			return copyLink(src, dst, p, to)
		case d.Type().IsRegular():
			return copyFile(p, to, info)
		}
		return nil
	})
}

func copyFile(from, to string, info fs.FileInfo) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, info.Mode().Perm()|0o200)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copy %s: %w", from, err)
	}
	return os.Chtimes(to, info.ModTime(), info.ModTime())
}

func copyLink(src, dst, from, to string) error {
	target, err := os.Readlink(from)
	if err != nil {
		return err
	}
	abs := target
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(filepath.Dir(from), target)
	}
	rel, err := filepath.Rel(src, abs)
	inside := err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	switch {
	case inside && filepath.IsAbs(target):
		target = filepath.Join(dst, rel) // into the copy, not the project
	case !inside:
		target = abs // the same place outside the project, from anywhere
	}
	err = os.Symlink(target, to)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	return err
}

// SkipPrivate is skip, for a copy of the directory src, that also leaves
// out the paths of private lying inside src: aiex's own data dir and
// config file (absolute, as the app has them), which a project may hold
// (AIEX_DATA_DIR=.aiex, AIEX_CONFIG=aiex.toml in its root). The commands
// run in the copy run model-written code, and their sandbox keeps them
// from those paths in the project only; a copy of them would be theirs to
// read. Each is matched by its path as given and with symbolic links
// resolved, and letter case is ignored, as the sandbox ignores it.
func SkipPrivate(src string, private []string, skip func(rel string, dir bool) bool) func(rel string, dir bool) bool {
	var rels []string
	for _, base := range resolved(src) {
		for _, p := range private {
			for _, t := range resolved(p) {
				rel, err := filepath.Rel(base, t)
				if err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
					rels = append(rels, filepath.ToSlash(rel))
				}
			}
		}
	}
	if len(rels) == 0 {
		return skip
	}
	return func(rel string, dir bool) bool {
		for _, r := range rels {
			if strings.EqualFold(r, rel) {
				return true
			}
		}
		return skip(rel, dir)
	}
}

// resolved is the absolute path p and, if it differs, p with the
// symbolic links of its directory (and of p itself, when it exists)
// resolved; none for "".
func resolved(p string) []string {
	if p == "" {
		return nil
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		dir, derr := filepath.EvalSymlinks(filepath.Dir(abs))
		if derr != nil {
			return []string{abs}
		}
		real = filepath.Join(dir, filepath.Base(abs))
	}
	if real == abs {
		return []string{abs}
	}
	return []string{abs, real}
}

// MixCopySkip leaves out of an Elixir project's copy what the tests do not
// need or what must not be shared: .git, node_modules, editor caches, and
// every build directory except _build/test, which is copied so that
// compiled dependencies are reused (it is copied, not linked: mix writes
// into it).
func MixCopySkip(rel string, dir bool) bool {
	if !dir {
		return false
	}
	base := rel[strings.LastIndexByte(rel, '/')+1:]
	switch base {
	case ".git", "node_modules", ".elixir_ls", ".lexical", ".hex-cache":
		return true
	}
	parent := strings.TrimSuffix(rel, "/"+base)
	if parent == rel {
		parent = ""
	}
	pbase := parent[strings.LastIndexByte(parent, '/')+1:]
	return pbase == "_build" && base != "test"
}

// lockedBuffer is an output safe for concurrent writes (stdout and
// stderr of one command).
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
