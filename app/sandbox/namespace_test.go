package sandbox_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/sandbox"
)

// netJob is a child's network job: "dialtcp:ADDR" connects to ADDR;
// "loopback:" listens on 127.0.0.1 and connects to itself, as
// httptest.NewServer and a test's Erlang node do.
func netJob(op, addr string) error {
	switch op {
	case "dialtcp":
		c, err := net.DialTimeout("tcp", addr, 3*time.Second)
		if err != nil {
			return err
		}
		return c.Close()
	default:
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer ln.Close()
		go func() {
			if c, err := ln.Accept(); err == nil {
				c.Write([]byte("hi"))
				c.Close()
			}
		}()
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 3*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		b, err := io.ReadAll(c)
		if err != nil || string(b) != "hi" {
			return fmt.Errorf("loopback read %q: %v", b, err)
		}
		return nil
	}
}

// listenTCP listens on host:0 for the test and counts connections;
// accepted waits for the first.
func listenTCP(t *testing.T, host string) (addr string, accepted func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	n := make(chan int, 1)
	n <- 0
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n <- <-n + 1
			c.Close()
		}
	}()
	// A dial completes in the kernel before Accept returns here: the count
	// is read once a connection was taken, or after a few seconds.
	return ln.Addr().String(), func() int {
		deadline := time.Now().Add(5 * time.Second)
		for {
			v := <-n
			n <- v
			if v > 0 || time.Now().After(deadline) {
				return v
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// hostAddress is an address of this machine that is not a loopback one,
// or "" when it has none.
func hostAddress(t *testing.T) string {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if ip, ok := a.(*net.IPNet); ok && ip.IP.To4() != nil {
				return ip.IP.String()
			}
		}
	}
	return ""
}

// TestCommandNoNetwork: a confined command reaches no TCP listener of
// this machine, neither on one of its addresses nor on its loopback (the
// command has a loopback of its own), while it may still listen on and
// connect to its own 127.0.0.1. Unconfined, the same child reaches both
// listeners: they are there to be reached.
func TestCommandNoNetwork(t *testing.T) {
	lo, loAccepted := listenTCP(t, "127.0.0.1")
	targets := []string{lo}
	if h := hostAddress(t); h != "" {
		addr, _ := listenTCP(t, h)
		targets = append(targets, addr)
	} else {
		t.Log("this machine has no address but loopback ones")
	}
	off, _, _, _, _ := commandFixture(t, sandbox.ModeOff)
	for _, a := range targets {
		if _, out, err := runChild(t, off, "dialtcp:"+a); err != nil {
			t.Fatalf("unconfined, the child cannot reach %s: %v: %s", a, err, out)
		}
	}
	seen := loAccepted()

	s, _, _, _, _ := commandFixture(t, sandbox.ModeStrict)
	if !s.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	needNamespaces(t, s)
	for _, a := range targets {
		cmd, out, err := runChild(t, s, "dialtcp:"+a)
		if err == nil {
			t.Errorf("confined (%s), the child connected to %s", cmd.Confinement(), a)
			continue
		}
		if !strings.Contains(out, "network is unreachable") && !strings.Contains(out, "connection refused") {
			t.Errorf("dialing %s failed, but not for the lack of a network: %v: %s", a, err, out)
		}
	}
	if n := loAccepted(); n != seen {
		t.Errorf("the host's loopback listener accepted %d connections from confined children", n-seen)
	}
	if _, out, err := runChild(t, s, "loopback:"); err != nil {
		t.Fatalf("confined, the child cannot use its own loopback: %v: %s", err, out)
	}
}

// needNamespaces skips a test of what the namespaces do where the system
// cannot make them (unprivileged user namespaces disabled, a container's
// seccomp profile) — but fails it under CI, whose container must allow
// them: there strict mode, gen tests' default, would refuse every command.
func needNamespaces(t *testing.T, s *sandbox.Sandbox) {
	t.Helper()
	if c := s.Landlock(); !c.Isolated {
		if os.Getenv("CI") != "" {
			t.Fatalf("commands cannot run in namespaces of their own here: %s", c.IsolationReason)
		}
		t.Skipf("commands cannot run in namespaces of their own here: %s", c.IsolationReason)
	}
}

// sleepMark is a sleep duration no other process of the machine is
// likely to have on its command line: the mark by which a test finds the
// processes a command left.
func sleepMark() string { return strconv.Itoa(100000 + rand.IntN(900000)) }

// sleepers are the pids of the processes running now that have MARK as
// an argument (`sleep MARK`, or `setsid sleep MARK` before it execs
// sleep), zombies excluded.
func sleepers(t *testing.T, mark string) []int {
	t.Helper()
	ents, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(b, []byte("\x00"+mark+"\x00")) {
			continue
		}
		if st, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat")); err == nil {
			if _, rest, ok := bytes.Cut(st, []byte(") ")); ok && bytes.HasPrefix(rest, []byte("Z")) {
				continue
			}
		}
		out = append(out, pid)
	}
	return out
}

// killSleepers kills what the test may have left (before the fix, or on
// failure), at its end.
func killSleepers(t *testing.T, mark string) {
	t.Cleanup(func() {
		for _, pid := range sleepers(t, mark) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

// TestCommandLeavesNoProcess: no process a confined command started
// outlives it — one put in the background, one in a session of its own
// (out of the command's process group), nohup'ed — whether the command
// ended by itself or was stopped by its context.
func TestCommandLeavesNoProcess(t *testing.T) {
	s, _, _, _, _ := commandFixture(t, sandbox.ModeStrict)
	if !s.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	needNamespaces(t, s)
	for _, c := range []struct {
		name, script string
		timeout      bool
	}{
		{"background", "sleep %s >/dev/null 2>&1 & echo started", false},
		{"setsid", "setsid sleep %s >/dev/null 2>&1 & echo started", false},
		{"nohup", "nohup sleep %s >/dev/null 2>&1 & echo started", false},
		{"pipe held", "sleep %s & echo started", false},
		{"timeout", "setsid sleep %s >/dev/null 2>&1 & echo started; sleep 60", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			mark := sleepMark()
			killSleepers(t, mark)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if c.timeout {
				ctx, cancel = context.WithTimeout(ctx, 500*time.Millisecond)
				defer cancel()
			}
			cmd := s.Command(ctx, "sh", "-c", fmt.Sprintf(c.script, mark))
			cmd.WaitDelay = 30 * time.Second // Wait must not need it
			start := time.Now()
			out, err := cmd.Output()
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("Run took %v", took)
			}
			if c.timeout != (err != nil) || !strings.Contains(string(out), "started") {
				t.Fatalf("%s: %v: %q", c.script, err, out)
			}
			if pids := sleepers(t, mark); len(pids) != 0 {
				t.Fatalf("after Run returned, sleep %s still runs as pid %v (%s)", mark, pids, cmd.Confinement())
			}
		})
	}
}

// TestCommandDiesWithAiex: when the process that started a confined
// command is killed outright (no chance to clean up), the command and
// everything it started end too. The test binary plays aiex: it starts a
// confined `sleep` and waits to be killed.
func TestCommandDiesWithAiex(t *testing.T) {
	exe := standIn(t)
	mark := sleepMark()
	killSleepers(t, mark)
	// The stand-in is killed, so it cannot clean up: its project and its
	// sandbox's temp dir are the test's, and its system temp dir one the
	// test checks is left empty.
	base := t.TempDir()
	for _, d := range []string{"project", "tmp", "systmp"} {
		if err := os.Mkdir(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	aiex := exec.Command(exe)
	aiex.Env = append(os.Environ(), childEnv+"=confinedsleep:"+mark+":"+base, "TMPDIR="+filepath.Join(base, "systmp"))
	aiex.Stderr = os.Stderr
	stdout, err := aiex.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := aiex.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "started\n" {
		aiex.Process.Kill()
		aiex.Wait()
		t.Fatalf("the stand-in for aiex said %q: %v", line, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(sleepers(t, mark)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the confined sleep never showed up")
		}
		time.Sleep(10 * time.Millisecond)
	}
	aiex.Process.Kill()
	aiex.Wait()
	deadline = time.Now().Add(5 * time.Second)
	for {
		pids := sleepers(t, mark)
		if len(pids) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("5 s after its starter was killed, the confined sleep %s still runs as %v", mark, pids)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if left, err := os.ReadDir(filepath.Join(base, "systmp")); err != nil || len(left) != 0 {
		t.Fatalf("the killed stand-in left %v in its temp dir (%v)", left, err)
	}
}

// confinedSleep is the child job of TestCommandDiesWithAiex, given
// "MARK:BASE": start a confined `sleep MARK` (one in the background, too)
// in the project BASE/project, with BASE/tmp as the sandbox's temp dir,
// say so, and wait to be killed. It makes no directory: nothing it made
// would be removed, since it is killed.
func confinedSleep(job string) error {
	mark, base, _ := strings.Cut(job, ":")
	s, err := sandbox.New(filepath.Join(base, "project"), sandbox.Options{
		Mode: sandbox.ModeStrict, TempDir: filepath.Join(base, "tmp"),
	})
	if err != nil {
		return err
	}
	cmd := s.Command(context.Background(), "sh", "-c", "sleep "+mark+" & sleep "+mark)
	if err := cmd.Start(); err != nil {
		return err
	}
	fmt.Println("started")
	return errors.Join(cmd.Wait(), errors.New("the confined sleep ended"))
}

// TestCommandWithoutNamespaces: where namespaces cannot be made
// (unprivileged user namespaces disabled), as the sandbox sees it, strict
// mode refuses to run a command and auto mode runs it, saying so.
func TestCommandWithoutNamespaces(t *testing.T) {
	lacks := func() error {
		return errors.New("namespaces cannot be made here (fork/exec /proc/self/exe: operation not permitted)")
	}
	strict, project, _, _, rec := commandFixture(t, sandbox.ModeStrict)
	if !strict.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	sandbox.SetNamespaces(strict, lacks)
	if c := strict.Landlock(); c.Isolated || !strings.HasSuffix(c.String(),
		"; with the network open and its processes free to outlive it: namespaces cannot be made here (fork/exec /proc/self/exe: operation not permitted)") {
		t.Fatalf("report %q", c)
	}
	_, _, err := runChild(t, strict, "write:"+filepath.Join(project, "x"))
	var re *sandbox.RefusedError
	if !errors.As(err, &re) || re.Rule != sandbox.RuleStrict || !strings.Contains(err.Error(), "cannot be confined: namespaces cannot be made here") {
		t.Fatalf("strict without namespaces: %v", err)
	}
	if _, err := os.Stat(filepath.Join(project, "x")); err == nil {
		t.Fatal("strict mode ran the command anyway")
	}
	if recs := rec.Records(); len(recs) != 1 || !strings.Contains(recs[0].Detail, "rule strict") {
		t.Fatalf("records %+v", recs)
	}

	auto, _, _, _, rec := commandFixture(t, sandbox.ModeAuto)
	sandbox.SetNamespaces(auto, lacks)
	lo, accepted := listenTCP(t, "127.0.0.1")
	cmd, out, err := runChild(t, auto, "dialtcp:"+lo)
	if err != nil || accepted() != 1 {
		t.Fatalf("auto without namespaces: %v: %s (accepted %d)", err, out, accepted())
	}
	if c := cmd.Confinement(); !c.Landlock || c.Isolated || !strings.Contains(c.String(), "with the network open") {
		t.Fatalf("confinement %q", c)
	}
	if recs := rec.Records(); len(recs) != 2 || !strings.Contains(recs[0].Detail, "with the network open and its processes free to outlive it") {
		t.Fatalf("records %+v", recs)
	}
}

// TestCommandNoCapabilities: the command holds no capability, not even in
// its own user namespace (where its init held some to bring the loopback
// up), and cannot gain any by exec: its bounding set is empty. It runs as
// the caller's uid and gid, so the files it makes are the caller's.
func TestCommandNoCapabilities(t *testing.T) {
	s, project, _, _, _ := commandFixture(t, sandbox.ModeStrict)
	if !s.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	needNamespaces(t, s)
	out, err := s.Command(context.Background(), "sh", "-c", "grep ^Cap /proc/self/status; id -u; id -g; echo > made").Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for _, c := range []string{"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"} {
		if !strings.Contains(string(out), c+":\t0000000000000000\n") {
			t.Errorf("%s is not empty:\n%s", c, out)
		}
	}
	if want := fmt.Sprintf("%d\n%d\n", os.Geteuid(), os.Getegid()); !strings.HasSuffix(string(out), want) {
		t.Errorf("ids in the command:\n%s\nwant %q", out, want)
	}
	var st syscall.Stat_t
	if err := syscall.Stat(filepath.Join(project, "made"), &st); err != nil || int(st.Uid) != os.Geteuid() || int(st.Gid) != os.Getegid() {
		t.Errorf("the command's file: %+v, %v", st, err)
	}
}

// TestCommandStartFails: a program the confined child may not execute is
// a failed start, as with os/exec, not a run with an odd exit status.
func TestCommandStartFails(t *testing.T) {
	s, project, _, _, rec := commandFixture(t, sandbox.ModeStrict)
	if !s.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	needNamespaces(t, s)
	if err := os.WriteFile(filepath.Join(project, "run.sh"), []byte("#!/bin/sh\necho hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := s.Command(context.Background(), "./run.sh")
	err := cmd.Start()
	if err == nil || !strings.Contains(err.Error(), "run.sh: permission denied") {
		t.Fatalf("start of a file that is not executable: %v", err)
	}
	if recs := rec.Records(); len(recs) != 1 || recs[0].Result == "ok" {
		t.Fatalf("records %+v", recs)
	}
}

// TestCommandSignalPassedOn: a signal sent to the started process (the
// init, in namespaces) reaches the command, which may handle it.
func TestCommandSignalPassedOn(t *testing.T) {
	s, _, _, _, _ := commandFixture(t, sandbox.ModeStrict)
	if !s.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	needNamespaces(t, s)
	cmd := s.Command(context.Background(), "sh", "-c", `trap 'echo got TERM; exit 7' TERM; echo ready; while :; do sleep 0.05; done`)
	var out syncBuffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "ready") {
		if time.Now().After(deadline) {
			t.Fatal("the command never got ready")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process().Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if st := cmd.ProcessState(); st.ExitCode() != 7 || !strings.Contains(out.String(), "got TERM") {
		t.Fatalf("after SIGTERM: %v, %q", st, out.String())
	}
}

// syncBuffer is a bytes.Buffer safe to read while a command writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// standIn returns this test binary, to run as a stand-in for aiex that
// confines commands, once it is known that this kernel confines them in
// namespaces of their own; else it skips t.
func standIn(t *testing.T) string {
	t.Helper()
	s, _, _, _, _ := commandFixture(t, sandbox.ModeStrict)
	if !s.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	needNamespaces(t, s)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}
