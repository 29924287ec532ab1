package sandbox

import (
	"encoding/binary"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// seccompData lays out a struct seccomp_data for x/net/bpf's VM. The VM
// loads words in network byte order where the kernel loads them in the
// machine's, so each 32-bit word is written big-endian at the offset the
// kernel would put it on a little-endian machine (a 64-bit argument's low
// word first): the filter reads the same numbers in both.
func seccompData(arch, nr uint32, args ...uint64) []byte {
	b := make([]byte, 64)
	be := binary.BigEndian
	be.PutUint32(b[seccompNr:], nr)
	be.PutUint32(b[seccompArch:], arch)
	for i, a := range args {
		be.PutUint32(b[16+8*i:], uint32(a))
		be.PutUint32(b[20+8*i:], uint32(a>>32))
	}
	return b
}

// TestSeccompFilter runs the filter over system calls of every ABI it
// knows, the ones this machine cannot make included (arm64's, or x86_64's
// on arm64), and of one it does not know.
func TestSeccompFilter(t *testing.T) {
	ins, err := seccompFilter()
	if err != nil {
		t.Fatal(err)
	}
	vm, err := bpf.NewVM(ins)
	if err != nil {
		t.Fatal(err)
	}
	const (
		allow   = unix.SECCOMP_RET_ALLOW
		deny    = unix.SECCOMP_RET_ERRNO | uint32(unix.EACCES)
		x86     = unix.AUDIT_ARCH_X86_64
		i386    = unix.AUDIT_ARCH_I386
		aarch64 = unix.AUDIT_ARCH_AARCH64
		stream  = unix.SOCK_STREAM | unix.SOCK_CLOEXEC
		dgram   = unix.SOCK_DGRAM | unix.SOCK_NONBLOCK
		atFDCWD = 0xffffff9c // AT_FDCWD (-100) as the kernel passes an int
	)
	for _, c := range []struct {
		name       string
		arch, nr   uint32
		arg0, arg1 uint64
		want       uint32
	}{
		{"x86_64 socket(AF_UNIX)", x86, 41, unix.AF_UNIX, stream, deny},
		{"x86_64 socket(AF_UNIX) with high bits set", x86, 41, 0xffffffff<<32 | unix.AF_UNIX, stream, deny},
		{"x86_64 socket(AF_INET)", x86, 41, unix.AF_INET, stream, allow},
		{"x86_64 socket(AF_INET6) with high bits set", x86, 41, 1<<32 | unix.AF_INET6, stream, allow},
		{"x86_64 socket(AF_NETLINK)", x86, 41, unix.AF_NETLINK, unix.SOCK_RAW, allow},
		{"x32 socket(AF_UNIX)", x86, x32SyscallBit | 41, unix.AF_UNIX, stream, deny},
		{"x32 socket(AF_INET)", x86, x32SyscallBit | 41, unix.AF_INET, stream, allow},
		{"x86_64 socketpair(SOCK_STREAM)", x86, 53, unix.AF_UNIX, stream, allow},
		{"x86_64 socketpair(SOCK_SEQPACKET)", x86, 53, unix.AF_UNIX, unix.SOCK_SEQPACKET, allow},
		{"x86_64 socketpair(SOCK_DGRAM)", x86, 53, unix.AF_UNIX, dgram, deny},
		{"x86_64 socketpair(SOCK_RAW)", x86, 53, unix.AF_UNIX, unix.SOCK_RAW, deny},
		{"x86_64 socketpair(SOCK_DGRAM) with high bits set", x86, 53, unix.AF_UNIX, 1<<32 | unix.SOCK_DGRAM, deny},
		{"x32 socketpair(SOCK_DGRAM)", x86, x32SyscallBit | 53, unix.AF_UNIX, dgram, deny},
		{"x86_64 io_uring_setup", x86, 425, 4, 0, deny},
		{"x32 io_uring_setup", x86, x32SyscallBit | 425, 4, 0, deny},
		{"x86_64 connect", x86, 42, 3, 0, allow},
		{"x86_64 read", x86, 0, 0, 0, allow},
		{"x86_64 getuid (socketcall's number on i386)", x86, 102, 1, 0, allow},
		{"i386 socket(AF_UNIX)", i386, 359, unix.AF_UNIX, stream, deny},
		{"i386 socket(AF_INET)", i386, 359, unix.AF_INET, stream, allow},
		{"i386 socketcall(SYS_SOCKET)", i386, 102, 1, 0, deny},
		{"i386 socketcall(SYS_SENDMSG)", i386, 102, 16, 0, deny},
		{"i386 socketpair(SOCK_STREAM)", i386, 360, unix.AF_UNIX, stream, allow},
		{"i386 socketpair(SOCK_DGRAM)", i386, 360, unix.AF_UNIX, dgram, deny},
		{"i386 io_uring_setup", i386, 425, 4, 0, deny},
		{"i386 dup (socket's number on x86_64)", i386, 41, unix.AF_UNIX, 0, allow},
		{"aarch64 socket(AF_UNIX)", aarch64, 198, unix.AF_UNIX, stream, deny},
		{"aarch64 socket(AF_INET)", aarch64, 198, unix.AF_INET, stream, allow},
		{"aarch64 socketpair(SOCK_STREAM)", aarch64, 199, unix.AF_UNIX, stream, allow},
		{"aarch64 socketpair(SOCK_DGRAM)", aarch64, 199, unix.AF_UNIX, dgram, deny},
		{"aarch64 io_uring_setup", aarch64, 425, 4, 0, deny},
		{"aarch64 connect", aarch64, 203, 3, 0, allow},
		{"aarch64 41 (socket's number on x86_64)", aarch64, 41, unix.AF_UNIX, 0, allow},
		{"aarch64 with x32's bit", aarch64, x32SyscallBit | 198, unix.AF_UNIX, 0, allow},
		{"x86_64 chmod", x86, 90, 0, 0o644, deny},
		{"x32 chmod", x86, x32SyscallBit | 90, 0, 0o644, deny},
		{"x86_64 fchmod", x86, 91, 3, 0o644, deny},
		{"x86_64 fchmodat", x86, 268, atFDCWD, 0, deny},
		{"x86_64 fchmodat2", x86, 452, atFDCWD, 0, deny},
		{"x32 fchmodat2", x86, x32SyscallBit | 452, atFDCWD, 0, deny},
		{"x86_64 setxattr", x86, 188, 0, 0, deny},
		{"x86_64 lsetxattr", x86, 189, 0, 0, deny},
		{"x86_64 fsetxattr", x86, 190, 3, 0, deny},
		{"x86_64 setxattrat", x86, 463, atFDCWD, 0, deny},
		{"x86_64 getxattr", x86, 191, 0, 0, allow},
		{"x86_64 removexattr", x86, 197, 0, 0, allow},
		{"x86_64 utimensat", x86, 280, atFDCWD, 0, allow},
		{"x86_64 fchown", x86, 93, 3, 0, allow},
		{"x86_64 openat", x86, 257, atFDCWD, 0, allow},
		{"x86_64 mkdirat", x86, 258, atFDCWD, 0, allow},
		{"x86_64 rt_sigreturn (chmod's number on i386)", x86, 15, 0, 0, allow},
		{"x86_64 lchown (fchmod's number on i386)", x86, 94, 0, 0, allow},
		{"x86_64 fstat (setxattr's number on aarch64)", x86, 5, 3, 0, allow},
		{"i386 chmod", i386, 15, 0, 0o644, deny},
		{"i386 fchmod", i386, 94, 3, 0o644, deny},
		{"i386 fchmodat", i386, 306, atFDCWD, 0, deny},
		{"i386 fchmodat2", i386, 452, atFDCWD, 0, deny},
		{"i386 setxattr", i386, 226, 0, 0, deny},
		{"i386 lsetxattr", i386, 227, 0, 0, deny},
		{"i386 fsetxattr", i386, 228, 3, 0, deny},
		{"i386 setxattrat", i386, 463, atFDCWD, 0, deny},
		{"i386 utimensat", i386, 320, atFDCWD, 0, allow},
		{"i386 fchown32", i386, 207, 3, 0, allow},
		{"i386 mmap (chmod's number on x86_64)", i386, 90, 0, 0, allow},
		{"aarch64 fchmod", aarch64, 52, 3, 0o644, deny},
		{"aarch64 fchmodat", aarch64, 53, atFDCWD, 0, deny},
		{"aarch64 fchmodat2", aarch64, 452, atFDCWD, 0, deny},
		{"aarch64 setxattr", aarch64, 5, 0, 0, deny},
		{"aarch64 lsetxattr", aarch64, 6, 0, 0, deny},
		{"aarch64 fsetxattr", aarch64, 7, 3, 0, deny},
		{"aarch64 setxattrat", aarch64, 463, atFDCWD, 0, deny},
		{"aarch64 utimensat", aarch64, 88, atFDCWD, 0, allow},
		{"aarch64 fchown", aarch64, 55, 3, 0, allow},
		{"aarch64 90 (chmod's number on x86_64)", aarch64, 90, 0, 0, allow},
		{"aarch64 15 (chmod's number on i386)", aarch64, 15, 0, 0, allow},
		{"32-bit ARM read (an ABI it does not know)", unix.AUDIT_ARCH_ARM, 3, 0, 0, deny},
		{"32-bit ARM socket(AF_UNIX)", unix.AUDIT_ARCH_ARM, 281, unix.AF_UNIX, stream, deny},
	} {
		got, err := vm.Run(seccompData(c.arch, c.nr, c.arg0, c.arg1))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if uint32(got) != c.want {
			t.Errorf("%s: %#x, want %#x", c.name, got, c.want)
		}
	}
}
