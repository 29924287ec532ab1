package cli

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aiex-dev/aiex/app/english"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
)

// SessionCmd groups the session commands.
type SessionCmd struct {
	List      SessionListCmd      `cmd:"" help:"List this project's sessions, most recent first."`
	Show      SessionShowCmd      `cmd:"" help:"Show a whole session: every turn, what answered it and what context went with it."`
	Resume    SessionResumeCmd    `cmd:"" help:"Show a session's last turns and continue it with a new question."`
	Export    SessionExportCmd    `cmd:"" help:"Write a session as Markdown or JSON."`
	Archive   SessionArchiveCmd   `cmd:"" help:"Archive a session: it leaves the list and can be brought back."`
	Unarchive SessionUnarchiveCmd `cmd:"" help:"Bring an archived session back."`
	Rm        SessionRmCmd        `cmd:"" name:"rm" help:"Remove a session for good (asks first; archive is the way that can be undone)."`
}

// SessionListCmd lists sessions.
type SessionListCmd struct {
	All      bool `help:"Sessions of every project, not only this one."`
	Archived bool `help:"Include archived sessions."`
	Limit    int  `short:"n" default:"20" help:"How many to show (0 for all)."`
}

// Run prints the table or, with --json, an array.
func (l *SessionListCmd) Run(c *Context) error {
	if l.Limit < 0 {
		return usererr.Usage("--limit must be 0 (all) or more, not %d", l.Limit)
	}
	req := app.SessionRequest{Op: app.SessionList, Archived: l.Archived, Limit: l.Limit}
	if !l.All {
		var err error
		if req.Project, err = projectRoot(); err != nil {
			return err
		}
	}
	res, err := sessionDo(c, req)
	if err != nil {
		return err
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(nonNil(res.Sessions))
	}
	if len(res.Sessions) == 0 {
		_, err := fmt.Fprintln(c.Out.Out, l.none(c, req))
		return err
	}
	tw := newTable(c.Out.Out)
	head := "ID\tUPDATED\tTURNS\tTOKENS\tCOST\tMODEL\t"
	if l.Archived {
		head += "STATUS\t"
	}
	if l.All {
		head += "PROJECT\t"
	}
	fmt.Fprintln(tw, c.Out.Bold(head+"TITLE"))
	for _, s := range res.Sessions {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d→%d\t%s\t%s\t", s.ID, s.UpdatedAt.Local().Format("2006-01-02 15:04"), s.Turns,
			s.PromptTokens, s.CompletionTokens, costText(s.CostUSD, s.CostUnknown), session.Printable(s.Model))
		if l.Archived {
			fmt.Fprintf(tw, "%s\t", s.Status)
		}
		if l.All {
			fmt.Fprintf(tw, "%s\t", session.Printable(s.Project))
		}
		fmt.Fprintln(tw, title(s.Title))
	}
	return tw.Flush()
}

// none says why the list req asked for is empty, and what would show
// some: the archived sessions of this project, which are only listed when
// asked for, or those of other projects (run outside a project, say in
// /tmp, a command finds none of its own).
func (l *SessionListCmd) none(c *Context, req app.SessionRequest) string {
	if !l.Archived {
		here := req
		here.Archived, here.Limit = true, 1
		if res, err := sessionDo(c, here); err == nil && len(res.Sessions) > 0 {
			return "No sessions but archived ones (aiex session list --archived shows them); aiex ask \"…\" starts one"
		}
	}
	if !l.All {
		every := req
		every.Project, every.Limit = "", 0
		if res, err := sessionDo(c, every); err == nil && len(res.Sessions) > 0 {
			all := "aiex session list --all"
			if l.Archived {
				all += " --archived"
			}
			return fmt.Sprintf("No sessions for %s; %s lists every project's (%s)", session.Printable(req.Project), all,
				english.Count(len(res.Sessions), "session"))
		}
	}
	return "No sessions yet; aiex ask \"…\" starts one"
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// SessionShowCmd shows a session.
type SessionShowCmd struct {
	Session string `arg:"" placeholder:"ID|last" help:"The session: its id (or a unique prefix of 4 or more), or last."`
}

// Validate refuses a reference that cannot name a session before the
// store is opened (see session.CheckRef).
func (s *SessionShowCmd) Validate() error { return session.CheckRef(s.Session, false, "show") }

// Run prints the session as Markdown or, with --json, as a document.
func (s *SessionShowCmd) Run(c *Context) error {
	d, err := openSession(c, app.SessionShow, s.Session, 0)
	if err != nil {
		return err
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(d)
	}
	return d.WriteMarkdown(c.Out.Out)
}

// SessionResumeCmd continues a session.
type SessionResumeCmd struct {
	Session  string   `arg:"" placeholder:"ID|last" help:"The session: its id (or a unique prefix of 4 or more), or last."`
	Turns    int      `default:"1" min:"1" help:"How many of its last turns to show first."`
	Provider string   `placeholder:"NAME" help:"Provider to use, by its configured name (default: the configured one, else as the strategy routes)."`
	Model    string   `short:"m" env:"AIEX_MODEL" placeholder:"MODEL" help:"Model to use (default: the configured one, else the provider's first chat model)."`
	NoCode   bool     `name:"no-code" help:"Send the question alone, without code from the project's index."`
	Prompt   []string `arg:"" optional:"" help:"A question to continue with (or on stdin); without one, the last turns are shown."`
}

// Validate refuses a reference that cannot name a session before the
// store is opened (see session.CheckRef).
func (r *SessionResumeCmd) Validate() error { return session.CheckRef(r.Session, false, "resume") }

// Run shows the session's last turns, then asks the question in it.
func (r *SessionResumeCmd) Run(c *Context) error {
	d, err := openSession(c, app.SessionResume, r.Session, r.Turns)
	if err != nil {
		return err
	}
	ask := AskCmd{Provider: r.Provider, Model: r.Model, NoCode: r.NoCode, Prompt: r.Prompt}
	// The question, if any: the arguments, or stdin when it is piped
	// (empty stdin, as from a script, is no question).
	prompt, err := ask.readPrompt(c)
	if err != nil {
		return err
	}
	ask.Prompt = []string{prompt}
	hasPrompt := prompt != ""
	if c.Out.JSON && !hasPrompt {
		return c.Out.PrintJSON(d)
	}
	if !c.Out.JSON {
		fmt.Fprintf(c.Out.Out, "%s\n\n", c.Out.Bold(fmt.Sprintf("Session %s · %s · %s", d.Session.ID, title(d.Session.Title), english.Count(d.Session.Turns, "turn"))))
		for _, t := range d.Turns {
			if err := d.WriteTurn(c.Out.Out, t); err != nil {
				return err
			}
			fmt.Fprintln(c.Out.Out)
		}
	}
	if !hasPrompt {
		if !c.Out.JSON {
			fmt.Fprintln(c.Out.Out, c.Out.Dim(fmt.Sprintf("continue with: aiex ask --session %s \"…\"", d.Session.ID)))
		}
		return nil
	}
	ask.Session = d.Session.ID
	return ask.Run(c)
}

// SessionExportCmd writes a session to a file or stdout.
type SessionExportCmd struct {
	Session string `arg:"" placeholder:"ID|last" help:"The session: its id (or a unique prefix of 4 or more), or last."`
	Format  string `short:"f" placeholder:"FORMAT" predictor:"format" help:"markdown or json. Default: with -o FILE, json for a FILE ending in .json, else markdown; on stdout, json with --json, else markdown."`
	Output  string `short:"o" placeholder:"FILE" type:"path" predictor:"file" help:"Write to FILE (whole, or not at all) instead of stdout; --json then prints what was written where ({\"session_id\", \"file\"}) on stdout."`
}

// Validate refuses a reference that cannot name a session before the
// store is opened (see session.CheckRef).
func (e *SessionExportCmd) Validate() error { return session.CheckRef(e.Session, false, "export") }

// toStdout reports whether -o names this process's stdout (or nothing).
func (e *SessionExportCmd) toStdout() bool {
	switch e.Output {
	case "", "-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1":
		return true
	}
	return false
}

// format is the format the export is written in. On stdout --json is the
// export in JSON, as it is any command's output. A file's format is the
// file's own business: --format's, else the one its name ends in, while
// --json, as for any command, makes what stdout says JSON.
func (e *SessionExportCmd) format(c *Context) (string, error) {
	// No enum tag: kong's needs a default, and the default is the file's.
	switch e.Format {
	case "", session.FormatMarkdown, "md", session.FormatJSON:
	default:
		return "", usererr.Usage("--format %q: give markdown or json", e.Format)
	}
	given := e.Format != ""
	if e.toStdout() {
		if c.Out.JSON && given && e.Format != session.FormatJSON {
			return "", usererr.Usage("--json exports the session as JSON, and --format %s asks for another format: give one of them, or -o FILE to write the file as %[1]s", e.Format)
		}
		if c.Out.JSON {
			return session.FormatJSON, nil
		}
	}
	switch {
	case given && e.Format == session.FormatJSON:
		return session.FormatJSON, nil
	case given:
		return session.FormatMarkdown, nil
	case !e.toStdout() && strings.EqualFold(filepath.Ext(e.Output), ".json"):
		return session.FormatJSON, nil
	}
	return session.FormatMarkdown, nil
}

// Run writes the export.
func (e *SessionExportCmd) Run(c *Context) error {
	format, err := e.format(c)
	if err != nil {
		return err
	}
	d, err := openSession(c, app.SessionShow, e.Session, 0)
	if err != nil {
		return err
	}
	write := func(w io.Writer) error {
		if format == session.FormatJSON {
			return (&Output{Out: w}).PrintJSON(d)
		}
		return d.WriteMarkdown(w)
	}
	if e.toStdout() {
		// This process's stdout as the shell set it up (>> appends):
		// opened again by name, a redirected stdout would be written
		// from its start or replaced.
		return write(c.Out.Out)
	}
	switch e.Output {
	case "/dev/stderr", "/dev/fd/2", "/proc/self/fd/2":
		if err := write(c.Out.Err); err != nil {
			return err
		}
		return e.wrote(c, d.Session.ID, false)
	}
	if err := checkOutFile("-o", e.Output); err != nil {
		return err
	}
	if err := writeFileAtomic(e.Output, write); err != nil {
		why := err.Error()
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			why = pe.Err.Error()
		} else if le := (*os.LinkError)(nil); errors.As(err, &le) {
			why = le.Err.Error() // a failed rename: not the temporary file's name
		}
		if usererr.As(err) != nil {
			return err // says what is wrong with the path
		}
		return usererr.Wrap(err, "cannot write %s: %s", e.Output, why)
	}
	return e.wrote(c, d.Session.ID, true)
}

// wrote says that the session id was written to -o's file: with --json, as
// for any command, one value on stdout, what was written where; else a
// line on stderr when say holds (not when stderr was the file).
func (e *SessionExportCmd) wrote(c *Context, id string, say bool) error {
	if c.Out.JSON {
		abs, _ := filepath.Abs(e.Output)
		return c.Out.PrintJSON(struct {
			Session string `json:"session_id"`
			File    string `json:"file"`
		}{id, abs})
	}
	if say {
		fmt.Fprintf(c.Out.Err, "wrote session %s to %s\n", id, e.Output)
	}
	return nil
}

// writeFileAtomic writes path through a temporary file in its directory
// renamed over it once complete: a failure leaves no partial file. A file
// replaced keeps its mode (an export can hold code and secrets a user
// keeps private); a new one gets the mode any file the user creates gets
// (0666 less the umask). A symbolic link is followed: its target is
// replaced and the link stays. A FIFO or a character device (/dev/stdout,
// a terminal) is written to, not replaced; any other file that is not a
// regular one, and a read-only file, are refused.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	path = followLinks(path)
	perm, existing := fs.FileMode(0o666), false
	if fi, err := os.Stat(path); err == nil {
		switch m := fi.Mode(); {
		case m&(fs.ModeNamedPipe|fs.ModeCharDevice) != 0:
			return writeInto(path, write)
		case !m.IsRegular():
			return usererr.New("cannot write %s: it is not a regular file (%s); give a file name", path, m.Type())
		case m.Perm()&0o200 == 0:
			return usererr.New("cannot write %s: it is read-only; make it writable (chmod u+w) to replace it, or give another name", path)
		}
		perm, existing = fi.Mode().Perm(), true
	}
	f, err := createBeside(path, perm)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("export: %w", err)
	}
	if existing {
		// The umask applied at creation; the file it replaces had this mode.
		if err := f.Chmod(perm); err != nil {
			f.Close()
			return fmt.Errorf("export: %w", err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// followLinks is path with its symbolic links followed, to the file they
// lead to: one that does not exist yet (a link left dangling) too, as a
// shell's > creates it.
func followLinks(path string) string {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		return target
	}
	for range 40 { // as the kernel's limit
		to, err := os.Readlink(path)
		if err != nil {
			return path // not a link
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(path), to)
		}
		path = to
	}
	return path
}

// writeInto writes to path, a FIFO or a character device, in place.
func writeInto(path string, write func(io.Writer) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("export: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// createBeside creates a new file with a random name next to path, with
// mode perm less the umask (os.CreateTemp's is always 0600).
func createBeside(path string, perm fs.FileMode) (*os.File, error) {
	for {
		name := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+"."+rand.Text()[:10])
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}

// SessionArchiveCmd archives a session.
type SessionArchiveCmd struct {
	Session string `arg:"" placeholder:"ID|last" help:"The session: its id (or a unique prefix of 4 or more), or last."`
}

// Validate refuses a reference that cannot name a session before the
// store is opened (see session.CheckRef).
func (a *SessionArchiveCmd) Validate() error { return session.CheckRef(a.Session, false, "archive") }

// Run archives it.
func (a *SessionArchiveCmd) Run(c *Context) error {
	return changeSession(c, app.SessionArchive, a.Session, "archived session %s (%s); bring it back with aiex session unarchive %[1]s")
}

// SessionUnarchiveCmd unarchives a session.
type SessionUnarchiveCmd struct {
	Session string `arg:"" placeholder:"ID" help:"The session: its id (or a unique prefix of 4 or more)."`
}

// Validate refuses a reference that cannot name a session before the
// store is opened (see session.CheckRef).
func (u *SessionUnarchiveCmd) Validate() error {
	return session.CheckRef(u.Session, false, "unarchive")
}

// Run unarchives it.
func (u *SessionUnarchiveCmd) Run(c *Context) error {
	return changeSession(c, app.SessionUnarchive, u.Session, "session %s (%s) is active again; continue it with aiex ask --session %[1]s")
}

func changeSession(c *Context, op, ref, done string) error {
	project, err := projectRoot()
	if err != nil {
		return err
	}
	res, err := sessionDo(c, app.SessionRequest{Op: op, Ref: ref, Project: project, Actor: "cli"})
	if err != nil {
		return err
	}
	if c.Out.JSON && op == app.SessionRemove {
		// The session as it was before, but not its status: it is no
		// longer active or archived. "removed" says it as keys rm does.
		info := *res.Info
		info.Status = "removed"
		return c.Out.PrintJSON(struct {
			session.Info
			Removed bool `json:"removed"`
		}{info, true})
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(res.Info)
	}
	_, err = fmt.Fprintf(c.Out.Out, done+"\n", res.Info.ID, title(res.Info.Title))
	return err
}

// title is a session's title as a terminal shows it: on one line, without
// the escape sequences a pasted prompt may hold.
func title(s string) string { return oneLine(s, 50) }

// openSession reads a session (show) or its last turns (resume) in the
// current project.
func openSession(c *Context, op, ref string, turns int) (*session.Document, error) {
	project, err := projectRoot()
	if err != nil {
		return nil, err
	}
	res, err := sessionDo(c, app.SessionRequest{Op: op, Ref: ref, Project: project, Limit: turns, Actor: "cli"})
	if err != nil {
		return nil, err
	}
	return res.Document, nil
}

// sessionDo runs a session command through the node running on the data
// dir, else in this process.
func sessionDo(c *Context, req app.SessionRequest) (*app.SessionResult, error) {
	return viaNode(c, func(cl *node.Client) (*app.SessionResult, error) { return cl.Session(c, req) },
		func(core *app.App) (*app.SessionResult, error) { return core.Session(c, req) })
}

// viaNode runs a command through the node running on the data dir (which
// holds the store), else in this process's own core.
func viaNode[T any](c *Context, remote func(*node.Client) (T, error), local func(*app.App) (T, error)) (T, error) {
	return viaNodeIf(c, notReached, remote, local)
}

// viaNodeRead is viaNode for a request that only reads: one the node
// dropped unanswered as it went away (its connection closed before the
// response) is asked again too, of whoever serves next.
func viaNodeRead[T any](c *Context, remote func(*node.Client) (T, error), local func(*app.App) (T, error)) (T, error) {
	return viaNodeIf(c, func(err error) bool { return notReached(err) || dropped(err) }, remote, local)
}

// viaNodeIf is viaNode, asking again while again(err) holds of the
// node's answer.
func viaNodeIf[T any](c *Context, again func(error) bool, remote func(*node.Client) (T, error), local func(*app.App) (T, error)) (T, error) {
	var zero T
	// A process serving the data dir (a TUI, a node) may be ending: its
	// socket goes, then its lock. A request that could not reach it was
	// not sent, so it goes to whoever serves next, or to this process's
	// own core once the lock is free — for a little while.
	deadline := time.Now().Add(goneWait)
	for {
		cl, err := c.nodeClient()
		if err != nil {
			return zero, err
		}
		if cl != nil {
			v, err := remote(cl)
			if !again(err) || time.Now().After(deadline) {
				return v, err
			}
		} else {
			core, err := c.App()
			if err == nil {
				return local(core)
			}
			// The lock held and no socket: a serving process going away,
			// or a node starting, which serves its socket a moment after
			// it locks the data dir.
			if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
				return zero, err
			}
		}
		select {
		case <-c.Done():
			return zero, c.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// goneWait bounds how long a command waits for a process that serves the
// data dir to finish going away (viaNode).
const goneWait = 3 * time.Second

// notReached reports whether err says the node's socket could not be
// connected to: the node went away before the request was sent.
func notReached(err error) bool {
	return errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED)
}

// dropped reports whether err says the node sent no answer: the HTTP
// request itself failed (a connection closed before the response, as by
// a node going away: EOF, a reset, or net/http's "server closed idle
// connection"), not the node's handling of it.
func dropped(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}

// nodeClient connects to the node running on the data dir; nil when none
// runs.
func (c *Context) nodeClient() (*node.Client, error) {
	cfg, err := c.appConfig()
	if err != nil {
		return nil, err
	}
	cl, err := connect(c, cfg.DataDir)
	if errors.Is(err, node.ErrNoNode) {
		return nil, nil
	}
	return cl, err
}
