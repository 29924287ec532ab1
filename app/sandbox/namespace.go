package sandbox

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// A confined command runs in new user, network and PID namespaces, as
// bubblewrap runs one: its network namespace has a loopback interface and
// nothing else, so nothing it does leaves the machine, and it cannot reach
// the host's loopback services either (127.0.0.1 there is its own); the
// first process of its PID namespace is an init of the sandbox's, and
// when that init ends the kernel kills every process left in the
// namespace, so nothing the command started — in the background, in a
// session of its own, nohup'ed — outlives it. The user namespace is what
// lets an ordinary user make the other two; it maps the caller's own uid
// and gid (files the command makes keep their owner) and nothing else.
//
// The init is this very binary, re-executed (/proc/self/exe) with argv[0]
// initArg0; the package's init function (nsinit.go) recognises it before
// main runs. It is forked from the confining thread like any confined
// command, so it runs under the same Landlock domain and seccomp filter,
// and so does the command it starts. See DESIGN.md.

// argv[0] of the sandbox's init: running a command, or probing whether
// the namespaces can be made here. Package ui/cli/early, which answers
// aiex --help before this package's init runs, leaves alone a process
// whose argv[0] starts with "aiex-".
const (
	initArg0  = "aiex-sandbox-init"
	probeArg0 = "aiex-sandbox-probe"
)

// The init's extra descriptors.
const (
	// initGoFD is read by the init: one byte once its ids are mapped (it
	// waits for it before doing anything), then end of file when the
	// process that started it is gone — the init then ends, and with it
	// the command.
	initGoFD = 3
	// initStatusFD is written by the init: initStarted once the command
	// is started, else why it could not be.
	initStatusFD = 4
)

// initStarted is the init's word that the command started.
const initStarted = "started"

// nsFlags are the namespaces a confined command gets.
const nsFlags = unix.CLONE_NEWUSER | unix.CLONE_NEWNET | unix.CLONE_NEWPID

// nsInit holds the parent's side of a started init.
type nsInit struct {
	goW     *os.File   // the init runs while this is open
	statusR *os.File   // what the init says about the start
	theirs  []*os.File // the init's ends, closed once it is started
}

// viaInit makes cmd start the sandbox's init in new namespaces, with
// argv[0] arg0 and args after it.
func viaInit(cmd *exec.Cmd, arg0 string, args []string) (*nsInit, error) {
	goR, goW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("sandbox: init pipe: %w", err)
	}
	statusR, statusW, err := os.Pipe()
	if err != nil {
		goR.Close()
		goW.Close()
		return nil, fmt.Errorf("sandbox: init pipe: %w", err)
	}
	cmd.Path = "/proc/self/exe"
	cmd.Args = append([]string{arg0}, args...)
	cmd.ExtraFiles = []*os.File{goR, statusW} // initGoFD, initStatusFD
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Cloneflags = nsFlags
	// The init execs as the caller's uid, which the new user namespace
	// does not map yet: without these ambient capabilities it would lose
	// all of them at exec. It needs CAP_NET_ADMIN (in its own namespace
	// only) to bring the loopback up and CAP_SETPCAP to drop the rest
	// before it starts the command.
	cmd.SysProcAttr.AmbientCaps = []uintptr{unix.CAP_NET_ADMIN, unix.CAP_SETPCAP}
	return &nsInit{goW: goW, statusR: statusR, theirs: []*os.File{goR, statusW}}, nil
}

// started finishes starting the init whose process is pid: it maps the
// caller's ids into the init's user namespace, lets the init go on, and
// waits for its word on the command. The ids are mapped here, by the
// caller, and not by Go's exec (SysProcAttr.UidMappings): that writes
// /proc/PID/uid_map from the forking thread, which Landlock keeps from
// writing /proc.
func (n *nsInit) started(pid int) error {
	for _, f := range n.theirs {
		f.Close()
	}
	n.theirs = nil
	if err := mapIDs(pid); err != nil {
		return err
	}
	if _, err := n.goW.Write([]byte{1}); err != nil {
		return fmt.Errorf("sandbox: init: %w", err)
	}
	word, err := io.ReadAll(io.LimitReader(n.statusR, 4096))
	n.statusR.Close()
	switch {
	case err != nil:
		return fmt.Errorf("sandbox: init: %w", err)
	case string(word) == initStarted:
		return nil
	case len(word) == 0:
		return errors.New("sandbox: the command's init ended before it started the command")
	}
	return errors.New(string(word))
}

// close releases the parent's side: the init, if still running, ends.
func (n *nsInit) close() {
	for _, f := range append(n.theirs, n.goW, n.statusR) {
		f.Close()
	}
}

// mapIDs maps the caller's effective uid and gid to themselves in the
// user namespace of process pid, the one mapping an ordinary user may
// write (setgroups must be denied first for the gid).
func mapIDs(pid int) error {
	uid, gid := os.Geteuid(), os.Getegid()
	dir := "/proc/" + strconv.Itoa(pid) + "/"
	for _, w := range [...]struct{ file, data string }{
		{"setgroups", "deny"},
		{"uid_map", fmt.Sprintf("%d %d 1\n", uid, uid)},
		{"gid_map", fmt.Sprintf("%d %d 1\n", gid, gid)},
	} {
		f, err := os.OpenFile(dir+w.file, os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteString(w.data)
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			return fmt.Errorf("sandbox: map ids into the command's user namespace: %w", err)
		}
	}
	return nil
}

// kernelNamespaces reports, once per process, whether commands can run in
// namespaces of their own here: it starts the init in probe mode, which
// makes the namespaces, maps the ids and brings the loopback up, then
// ends. Unprivileged user namespaces may be disabled
// (kernel.unprivileged_userns_clone=0, user.max_user_namespaces=0, an
// AppArmor policy), or a container's seccomp profile may refuse them.
var kernelNamespaces = sync.OnceValue(func() error {
	cmd := &exec.Cmd{}
	n, err := viaInit(cmd, probeArg0, nil)
	if err != nil {
		return err
	}
	defer n.close()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("namespaces cannot be made here (%w)", err)
	}
	err = n.started(cmd.Process.Pid)
	if werr := cmd.Wait(); err == nil && werr != nil {
		err = werr
	}
	if err != nil {
		return fmt.Errorf("namespaces cannot be made here (%w)", err)
	}
	return nil
})

// selfExe is this program's file, which a confined command must be
// allowed to execute: its init is this program.
var selfExe = sync.OnceValue(func() string {
	p, _ := os.Executable()
	return p
})
