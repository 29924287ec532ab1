package sandbox

import (
	"errors"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// maxSymlinks is how many symlinks one resolution follows, as the kernel.
const maxSymlinks = 40

// openBeneath opens rel beneath r with flags, following symlinks only
// while they stay beneath a root. With openat2 it is one system call
// (RESOLVE_BENEATH: no "..", absolute symlink or mount trick leaves r;
// RESOLVE_NO_MAGICLINKS: no /proc/self/fd-style links). When openat2 is
// missing, or refuses a path the walk might still accept (an absolute
// symlink to a file inside a root), the component walk decides. The
// returned fd is the object actually opened: whatever is checked on it
// holds for what is read. An allowlisted file (rather than directory) is
// opened through the walk, from its directory; so is every path of a root
// with one of aiex's own files beneath it (Options.Deny): openat2 shows
// where a path ends, not the directories it went through.
func (s *Sandbox) openBeneath(op, p string, r *root, rel string, flags int) (int, error) {
	if !s.noOpenat2.Load() && !r.file && !r.denies {
		how := unix.OpenHow{
			Flags:   uint64(flags | unix.O_CLOEXEC),
			Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS,
		}
		for range 3 {
			fd, err := unix.Openat2(r.fd, rel, &how)
			switch {
			case err == nil:
				return fd, nil
			case err == unix.EAGAIN || err == unix.EINTR:
				continue // a rename raced the lookup: try again
			case err == unix.ENOSYS:
				s.noOpenat2.Store(true)
			case err == unix.EXDEV || err == unix.ELOOP:
				// Left r, or a loop or magic link: the walk names the rule
				// (or follows an absolute symlink that stays in a root).
			default:
				return -1, err
			}
			break
		}
	}
	w, err := s.walk(op, p, r, rel, true)
	if err != nil {
		return -1, err
	}
	defer w.close()
	if w.name == "" {
		return unix.Openat(w.dir, ".", flags|unix.O_CLOEXEC, 0)
	}
	fd, err := unix.Openat(w.dir, w.name, flags|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err == unix.ELOOP {
		// The last element became a symlink after the walk read it.
		return -1, refuse(op, p, RuleSymlinkEscape, "changed into a symlink while it was opened")
	}
	return fd, err
}

// walked is where a walk ended: the directory holding the final element
// (an O_PATH fd the walk opened), the element's name ("" when the path
// names the directory itself), and the canonical path of the element.
type walked struct {
	dir   int
	name  string
	canon string
}

func (w *walked) close() { unix.Close(w.dir) }

// frame is one directory on the walk's stack.
type frame struct {
	fd   int
	name string
}

// walk resolves rel beneath r one element at a time. Each element is
// opened with O_PATH|O_NOFOLLOW relative to the directory before it and
// examined through that descriptor, so nothing is looked up twice by
// name. A symlink's target is spliced into the remaining path: a relative
// one continues from the current directory, an absolute one must lie in a
// root and continues from that root. ".." pops the stack and may not pop
// a root. followFinal says whether a symlink in the last element is
// followed; the last element need not exist. The caller closes the result.
func (s *Sandbox) walk(op, p string, r *root, rel string, followFinal bool) (*walked, error) {
	if r.file {
		// An allowlisted file: its directory, opened by its canonical path
		// (the allowlist is the user's, resolved when the sandbox opened).
		fd, err := unix.Open(filepath.Dir(r.path), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		if rel != "." {
			unix.Close(fd)
			return nil, unix.ENOTDIR
		}
		return &walked{dir: fd, name: filepath.Base(r.path), canon: r.path}, nil
	}
	top, err := unix.Dup(r.fd)
	if err != nil {
		return nil, err
	}
	base := r
	stack := []frame{{fd: top}}
	closeAll := func() {
		for _, f := range stack {
			unix.Close(f.fd)
		}
	}
	parts := split(rel)
	links := 0
	for len(parts) > 0 {
		name := parts[0]
		parts = parts[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			if len(stack) == 1 {
				closeAll()
				return nil, refuse(op, p, RuleSymlinkEscape, "leads outside %s through a symlink", base.path)
			}
			unix.Close(stack[len(stack)-1].fd)
			stack = stack[:len(stack)-1]
			continue
		}
		last := len(parts) == 0
		cur := stack[len(stack)-1].fd
		if last && !followFinal {
			return s.ended(stack, base, name), nil
		}
		fd, err := unix.Openat(cur, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err == unix.ENOENT && last {
			return s.ended(stack, base, name), nil // to be created
		}
		if err != nil {
			closeAll()
			return nil, err
		}
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			unix.Close(fd)
			closeAll()
			return nil, err
		}
		if st.Mode&unix.S_IFMT != unix.S_IFLNK {
			// One of aiex's own files or directories, however reached.
			if err := s.deniedStat(op, p, &st, !last); err != nil {
				unix.Close(fd)
				closeAll()
				return nil, err
			}
		}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFLNK:
			target, err := readlink(fd)
			unix.Close(fd)
			if err != nil {
				closeAll()
				return nil, err
			}
			if links++; links > maxSymlinks {
				closeAll()
				return nil, refuse(op, p, RuleSymlinkLoop, "goes through more than %d symlinks", maxSymlinks)
			}
			if filepath.IsAbs(target) {
				tr, trel := s.rootOf(filepath.Clean(target))
				if tr == nil || tr.file {
					closeAll()
					return nil, refuse(op, p, RuleSymlinkEscape, "leads through a symlink to %s, outside the project root %s and the allowlist",
						displayPath(target), s.Root())
				}
				// Restart from the root the target lies in.
				nfd, err := unix.Dup(tr.fd)
				if err != nil {
					closeAll()
					return nil, err
				}
				closeAll()
				stack, base = []frame{{fd: nfd}}, tr
				target = trel
			}
			parts = append(split(target), parts...)
		case unix.S_IFDIR:
			if last {
				unix.Close(fd)
				return s.ended(stack, base, name), nil
			}
			stack = append(stack, frame{fd: fd, name: name})
		default:
			unix.Close(fd)
			if !last {
				closeAll()
				return nil, unix.ENOTDIR
			}
			return s.ended(stack, base, name), nil
		}
	}
	// The path named a directory itself (".", or a symlink to one ending
	// in ".."): hand over the top of the stack.
	w := &walked{dir: stack[len(stack)-1].fd, canon: canonical(base, stack, "")}
	for _, f := range stack[:len(stack)-1] {
		unix.Close(f.fd)
	}
	return w, nil
}

// ended closes the stack but its top, which becomes the result's dir.
func (s *Sandbox) ended(stack []frame, base *root, name string) *walked {
	w := &walked{dir: stack[len(stack)-1].fd, name: name, canon: canonical(base, stack, name)}
	for _, f := range stack[:len(stack)-1] {
		unix.Close(f.fd)
	}
	return w
}

// canonical is the path the stack (and name) spell beneath base.
func canonical(base *root, stack []frame, name string) string {
	var b strings.Builder
	b.WriteString(base.path)
	for _, f := range stack[1:] {
		b.WriteByte('/')
		b.WriteString(f.name)
	}
	if name != "" {
		b.WriteByte('/')
		b.WriteString(name)
	}
	return b.String()
}

// split cuts a path into its elements; a leading "/" is dropped (absolute
// paths are mapped to a root before they get here).
func split(p string) []string {
	return strings.Split(strings.TrimPrefix(p, "/"), "/")
}

// readlink reads the target of the symlink fd (opened O_PATH|O_NOFOLLOW).
func readlink(fd int) (string, error) {
	for n := 256; ; n *= 2 {
		buf := make([]byte, n)
		m, err := unix.Readlinkat(fd, "", buf)
		if err != nil {
			return "", err
		}
		if m < n {
			return string(buf[:m]), nil
		}
		if n > maxPath {
			return "", errors.New("symlink target too long")
		}
	}
}
