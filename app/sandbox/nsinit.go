package sandbox

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// The sandbox's init: what this binary does when it was started as the
// first process of a confined command's namespaces (namespace.go). It
// waits for its ids to be mapped, brings the loopback up, drops every
// capability, starts the command, forwards signals to it, reaps whatever
// the namespace's orphans leave, and ends with the command's status —
// and with it, by the kernel's hand, every process still in the
// namespace.
//
// A package init function is the one hook that runs in every binary that
// can start a confined command — aiex, and the test binaries of every
// package that reaches this one — before anything else of the program
// runs, without each main having to call it. It does nothing unless
// argv[0] is the init's.
func init() {
	if len(os.Args) == 0 {
		return
	}
	switch os.Args[0] {
	case initArg0:
		// aiex-sandbox-init NPROC PROGRAM ARGV0 ARGS…
		if len(os.Args) < 4 {
			os.Exit(initFailed)
		}
		nproc, err := strconv.ParseUint(os.Args[1], 10, 64)
		if err != nil {
			os.Exit(initFailed)
		}
		os.Exit(runInit(nproc, os.Args[2], os.Args[3:]))
	case probeArg0:
		os.Exit(runInit(0, "", nil))
	}
}

// Exit codes of the init itself (a command's own status passes through).
const (
	initFailed   = 125 // could not start the command (the parent was told why)
	initOrphaned = 137 // the process that started it is gone: as if killed
)

// runInit runs program with argv (argv[0] first) as the init, limited
// with what it starts to nproc processes and threads (nproc.go); with no
// program it only checks that it could (the probe).
func runInit(nproc uint64, program string, argv []string) int {
	goR := os.NewFile(initGoFD, "init-go")
	status := os.NewFile(initStatusFD, "init-status")
	if goR == nil || status == nil {
		return initFailed
	}
	// Neither descriptor is the command's business.
	unix.CloseOnExec(initGoFD)
	unix.CloseOnExec(initStatusFD)
	fail := func(format string, args ...any) int {
		fmt.Fprintf(status, format, args...)
		return initFailed
	}
	var b [1]byte
	if n, _ := goR.Read(b[:]); n != 1 {
		return initOrphaned
	}
	if err := loopbackUp(); err != nil {
		return fail("sandbox: bring up the command's loopback: %v", err)
	}
	if program == "" {
		status.WriteString(initStarted)
		return 0
	}
	// Model-written code that crashes leaves no core file in the project.
	unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{})

	// Capabilities are per thread: drop them on this one, locked, and
	// fork the command from it. In its user namespace the init holds
	// capabilities that mean nothing outside it; the command gets none.
	runtime.LockOSThread()
	if err := dropAllCapabilities(); err != nil {
		return fail("sandbox: init: %v", err)
	}
	// After the capabilities are gone none of this namespace's processes
	// may exceed the limit; the init's threads and its command's
	// processes all count against it.
	if err := setProcessLimit(nproc); err != nil {
		return fail("sandbox: init: limit the command's processes: %v", err)
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, unix.SIGINT, unix.SIGTERM, unix.SIGHUP, unix.SIGQUIT, unix.SIGUSR1, unix.SIGUSR2, unix.SIGWINCH)
	pid, err := syscall.ForkExec(program, argv, &syscall.ProcAttr{Env: os.Environ(), Files: []uintptr{0, 1, 2}})
	if err != nil {
		return fail("fork/exec %s: %v", program, err)
	}
	status.WriteString(initStarted)
	status.Close()

	go func() {
		for s := range sigs {
			unix.Kill(pid, s.(syscall.Signal))
		}
	}()
	go func() {
		// The parent holds the other end until it has waited for this
		// process: end of file means it is gone, killed perhaps, and the
		// command must not run on without it.
		io.Copy(io.Discard, goR)
		os.Exit(initOrphaned)
	}()
	for {
		var ws unix.WaitStatus
		wpid, err := unix.Wait4(-1, &ws, 0, nil)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return initFailed // ECHILD: cannot happen while the command runs
		case wpid != pid:
			continue // an orphan the namespace handed to its init
		case ws.Signaled():
			// The init of a PID namespace cannot die of a signal it sends
			// itself: the shell's convention says which one it was.
			return 128 + int(ws.Signal())
		default:
			return ws.ExitStatus()
		}
	}
}

// loopbackUp brings up lo, the only interface of a new network namespace
// (it is made down); the kernel then gives it 127.0.0.1 and ::1.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("SIOCGIFFLAGS lo: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("SIOCSIFFLAGS lo: %w", err)
	}
	return nil
}

// dropAllCapabilities leaves the calling thread with no capabilities and
// none to regain: its bounding set emptied (a root command's exec would
// otherwise grant it all of them again), the ambient set cleared, the
// permitted, effective and inheritable sets zeroed.
func dropAllCapabilities() error {
	if err := dropCapabilities(); err != nil {
		return err
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_CAP_AMBIENT_CLEAR_ALL): %w", err)
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var none [2]unix.CapUserData
	if err := unix.Capset(&hdr, &none[0]); err != nil {
		return fmt.Errorf("capset: %w", err)
	}
	return nil
}
