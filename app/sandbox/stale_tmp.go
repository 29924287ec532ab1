package sandbox

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// aiex's temporary directories in the system's temp dir (a sandbox's own
// for its commands, a task's scratch) are removed by whoever made them
// when done; a process killed (kill -9, a crash) leaves them, with
// whatever its commands wrote there (go build's work directories, overlay
// copies of the project). Nothing else would ever remove them. So they are
// named for the process that made them, "aiex-KIND-PID-START-NS-RANDOM":
// its process id, its start time (/proc/PID/stat field 22, clock ticks
// since boot) and its pid namespace's inode. A later aiex that makes one
// first removes (once per process and temp dir: one ReadDir of it) those
// whose process has ended:
//   - named so, with a KIND of aiex's (a name of another form, an older
//     aiex's "aiex-cmd-RANDOM" among them, says nothing of its owner);
//   - a directory, not a link, owned by this user;
//   - not changed for a minute;
//   - made in this pid namespace (a process id names another process in
//     another one: a container sharing the temp dir);
//   - whose process is gone: kill(PID, 0) fails with ESRCH, or the process
//     with that id started at another time than the one that made it (the
//     id was reused). A process that cannot be looked at counts as alive.

// tempKinds are the kinds of directory aiex makes in the temp dir.
var tempKinds = []string{"task", "cmd", "overlay", "mix", "testgen"}

// staleAge is how long a directory must be unchanged to be removed: a
// margin over anything a process that has just ended may leave being
// written by a child it started.
const staleAge = time.Minute

// self is this process as temporary directories name it; ok is false when
// /proc does not say (its start or namespace), and then no directory can
// be told stale.
type self struct {
	pid   int
	start uint64
	ns    uint64
	ok    bool
}

// me is this process, read once: none of it changes.
var me = sync.OnceValue(func() self {
	s := self{pid: os.Getpid()}
	start, err := startTicks(s.pid)
	if err != nil {
		return s
	}
	var st unix.Stat_t
	if err := unix.Stat("/proc/self/ns/pid", &st); err != nil {
		return s
	}
	s.start, s.ns, s.ok = start, st.Ino, true
	return s
})

// sweptTemp holds the temp dirs this process has swept: each once.
var sweptTemp sync.Map

// MkdirTemp makes a new directory of the kind ("task", "cmd", …) in the
// system's temp dir, named for this process, after removing, the first
// time, those that processes since ended left there.
func MkdirTemp(kind string, logger *slog.Logger) (string, error) {
	SweepTemp(logger)
	m := me()
	return os.MkdirTemp("", fmt.Sprintf("aiex-%s-%d-%d-%d-", kind, m.pid, m.start, m.ns))
}

// SweepTemp removes the temporary directories processes that ended left
// in the system's temp dir, once per process and temp dir. What it
// removes is logged; what it cannot remove is left.
func SweepTemp(logger *slog.Logger) {
	dir := os.TempDir()
	if _, done := sweptTemp.LoadOrStore(dir, true); done {
		return
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	removed := sweepTemp(dir, time.Now(), logger)
	if len(removed) > 0 {
		logger.Info("sandbox: removed temporary directories of ended processes", "dir", dir, "removed", removed)
	}
}

// sweepTemp removes the stale directories of dir (see above) and returns
// their names.
func sweepTemp(dir string, now time.Time, logger *slog.Logger) []string {
	m := me()
	if !m.ok {
		return nil
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		logger.Debug("sandbox: temp dir not swept", "dir", dir, "err", err)
		return nil
	}
	uid := uint32(os.Getuid())
	var removed []string
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "aiex-") {
			continue // e.Type() does not follow links: a link is no directory here
		}
		owner, ok := parseTempName(e.Name())
		if !ok || owner.ns != m.ns {
			continue
		}
		path := filepath.Join(dir, e.Name())
		fi, err := os.Lstat(path)
		if err != nil || !fi.IsDir() || now.Sub(fi.ModTime()) < staleAge {
			continue
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); !ok || st.Uid != uid {
			continue
		}
		if !ended(owner, m) {
			continue
		}
		if err := os.RemoveAll(path); err != nil {
			logger.Debug("sandbox: stale temporary directory left", "dir", path, "err", err)
			continue
		}
		removed = append(removed, e.Name())
	}
	return removed
}

// parseTempName reads the process a directory name says made it.
func parseTempName(name string) (self, bool) {
	rest, _ := strings.CutPrefix(name, "aiex-")
	kind, rest, ok := strings.Cut(rest, "-")
	if !ok || !isTempKind(kind) {
		return self{}, false
	}
	parts := strings.Split(rest, "-")
	if len(parts) != 4 || parts[3] == "" {
		return self{}, false
	}
	var nums [4]uint64
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil {
			return self{}, false
		}
		nums[i] = n
	}
	if nums[0] == 0 || nums[0] > 1<<22 { // pid_max is at most 2^22
		return self{}, false
	}
	return self{pid: int(nums[0]), start: nums[1], ns: nums[2], ok: true}, true
}

func isTempKind(k string) bool {
	for _, t := range tempKinds {
		if k == t {
			return true
		}
	}
	return false
}

// ended reports whether the process owner names has ended: no process
// has its id, or the one that has started at another time. Anything
// unsure (the process exists, /proc does not say when it started) is a
// live process.
func ended(owner, m self) bool {
	if owner.pid == m.pid {
		return owner.start != m.start
	}
	if err := unix.Kill(owner.pid, 0); errors.Is(err, unix.ESRCH) {
		return true
	}
	start, err := startTicks(owner.pid)
	if errors.Is(err, fs.ErrNotExist) {
		return true // ended since kill looked
	}
	return err == nil && start != owner.start
}

// startTicks is when the process pid started, in clock ticks since boot:
// field 22 of /proc/PID/stat. The fields are counted after the command's
// name, in parentheses, which may hold spaces and parentheses itself.
func startTicks(pid int) (uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, fmt.Errorf("sandbox: /proc/%d/stat: no command name", pid)
	}
	fields := strings.Fields(string(b[i+1:])) // from field 3, the state
	if len(fields) < 20 {
		return 0, fmt.Errorf("sandbox: /proc/%d/stat: %d fields", pid, len(fields)+2)
	}
	return strconv.ParseUint(fields[19], 10, 64)
}
