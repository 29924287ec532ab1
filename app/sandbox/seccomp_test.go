package sandbox_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/aiex-dev/aiex/app/sandbox"
)

// socketJob is what a test child does for the socket jobs of child.
func socketJob(op, path string) error {
	switch op {
	case "dialunix": // connect to the stream socket at path
		c, err := net.Dial("unix", path)
		if err != nil {
			return err
		}
		return c.Close()
	case "dgrampair": // send from one end of a datagram pair to the socket at path
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("socketpair: %w", err)
		}
		if err := unix.Sendto(fds[0], []byte("from the child"), 0, &unix.SockaddrUnix{Name: path}); err != nil {
			return fmt.Errorf("sendto: %w", err)
		}
		return nil
	case "socketpair": // a stream pair carries a message from one end to the other
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("socketpair: %w", err)
		}
		if _, err := unix.Write(fds[0], []byte("ping")); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		buf := make([]byte, 8)
		n, err := unix.Read(fds[1], buf)
		if err != nil || string(buf[:n]) != "ping" {
			return fmt.Errorf("read %q: %v", buf[:n], err)
		}
		return nil
	case "socketwide": // AF_UNIX in the low 32 bits of a wider argument: socket(2) takes an int
		wide := uint64(1)<<32 | unix.AF_UNIX
		return rawSocket(unix.SYS_SOCKET, uintptr(wide))
	case "socketx32": // socket(2) (41) through x86_64's x32 ABI
		return rawSocket(0x40000000|41, unix.AF_UNIX)
	case "iouring": // a ring's requests would make and connect sockets without system calls
		var params [120]byte // struct io_uring_params
		fd, _, e := unix.Syscall(unix.SYS_IO_URING_SETUP, 4, uintptr(unsafe.Pointer(&params)), 0)
		if e != 0 {
			return fmt.Errorf("io_uring_setup: %w", e)
		}
		return unix.Close(int(fd))
	}
	return fmt.Errorf("unknown socket job %q", op)
}

func rawSocket(nr, domain uintptr) error {
	fd, _, e := unix.Syscall(nr, domain, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if e != 0 {
		return fmt.Errorf("socket: %w", e)
	}
	return unix.Close(int(fd))
}

// unixSocket is a socket the test listens on; queued drains what reached
// it (connections or datagrams) without waiting, so that a count taken
// after the children exited is final.
type unixSocket struct {
	path  string
	fd    syscall.RawConn
	dgram bool
}

func listenUnix(t *testing.T, path string, dgram bool) *unixSocket {
	t.Helper()
	var (
		c   syscall.Conn
		err error
	)
	if dgram {
		c, err = net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	} else {
		c, err = net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.(interface{ Close() error }).Close() })
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	return &unixSocket{path: path, fd: rc, dgram: dgram}
}

func (u *unixSocket) queued(t *testing.T) int {
	t.Helper()
	n := 0
	err := u.fd.Control(func(fd uintptr) {
		buf := make([]byte, 64)
		for {
			if u.dgram {
				if _, _, err := unix.Recvfrom(int(fd), buf, unix.MSG_DONTWAIT); err != nil {
					return
				}
			} else {
				nfd, _, err := unix.Accept4(int(fd), unix.SOCK_CLOEXEC)
				if err != nil {
					return
				}
				unix.Close(nfd)
			}
			n++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCommandNoUnixSockets: a confined child cannot reach a local daemon's
// unix socket (a running aiex's API socket, Docker's), which Landlock does
// not govern: socket(2) for AF_UNIX fails, in every form the kernel takes
// it, and so do datagram pairs (their ends can send to any datagram
// socket) and io_uring (its requests make sockets without system calls).
// An unconfined child reaches both sockets; a confined one still has
// stream pairs (the Erlang VM starts its ports through one).
func TestCommandNoUnixSockets(t *testing.T) {
	dir := t.TempDir()
	api := listenUnix(t, filepath.Join(dir, "api.sock"), false)
	logs := listenUnix(t, filepath.Join(dir, "log.sock"), true)

	off, _, _, _, _ := commandFixture(t, sandbox.ModeOff)
	for _, job := range []string{"dialunix:" + api.path, "dgrampair:" + logs.path} {
		if _, out, err := runChild(t, off, job); err != nil {
			t.Fatalf("%s, unconfined: %v: %s", job, err, out)
		}
	}
	if a, l := api.queued(t), logs.queued(t); a != 1 || l != 1 {
		t.Fatalf("unconfined children reached the test's sockets %d and %d times, want 1 and 1", a, l)
	}

	s, _, _, _, rec := commandFixture(t, sandbox.ModeStrict)
	if !s.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	denied := []string{"dialunix:" + api.path, "dgrampair:" + logs.path, "socketwide:", "iouring:"}
	if runtime.GOARCH == "amd64" {
		denied = append(denied, "socketx32:")
	}
	for _, job := range denied {
		cmd, out, err := runChild(t, s, job)
		if c := cmd.Confinement(); !c.Landlock || !c.Seccomp {
			t.Fatalf("%s: not confined: %s", job, c)
		}
		if err == nil || !strings.Contains(out, "permission denied") {
			t.Errorf("%s: the confined child was not denied (%v: %s)", job, err, out)
		}
	}
	if a, l := api.queued(t), logs.queued(t); a != 0 || l != 0 {
		t.Errorf("confined children reached the test's sockets %d and %d times", a, l)
	}
	if _, out, err := runChild(t, s, "socketpair:"); err != nil {
		t.Errorf("socketpair, confined: %v: %s", err, out)
	}
	if recs := rec.Records(); len(recs) == 0 || !strings.Contains(recs[0].Detail, "and a seccomp filter") {
		t.Errorf("the exec record does not name the seccomp filter: %+v", recs[:min(1, len(recs))])
	}
}

// elf386 is a static i386 program made of code, loaded at 0x08048000
// right after its headers (an ELF header and one PT_LOAD program header).
func elf386(code []byte) []byte {
	const base, hdr = 0x08048000, 52 + 32
	b := make([]byte, hdr, hdr+len(code))
	copy(b, "\x7fELF\x01\x01\x01") // 32-bit, little-endian, version 1
	le := binary.LittleEndian
	le.PutUint16(b[16:], 2)        // ET_EXEC
	le.PutUint16(b[18:], 3)        // EM_386
	le.PutUint32(b[20:], 1)        // EV_CURRENT
	le.PutUint32(b[24:], base+hdr) // entry: the code
	le.PutUint32(b[28:], 52)       // program headers' offset
	le.PutUint16(b[40:], 52)       // ELF header's size
	le.PutUint16(b[42:], 32)       // a program header's size
	le.PutUint16(b[44:], 1)        // one of them
	ph := b[52:]
	le.PutUint32(ph[0:], 1) // PT_LOAD of the whole file
	le.PutUint32(ph[8:], base)
	le.PutUint32(ph[12:], base)
	le.PutUint32(ph[16:], uint32(hdr+len(code)))
	le.PutUint32(ph[20:], uint32(hdr+len(code)))
	le.PutUint32(ph[24:], 5) // PF_R|PF_X
	le.PutUint32(ph[28:], 0x1000)
	return append(b, code...)
}

// TestCommandNoUnixSockets386: a confined child making its system calls
// through the i386 ABI (a 32-bit program on an x86_64 kernel, or int 0x80
// from a 64-bit one) cannot make a unix socket either: not with socket(2),
// 359 there, nor with socketcall(2), whose arguments lie in memory a
// seccomp filter cannot read. Each program exits with the negated result
// of its call: 13 for EACCES, 253 for descriptor 3.
func TestCommandNoUnixSockets386(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("i386 programs run on x86_64 kernels")
	}
	// Both end with: neg eax; mov ebx, eax; mov eax, 1 (exit); int 0x80.
	exit := []byte{0xf7, 0xd8, 0x89, 0xc3, 0xb8, 1, 0, 0, 0, 0xcd, 0x80}
	progs := map[string][]byte{
		// mov eax, 359 (socket); mov ebx, 1 (AF_UNIX); mov ecx, 1 (SOCK_STREAM); xor edx, edx; int 0x80
		"socket386": {0xb8, 0x67, 1, 0, 0, 0xbb, 1, 0, 0, 0, 0xb9, 1, 0, 0, 0, 0x31, 0xd2, 0xcd, 0x80},
		// push 0; push 1; push 1 (the arguments); mov eax, 102 (socketcall);
		// mov ebx, 1 (SYS_SOCKET); mov ecx, esp; int 0x80
		"socketcall386": {0x6a, 0, 0x6a, 1, 0x6a, 1, 0xb8, 0x66, 0, 0, 0, 0xbb, 1, 0, 0, 0, 0x89, 0xe1, 0xcd, 0x80},
	}
	off, offProject, _, _, _ := commandFixture(t, sandbox.ModeOff)
	s, project, _, _, _ := commandFixture(t, sandbox.ModeStrict)
	if !s.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	for name, code := range progs {
		for _, p := range []string{offProject, project} {
			if err := os.WriteFile(filepath.Join(p, name), elf386(append(code, exit...)), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		status := func(s *sandbox.Sandbox) int {
			t.Helper()
			var out bytes.Buffer
			cmd := s.Command(context.Background(), "./"+name)
			cmd.Stdout, cmd.Stderr = &out, &out
			err := cmd.Run()
			if errors.Is(err, unix.ENOEXEC) {
				t.Skipf("this kernel runs no i386 programs: %v", err)
			}
			var ee interface{ ExitCode() int }
			if err != nil && !errors.As(err, &ee) {
				t.Fatalf("%s: %v: %s", name, err, out.String())
			}
			return cmd.ProcessState().ExitCode()
		}
		if got := status(off); got < 128 {
			t.Fatalf("%s, unconfined: exit status %d, want a socket's descriptor negated", name, got)
		}
		if got := status(s); got != int(unix.EACCES) {
			t.Errorf("%s, confined: exit status %d, want %d (EACCES)", name, got, unix.EACCES)
		}
	}
}

// TestCommandWithoutSeccomp: a kernel with Landlock but without seccomp
// filters, as the sandbox sees it, leaves unix sockets open to commands.
// Strict mode refuses to run them; auto mode runs them and says so.
func TestCommandWithoutSeccomp(t *testing.T) {
	lacks := func() error {
		return errors.New("the kernel lacks seccomp filters (seccomp(SECCOMP_SET_MODE_FILTER): function not implemented)")
	}
	strict, project, _, _, rec := commandFixture(t, sandbox.ModeStrict)
	if !strict.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	sandbox.SetSeccomp(strict, lacks)
	if c := strict.Landlock(); !c.Landlock || c.Seccomp ||
		!strings.HasPrefix(c.String(), "confined with Landlock (ABI v"+fmt.Sprint(c.ABI)+"), but unix sockets and file modes are open to it: the kernel lacks seccomp filters (seccomp(SECCOMP_SET_MODE_FILTER): function not implemented)") {
		t.Fatalf("report %q", c)
	}
	_, _, err := runChild(t, strict, "write:"+filepath.Join(project, "x"))
	var re *sandbox.RefusedError
	if !errors.As(err, &re) || re.Rule != sandbox.RuleStrict || !strings.Contains(err.Error(), "cannot be confined: kernel lacks seccomp filters") {
		t.Fatalf("strict without seccomp filters: %v", err)
	}
	if _, err := os.Stat(filepath.Join(project, "x")); err == nil {
		t.Fatal("strict mode ran the command anyway")
	}
	if recs := rec.Records(); len(recs) != 1 || !strings.Contains(recs[0].Detail, "rule strict") {
		t.Fatalf("records %+v", recs)
	}

	auto, _, _, _, rec := commandFixture(t, sandbox.ModeAuto)
	sandbox.SetSeccomp(auto, lacks)
	api := listenUnix(t, filepath.Join(t.TempDir(), "api.sock"), false)
	cmd, out, err := runChild(t, auto, "dialunix:"+api.path)
	if err != nil {
		t.Fatalf("auto without seccomp filters: %v: %s", err, out)
	}
	if c := cmd.Confinement(); !c.Landlock || c.Seccomp || !strings.Contains(c.String(), "unix sockets and file modes are open to it: the kernel lacks seccomp filters") {
		t.Fatalf("confinement %q", c)
	}
	if recs := rec.Records(); len(recs) != 2 || !strings.Contains(recs[0].Detail, "unix sockets and file modes are open to it") {
		t.Fatalf("records %+v", recs)
	}
	if n := api.queued(t); n != 1 {
		t.Fatalf("the child reached the socket %d times, want 1", n)
	}
}
