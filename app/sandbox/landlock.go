package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Landlock, through its three system calls (golang.org/x/sys/unix has
// their numbers and structs). go-landlock restricts every thread of the
// calling process (through psx, a cgo pthread wrapper, in cgo builds like
// aiex's); aiex must stay unrestricted and confine one child. So the
// ruleset is applied to one locked OS thread, which starts the child and
// then dies with its goroutine: a child inherits the Landlock domain of
// the thread that forked it, and Go never reuses a thread a goroutine
// left locked. See DESIGN.md.

// kernelLandlockABI asks the kernel for its Landlock ABI version.
func kernelLandlockABI() (int, error) {
	v, _, e := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, unix.LANDLOCK_CREATE_RULESET_VERSION)
	switch e {
	case 0:
		return int(v), nil
	case unix.ENOSYS:
		return 0, errors.New("landlock_create_ruleset: not implemented: the kernel was built without Landlock")
	case unix.EOPNOTSUPP:
		return 0, errors.New("landlock_create_ruleset: not supported: Landlock is not enabled at boot (lsm=)")
	default:
		return 0, fmt.Errorf("landlock_create_ruleset: %w", e)
	}
}

// File system rights, by the ABI version that brought them.
const (
	fsV1 = unix.LANDLOCK_ACCESS_FS_EXECUTE | unix.LANDLOCK_ACCESS_FS_WRITE_FILE | unix.LANDLOCK_ACCESS_FS_READ_FILE |
		unix.LANDLOCK_ACCESS_FS_READ_DIR | unix.LANDLOCK_ACCESS_FS_REMOVE_DIR | unix.LANDLOCK_ACCESS_FS_REMOVE_FILE |
		unix.LANDLOCK_ACCESS_FS_MAKE_CHAR | unix.LANDLOCK_ACCESS_FS_MAKE_DIR | unix.LANDLOCK_ACCESS_FS_MAKE_REG |
		unix.LANDLOCK_ACCESS_FS_MAKE_SOCK | unix.LANDLOCK_ACCESS_FS_MAKE_FIFO | unix.LANDLOCK_ACCESS_FS_MAKE_BLOCK |
		unix.LANDLOCK_ACCESS_FS_MAKE_SYM
	fsV2 = fsV1 | unix.LANDLOCK_ACCESS_FS_REFER
	fsV3 = fsV2 | unix.LANDLOCK_ACCESS_FS_TRUNCATE
	fsV5 = fsV3 | unix.LANDLOCK_ACCESS_FS_IOCTL_DEV

	// What a rule on a file (not a directory) may grant.
	fsFile = unix.LANDLOCK_ACCESS_FS_EXECUTE | unix.LANDLOCK_ACCESS_FS_WRITE_FILE | unix.LANDLOCK_ACCESS_FS_READ_FILE |
		unix.LANDLOCK_ACCESS_FS_TRUNCATE | unix.LANDLOCK_ACCESS_FS_IOCTL_DEV

	fsReadExec = unix.LANDLOCK_ACCESS_FS_EXECUTE | unix.LANDLOCK_ACCESS_FS_READ_FILE | unix.LANDLOCK_ACCESS_FS_READ_DIR
	fsRead     = unix.LANDLOCK_ACCESS_FS_READ_FILE | unix.LANDLOCK_ACCESS_FS_READ_DIR
	fsAll      = fsV5
)

// handledFS is every file system right the ABI knows: all are denied
// unless a rule grants them.
func handledFS(abi int) uint64 {
	switch {
	case abi >= 5:
		return fsV5
	case abi >= 3:
		return fsV3
	case abi == 2:
		return fsV2
	default:
		return fsV1
	}
}

// pathRule grants access beneath path.
type pathRule struct {
	path   string
	access uint64
}

// rules are the paths a confined child with the environment env may use:
// the roots (read-only ones read-only), the temp dir and the Go build
// cache read-write; the system, the toolchains, the program and the
// caches of code (Go modules, Mix archives, Hex and rebar3 packages)
// read-only with execute; a few devices. Missing paths are skipped, but
// for the Go build cache, which is made: the child may not make it.
func (s *Sandbox) rules(program string, env []string) []pathRule {
	var out []pathRule
	add := func(access uint64, paths ...string) {
		for _, p := range paths {
			if p != "" {
				out = append(out, pathRule{p, access})
			}
		}
	}
	for _, r := range s.roots {
		if r.readOnly {
			add(fsReadExec, r.path)
		} else {
			add(fsAll, r.path)
		}
	}
	home, _ := os.UserHomeDir()
	inHome := func(p string) string {
		if home == "" {
			return ""
		}
		return filepath.Join(home, p)
	}
	gopath := filepath.SplitList(os.Getenv("GOPATH"))
	if len(gopath) == 0 {
		gopath = []string{inHome("go")}
	}
	// Where the child's go keeps them. For the go command itself `go env`
	// is asked (the go env file may say, or the child's environment differ
	// from this one's) and a missing build cache made; for another
	// program, which may not run go at all, the variables say.
	gocache, modcache := goDirsByEnv(env)
	if filepath.Base(program) == "go" {
		gocache, modcache = goDirs(env)
		makeGoCache(gocache)
	}
	tmp, _ := s.temp() // made before the rules, as the command was prepared
	add(fsAll, tmp, gocache)
	add(fsAll, s.execRW...)
	add(fsAll, "/dev/null", "/dev/zero", "/dev/full")

	add(fsReadExec, "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt",
		goroot(), inHome(".config/go"), program)
	// Code that aiex's user runs later, unconfined, is read-only: the Go
	// module cache (a dependency's source edited there would be built
	// into the user's next program), Mix's archives, Hex's and rebar3's
	// caches. A child that needs a module not yet downloaded fails.
	add(fsReadExec, modcache, os.Getenv("GOMODCACHE"), filepath.Join(gopath[0], "pkg"),
		inHome(".mix"), inHome(".hex"), inHome(".cache/rebar3"))
	add(fsReadExec, s.execRO...)
	add(fsRead, "/proc", "/sys/fs/cgroup", "/dev/urandom", "/dev/random")
	return out
}

// goroot is the Go installation the child's "go" would be.
func goroot() string {
	if p, err := exec.LookPath("go"); err == nil {
		if p, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(filepath.Dir(p))
		}
	}
	return os.Getenv("GOROOT")
}

// ruleset builds a Landlock ruleset of rules for the kernel's ABI and
// returns its fd. No rule grants anything at or beneath a path of deny
// (landlock_deny.go).
func ruleset(abi int, rules []pathRule, deny []denied) (int, error) {
	handled := handledFS(abi)
	attr := unix.LandlockRulesetAttr{Handled_access_fs: handled}
	size := unsafe.Offsetof(attr.Handled_access_net) // ABI 1–3 know the fs field alone
	if abi >= 4 {
		size = unsafe.Offsetof(attr.Scoped)
	}
	if abi >= 6 {
		// The child may not signal, nor connect to abstract unix sockets
		// of, processes outside its domain (aiex included).
		attr.Scoped = unix.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | unix.LANDLOCK_SCOPE_SIGNAL
		size = unsafe.Offsetof(attr.Quiet_access_fs)
	}
	fd, _, e := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, uintptr(unsafe.Pointer(&attr)), size, 0)
	if e != 0 {
		return -1, fmt.Errorf("landlock_create_ruleset: %w", e)
	}
	for _, r := range rules {
		if err := addRule(int(fd), handled, r, deny); err != nil {
			unix.Close(int(fd))
			return -1, err
		}
	}
	return int(fd), nil
}

func addRule(rfd int, handled uint64, r pathRule, deny []denied) error {
	pfd, err := unix.Open(r.path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EACCES) || errors.Is(err, unix.ENOTDIR) {
		return nil // not on this system
	}
	if err != nil {
		return fmt.Errorf("landlock rule %s: %w", r.path, err)
	}
	defer unix.Close(pfd)
	var st unix.Stat_t
	if err := unix.Fstat(pfd, &st); err != nil {
		return fmt.Errorf("landlock rule %s: %w", r.path, err)
	}
	access := r.access & handled
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		access &= fsFile
	}
	if access == 0 || isDenied(&st, deny) {
		return nil
	}
	if len(deny) > 0 && st.Mode&unix.S_IFMT == unix.S_IFDIR {
		tails, inside := denyTails(fdPath(pfd, r.path), deny)
		if inside {
			return nil
		}
		if len(tails) > 0 {
			addSplitRule(rfd, handled, pfd, access, tails, deny)
			return nil
		}
	}
	if err := landlockAdd(rfd, pfd, access); err != nil {
		return fmt.Errorf("landlock rule %s: %w", r.path, err)
	}
	return nil
}

// landlockAdd grants access beneath the file or directory fd.
func landlockAdd(rfd, fd int, access uint64) error {
	if access == 0 {
		return nil
	}
	attr := unix.LandlockPathBeneathAttr{Allowed_access: access, Parent_fd: int32(fd)}
	_, _, e := unix.Syscall6(unix.SYS_LANDLOCK_ADD_RULE, uintptr(rfd), unix.LANDLOCK_RULE_PATH_BENEATH,
		uintptr(unsafe.Pointer(&attr)), 0, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// startConfined starts cmd from a thread restricted by the ruleset rfd
// and, when filter is set, by the seccomp filter (seccomp.go).
// The goroutine locks its thread and never unlocks it, so the thread, the
// only one of this process that is restricted, ends with the goroutine.
// (The runtime never forks new threads off a locked one: it hands that to
// its template thread, which LockOSThread started unrestricted.)
func startConfined(cmd *exec.Cmd, rfd int, filter bool) error {
	if err := guardProcess(); err != nil {
		return err
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := dropCapabilities(); err != nil {
			errc <- err
			return
		}
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			errc <- fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", err)
			return
		}
		if _, _, e := unix.Syscall(unix.SYS_LANDLOCK_RESTRICT_SELF, uintptr(rfd), 0, 0); e != 0 {
			errc <- fmt.Errorf("landlock_restrict_self: %w", e)
			return
		}
		if filter {
			if err := installSeccomp(); err != nil {
				errc <- err
				return
			}
		}
		errc <- cmd.Start()
	}()
	return <-errc
}

// guardProcess makes this process non-dumpable, once: its /proc/PID
// entries (environ, mem, auxv, …) then belong to root and need
// CAP_SYS_PTRACE, so a confined child of the same user cannot read the
// API keys in this process's environment through /proc, which it may
// read (Landlock's ptrace scoping does not cover those reads on every
// kernel). Core dumps of this process are off from then on, as for
// ssh-agent.
var guardProcess = sync.OnceValue(func() error {
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_DUMPABLE): %w", err)
	}
	return nil
})

// dropCapabilities empties the calling thread's capability bounding set,
// so that a child it starts has no capabilities even when aiex runs as
// root (with them, root's child could read other processes' memory and
// environment, load modules or reboot, none of which Landlock governs).
// Without CAP_SETPCAP there is nothing to drop: an ordinary user's
// children have no capabilities to begin with.
func dropCapabilities() error {
	drop := func(c uintptr) error { return unix.Prctl(unix.PR_CAPBSET_DROP, c, 0, 0, 0) }
	for c := uintptr(0); c < 64; c++ {
		if c == unix.CAP_SETPCAP {
			continue // dropped last: it is what allows the drops
		}
		err := drop(c)
		if err == unix.EINVAL {
			break // past the kernel's last capability
		}
		if err == unix.EPERM {
			return nil
		}
		if err != nil {
			return fmt.Errorf("prctl(PR_CAPBSET_DROP, %d): %w", c, err)
		}
	}
	if err := drop(unix.CAP_SETPCAP); err != nil && err != unix.EPERM {
		return fmt.Errorf("prctl(PR_CAPBSET_DROP, CAP_SETPCAP): %w", err)
	}
	return nil
}
