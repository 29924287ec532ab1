package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/english"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/testgen"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/app/workflow"
)

// writeFlags are the flags of every command that writes files.
type writeFlags struct {
	Apply   bool   `help:"Write the change (through a checkpoint: aiex checkpoint restore undoes it). Without it, a dry run."`
	DryRun  bool   `name:"dry-run" help:"Show the change without writing it (the default)."`
	Yes     bool   `short:"y" help:"Do not ask for confirmation before writing."`
	NoBuild bool   `name:"no-build" help:"Skip building the result (go build and vet, mix compile), which the checks show as not run; syntax is still checked."`
	Session string `placeholder:"ID|new|last" default:"new" help:"Record the request in a session: its id, last, or new."`
	Sandbox string `placeholder:"MODE" predictor:"sandbox" help:"How commands that build or run code are confined: auto (Landlock when the kernel has it), strict (refuse without it), off (default: [sandbox] mode in the config, else auto; for gen tests, else strict)."`
}

// modelFlags choose the model.
type modelFlags struct {
	Provider string `placeholder:"NAME" help:"Provider to use, by its configured name (default: the configured one, else as the strategy routes)."`
	Model    string `short:"m" env:"AIEX_MODEL" placeholder:"MODEL" help:"Model to use (default: the configured one, else the provider's first chat model)."`
	Strategy string `placeholder:"NAME" predictor:"strategy" help:"Routing strategy: local_affinity, load_balanced or round_robin (default: the configured one)."`
}

// RefactorCmd proposes a change to a piece of code.
type RefactorCmd struct {
	Target string `arg:"" placeholder:"TARGET" predictor:"file" help:"The code to change: PATH, PATH:LINE or a symbol (MyApp.Accounts.get_user/1, 'http.(*Server).Serve')."`
	Goal   string `required:"" placeholder:"TEXT" help:"What the change should achieve."`
	modelFlags
	writeFlags
}

// Validate refuses what the core would, before the store is opened (kong
// calls it once the command line is parsed): a usage mistake leaves no
// data dir behind.
func (r *RefactorCmd) Validate() error {
	if strings.TrimSpace(r.Goal) == "" {
		return usererr.Usage("say what the change should achieve: aiex refactor TARGET --goal \"…\"")
	}
	if strings.TrimSpace(r.Target) == "" {
		return usererr.Usage("name the code to change: aiex refactor TARGET --goal \"…\" (PATH, PATH:LINE or a symbol)")
	}
	return nil
}

// Run asks for the change, shows it as a diff with its checks, and writes
// it with --apply.
func (r *RefactorCmd) Run(c *Context) error {
	return missingPath(r.Target, runTask(c, node.TaskRefactor, r.modelFlags, r.writeFlags, app.TaskRequest{Target: r.Target, Goal: r.Goal}))
}

// GenCmd groups the generators.
type GenCmd struct {
	Module GenModuleCmd `cmd:"" help:"Write a new Elixir module or Go package file that follows the project's conventions."`
	Tests  GenTestsCmd  `cmd:"" help:"Write tests for a piece of code (ExUnit, Go table tests), run them and score them against mutants of it."`
}

// GenTestsCmd writes tests.
type GenTestsCmd struct {
	Target string `arg:"" placeholder:"TARGET" predictor:"file" help:"The code to test: PATH, PATH:LINE or a symbol."`
	NoRun  bool   `name:"no-run" help:"Do not run the tests: they are still checked to parse and, unless --no-build, to compile."`
	// Timeout is parsed by Run, not by kong, so that it is read as every
	// duration aiex reads (7d, 1d12h) and a bad value gets the same
	// message as on every other duration flag.
	Timeout string `placeholder:"DURATION" default:"5m" help:"How long one run of the tests may take before it counts as failed (a test that never ends): 90s, 2m, 1h; default 5m."`
	modelFlags
	writeFlags
}

// Validate refuses an empty target before the store is opened.
func (g *GenTestsCmd) Validate() error {
	if strings.TrimSpace(g.Target) == "" {
		return usererr.Usage("name the code to test: aiex gen tests TARGET (PATH, PATH:LINE or a symbol)")
	}
	return nil
}

// Run asks for the tests, runs them (confined: strictly unless --sandbox
// or the config's [sandbox] mode says otherwise), shows them with their checks and score, and writes
// them with --apply.
func (g *GenTestsCmd) Run(c *Context) error {
	timeout, err := parseTimeout(g.Timeout)
	if err != nil {
		return err
	}
	return missingPath(g.Target, runTask(c, node.TaskGenTests, g.modelFlags, g.writeFlags,
		app.TaskRequest{Target: g.Target, NoRun: g.NoRun, TestTimeout: timeout}))
}

// parseTimeout reads gen tests' --timeout: a duration above 0, in days
// too (7d, 1d12h), as every duration aiex reads.
func parseTimeout(s string) (time.Duration, error) {
	d, err := parseDurationFlag("--timeout", s)
	if err == nil && d <= 0 {
		return 0, usererr.Usage("--timeout must be more than 0, such as --timeout 2m")
	}
	return d, err
}

// GenModuleCmd writes a new module.
type GenModuleCmd struct {
	Name string `arg:"" placeholder:"NAME" help:"An Elixir module (MyApp.Cache) in a Mix project, or a Go package path (internal/cache) in a Go module."`
	Desc string `required:"" placeholder:"TEXT" help:"What the module should do."`
	modelFlags
	writeFlags
}

// Run asks for the module, shows it with its checks, and writes it with
// --apply.
func (g *GenModuleCmd) Run(c *Context) error {
	// What the core would refuse first is refused before the store opens,
	// in the core's order: a name the project cannot take (a module name
	// in a Mix project, a package path in a Go module), then an empty
	// description. Other refusals (the file exists) are the core's to word.
	root, err := projectRoot()
	if err != nil {
		return err
	}
	if _, err := workflow.ModuleFile(root, g.Name); err != nil {
		if ue := usererr.As(err); ue != nil && ue.ExitCode() == usererr.ExitUsage {
			return err
		}
	}
	if strings.TrimSpace(g.Desc) == "" {
		return usererr.Usage("say what %s should do: aiex gen module %s --desc \"…\"", g.Name, g.Name)
	}
	return runTask(c, node.TaskGenModule, g.modelFlags, g.writeFlags, app.TaskRequest{Name: g.Name, Description: g.Desc})
}

// taskJSON is what a task prints with --json.
type taskJSON struct {
	Proposal    *workflow.Proposal `json:"proposal"`
	Session     string             `json:"session_id,omitempty"`
	Turn        int64              `json:"turn,omitempty"`
	Interaction string             `json:"interaction_id,omitempty"`
	Applied     *checkpointJSON    `json:"applied,omitempty"` // the checkpoint of the write
	// Notes say what else the write did: temporary files an earlier,
	// interrupted write had left, which it removed.
	Notes []string `json:"notes,omitempty"`
	// Checkpoint is the id of the checkpoint of a write that failed
	// midway and was rolled back (aiex checkpoint show ID tells how).
	Checkpoint string          `json:"checkpoint_id,omitempty"`
	Tests      *testgen.Report `json:"tests,omitempty"` // gen tests: the run
	// Confinement says how the build's and tests' commands ran less
	// confined than they can be (--sandbox auto), and why.
	Confinement string `json:"confinement,omitempty"`
	// Error is why nothing was written, when the command failed after
	// the model answered: the proposal failed its checks, (proposal
	// null) the answer held no change that could be made into one, the
	// data dir had no room to record the answer (the proposal kept), or
	// the write was refused or failed (and was rolled back).
	Error string `json:"error,omitempty"`
}

// newTaskJSON is res as a task prints it with --json.
func newTaskJSON(res *app.TaskResult) taskJSON {
	out := taskJSON{Proposal: res.Proposal, Confinement: res.Confinement}
	if res.Tests != nil {
		// The summary as the tests line shows it; the report's other
		// fields hold the parts of the score.
		t := *res.Tests
		t.Summary = t.ScoredSummary()
		out.Tests = &t
	}
	if a := res.Answer; a != nil {
		out.Session, out.Turn = a.Session, a.Turn
		if a.Interaction != nil {
			out.Interaction = a.Interaction.ID
		}
	}
	return out
}

// answeredButUnusable reports whether a task's err came after the model
// had answered in full, from making its answer into a proposal (a diff
// that does not apply, no code): --json then prints the task's object
// with the error, as it does for a proposal that failed its checks, so
// that a script learns the session and the interaction either way.
func answeredButUnusable(res *app.TaskResult, err error) bool {
	return res != nil && res.Proposal == nil && res.Answer != nil && res.Answer.Interaction != nil &&
		res.Answer.Interaction.Status == "ok" && usererr.As(err) != nil
}

// runTask runs a refactoring or generation task: while the model answers
// a terminal shows how far it has come (with stdout elsewhere, the answer
// streams dimmed to a terminal's stderr), then the proposal is shown as a
// diff, with what the model said after its code and the checks, and with
// --apply written through a checkpoint — after a confirmation on a
// terminal, unless --yes.
func runTask(c *Context, kind string, m modelFlags, w writeFlags, req app.TaskRequest) error {
	if w.Apply && w.DryRun {
		return usererr.Usage("--apply and --dry-run contradict each other; give one")
	}
	switch w.Sandbox {
	case "", "auto", "strict", "off":
	default:
		return usererr.Usage("--sandbox %q: give auto, strict or off", w.Sandbox)
	}
	strategy, err := coord.ParseStrategy(m.Strategy)
	if err != nil {
		return err
	}
	if m.Strategy == "" {
		strategy = ""
	}
	if _, err := sessionRef(w.Session); err != nil {
		return err
	}
	if req.Root, err = projectRoot(); err != nil {
		return err
	}
	req.Provider, req.Model, req.Strategy, req.Session, req.Actor, req.Toolchain, req.Sandbox = m.Provider, m.Model, strategy, w.Session, "cli", !w.NoBuild, w.Sandbox
	req.Apply = w.Apply
	cl, err := c.nodeClient()
	if err != nil {
		return err
	}

	// On a terminal the checked change is what is shown: the model's
	// answer, its diff with the model's own line numbers, would show the
	// change twice, the first time perhaps wrong. How far the answer has
	// come is shown instead. With stdout elsewhere (a file, a pipe) the
	// change is not on the screen, and the answer streams to stderr.
	streams := c.Out.ErrTTY && !c.Out.TTY && !c.Out.JSON
	progress, stop := c.Out.Progress("thinking…")
	defer stop()
	var screen session.PrintableStream
	lines := 0
	stream := func(text string) error {
		if !streams {
			if lines += strings.Count(text, "\n"); lines > 0 {
				progress("answering… " + english.Count(lines, "line"))
			} else {
				progress("answering…")
			}
			return nil
		}
		stop()
		// As ask does: the terminal would act on escape sequences
		// and control characters in the model's text (set the
		// title, write the clipboard, erase lines of the diff).
		if text = screen.Next(text); text == "" {
			return nil
		}
		_, err := io.WriteString(c.Out.Err, c.Out.Dim(text))
		return err
	}
	var res *app.TaskResult
	if cl != nil {
		// The node's working directory is not ours; a path out of the
		// project is refused here, as the node would refuse it.
		if req.Target, err = ctxbuild.AbsPath(req.Root, req.Target, ctxbuild.FromCwd); err != nil {
			return err
		}
		res, err = cl.Task(c, node.TaskRequest{Kind: kind, TaskRequest: req}, stream)
	} else {
		core, cerr := c.App()
		if cerr != nil {
			return cerr
		}
		run := map[string]func(context.Context, app.TaskRequest, func(string) error) (*app.TaskResult, error){
			node.TaskRefactor: core.Refactor, node.TaskGenModule: core.GenModule, node.TaskGenTests: core.GenTests,
		}[kind]
		res, err = run(c, req, stream)
	}
	stop()
	if streams {
		fmt.Fprintln(c.Out.Err)
	}
	if res != nil && res.Confinement != "" && !c.Out.JSON {
		// Once, before the checks: they passed (or failed) with the
		// commands less confined than the user may think.
		fmt.Fprintln(c.Out.Err, c.Out.Red("warning:")+" "+res.Confinement)
	}
	// A proposal that comes with an error (the data dir had no room to
	// record its answer) is shown with it, and not written.
	unwritten := err != nil && c.Err() == nil && res != nil && res.Proposal != nil
	if err != nil && !unwritten {
		if c.Out.JSON && c.Err() == nil && answeredButUnusable(res, err) {
			out := newTaskJSON(res)
			out.Error = usererr.As(err).Msg
			if perr := c.Out.PrintJSON(out); perr != nil {
				return perr
			}
		}
		return err
	}
	if c.Err() != nil {
		// Interrupted while the proposal was checked: its checks are
		// not to be trusted, and nothing is written.
		return errNothingWritten
	}
	p := res.Proposal
	p.Diff = withRenames(p)
	out := newTaskJSON(res)
	if !c.Out.JSON {
		if err := c.Out.Diff(diffShown(p.Diff, proposalFiles(p))); err != nil {
			return err
		}
		if !streams {
			printRemarks(c, workflow.Remarks(p.Answer), out.Session)
		}
		printChecks(c, p)
		if t := res.Tests; t != nil {
			printTests(c, t)
		}
	}
	if unwritten {
		if c.Out.JSON {
			out.Error = errorText(err)
			if perr := c.Out.PrintJSON(out); perr != nil {
				return perr
			}
		}
		return err
	}
	if !p.OK() {
		failed := usererr.New("the change failed its checks (%s); nothing was written", strings.Join(p.Failures(), "; "))
		if c.Out.JSON {
			out.Error = failed.Msg
			if err := c.Out.PrintJSON(out); err != nil {
				return err
			}
		}
		return failed
	}
	if !w.Apply {
		if c.Out.JSON {
			return c.Out.PrintJSON(out)
		}
		fmt.Fprintln(c.Out.Err, c.Out.Dim(fmt.Sprintf("dry run: nothing written; add --apply to %s", filesOf(p, false))))
		return nil
	}
	if !w.Yes && c.StdinTTY && c.Stdin != nil {
		what := filesOf(p, false)
		yes, err := confirm(c, strings.ToUpper(what[:1])+what[1:]+"?")
		if c.Err() != nil {
			return errNothingWritten
		}
		if err != nil {
			return err
		}
		if !yes {
			// The turn records that the change was declined, not left
			// awaiting its write; a record that fails leaves it so, and
			// the answer is no less what it was.
			declined := app.ApplyRequest{Root: req.Root, Session: out.Session, Turn: out.Turn, Actor: "cli", Declined: true}
			if cl != nil {
				_, _ = cl.Apply(context.WithoutCancel(c), declined)
			} else if core, cerr := c.App(); cerr == nil {
				_, _ = core.Apply(context.WithoutCancel(c), declined)
			}
			return usererr.New("not written")
		}
	}
	if c.Err() != nil {
		return errNothingWritten
	}
	areq := app.ApplyRequest{Root: req.Root, Changes: p.Changes, Session: out.Session, Turn: out.Turn, Reason: strings.ReplaceAll(kind, "-", " "),
		Label: p.Target, Actor: "cli"}
	// From here Ctrl-C does not stop the write, in this process or in a
	// node: once begun it runs to its end (app/checkpoint writes every
	// file or puts back those written), and what it did is reported —
	// with the checkpoint that undoes it. Cut short, the write would
	// leave the user not knowing which files changed.
	wctx := context.WithoutCancel(c)
	var applied *checkpoint.Result
	if cl != nil {
		applied, err = cl.Apply(wctx, areq)
	} else {
		core, cerr := c.App()
		if cerr != nil {
			return cerr
		}
		applied, err = core.Apply(wctx, areq)
	}
	if err != nil {
		if c.Out.JSON {
			// The model answered and its turn is recorded: a script
			// learns the session, the interaction and why nothing was
			// written, as for a proposal that failed its checks.
			out.Error = errorText(err)
			if ae := (*checkpoint.ApplyError)(nil); errors.As(err, &ae) {
				out.Checkpoint = ae.Checkpoint
			}
			if perr := c.Out.PrintJSON(out); perr != nil {
				return perr
			}
		}
		return err
	}
	if c.Err() != nil {
		fmt.Fprintln(c.Out.Err, "interrupted after the write had begun: it was finished rather than left half-done")
	}
	if applied.Checkpoint != nil {
		cp := newCheckpointJSON(applied.Checkpoint)
		out.Applied = &cp
	}
	out.Notes = applied.Notes
	if c.Out.JSON {
		return c.Out.PrintJSON(out)
	}
	if applied.Checkpoint == nil {
		fmt.Fprintln(c.Out.Err, "nothing to write: the files are already as proposed")
		return nil
	}
	fmt.Fprintf(c.Out.Err, "%s (checkpoint %s; undo: aiex checkpoint restore %s)\n", filesOf(p, true), applied.Checkpoint.ID, applied.Checkpoint.ID)
	for _, n := range applied.Notes {
		fmt.Fprintln(c.Out.Err, c.Out.Dim("note: "+textLine(n)))
	}
	return nil
}

// errorText is err as stderr shows it: a user error's message, else the
// error.
func errorText(err error) string {
	if ue := usererr.As(err); ue != nil && ue.Msg != "" {
		return ue.Msg
	}
	return err.Error()
}

// errNothingWritten ends a task interrupted (Ctrl-C, SIGTERM) before its
// write began.
var errNothingWritten = &usererr.Error{Msg: "cancelled; nothing was written", Code: usererr.ExitSignal}

// maxRemarks is how much of the model's remarks a task shows: the
// prompts ask for two or three sentences.
const maxRemarks = 480

// printRemarks writes, to stderr, what the model said after its code
// (workflow.Remarks) on one line, cut at maxRemarks; the session shows it
// all.
func printRemarks(c *Context, remarks, sessionID string) {
	text := strings.Join(strings.Fields(session.Printable(remarks)), " ")
	if text == "" {
		return
	}
	if r := []rune(text); len(r) > maxRemarks {
		cut := string(r[:maxRemarks])
		if i := strings.LastIndexByte(cut, ' '); i > maxRemarks/2 {
			cut = cut[:i]
		}
		text = cut + "…"
		if sessionID != "" {
			text += " (all of it: aiex session show " + sessionID + ")"
		}
	}
	fmt.Fprintf(c.Out.Err, "%s: %s\n", c.Out.Bold("the model adds"), text)
}

// printChecks writes the proposal's checks, one line each, to stderr.
func printChecks(c *Context, p *workflow.Proposal) {
	for _, w := range p.Warnings {
		fmt.Fprintln(c.Out.Err, c.Out.Bold(c.Out.Red("warning: ")+textLine(w)))
	}
	for _, n := range p.Notes {
		fmt.Fprintln(c.Out.Err, c.Out.Dim("note: "+textLine(n)))
	}
	for _, ch := range p.Checks {
		mark := c.Out.Green("✓")
		switch ch.Status {
		case workflow.Failed:
			mark = c.Out.Red("✗")
		case workflow.Skipped:
			mark = c.Out.Dim("-")
		}
		line := fmt.Sprintf("%s %s", mark, ch.Name)
		if ch.Status != workflow.OK && ch.Detail != "" {
			line += ": " + session.Printable(ch.Detail)
		}
		fmt.Fprintln(c.Out.Err, line)
	}
}

// maxNamed is how many written files filesOf names; of more it names
// three and counts the others.
const maxNamed = 10

// filesOf says what a proposal does to the files, as a verb phrase ("write
// calc.go", "write 2 files (a.go, b.go)", "delete old.go", "rename a.go to
// b.go"), in the past tense if done.
func filesOf(p *workflow.Proposal, done bool) string {
	verb := func(now, past string) string {
		if done {
			return past
		}
		return now
	}
	var written, other []string
	for _, f := range p.Files {
		switch f.Status {
		case "deleted":
			other = append(other, verb("delete", "deleted")+" "+shown(f.Path))
		case "renamed":
			other = append(other, fmt.Sprintf("%s %s to %s", verb("rename", "renamed"), shown(f.OldPath), shown(f.Path)))
		default:
			written = append(written, shown(f.Path))
		}
	}
	var out []string
	switch n := len(written); {
	case n == 1:
		out = append(out, verb("write", "wrote")+" "+written[0])
	case n > maxNamed: // the diff above names them all
		out = append(out, fmt.Sprintf("%s %s (%s, and %d more)", verb("write", "wrote"), english.Count(n, "file"),
			strings.Join(written[:3], ", "), n-3))
	case n > 1:
		out = append(out, fmt.Sprintf("%s %s (%s)", verb("write", "wrote"), english.Count(n, "file"), strings.Join(written, ", ")))
	}
	if len(out)+len(other) == 0 {
		return verb("write", "wrote") + " no file"
	}
	return strings.Join(append(out, other...), ", ")
}

// withRenames is p's diff with, for each file renamed and not changed,
// the lines git shows for it — which a diff of the two contents, being
// empty, lacks:
//
//	diff --git a/old.go b/new.go
//	similarity index 100%
//	rename from old.go
//	rename to new.go
//
// They come first, in the order of p.Files. A rename already in the diff
// is not repeated.
func withRenames(p *workflow.Proposal) string {
	var b strings.Builder
	for _, f := range p.Files {
		if f.Status != "renamed" || f.Added != 0 || f.Removed != 0 {
			continue
		}
		lines := fmt.Sprintf("rename from %s\nrename to %s\n", f.OldPath, f.Path)
		if strings.Contains(p.Diff, lines) {
			continue
		}
		fmt.Fprintf(&b, "diff --git a/%s b/%s\nsimilarity index 100%%\n%s", f.OldPath, f.Path, lines)
	}
	return b.String() + p.Diff
}

// proposalFiles are p's files as diffShown takes them.
func proposalFiles(p *workflow.Proposal) []renamed {
	out := make([]renamed, len(p.Files))
	for i, f := range p.Files {
		switch f.Status {
		case "added":
			out[i] = renamed{Path: f.Path}
		case "deleted":
			out[i] = renamed{OldPath: f.Path}
		case "renamed":
			out[i] = renamed{OldPath: f.OldPath, Path: f.Path}
		default:
			out[i] = renamed{OldPath: f.Path, Path: f.Path}
		}
	}
	return out
}

// printTests writes how generated tests did: the summary, and each
// mutant, to stderr. Of tests that could not be checked it writes
// nothing: the "tests compile" check says why, and there is no score.
func printTests(c *Context, r *testgen.Report) {
	if r.Unchecked != "" {
		return
	}
	fmt.Fprintf(c.Out.Err, "%s: %s\n", c.Out.Bold("tests"), textLine(r.ScoredSummary()))
	if len(r.Changed) > 0 {
		return // the mutants ran against the code the tests wrote: not scored
	}
	for _, m := range r.Mutants {
		mark := c.Out.Green("killed")
		switch {
		case m.Invalid:
			mark = "not counted (it did not build, or not in time)"
		case !m.Killed:
			mark = c.Out.Red("survived")
		}
		fmt.Fprintf(c.Out.Err, "  mutant %s: %s\n", textLine(m.Description), mark)
	}
}
