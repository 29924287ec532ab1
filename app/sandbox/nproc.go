package sandbox

import (
	"fmt"
	"runtime"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// A confined command may start only so many processes and threads at
// once: without a bound, a fork bomb in generated code (`bomb() { bomb |
// bomb & }; bomb`) fills the machine's pid space (32,768 pids on many
// machines, and every thread takes one) and nothing else can start. The
// bound is RLIMIT_NPROC, set by the namespace's init (nsinit.go) on
// itself, and inherited by the command, before it starts the command.
//
// Why RLIMIT_NPROC suits commands in namespaces: since Linux 5.14 the
// kernel counts it per user *namespace* (ucounts), and compares the count
// of the forking task's own namespace with the forking task's limit.
// What the caller runs outside, as the same user, is counted one level
// up, against the limit the caller had when the namespace was made. So
// the limit bounds the command alone. Measured on 6.18 as uid 1000 with
// 300 processes running outside: a process in a new user namespace
// limited to 256 forked 254 children (it and unshare(1), which made the
// namespace, were the other two), then fork failed with EAGAIN; the same
// limit set on a process outside a user namespace let it fork none.
// Through the sandbox (TestCommandProcessLimit): 100 processes outside, a
// limit of 64, and the command's shell started 54 before fork failed, the
// init's threads taking most of the rest.
//
// Why not without the namespaces (ModeAuto's fallback where they cannot
// be made): there the count is every process and thread of the user's,
// aiex, the user's shell, editor and browser included, so any fixed limit
// either stops nothing or fails commands for what the user runs
// elsewhere. Such a command gets no limit, as it gets no network
// isolation; its report already says it runs unisolated.
//
// What it does not stop: the kernel never applies RLIMIT_NPROC to root
// (uid 0 of the initial namespace, whichever namespace it runs in: fork
// checks `user != INIT_USER` before the limit), nor to a process holding
// CAP_SYS_RESOURCE or CAP_SYS_ADMIN there. The command holds no
// capability (nsinit.go drops them), but a command of a root-run aiex
// is uid 0 outside: measured, with the limit set to 20 it forked 50
// processes. Bounding those needs a pids cgroup, which only a privileged
// or delegated caller can make.

// DefaultMaxProcesses is the least limit a confined command gets when
// Options.MaxProcesses is 0; on a machine of more than 64 CPUs it is 64
// per CPU (defaultMaxProcesses).
//
// What real commands need grows with the machine, since Go's and the
// Erlang VM's threads do: measured in a user namespace of their own on 2
// CPUs, a cold-cache `go test ./...` of a small four-package module (tests
// with goroutines, an httptest server, a subprocess) peaked at 20 tasks,
// 80 with GOMAXPROCS=8 and 209 with GOMAXPROCS=32 (the go command, up to
// GOMAXPROCS compilers and the test binaries, each with its threads: about
// 7 per CPU); `elixir -e 'IO.puts 1'` and `mix test` at 23, the VM's
// threads at 128 schedulers 275 (about 2 per CPU). 64 per CPU, and at
// least 4096, leaves a margin of about 9 against the measured need. A
// bash fork bomb held at 4096 for 5 s here took 0.85 GiB of memory and
// left the rest of the pid space free: the caller went on forking, and
// the bomb ended with its command.
const DefaultMaxProcesses = 4096

// defaultMaxProcesses is the limit when Options.MaxProcesses is 0.
func defaultMaxProcesses() int {
	return max(DefaultMaxProcesses, 64*runtime.NumCPU())
}

// nprocArg is how the limit is passed to the init (its argv[1]): "0",
// no limit, on a kernel older than 5.14, which counts RLIMIT_NPROC per
// user across the whole machine (Landlock dates from 5.13).
func nprocArg(limit int) string {
	if !nprocPerNamespace() {
		return "0"
	}
	return strconv.Itoa(limit)
}

// nprocPerNamespace reports whether this kernel counts RLIMIT_NPROC per
// user namespace.
var nprocPerNamespace = sync.OnceValue(func() bool {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return false
	}
	return kernelAtLeast(unix.ByteSliceToString(u.Release[:]), 5, 14)
})

// kernelAtLeast reports whether a kernel release ("6.18.44-fc") is
// major.minor or later.
func kernelAtLeast(release string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(release, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// setProcessLimit sets RLIMIT_NPROC, soft and hard, for the init and what
// it starts (0: it sets none). The hard limit too: a command may raise its soft limit up to
// the hard one, and without CAP_SYS_RESOURCE (which init_user_ns alone
// could grant) never the hard one.
//
// The init's own threads are counted and checked against it too, when it
// makes new ones: all it needs it has made before the command starts, and
// should the Go runtime want another while a runaway command holds every
// slot, it retries for 0.2 s and then the init dies — which ends the
// namespace and the command with it: the failure is the command's end,
// never its escape.
func setProcessLimit(limit uint64) error {
	if limit == 0 {
		return nil
	}
	return unix.Setrlimit(unix.RLIMIT_NPROC, &unix.Rlimit{Cur: limit, Max: limit})
}
