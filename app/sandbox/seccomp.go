package sandbox

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// A seccomp filter, installed on the confining thread next to Landlock,
// keeps a confined child from making unix sockets. Landlock (up to ABI 7)
// does not govern connect(2) to a pathname unix socket, so without it a
// child reaches every local daemon whose socket file it may open by name:
// a running aiex's API socket (DATADIR/aiex.sock, which writes files
// anywhere), Docker's, the session bus. The filter makes socket(2) with
// the domain AF_UNIX fail with EACCES, and with it every other way to a
// unix socket a child could take:
//
//   - socketpair(2) of any type but SOCK_STREAM and SOCK_SEQPACKET: the
//     ends of a datagram pair (SOCK_DGRAM, or SOCK_RAW, which AF_UNIX
//     makes a datagram socket) can connect or send to any datagram socket
//     by name; a connected stream or seqpacket end cannot (EISCONN), and
//     the Erlang VM starts its ports through a stream pair;
//   - io_uring_setup(2): a ring's requests (IORING_OP_SOCKET, _CONNECT)
//     run in the kernel without passing the filter;
//   - socketcall(2), i386's multiplexer, entirely: its arguments lie in
//     memory the filter cannot read.
//
// Landlock (up to ABI 7) does not govern a file's mode either: a confined
// child could chmod any file its user owns, wherever it lies, aiex's key
// file included (made readable to all, aiex refuses its keys; made
// writable to all, anyone may replace them), its config, files outside
// the project. So the filter makes these fail with EACCES too, whatever
// their arguments:
//
//   - chmod(2), fchmod(2), fchmodat(2), fchmodat2(2): a build gives the
//     files it makes their mode at open(2) and mkdir(2), which stay
//     allowed (go build -o, which tries a chmod and a rename, copies the
//     file when the chmod fails; go's making module directories read-only
//     is best effort), and a mix in dev or test symlinks where it would
//     copy with modes;
//   - setxattr(2), lsetxattr(2), fsetxattr(2), setxattrat(2): an access
//     ACL (system.posix_acl_access) is a mode by another name, its
//     owner, group and other entries the mode's bits, and the attribute's
//     name lies in memory the filter cannot read. Reading and removing
//     attributes stay allowed: removing an ACL only takes access away.
//
// EACCES, as for sockets, is what Landlock answers for what it refuses:
// a child's tools report all of the sandbox's refusals alike, "permission
// denied". The times of a file (utimensat(2)) stay the child's to set: make
// and mix compare them. Its owner (chown(2)) needs no rule: the child holds
// no capability, CAP_CHOWN included, and in its user namespace only the
// caller's uid and gid are mapped, so it can give a file to no one else.
//
// Only the filtered thread and the child it forks carry the filter (no
// SECCOMP_FILTER_FLAG_TSYNC): aiex keeps its own sockets.

// Offsets in struct seccomp_data {int nr; __u32 arch; __u64
// instruction_pointer; __u64 args[6];}, which the kernel lays out in the
// machine's byte order. The argument offsets are of the low 32 bits, where
// a little-endian machine (amd64, arm64: the ones kernelSeccomp allows)
// keeps them: socket(2) and socketpair(2) take int arguments, and the
// kernel ignores the high bits a caller may set, so the filter must too.
const (
	seccompNr   = 0
	seccompArch = 4
	seccompArg0 = 16
	seccompArg1 = 24
)

// x32SyscallBit marks a system call of x86_64's x32 ABI, which shares the
// x86_64 arch word and most of its numbers.
const x32SyscallBit = 0x40000000

// seccompABI is where one system call ABI keeps the calls the filter
// looks at.
type seccompABI struct {
	name               string
	arch               uint32 // the AUDIT_ARCH_* word the kernel puts in seccomp_data
	nrMask             uint32 // bits cleared from nr before it is compared
	socket, socketpair uint32
	denied             []uint32 // calls that fail whatever their arguments
}

// seccompABIs are the ABIs a child of an amd64 or arm64 aiex may use: the
// native ones, x32 (x86_64's nr with x32SyscallBit) and i386 (a 32-bit
// program on an x86_64 kernel, or int 0x80 from a 64-bit one). The
// numbers are the kernel's (x/sys/unix's SYS_* for each GOARCH). The
// denied ones are, in order: io_uring_setup, socketcall (i386 alone),
// chmod (none on aarch64: its libc calls fchmodat), fchmod, fchmodat,
// fchmodat2, setxattr, lsetxattr, fsetxattr, setxattrat. i386's mode and
// attribute calls have no 32-bit variants (only its owner calls do:
// chown32 and the like).
func seccompABIs() []seccompABI {
	return []seccompABI{
		{"x86_64", unix.AUDIT_ARCH_X86_64, x32SyscallBit, 41, 53,
			[]uint32{425, 90, 91, 268, 452, 188, 189, 190, 463}},
		{"i386", unix.AUDIT_ARCH_I386, 0, 359, 360,
			[]uint32{425, 102, 15, 94, 306, 452, 226, 227, 228, 463}},
		{"aarch64", unix.AUDIT_ARCH_AARCH64, 0, 198, 199,
			[]uint32{425, 52, 53, 452, 5, 6, 7, 463}},
	}
}

// seccompFilter is the filter's program. A system call of an ABI not in
// seccompABIs — 32-bit ARM on an arm64 kernel, or one a later kernel
// adds — fails whatever it is, with EACCES: the filter cannot tell which
// of that ABI's numbers makes a socket, and a guess would let one through
// under a number it did not know. Such a program cannot run confined (its
// first system call fails); no toolchain the sandbox runs is one.
func seccompFilter() ([]bpf.Instruction, error) {
	allow := bpf.RetConstant{Val: unix.SECCOMP_RET_ALLOW}
	deny := bpf.RetConstant{Val: unix.SECCOMP_RET_ERRNO | uint32(unix.EACCES)&unix.SECCOMP_RET_DATA}
	var a bpfAsm
	abis := seccompABIs()
	a.add(bpf.LoadAbsolute{Off: seccompArch, Size: 4})
	for _, abi := range abis {
		a.jumpIfEqual(abi.arch, abi.name, "")
	}
	a.add(deny)
	for _, abi := range abis {
		a.label(abi.name)
		a.add(bpf.LoadAbsolute{Off: seccompNr, Size: 4})
		if abi.nrMask != 0 {
			a.add(bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: ^abi.nrMask})
		}
		a.jumpIfEqual(abi.socket, "socket", "")
		a.jumpIfEqual(abi.socketpair, "socketpair", "")
		for _, nr := range abi.denied {
			a.jumpIfEqual(nr, "deny", "")
		}
		a.add(allow)
	}
	a.label("socket")
	a.add(bpf.LoadAbsolute{Off: seccompArg0, Size: 4})
	a.jumpIfEqual(unix.AF_UNIX, "deny", "allow")
	a.label("socketpair")
	a.add(bpf.LoadAbsolute{Off: seccompArg1, Size: 4})
	a.add(bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xf}) // SOCK_TYPE_MASK: not SOCK_CLOEXEC, SOCK_NONBLOCK
	a.jumpIfEqual(unix.SOCK_STREAM, "allow", "")
	a.jumpIfEqual(unix.SOCK_SEQPACKET, "allow", "deny")
	a.label("deny")
	a.add(deny)
	a.label("allow")
	a.add(allow)
	return a.program()
}

// seccompProgram is the filter assembled for seccomp(2), made once:
// every confined command installs the same program (the kernel copies it
// at each install).
var seccompProgram = sync.OnceValues(func() ([]unix.SockFilter, error) {
	ins, err := seccompFilter()
	if err != nil {
		return nil, err
	}
	raw, err := bpf.Assemble(ins)
	if err != nil {
		return nil, fmt.Errorf("seccomp filter: %w", err)
	}
	out := make([]unix.SockFilter, len(raw))
	for i, r := range raw {
		out[i] = unix.SockFilter{Code: r.Op, Jt: r.Jt, Jf: r.Jf, K: r.K}
	}
	return out, nil
})

// installSeccomp installs the filter on the calling thread, which must be
// locked to its goroutine and have no_new_privs set (or CAP_SYS_ADMIN).
// The children it forks inherit the filter, and cannot remove it.
func installSeccomp() error {
	filter, err := seccompProgram()
	if err != nil {
		return err
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	_, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&prog)))
	switch e {
	case 0:
		return nil
	case unix.ENOSYS, unix.EINVAL:
		// ENOSYS: no seccomp(2) at all; EINVAL: no SECCOMP_FILTER in the
		// kernel (the program itself is checked when it is first made).
		return fmt.Errorf("the kernel lacks seccomp filters (seccomp(SECCOMP_SET_MODE_FILTER): %w)", e)
	default:
		return fmt.Errorf("seccomp(SECCOMP_SET_MODE_FILTER): %w", e)
	}
}

// kernelSeccomp reports, once per process, whether the sandbox can filter
// its children's system calls here: it installs the filter on a thread
// of its own, which then ends (its goroutine exits locked), so the answer
// is the kernel's for the very filter a command gets.
var kernelSeccomp = sync.OnceValue(func() error {
	if runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		// The filter reads arguments at little-endian offsets and knows
		// the amd64 and arm64 ABIs: elsewhere it would deny every call.
		return fmt.Errorf("the sandbox has no seccomp filter for %s", runtime.GOARCH)
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			errc <- fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", err)
			return
		}
		errc <- installSeccomp()
	}()
	return <-errc
})

// bpfAsm assembles a classic BPF program whose conditional jumps name
// their targets by label; program resolves them into skip counts.
type bpfAsm struct {
	ins    []bpf.Instruction
	labels map[string]int
	jumps  []bpfJump
}

// bpfJump is a conditional jump at ins[at]; "" as a target is the next
// instruction.
type bpfJump struct {
	at              int
	ifTrue, ifFalse string
}

func (a *bpfAsm) add(in bpf.Instruction) { a.ins = append(a.ins, in) }

func (a *bpfAsm) label(name string) {
	if a.labels == nil {
		a.labels = map[string]int{}
	}
	a.labels[name] = len(a.ins)
}

func (a *bpfAsm) jumpIfEqual(val uint32, ifTrue, ifFalse string) {
	a.jumps = append(a.jumps, bpfJump{len(a.ins), ifTrue, ifFalse})
	a.add(bpf.JumpIf{Cond: bpf.JumpEqual, Val: val})
}

func (a *bpfAsm) program() ([]bpf.Instruction, error) {
	skip := func(at int, label string) (uint8, error) {
		if label == "" {
			return 0, nil
		}
		to, ok := a.labels[label]
		if !ok {
			return 0, fmt.Errorf("seccomp filter: no label %q", label)
		}
		d := to - at - 1
		if d < 0 || d > 255 {
			return 0, errors.New("seccomp filter: a jump to " + label + " is out of reach")
		}
		return uint8(d), nil
	}
	for _, j := range a.jumps {
		in := a.ins[j.at].(bpf.JumpIf)
		var errT, errF error
		in.SkipTrue, errT = skip(j.at, j.ifTrue)
		in.SkipFalse, errF = skip(j.at, j.ifFalse)
		if err := errors.Join(errT, errF); err != nil {
			return nil, err
		}
		a.ins[j.at] = in
	}
	return a.ins, nil
}
