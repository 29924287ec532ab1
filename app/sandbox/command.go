package sandbox

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/aiex-dev/aiex/app/audit"
)

// Mode is how the sandbox confines the commands it runs.
type Mode int

// Modes. The zero value is ModeAuto.
const (
	// ModeAuto confines commands with Landlock and the seccomp filter
	// when the kernel has them, and otherwise runs them unconfined (with
	// Landlock alone, when only seccomp filters are missing), saying so
	// (Cmd.Confinement, the audit record, the log).
	ModeAuto Mode = iota
	// ModeStrict refuses to run a command the kernel cannot confine
	// (RuleStrict). Commands that run generated code use it.
	ModeStrict
	// ModeOff runs commands unconfined; paths are still checked.
	ModeOff
)

var modeNames = []string{"auto", "strict", "off"}

func (m Mode) String() string {
	if m < 0 || int(m) >= len(modeNames) {
		return fmt.Sprintf("Mode(%d)", int(m))
	}
	return modeNames[m]
}

// ParseMode parses "auto", "strict" or "off" ("" is auto).
func ParseMode(s string) (Mode, error) {
	if s == "" {
		return ModeAuto, nil
	}
	for i, n := range modeNames {
		if s == n {
			return Mode(i), nil
		}
	}
	return 0, fmt.Errorf("sandbox mode %q: want auto, strict or off", s)
}

// UnmarshalText parses a mode (for flags and config files).
func (m *Mode) UnmarshalText(b []byte) error {
	v, err := ParseMode(string(b))
	if err == nil {
		*m = v
	}
	return err
}

// MarshalText writes the mode's name.
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// Confinement says how a command was (or would be) confined.
type Confinement struct {
	Landlock bool `json:"landlock"`
	ABI      int  `json:"abi,omitempty"` // the kernel's Landlock ABI version
	// Seccomp is whether a seccomp filter keeps the command from unix
	// sockets, which Landlock does not govern (see seccomp.go). It is
	// only ever set with Landlock.
	Seccomp bool   `json:"seccomp,omitempty"`
	Reason  string `json:"reason,omitempty"` // why it is not confined, or not wholly
	// Isolated is whether the command runs in namespaces of its own
	// (namespace.go): no network but its own loopback, and no process of
	// it outlives it.
	Isolated bool `json:"isolated,omitempty"`
	// IsolationReason says why it is not isolated ("" in ModeOff).
	IsolationReason string `json:"isolation_reason,omitempty"`
}

func (c Confinement) String() string {
	var s string
	switch {
	case !c.Landlock:
		s = "unconfined: " + c.Reason
	case c.Seccomp:
		s = fmt.Sprintf("confined with Landlock (ABI v%d) and a seccomp filter (no unix sockets, no mode changes)", c.ABI)
	default:
		s = fmt.Sprintf("confined with Landlock (ABI v%d), but unix sockets and file modes are open to it: %s", c.ABI, c.Reason)
	}
	switch {
	case c.Isolated:
		s += "; in namespaces of its own (no network but its loopback, no process outliving it)"
	case c.IsolationReason != "":
		s += "; with the network open and its processes free to outlive it: " + c.IsolationReason
	}
	return s
}

// Landlock reports whether this kernel lets the sandbox confine commands:
// with Landlock, with the seccomp filter that keeps them from unix
// sockets, and in namespaces of their own.
func (s *Sandbox) Landlock() Confinement {
	c := Confinement{Isolated: true}
	if err := s.namespaces(); err != nil {
		c.Isolated, c.IsolationReason = false, err.Error()
	}
	abi, err := s.landlockABI()
	if err != nil {
		c.Reason = "the kernel lacks Landlock (" + err.Error() + ")"
		return c
	}
	c.Landlock, c.ABI, c.Seccomp = true, abi, true
	if err := s.seccomp(); err != nil {
		c.Seccomp, c.Reason = false, err.Error()
	}
	return c
}

// Cmd is a command run in the sandbox, like an exec.Cmd. Set its fields
// before Start.
type Cmd struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Env is the child's environment; nil means this process's without
	// variables that look like credentials, aiex settings and those named
	// by Options.HideEnv, and with TMPDIR set to the sandbox's temp dir.
	Env []string
	// ExtraEnv holds KEY=VALUE settings added to the environment (after
	// Env, or the default one); later entries win.
	ExtraEnv []string
	// Dir is the working directory: relative to the project root or
	// absolute inside a root; "" is the project root.
	Dir string
	// WaitDelay bounds how long Wait waits for the child's output pipes
	// after it exited or was killed (grandchildren may hold them); 0 means
	// 5 s. The child runs in its own process group, which is killed
	// whole when the context ends.
	WaitDelay time.Duration

	s       *Sandbox
	ctx     context.Context
	name    string
	args    []string
	cmd     *exec.Cmd
	program string  // the program run (cmd.Path is the init's when isolated)
	ns      *nsInit // the parent's side of the init, when isolated
	conf    Confinement
}

// Command returns a command that runs name with args in the sandbox. A
// name without a slash is looked up in PATH; one with a slash is a path
// relative to the project root; an absolute one is taken as it is.
func (s *Sandbox) Command(ctx context.Context, name string, args ...string) *Cmd {
	return &Cmd{s: s, ctx: ctx, name: name, args: args}
}

// String is the command line, for messages.
func (c *Cmd) String() string { return strings.Join(append([]string{c.name}, c.args...), " ") }

// Confinement is how the started command is confined.
func (c *Cmd) Confinement() Confinement { return c.conf }

// ProcessState describes the command once Wait returned (its ExitCode).
// A command run in namespaces is the state of its init, which ends with
// the command's exit code, or 128+N when signal N ended the command (the
// init of a PID namespace cannot die of a signal it sends itself); a
// command stopped by its context is killed with its init (ExitCode -1).
func (c *Cmd) ProcessState() *os.ProcessState {
	if c.cmd == nil {
		return nil
	}
	return c.cmd.ProcessState
}

// Process is the started command's process: its init, when it runs in
// namespaces of its own (a signal sent to it is passed on to the command).
func (c *Cmd) Process() *os.Process {
	if c.cmd == nil {
		return nil
	}
	return c.cmd.Process
}

// Start starts the command, confined as the sandbox's mode says, and
// records it. In ModeStrict, on a kernel without Landlock or seccomp
// filters, it refuses with RuleStrict and runs nothing.
func (c *Cmd) Start() error {
	if c.cmd != nil {
		return errors.New("sandbox: command already started")
	}
	s := c.s
	var program string
	err := s.run(c.ctx, audit.OpExec, c.name, func() (string, string, error) {
		cmd, rfd, err := c.prepare()
		program = c.program
		if err != nil {
			if c.ns != nil {
				c.ns.close()
			}
			return program, "", err
		}
		if rfd >= 0 {
			defer unix.Close(rfd)
			err = startConfined(cmd, rfd, c.conf.Seccomp)
		} else {
			err = cmd.Start()
		}
		c.cmd = cmd
		if c.ns != nil {
			if err == nil {
				err = c.ns.started(cmd.Process.Pid)
			}
			if err != nil {
				c.ns.close()
			}
		}
		return program, c.conf.String() + "; args: " + strings.Join(c.args, " "), err
	})
	if err != nil && c.cmd != nil && c.cmd.Process != nil {
		c.cmd.Process.Kill() // started, but not audited
		c.cmd.Wait()
	}
	if err == nil && !c.conf.Landlock {
		attrs := []any{"cmd", program, "why", c.conf.Reason}
		if st := s.stateInReach(); st != "" {
			attrs = append(attrs, "aiex_state", st)
		}
		s.logger.Warn("sandbox: command runs without OS isolation", attrs...)
	} else if err == nil && !c.conf.Seccomp {
		s.logger.Warn("sandbox: command may connect to local unix sockets", "cmd", program, "why", c.conf.Reason)
	}
	return err
}

// prepare builds the exec.Cmd and, when the command is to be confined,
// the Landlock ruleset (-1 when not).
func (c *Cmd) prepare() (*exec.Cmd, int, error) {
	s := c.s
	cmd := exec.CommandContext(c.ctx, c.name, c.args...)
	if strings.Contains(c.name, "/") && !filepath.IsAbs(c.name) {
		// A program of the project's (./run.sh); an absolute path is a
		// system program like one found in PATH: what it may touch is
		// Landlock's to limit.
		r, rel, err := s.locate(audit.OpExec, c.name)
		if err != nil {
			return cmd, -1, err
		}
		cmd.Path = join(r, rel)
	}
	c.program = cmd.Path
	if cmd.Err != nil {
		return cmd, -1, cmd.Err
	}
	dir, err := c.workDir()
	if err != nil {
		return cmd, -1, err
	}
	cmd.Dir = dir
	tmp, err := s.temp()
	if err != nil {
		return cmd, -1, err
	}
	cmd.Env = c.Env
	if cmd.Env == nil {
		cmd.Env = append(scrubEnv(os.Environ(), s.hideEnv), "TMPDIR="+tmp)
	}
	cmd.Env = append(cmd.Env[:len(cmd.Env):len(cmd.Env)], c.ExtraEnv...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Stdin, c.Stdout, c.Stderr
	// A toolchain (mix starts the Erlang VM) may start helpers of its
	// own: kill the whole group when the context ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = cmp.Or(c.WaitDelay, 5*time.Second)

	if s.mode == ModeOff {
		c.conf = Confinement{Reason: "the sandbox mode is off"}
		return cmd, -1, nil
	}
	c.conf = s.Landlock()
	strict := func(reason string) error {
		return refuse(audit.OpExec, c.name, RuleStrict, "cannot be confined: %s", strings.TrimPrefix(reason, "the "))
	}
	switch {
	case s.mode != ModeStrict:
	case !c.conf.Landlock:
		return cmd, -1, strict(c.conf.Reason)
	case !c.conf.Seccomp:
		// Landlock alone leaves every local daemon's socket in reach.
		return cmd, -1, strict(c.conf.Reason)
	case !c.conf.Isolated:
		// Without them the command reaches the network and may leave
		// processes running after it.
		return cmd, -1, strict(c.conf.IsolationReason)
	}
	if c.conf.Isolated {
		args := append([]string{nprocArg(s.maxProcs), cmd.Path}, cmd.Args...)
		if c.ns, err = viaInit(cmd, initArg0, args); err != nil {
			return cmd, -1, err
		}
	}
	if !c.conf.Landlock {
		return cmd, -1, nil
	}
	rules := s.rules(c.program, cmd.Env)
	if c.ns != nil {
		// The init is this program, executed by the confined child.
		rules = append(rules, pathRule{selfExe(), fsReadExec})
	}
	rfd, err := ruleset(c.conf.ABI, rules, s.cmdDeny)
	if err != nil {
		c.conf.Landlock, c.conf.Seccomp, c.conf.Reason = false, false, err.Error()
		if s.mode == ModeStrict {
			return cmd, -1, refuse(audit.OpExec, c.name, RuleStrict, "cannot be confined: %v", err)
		}
		return cmd, -1, nil
	}
	return cmd, rfd, nil
}

// workDir resolves Dir beneath the roots to a directory.
func (c *Cmd) workDir() (string, error) {
	r, rel, err := c.s.locate(audit.OpExec, cmp.Or(c.Dir, "."))
	if err != nil {
		return "", err
	}
	w, err := c.s.walk(audit.OpExec, c.Dir, r, rel, true)
	if err != nil {
		return "", pathErr("chdir", c.Dir, err)
	}
	defer w.close()
	if w.name != "" {
		var st unix.Stat_t
		if err := unix.Fstatat(w.dir, w.name, &st, 0); err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
			return "", pathErr("chdir", c.Dir, cmp.Or(err, error(unix.ENOTDIR)))
		}
	}
	return w.canon, nil
}

// Wait waits for the command to end and records how it ended.
func (c *Cmd) Wait() error {
	if c.cmd == nil {
		return errors.New("sandbox: command not started")
	}
	err := c.cmd.Wait()
	if c.ns != nil {
		c.ns.close()
	}
	detail := "exit status 0"
	if st := c.cmd.ProcessState; st != nil {
		detail = st.String()
	}
	// Recorded under the command's context with its cancellation removed:
	// a command ended by its context is recorded too.
	return c.s.record(context.WithoutCancel(c.ctx), audit.OpExit, c.name, c.program, detail, err)
}

// Run starts the command and waits for it.
func (c *Cmd) Run() error {
	if err := c.Start(); err != nil {
		return err
	}
	return c.Wait()
}

// Output runs the command and returns its standard output.
func (c *Cmd) Output() ([]byte, error) {
	var out bytes.Buffer
	c.Stdout = &out
	err := c.Run()
	return out.Bytes(), err
}

// CombinedOutput runs the command and returns its standard output and
// standard error together.
func (c *Cmd) CombinedOutput() ([]byte, error) {
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	err := c.Run()
	return out.Bytes(), err
}
