package sandbox_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/aiex-dev/aiex/app/sandbox"
)

// chmodEnv, when set, makes the test binary change a file's mode with one
// system call instead of running tests: "CALL:MODE:PATH", MODE in octal.
// It exits 0 when the call succeeded, 3 with the error otherwise.
const chmodEnv = "SANDBOX_TEST_CHMOD"

// init runs the chmod job before TestMain, which knows only the jobs of
// command_test.go; the sandbox's own init (nsinit.go) has run before it
// and returns for any argv[0] but its own.
func init() {
	if job := os.Getenv(chmodEnv); job != "" {
		if err := chmodJob(job); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		os.Exit(0)
	}
}

// chmodJob makes the call job names, raw: the library's chmod may take
// another system call than the one the job is about.
func chmodJob(job string) error {
	call, rest, _ := strings.Cut(job, ":")
	m, path, _ := strings.Cut(rest, ":")
	mode, err := strconv.ParseUint(m, 8, 32)
	if err != nil {
		return err
	}
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return err
	}
	at := uintptr(0xffffff9c) // AT_FDCWD (-100) as an int argument: the kernel reads the low 32 bits
	name := uintptr(unsafe.Pointer(p))
	var e unix.Errno
	switch call {
	case "chmod":
		_, _, e = unix.Syscall(unix.SYS_CHMOD, name, uintptr(mode), 0)
	case "chmodx32": // chmod(2) (90) through x86_64's x32 ABI
		_, _, e = unix.Syscall(0x40000000|unix.SYS_CHMOD, name, uintptr(mode), 0)
	case "chmodwide": // a mode_t in the low 32 bits of a wider argument
		_, _, e = unix.Syscall(unix.SYS_CHMOD, name, uintptr(uint64(1)<<32|mode), 0)
	case "fchmod":
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open: %w", err)
		}
		defer unix.Close(fd)
		_, _, e = unix.Syscall(unix.SYS_FCHMOD, uintptr(fd), uintptr(mode), 0)
	case "fchmodat":
		_, _, e = unix.Syscall6(unix.SYS_FCHMODAT, at, name, uintptr(mode), 0, 0, 0)
	case "fchmodat2":
		_, _, e = unix.Syscall6(unix.SYS_FCHMODAT2, at, name, uintptr(mode), 0, 0, 0)
	case "setacl": // an access ACL's entries for owner, group and others are its mode bits
		acl := []byte{2, 0, 0, 0}                  // POSIX_ACL_XATTR_VERSION
		for _, tag := range []uint16{1, 4, 0x20} { // ACL_USER_OBJ, ACL_GROUP_OBJ, ACL_OTHER
			acl = binary.LittleEndian.AppendUint16(acl, tag)
			acl = binary.LittleEndian.AppendUint16(acl, uint16(mode>>6&7)) // the owner's bits for each
			acl = binary.LittleEndian.AppendUint32(acl, 0xffffffff)        // ACL_UNDEFINED_ID
		}
		if err := unix.Setxattr(path, "system.posix_acl_access", acl, 0); err != nil {
			return fmt.Errorf("setxattr: %w", err)
		}
		return nil
	default:
		return fmt.Errorf("unknown chmod job %q", job)
	}
	if e != 0 {
		return fmt.Errorf("%s: %w", call, e)
	}
	return nil
}

// TestCommandNoChmod: a confined command cannot change the mode of any
// file, which Landlock does not govern: not one in the project, not one
// outside it, not aiex's key file in its data dir (made readable to all,
// aiex refuses its keys; made writable to all, anyone may replace them),
// through any of the calls that change a mode, an access ACL's setxattr
// included. It still makes, writes, runs and touches files where it may,
// as builds do: a new file's mode is open(2)'s and mkdir(2)'s argument,
// not a chmod, and times stay its to set.
func TestCommandNoChmod(t *testing.T) {
	s, project, outside, tmp, key := chmodFixture(t)
	inside := filepath.Join(project, "pkg", "main.go")

	calls := []string{"chmod", "chmodwide", "fchmod", "fchmodat", "fchmodat2", "setacl"}
	if runtime.GOARCH == "amd64" {
		calls = append(calls, "chmodx32")
	}
	for _, call := range calls {
		for _, c := range []struct {
			path string
			mode uint32
		}{
			{inside, 0o666}, {inside, 0o600}, {inside, 0o4755},
			{outside, 0o666}, {outside, 0o644},
			{key, 0o644}, {key, 0o666},
		} {
			if call == "fchmod" && c.path == key {
				continue // the command cannot open it: Landlock's, tested with the data dir
			}
			before := fileMode(t, c.path)
			out, err := runChmod(t, s, fmt.Sprintf("%s:%o:%s", call, c.mode, c.path))
			if err == nil || !strings.Contains(out, "permission denied") {
				t.Errorf("%s %o %s: the confined command was not denied (%v: %s)", call, c.mode, c.path, err, out)
			}
			if after := fileMode(t, c.path); after != before {
				t.Errorf("%s %o %s: mode %o, was %o", call, c.mode, c.path, after, before)
			}
		}
	}

	// chmod(1) as a build script would run it.
	for _, p := range []string{inside, outside, key} {
		before := fileMode(t, p)
		if out, err := runConfined(t, s, "/bin/chmod", "go+w", p); err == nil {
			t.Errorf("chmod go+w %s: ran (%q); want it refused", p, out)
		}
		if after := fileMode(t, p); after != before {
			t.Errorf("chmod go+w %s: mode %o, was %o", p, after, before)
		}
	}

	// Making and writing files is as before: a build's outputs, an
	// executable (as go test's binary), a directory, in the project (in a
	// directory of its own: the root, on the way to the data dir, takes
	// no new entries) and in the temp dir.
	script := `set -e
for d in "$1" "$2"; do
	mkdir -p "$d/out/pkg"
	echo 'package main' > "$d/out/pkg/gen.go"
	echo 'more' >> "$d/out/pkg/gen.go"
	cp /bin/true "$d/out/true"
	"$d/out/true"
	touch -d @1000000000 "$d/out/pkg/gen.go"
done`
	if out, err := runConfined(t, s, "/bin/sh", "-c", script, "sh", filepath.Join(project, "pkg"), tmp); err != nil {
		t.Fatalf("making files, confined: %v: %s", err, out)
	}
	for _, d := range []string{filepath.Join(project, "pkg"), tmp} {
		b, err := os.ReadFile(filepath.Join(d, "out/pkg/gen.go"))
		if err != nil || string(b) != "package main\nmore\n" {
			t.Errorf("%s/out/pkg/gen.go: %q, %v", d, b, err)
		}
		if m := fileMode(t, filepath.Join(d, "out/true")); m&0o100 == 0 {
			t.Errorf("%s/out/true: mode %o, not executable", d, m)
		}
		if fi, err := os.Stat(filepath.Join(d, "out/pkg/gen.go")); err != nil || fi.ModTime().Unix() != 1000000000 {
			t.Errorf("%s/out/pkg/gen.go: not touched (%v)", d, err)
		}
	}
}

// chmodFixture is a strict sandbox over a project with aiex's data dir in
// it, a file outside its roots, and the key file's path.
func chmodFixture(t *testing.T) (s *sandbox.Sandbox, project, outside, tmp, key string) {
	t.Helper()
	base := t.TempDir()
	project, tmp = filepath.Join(base, "project"), filepath.Join(base, "tmp")
	data := filepath.Join(project, ".aiex")
	key, outside = filepath.Join(data, "secret.key"), filepath.Join(base, "outside.txt")
	for _, d := range []string{data, tmp, filepath.Join(project, "pkg")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for p, mode := range map[string]os.FileMode{key: 0o600, outside: 0o644, filepath.Join(project, "pkg", "main.go"): 0o644} {
		if err := os.WriteFile(p, []byte("x"), mode); err != nil {
			t.Fatal(err)
		}
	}
	s, err := sandbox.New(project, sandbox.Options{Mode: sandbox.ModeStrict, TempDir: tmp,
		Deny: []sandbox.Denied{{Path: data, What: "aiex's data dir"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	if c := s.Landlock(); !c.Landlock || !c.Seccomp {
		t.Skipf("commands cannot be confined here: %s", c)
	}
	return s, project, outside, tmp, key
}

func fileMode(t *testing.T, p string) uint32 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		t.Fatal(err)
	}
	return st.Mode & 0o7777
}

// runChmod runs this test binary confined as a chmod job.
func runChmod(t *testing.T, s *sandbox.Sandbox, job string) (string, error) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := s.Command(context.Background(), exe)
	cmd.Env = append(os.Environ(), chmodEnv+"="+job)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func runConfined(t *testing.T, s *sandbox.Sandbox, name string, args ...string) (string, error) {
	t.Helper()
	cmd := s.Command(context.Background(), name, args...)
	out, err := cmd.CombinedOutput()
	if c := cmd.Confinement(); !c.Landlock || !c.Seccomp {
		t.Fatalf("%s: not confined: %s", name, c)
	}
	return string(out), err
}

// TestCommandNoChmod386: nor through the i386 ABI, whose chmod(2) is 15,
// fchmodat(2) 306 and fchmodat2(2) 452. Each program makes its call on a
// path held after its code and exits with the negated result: 0 when the
// mode changed, 13 for EACCES.
func TestCommandNoChmod386(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("i386 programs run on x86_64 kernels")
	}
	s, project, _, _, _ := chmodFixture(t)
	target := filepath.Join(project, "pkg", "main.go")
	const base, hdr = 0x08048000, 52 + 32
	le := binary.LittleEndian
	imm := func(op byte, v uint32) []byte { return le.AppendUint32([]byte{op}, v) }
	// The code is padded to one length for every call, so the path's
	// address is known before the code is written.
	const slot = 48
	prog := func(nr uint32, at bool) []byte {
		var code []byte
		path := uint32(base + hdr + slot)
		if at {
			code = append(code, imm(0xbb, uint32(0xffffff9c))...) // mov ebx, AT_FDCWD
			code = append(code, imm(0xb9, path)...)               // mov ecx, path
			code = append(code, imm(0xba, 0o666)...)              // mov edx, mode
			code = append(code, 0x31, 0xf6)                       // xor esi, esi (flags)
		} else {
			code = append(code, imm(0xbb, path)...)  // mov ebx, path
			code = append(code, imm(0xb9, 0o666)...) // mov ecx, mode
			code = append(code, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90)
		}
		code = append(code, imm(0xb8, nr)...)       // mov eax, nr
		code = append(code, 0xcd, 0x80)             // int 0x80
		code = append(code, 0xf7, 0xd8, 0x89, 0xc3) // neg eax; mov ebx, eax
		code = append(code, imm(0xb8, 1)...)        // mov eax, 1 (exit)
		code = append(code, 0xcd, 0x80)             // int 0x80
		if len(code) > slot {
			t.Fatalf("%d bytes of code, more than its slot", len(code))
		}
		code = append(code, bytes.Repeat([]byte{0x90}, slot-len(code))...)
		return elf386(append(append(code, target...), 0))
	}
	for name, p := range map[string][]byte{"chmod386": prog(15, false), "fchmodat386": prog(306, true), "fchmodat2386": prog(452, true)} {
		exe := filepath.Join(project, "pkg", name)
		if err := os.WriteFile(exe, p, 0o755); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		cmd := s.Command(context.Background(), exe)
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if errors.Is(err, unix.ENOEXEC) {
			t.Skipf("this kernel runs no i386 programs: %v", err)
		}
		var ee interface{ ExitCode() int }
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("%s: %v: %s", name, err, out.String())
		}
		if got := cmd.ProcessState().ExitCode(); got != int(unix.EACCES) {
			t.Errorf("%s, confined: exit status %d, want %d (EACCES)", name, got, unix.EACCES)
		}
		if m := fileMode(t, target); m != 0o644 {
			t.Fatalf("%s: the project's file has mode %o, want 644", name, m)
		}
	}
}
