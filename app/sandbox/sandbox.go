// Package sandbox is the only way the assistant touches files or runs
// commands. A Sandbox has a root, the project directory, and an allowlist
// of extra directories (read-write or read-only); everything else is
// refused with a *RefusedError naming the rule. Paths are cleaned, made
// absolute and resolved beneath their root through directory file
// descriptors (openat2 with RESOLVE_BENEATH, or a component-by-component
// O_NOFOLLOW walk), so a symlink swapped in between a check and a use can
// never lead outside. Writes are atomic (temp file, fsync, rename, fsync
// of the directory) and never go into .git. Commands run confined with
// Landlock to the project, the temp dir and read-only system directories,
// by a seccomp filter from unix sockets, and in namespaces of their own
// from the network and from outliving their run.
// Every operation, refusals included, is recorded by an Auditor
// (app/audit). See DESIGN.md.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/aiex-dev/aiex/app/audit"
)

// Auditor records what the sandbox does. *audit.Log implements it. If it
// also has a Flush(ctx) error method, Close calls it.
type Auditor interface {
	Record(ctx context.Context, r audit.Record) error
}

// DefaultMaxFileSize is the largest file the sandbox reads or writes
// unless Options.MaxFileSize says otherwise.
const DefaultMaxFileSize = 8 << 20

// Options configure a Sandbox. The zero value is a sandbox over the root
// alone, with the default size limit, no auditing and ModeAuto.
type Options struct {
	// Allow lists extra directories (or files) the assistant may read and
	// write, as the config's allowlist gives them.
	Allow []string
	// ReadOnly lists extra directories (or files) it may only read; a
	// read-only entry inside the project makes that part of it read-only.
	ReadOnly []string
	// MaxFileSize is the largest file read or written, in bytes;
	// 0 means DefaultMaxFileSize.
	MaxFileSize int64
	// Auditor records every operation; nil records nothing.
	Auditor Auditor
	// Actor is recorded with every operation (cli, tui, lsp, web, …).
	Actor string
	// Mode is how commands are confined (see Mode).
	Mode Mode
	// TempDir is the temp dir commands may write to (and get as TMPDIR);
	// "" means one of the sandbox's own, made at its first command and
	// removed by Close.
	TempDir string
	// ExecReadOnly and ExecReadWrite add paths a confined command may
	// read (and execute) or write, beyond the defaults (see DESIGN.md).
	ExecReadOnly, ExecReadWrite []string
	// HideEnv names variables kept out of a command's default environment
	// besides those that look like credentials (see env.go): aiex passes
	// every provider's api_key_env, whatever its name.
	HideEnv []string
	// MaxProcesses bounds the processes and threads a command run in
	// namespaces of its own may have at once, so that a fork bomb in
	// generated code stops at it instead of taking the machine down;
	// 0 means DefaultMaxProcesses, or 64 per CPU on a machine of more
	// than 64. A command without namespaces, or run by root, is not
	// limited (see nproc.go).
	MaxProcesses int
	// Deny names aiex's own files and directories — its data dir, its
	// config file — which may lie inside the project: every operation at
	// or beneath one is refused (RuleAiexState), whether the path names
	// it or reaches it through a symlink; a confined command can neither
	// read nor change one (landlock_deny.go), and one run without Landlock
	// is logged as having them in reach. For the sandbox's own file
	// operations an entry not strictly beneath a root changes nothing
	// (outside the roots is refused already); commands, which Landlock
	// lets read system paths too (/etc, /opt), are kept from every entry
	// that holds no root. See deny.go.
	Deny []Denied
	// Logger reports what the sandbox decides (nil discards).
	Logger *slog.Logger
}

// root is one directory the sandbox serves, held open.
type root struct {
	path     string // canonical: absolute, clean, symlinks resolved
	alias    string // as configured, if it differs (a path through a symlink)
	fd       int    // O_PATH|O_DIRECTORY
	readOnly bool
	project  bool
	file     bool // an allowlisted file rather than a directory
	denies   bool // a Deny path lies beneath it (deny.go)
}

// Sandbox serves file operations beneath its roots and runs confined
// commands. It is safe for concurrent use.
type Sandbox struct {
	roots   []*root // the project first
	max     int64
	auditor Auditor
	actor   string
	mode    Mode
	tempDir string
	ownTemp bool       // tempDir is the sandbox's own, removed by Close
	tempMu  sync.Mutex // guards tempDir and ownTemp (s.mu is held around commands)
	execRO  []string
	execRW  []string
	hideEnv []string
	deny    []denied // aiex's own files beneath the roots (deny.go)
	cmdDeny []denied // aiex's own files kept from commands, wherever they are (deny.go)
	logger  *slog.Logger
	// maxProcs bounds a command's processes and threads when it runs in
	// namespaces (nproc.go).
	maxProcs int

	// noOpenat2 is set once openat2 turns out missing (ENOSYS): the
	// component walk does its work from then on.
	noOpenat2 atomic.Bool
	// landlockABI reports the kernel's Landlock ABI version (tests replace it).
	landlockABI func() (int, error)
	// seccomp reports whether the kernel installs the sandbox's seccomp
	// filter (tests replace it).
	seccomp func() error
	// namespaces reports whether commands can run in namespaces of their
	// own (tests replace it).
	namespaces func() error

	mu     sync.RWMutex // held for reading by every operation, for writing by Close
	closed bool
}

// New opens a sandbox over the project directory root. Root and every
// allowlisted path must exist; none may be /, nor lie in /proc, /sys or
// /dev.
func New(root string, opts Options) (*Sandbox, error) {
	s := &Sandbox{
		max: opts.MaxFileSize, auditor: opts.Auditor, actor: opts.Actor, mode: opts.Mode,
		tempDir: opts.TempDir, execRO: opts.ExecReadOnly, execRW: opts.ExecReadWrite,
		hideEnv: opts.HideEnv, logger: opts.Logger, landlockABI: kernelLandlockABI, seccomp: kernelSeccomp,
		namespaces: kernelNamespaces, maxProcs: opts.MaxProcesses,
	}
	if s.max <= 0 {
		s.max = DefaultMaxFileSize
	}
	if s.maxProcs <= 0 {
		s.maxProcs = defaultMaxProcesses()
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	add := func(p string, project, readOnly bool) error {
		r, err := openRoot(p)
		if err != nil {
			return err
		}
		r.project, r.readOnly = project, readOnly
		s.roots = append(s.roots, r)
		return nil
	}
	err := add(root, true, false)
	for _, p := range opts.Allow {
		err = errors.Join(err, add(p, false, false))
	}
	for _, p := range opts.ReadOnly {
		err = errors.Join(err, add(p, false, true))
	}
	if err != nil {
		s.closeRoots()
		return nil, err
	}
	if !s.roots[0].isDir() {
		s.closeRoots()
		return nil, fmt.Errorf("sandbox: project root %s is not a directory", root)
	}
	s.openDenied(opts.Deny)
	return s, nil
}

func (r *root) isDir() bool { return !r.file }

// openRoot canonicalises p and opens it.
func openRoot(p string) (*root, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %s: %w", p, err)
	}
	canon, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if err := allowable(p, canon); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	fd, err := unix.Open(canon, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("sandbox: open %s: %w", canon, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("sandbox: stat %s: %w", canon, err)
	}
	r := &root{path: canon, fd: fd, file: st.Mode&unix.S_IFMT != unix.S_IFDIR}
	if abs != canon {
		r.alias = abs
	}
	return r, nil
}

// Allowable returns why p cannot be a sandbox root or an allowlisted
// path, or nil. It is the check New makes, for a configuration to be told
// of such a path when it is read, not only by the commands that confine
// themselves. A path that cannot be resolved is left to its opener.
func Allowable(p string) error {
	canon, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil
	}
	return allowable(p, canon)
}

// allowable is Allowable of p, whose canonical path is canon: the
// filesystem's root would confine nothing, and /proc, /sys and /dev hold
// the kernel's interfaces, through which a process reaches far beyond
// any directory.
func allowable(p, canon string) error {
	shown := p
	if canon != filepath.Clean(p) {
		shown = fmt.Sprintf("%s (%s)", p, canon)
	}
	switch d := pseudoFS(canon); {
	case canon == "/":
		return fmt.Errorf("%s is the filesystem's root, which would confine nothing; name the directories meant", shown)
	case d != "":
		return fmt.Errorf("%s is in %s, the kernel's interfaces, which the sandbox never opens to commands; remove it", shown, d)
	}
	return nil
}

// Root is the project directory, canonical.
func (s *Sandbox) Root() string { return s.roots[0].path }

// MaxFileSize is the largest file the sandbox reads or writes.
func (s *Sandbox) MaxFileSize() int64 { return s.max }

// Close flushes the auditor (if it can be flushed) and releases the
// sandbox's directories. It is safe to call more than once.
func (s *Sandbox) Close(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.closeRoots()
	s.tempMu.Lock()
	if s.ownTemp {
		os.RemoveAll(s.tempDir)
		s.tempDir, s.ownTemp = "", false
	}
	s.tempMu.Unlock()
	if f, ok := s.auditor.(interface{ Flush(context.Context) error }); ok {
		return f.Flush(ctx)
	}
	return nil
}

// temp returns the directory commands may write temporary files to: the
// TempDir option, else the sandbox's own, made at its first command. The
// system's temp dir, shared by every program, would let a confined command
// write anywhere in it: into a project kept there that the sandbox holds
// read-only (Landlock rules only add rights), or into other programs'
// files. It is named for this process, so that one a killed process left
// is known as stale, and removed, by the next aiex that makes one
// (MkdirTemp).
func (s *Sandbox) temp() (string, error) {
	s.tempMu.Lock()
	defer s.tempMu.Unlock()
	if s.tempDir == "" {
		d, err := MkdirTemp("cmd", s.logger)
		if err != nil {
			return "", fmt.Errorf("sandbox: temp dir for commands: %w", err)
		}
		s.tempDir, s.ownTemp = d, true
	}
	return s.tempDir, nil
}

func (s *Sandbox) closeRoots() {
	for _, r := range s.roots {
		unix.Close(r.fd)
	}
}

// ErrClosed is returned by operations on a closed sandbox.
var ErrClosed = errors.New("sandbox: closed")

// enter holds the sandbox open for one operation; the returned func ends it.
func (s *Sandbox) enter() (func(), error) {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return nil, ErrClosed
	}
	return s.mu.RUnlock, nil
}

// Rules a RefusedError names.
const (
	RuleInvalidPath   = "invalid-path"   // empty, NUL byte, too long; written: not UTF-8, control characters, bidi controls, a leading ~
	RuleOutsideRoot   = "outside-root"   // .. escapes, or an absolute path outside the roots
	RuleSymlinkEscape = "symlink-escape" // a symlink leads outside the roots
	RuleSymlinkLoop   = "symlink-loop"   // too many symlinks
	RuleProc          = "proc"           // /proc, /sys and other pseudo filesystems
	RuleSpecialFile   = "special-file"   // devices, FIFOs, sockets
	RuleSizeLimit     = "size-limit"     // a file over MaxFileSize
	RuleGitDir        = "git-dir"        // a write into .git
	RuleReadOnly      = "read-only"      // a write into a read-only allowlisted path
	RuleStrict        = "strict"         // a command the kernel cannot confine, in ModeStrict
	RuleAiexState     = "aiex-state"     // aiex's data dir or config file (Options.Deny), read or written
)

// RefusedError is a refusal by a sandbox rule. Its message is one line:
// "refused: PATH REASON (rule: RULE)".
type RefusedError struct {
	Op     string // audit.OpRead, audit.OpWrite, …
	Path   string // as the caller gave it
	Rule   string // one of the Rule constants
	Reason string // what is wrong, e.g. "escapes the project root /p"
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refused: %s %s (rule: %s)", displayPath(e.Path), e.Reason, e.Rule)
}

// ErrRefused is matched (errors.Is) by every *RefusedError.
var ErrRefused = errors.New("refused by the sandbox")

// Is makes errors.Is(err, ErrRefused) true.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

func refuse(op, path, rule, format string, args ...any) *RefusedError {
	return &RefusedError{Op: op, Path: path, Rule: rule, Reason: fmt.Sprintf(format, args...)}
}

// displayPath shows p on one line: quoted if it has anything unprintable
// or spaces, and cut if it is very long.
func displayPath(p string) string {
	const maxShown = 200
	if len(p) > maxShown {
		p = p[:maxShown] + "…"
	}
	if p == "" || strings.ContainsRune(p, ' ') {
		return strconv.Quote(p)
	}
	return QuoteName(p)
}

// QuoteName is a name aiex did not choose (a path in a model's diff or in
// the project, a chunk's name) as aiex prints it for people: as it is, or
// quoted as Go quotes a string ("new\nline.go", "x\u202eog.go") when it
// holds a character that does not print. A control character in it would
// forge lines of the output or drive the terminal, a bidi control would
// show it as another name, and bytes that are not UTF-8 would show as
// U+FFFD; quoted, the name is one line that says what it is. A name that
// starts with a quote is quoted too, so that it cannot pass for the
// quoted form of another. Refusals show paths this way.
func QuoteName(s string) string {
	if strings.HasPrefix(s, `"`) || !utf8.ValidString(s) || strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// pseudoFS names the pseudo filesystem p (canonical) lies in, or "".
func pseudoFS(p string) string {
	for _, d := range []string{"/proc", "/sys", "/dev"} {
		if p == d || strings.HasPrefix(p, d+"/") {
			return d
		}
	}
	return ""
}

// Limits of the kernel's path handling.
const (
	maxPath = 4095 // PATH_MAX without the NUL
	maxName = 255  // NAME_MAX
)

// locate checks p as text and finds the root it lies in: a relative path
// lies in the project; an absolute one in the most specific root that
// holds it. It returns the root and the clean path relative to it ("."
// for the root itself).
func (s *Sandbox) locate(op, p string) (*root, string, error) {
	switch {
	case p == "":
		return nil, "", refuse(op, p, RuleInvalidPath, "is empty")
	case strings.IndexByte(p, 0) >= 0:
		return nil, "", refuse(op, p, RuleInvalidPath, "contains a NUL byte")
	case len(p) > maxPath:
		return nil, "", refuse(op, p, RuleInvalidPath, "is longer than %d bytes", maxPath)
	case op != audit.OpRead && !utf8.ValidString(p):
		// Checkpoints and the audit log keep paths as text: a change to
		// such a file could not be undone under its own name.
		return nil, "", refuse(op, p, RuleInvalidPath, "is not valid UTF-8, so its checkpoint could not restore it by name; rename it first")
	case changesTree(op) && strings.IndexFunc(p, isControl) >= 0:
		// A name the assistant makes is printed (wrote …, diffs, the
		// TUI): a newline or a terminal escape in it would forge lines of
		// that output. Existing files with such names stay readable.
		return nil, "", refuse(op, p, RuleInvalidPath, "contains a control character, which would garble or forge output lines when the name is printed; choose another name")
	case changesTree(op) && strings.IndexFunc(p, isBidi) >= 0:
		// A bidi control reorders what follows it on screen:
		// "report\u202eog.tset" shows as reporttest.go, a name the
		// reader would take for another file's.
		return nil, "", refuse(op, p, RuleInvalidPath, "contains a Unicode bidi control, which makes the name display as another; choose another name")
	case changesTree(op) && strings.HasPrefix(p, "~"):
		// No shell expands it here: ~/.bashrc would be a directory
		// named ~ in the project, which "wrote ~/.bashrc" presents as
		// the home directory's file (and a later rm -rf ~ would be a
		// trap).
		return nil, "", refuse(op, p, RuleInvalidPath, "starts with ~, which is not the home directory here but a file or directory named so in the project; choose another name")
	}
	c := filepath.Clean(p)
	for name := range strings.SplitSeq(c, "/") {
		if len(name) > maxName {
			return nil, "", refuse(op, p, RuleInvalidPath, "has a name longer than %d bytes", maxName)
		}
	}
	if !filepath.IsAbs(c) {
		if c == ".." || strings.HasPrefix(c, "../") {
			return nil, "", refuse(op, p, RuleOutsideRoot, "escapes the project root %s", s.Root())
		}
		return s.located(op, p, s.roots[0], c)
	}
	if r, rel := s.rootOf(c); r != nil {
		return s.located(op, p, r, rel)
	}
	if fs := pseudoFS(c); fs != "" {
		if fs == "/dev" {
			return nil, "", refuse(op, p, RuleSpecialFile, "is in /dev: device files are never read or written")
		}
		return nil, "", refuse(op, p, RuleProc, "is in %s: pseudo filesystems are never read or written", fs)
	}
	return nil, "", refuse(op, p, RuleOutsideRoot, "is outside the project root %s and the allowlist", s.Root())
}

// located is locate's result, r and rel, unless the path's text names one
// of aiex's own files (Options.Deny).
func (s *Sandbox) located(op, p string, r *root, rel string) (*root, string, error) {
	if err := s.deniedText(op, p, join(r, rel)); err != nil {
		return nil, "", err
	}
	return r, rel, nil
}

// changesTree says whether op makes, changes or removes a file.
func changesTree(op string) bool {
	return op == audit.OpWrite || op == audit.OpMkdir || op == audit.OpRemove
}

// isControl is true for C0 controls, DEL and C1 controls (U+0080–U+009F,
// which terminals also obey: U+009B starts an escape sequence).
func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) }

// isBidi is true for the Unicode bidi formatting characters: the
// embeddings and overrides (U+202A–U+202E), the isolates (U+2066–U+2069)
// and the marks (U+200E, U+200F, U+061C).
func isBidi(r rune) bool {
	return r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x200e || r == 0x200f || r == 0x061c
}

// rootOf finds the most specific root holding the clean absolute path c
// (by its canonical path or its configured spelling) and the path
// relative to it.
func (s *Sandbox) rootOf(c string) (*root, string) {
	var best *root
	var bestRel string
	bestLen := -1
	for _, r := range s.roots {
		for _, base := range []string{r.path, r.alias} {
			if base == "" || len(base) <= bestLen {
				continue
			}
			if c == base {
				best, bestRel, bestLen = r, ".", len(base)
			} else if !r.file && strings.HasPrefix(c, base+"/") {
				best, bestRel, bestLen = r, c[len(base)+1:], len(base)
			}
		}
	}
	return best, bestRel
}

// CheckWrite says whether a write to p could be allowed, by p's text
// alone (no file is looked at): it refuses what every write to p would be
// refused for — a path outside the roots, into .git, or into a read-only
// root — so that a proposal can say so before it is applied. A refusal is
// recorded, as WriteFile's would be: the write was tried (by a proposal)
// and the sandbox stopped it, even though nothing reached the disk. A pass
// is not recorded, as nothing was done. A write that passes may still be
// refused (a symlink on the way out of the project, say): WriteFile
// decides.
func (s *Sandbox) CheckWrite(p string) error {
	err := s.checkWriteText(p)
	if err == nil {
		return nil
	}
	// No context to hand: the caller asks by a path alone. Record only
	// waits while the auditor's queue is full.
	return s.record(context.Background(), audit.OpWrite, p, "", "", err)
}

// WouldRefuseWrite is CheckWrite without the record: for a path the
// caller derived (where a symlink leads), whose refusal it records itself
// as the path asked for (Refuse).
func (s *Sandbox) WouldRefuseWrite(p string) error { return s.checkWriteText(p) }

// Refuse records a refusal by the sandbox's rules that the caller found
// before any file was touched — a proposal's file over MaxFileSize, a path
// through a symlink loop or out of the project — and returns it, so that
// every refusal is in the audit log, however it was found.
func (s *Sandbox) Refuse(ctx context.Context, re *RefusedError) error {
	return s.record(ctx, re.Op, re.Path, "", "", re)
}

func (s *Sandbox) checkWriteText(p string) error {
	r, rel, err := s.locate(audit.OpWrite, p)
	if err != nil {
		return err
	}
	return s.writableText(audit.OpWrite, p, r, rel)
}

// writable refuses a write to the canonical path c: into .git at any
// depth, or into a read-only root.
func (s *Sandbox) writable(op, p, c string) error {
	r, rel := s.rootOf(c)
	if r == nil {
		// Cannot happen: resolution ends beneath a root.
		return refuse(op, p, RuleOutsideRoot, "is outside the project root %s and the allowlist", s.Root())
	}
	return s.writableText(op, p, r, rel)
}

// writableText refuses a write by the path's text alone, before any
// lookup: into .git (which need not exist yet) or a read-only root.
func (s *Sandbox) writableText(op, p string, r *root, rel string) error {
	if r.readOnly {
		return refuse(op, p, RuleReadOnly, "is in %s, which is allowlisted read-only", r.path)
	}
	if hasGitDir(rel) {
		return refuse(op, p, RuleGitDir, "is in a .git directory, which the assistant never writes")
	}
	return nil
}

// hasGitDir says whether a path has a .git element (in any letter case:
// some filesystems ignore it).
func hasGitDir(p string) bool {
	return slices.ContainsFunc(strings.Split(p, "/"), func(name string) bool { return strings.EqualFold(name, ".git") })
}
