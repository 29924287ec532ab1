package app

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/audit"
	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/prompt"
	"github.com/aiex-dev/aiex/app/sandbox"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/testgen"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/app/workflow"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
)

// TaskRequest is a refactoring or generation task on a project.
type TaskRequest struct {
	Root        string         `json:"root"`                  // the project's root
	Target      string         `json:"target,omitempty"`      // refactor, gen tests: PATH, PATH:LINE or a symbol
	Goal        string         `json:"goal,omitempty"`        // refactor: what the change should achieve
	Name        string         `json:"name,omitempty"`        // gen module: MyApp.Cache, internal/cache
	Description string         `json:"description,omitempty"` // gen module: what it should do
	Provider    string         `json:"provider,omitempty"`
	Model       string         `json:"model,omitempty"`
	Strategy    coord.Strategy `json:"strategy,omitempty"`
	Session     string         `json:"session,omitempty"` // new, last or an id
	Actor       string         `json:"actor,omitempty"`
	// Toolchain also builds the result (go build and vet, mix compile);
	// gen tests builds the tests and runs them.
	Toolchain bool `json:"toolchain,omitempty"`
	// NoRun (gen tests) builds the tests, with Toolchain, without running
	// them: no test of the generated file runs, no mutant is made.
	NoRun bool `json:"no_run,omitempty"`
	// Sandbox is how the toolchain's commands are confined: auto, strict
	// or off; "" means the config's [sandbox] mode (for gen tests, strict
	// where the config does not set it: testsMode).
	Sandbox string `json:"sandbox,omitempty"`
	// TestTimeout (gen tests) bounds one run of the tests; 0 means
	// testgen.DefaultTimeout.
	TestTimeout time.Duration `json:"test_timeout,omitempty"`
	// Apply says that the proposal is to be written if its checks pass
	// (Apply follows): the turn records it as awaiting its write rather
	// than as a dry run (see recordProposal).
	Apply bool `json:"apply,omitempty"`
}

// TaskResult is a task's proposal and how it was asked for.
type TaskResult struct {
	Proposal *workflow.Proposal  `json:"proposal,omitempty"`
	Answer   *Answer             `json:"answer,omitempty"`
	Module   *workflow.NewModule `json:"module,omitempty"` // gen module: where it goes
	Tests    *testgen.Report     `json:"tests,omitempty"`  // gen tests: how the tests did, when they ran
	// unrecorded is the answer's error when it came whole but its records
	// could not all be written (*UnrecordedError): the proposal is made
	// of it all the same, and not written (unwritten).
	unrecorded error
	// Confinement says, as one sentence for a warning, how the
	// toolchain's commands ran less confined than the sandbox can confine
	// them, and why: in auto mode, on a system without Landlock, its
	// seccomp filter or user namespaces, the sandbox runs them anyway
	// (strict mode refuses). "" when they were wholly confined, when none
	// ran, and in off mode, which the user chose.
	Confinement string `json:"confinement,omitempty"`
}

// refactor is Refactor, whose proposal's outcome is not yet recorded:
// it asks the model for a change to req.Target toward req.Goal (a
// unified diff, prompt template "refactor"), streams its answer to fn,
// and returns the change as a checked proposal; nothing is written. The
// question and answer are a turn of the session.
func (a *App) refactor(ctx context.Context, req TaskRequest, fn func(string) error) (*TaskResult, error) {
	if strings.TrimSpace(req.Goal) == "" {
		return nil, usererr.Usage("say what the change should achieve: aiex refactor TARGET --goal \"…\"")
	}
	if strings.TrimSpace(req.Target) == "" {
		return nil, usererr.Usage("name the code to change: aiex refactor TARGET --goal \"…\" (PATH, PATH:LINE or a symbol)")
	}
	sb, done, err := a.startTask(ctx, req)
	if err != nil {
		return nil, err
	}
	defer done()
	// A file the index does not chunk (go.mod, a .txt or .toml file)
	// resolves to the file whole (app/ctxbuild).
	if _, err := a.resolveTarget(ctx, req.Root, req.Target); err != nil {
		return nil, err
	}
	ans, err := a.AskCode(ctx, a.taskAsk(req, "refactor", "", taskCommand("refactor", req.Target, req.Goal), prompt.Data{Goal: req.Goal}), fn)
	res := &TaskResult{Answer: ans}
	if err = res.keepUnrecorded(err); err != nil {
		return res, err
	}
	// An answer cut off at the output limit may have lost the end of its
	// diff, and a diff that deletes lines whose replacement never came
	// still applies.
	why, _ := providers.Incomplete(ans.Interaction.StopReason)
	if err := workflow.CutShort(ans.Interaction.Response, why); err != nil {
		return a.finishTask(ctx, sb, req, res, nil, err)
	}
	p, err := workflow.FromDiff("refactor", req.Target, ans.Interaction.Response, sandboxReader(ctx, sb))
	if pe := (*parse.OutsidePathError)(nil); errors.As(err, &pe) {
		// Refused before the sandbox saw it: recorded as the sandbox
		// records its own refusals, so that the audit shows the attempt.
		sb.Refuse(ctx, &sandbox.RefusedError{Op: audit.OpWrite, Path: pe.Path, Rule: sandbox.RuleOutsideRoot,
			Reason: "a path in the model's diff outside the project root " + sb.Root()})
	}
	return a.finishTask(ctx, sb, req, res, p, err)
}

// genModule is GenModule, whose proposal's outcome is not yet recorded:
// it asks the model for a new module or Go package file (prompt
// template "gen-module") where the project's layout puts it
// (workflow.ModuleFile), with code of the project like it as context, and
// returns it as a checked proposal; nothing is written. An Elixir module
// the project already defines is refused before the model is asked
// (definedAlready); a Go package that exists gets a new file, under its
// directory's name if that is free, else under the name the user gives
// (packageExists says how).
func (a *App) genModule(ctx context.Context, req TaskRequest, fn func(string) error) (*TaskResult, error) {
	m, err := workflow.ModuleFile(req.Root, req.Name)
	if err != nil {
		return nil, packageExists(req, m, err)
	}
	if strings.TrimSpace(req.Description) == "" {
		return nil, usererr.Usage("say what %s should do: aiex gen module %s --desc \"…\"", req.Name, req.Name)
	}
	sb, done, err := a.startTask(ctx, req)
	if err != nil {
		return nil, err
	}
	defer done()
	if err := a.definedAlready(ctx, req.Root, m, sandboxReader(ctx, sb)); err != nil {
		return nil, err
	}
	data := prompt.Data{ModuleName: m.Name, Description: req.Description, Language: m.Lang, Target: &prompt.Snippet{Path: m.Path}}
	if m.Lang == "go" {
		// Its import path, so that the model imports the project's own
		// packages by theirs, and the package clause the check wants.
		data.ModuleName = cmp.Or(m.ImportPath, m.Name)
		data.GoPackage, _ = m.GoPackage(req.Root)
	}
	// The command is the question too: the search looks for the module's
	// name and description in it, for code of the project like it.
	cmd := "gen module " + m.Name + ": " + req.Description
	r := a.taskAsk(req, "gen-module", cmd, cmd, data)
	r.Target = ""
	ans, err := a.AskCode(ctx, r, fn)
	res := &TaskResult{Answer: ans, Module: &m}
	if err = res.keepUnrecorded(err); err != nil {
		return res, err
	}
	p, err := workflow.FromFile("gen-module", m.Name, ans.Interaction.Response, m.Path, m.Lang, sandboxReader(ctx, sb))
	if err == nil {
		// The build passes a file that defines the wrong module, or a
		// new package under another name than its directory's. Shown
		// when it fails, as the sandbox's check is.
		if c := m.Check(req.Root, p.Changes[0].Content); c.Status == workflow.Failed {
			p.Checks = append(p.Checks, c)
		}
	}
	return a.finishTask(ctx, sb, req, res, p, err)
}

// packageExists is ModuleFile's err, told better for a Go package named
// by its directory whose file of that name exists (calc, with
// calc/calc.go): the package is there, and what is wanted is a new file
// in it, which only the user can name well (a name made up here would be
// a second thing to rename).
func packageExists(req TaskRequest, m workflow.NewModule, err error) error {
	if m.Lang != "go" || strings.HasSuffix(req.Name, ".go") {
		return err
	}
	if _, serr := os.Stat(filepath.Join(req.Root, filepath.FromSlash(m.Path))); serr != nil {
		return err
	}
	dir := strings.TrimSuffix(m.Name, "/")
	return usererr.New("%s is a Go package already (%s exists); name the new file: aiex gen module %s/NEWFILE.go --desc \"…\" (to change %s: aiex refactor %s --goal \"…\")",
		dir, m.Path, dir, m.Path, m.Path)
}

// genTests is GenTests, whose proposal's outcome is not yet recorded:
// it asks the model for tests of req.Target (prompt template
// "gen-tests", with the project's dependencies), takes the test file from
// its answer (where app/testgen.TestPath puts it), and, with Toolchain,
// runs it against the project and against mutants of the target
// (app/testgen), confined as testsMode says — strictly unless the request
// or the config says otherwise: it is code no one has read. Nothing is
// written into the project.
func (a *App) genTests(ctx context.Context, req TaskRequest, fn func(string) error) (*TaskResult, error) {
	if strings.TrimSpace(req.Target) == "" {
		return nil, usererr.Usage("name the code to test: aiex gen tests TARGET (PATH, PATH:LINE or a symbol)")
	}
	sb, done, err := a.startTask(ctx, req)
	if err != nil {
		return nil, err
	}
	defer done()
	c, err := a.resolveTarget(ctx, req.Root, req.Target)
	if err != nil {
		return nil, err
	}
	lang := testgen.LangOf(c.Path)
	if lang != testgen.LangGo && lang != testgen.LangElixir {
		return nil, usererr.New("%s is not Go or Elixir code; aiex gen tests writes Go and ExUnit tests", c.Path)
	}
	src, err := sb.ReadFile(ctx, c.Path)
	if err != nil {
		return nil, err
	}
	testPath, err := testgen.TestPath(req.Root, c.Path)
	if err != nil {
		return nil, err
	}
	data := prompt.Data{Language: lang, Deps: testgen.Deps(req.Root, c.Path), TestPath: testPath}
	ans, err := a.AskCode(ctx, a.taskAsk(req, "gen-tests", "", taskCommand("gen-tests", req.Target, ""), data), fn)
	res := &TaskResult{Answer: ans}
	if err = res.keepUnrecorded(err); err != nil {
		return res, err
	}
	p, err := workflow.FromFile("gen-tests", req.Target, ans.Interaction.Response, testPath, lang, sandboxReader(ctx, sb))
	if err != nil {
		return res, err
	}
	res.Proposal = p
	workflow.Validate(ctx, req.Root, p, workflow.ValidateOptions{})
	if !p.OK() {
		return res, nil
	}
	if !req.Toolchain {
		// Said, so that no one takes a proposal without a failed check
		// for tests that passed.
		p.Checks = append(p.Checks, workflow.Check{Name: "tests", Status: workflow.Skipped, Detail: "not built or run (--no-build)"})
		return res, nil
	}
	if ok, why := testgen.Toolchain(lang); !ok {
		p.Checks = append(p.Checks, workflow.Check{Name: "tests", Status: workflow.Skipped, Detail: why})
		return res, nil
	}
	run, err := a.toolRunner(sb.Root(), req.Actor, a.testsMode(req.Sandbox))
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		// No scratch dir (a full or missing temp dir): as with a file
		// testgen.Run cannot lay out, below.
		p.Checks = append(p.Checks, workflow.SetupFailed("tests", err))
		return res, nil
	}
	if err != nil {
		return res, err
	}
	defer run.Close(context.WithoutCancel(ctx))
	limit := cmp.Or(req.TestTimeout, testgen.DefaultTimeout)
	var unit string
	if c.StartByte >= 0 && c.EndByte <= len(src) && c.StartByte < c.EndByte {
		unit = string(src[c.StartByte:c.EndByte])
	}
	rep, err := testgen.Run(ctx, testgen.Spec{Root: req.Root, Lang: lang, TestPath: testPath, TestContent: p.Changes[0].Content,
		Target: testgen.Target{Path: c.Path, Name: c.Name, StartLine: c.StartLine, EndLine: c.EndLine, Source: unit},
		Runner: run, TempDir: run.scratch, CompileOnly: req.NoRun, Timeout: limit, Private: a.private()})
	res.Confinement = run.weaker()
	if re := (*sandbox.RefusedError)(nil); errors.As(err, &re) && ctx.Err() == nil {
		// The sandbox would not run the tests (strict mode, on a system
		// that cannot confine them): the proposal stands with a failed
		// check saying so, as a build the sandbox refused does in
		// refactor and gen module, rather than being lost to an error
		// naming the command line and its scratch files.
		p.Checks = append(p.Checks, workflow.Check{Name: "tests", Status: workflow.Failed, Detail: refusedTests(re, req.Actor)})
		return res, nil
	}
	if se := (*testgen.SetupError)(nil); errors.As(err, &se) && ctx.Err() == nil {
		// The machine's problem (most often a full disk), not the
		// tests': the proposal stands with the check skipped saying so,
		// as refactor's and gen module's builds are (app/workflow).
		p.Checks = append(p.Checks, workflow.SetupFailed("tests", se))
		return res, nil
	}
	if err != nil {
		return res, err
	}
	sayLimit(rep)
	p.Checks = append(p.Checks, testChecks(rep)...)
	if !rep.NotRun {
		res.Tests = rep // a run, with its score
	}
	return res, nil
}

// refusedTests is a check's detail for tests the sandbox refused to run:
// its refusal, and for one of strict mode what the user can do instead.
// The command line (actor "cli") has flags for that; elsewhere (the TUI,
// a node's API) the config's key is what there is.
func refusedTests(re *sandbox.RefusedError, actor string) string {
	if re.Rule != sandbox.RuleStrict {
		return re.Error()
	}
	if actor == "cli" {
		return re.Error() + "; the tests did not run (--sandbox auto runs them less confined, --no-build skips them)"
	}
	return re.Error() + `; the tests did not run ([sandbox] mode = "auto" in the config runs them less confined)`
}

// testsMode is the mode gen tests' commands are confined in: the
// request's (--sandbox), else the config's [sandbox] mode where the
// config sets it, else strict. The default is stricter than the other
// tasks' (auto) because the tests are code no one has read; a mode the
// user chose, in the config too, wins over it.
func (a *App) testsMode(req string) string {
	if req != "" {
		return req
	}
	if m, ok := a.configSandboxMode(); ok {
		return m.String()
	}
	return sandbox.ModeStrict.String()
}

// configSandboxMode is the config's [sandbox] mode and whether the config
// sets it. The mode's zero value is auto, so a file that says mode =
// "auto" is told from one that says nothing by the keys it has.
func (a *App) configSandboxMode() (sandbox.Mode, bool) {
	m := a.cfg.File.Sandbox.Mode
	if m != sandbox.ModeAuto || a.cfg.ConfigPath == "" {
		return m, m != sandbox.ModeAuto
	}
	b, err := os.ReadFile(a.cfg.ConfigPath)
	if err != nil {
		return m, false
	}
	keys, _ := scanKeys(a.cfg.ConfigPath, bytes.TrimPrefix(b, []byte("\ufeff")))
	_, set := keys["sandbox.mode"]
	return m, set
}

// sayLimit adds to a timed-out run's summary how to change the limit.
func sayLimit(r *testgen.Report) {
	if r.TimedOut {
		r.Summary += " (gen tests --timeout sets the limit)"
	}
}

// testChecks are a test run's checks: the tests compile, and pass (or,
// built only, a skipped "tests pass").
func testChecks(r *testgen.Report) []workflow.Check {
	compile := workflow.Check{Name: "tests compile", Status: workflow.OK}
	if !r.Compiles && r.Unchecked != "" {
		// The package does not build without the tests either: the
		// check could not be made, and the tests are not to blame.
		compile.Status, compile.Detail = workflow.Skipped, r.Unchecked+"\n"+r.Output
		return []workflow.Check{compile}
	}
	if !r.Compiles {
		compile.Status, compile.Detail = workflow.Failed, r.Output
		if r.TimedOut {
			compile.Detail = r.Summary
		}
		return []workflow.Check{compile}
	}
	if len(r.Changed) > 0 {
		// Run or only compiled, they wrote the project's code.
		return []workflow.Check{compile, {Name: "tests pass", Status: workflow.Failed, Detail: r.Summary}}
	}
	if r.NotRun {
		return []workflow.Check{compile, {Name: "tests pass", Status: workflow.Skipped, Detail: "not run (--no-run)"}}
	}
	pass := workflow.Check{Name: "tests pass", Status: workflow.OK, Detail: r.Summary}
	if !r.Passed {
		pass.Status, pass.Detail = workflow.Failed, r.Summary+"\n"+r.Output
	}
	return []workflow.Check{compile, pass}
}

// startTask opens the sandbox a task reads the project through and
// brings the project's index up to date (changed files only): a task
// that writes must see the code as it is. done closes the sandbox.
func (a *App) startTask(ctx context.Context, req TaskRequest) (_ *sandbox.Sandbox, done func(), _ error) {
	sb, err := a.projectSandbox(req.Root, req.Actor, req.Sandbox)
	if err != nil {
		return nil, nil, err
	}
	done = func() { sb.Close(context.WithoutCancel(ctx)) }
	if _, err := a.Indexer().Index(ctx, req.Root, index.Options{}); err != nil {
		done()
		return nil, nil, fmt.Errorf("index %s: %w", req.Root, err)
	}
	return sb, done, nil
}

// finishTask validates the proposal a task made of its answer.
func (a *App) finishTask(ctx context.Context, sb *sandbox.Sandbox, req TaskRequest, res *TaskResult, p *workflow.Proposal, err error) (*TaskResult, error) {
	if err != nil {
		return res, err
	}
	if c := writeCheck(ctx, sb, p); c.Status == workflow.Failed {
		// Nothing else is checked: the proposal cannot be applied.
		p.Checks = append(p.Checks, c)
		res.Proposal = p
		return res, nil
	}
	res.Confinement = a.validate(ctx, sb, req, p)
	res.Proposal = p
	return res, nil
}

// writeCheck is the sandbox's word on the paths p writes, renames and
// deletes, before anything is built or applied: a proposal the sandbox
// would refuse fails its checks in the dry run already. What can be known
// without writing is checked: each path's text (into .git, outside the
// project, into a read-only root), where it leads through the symbolic
// links there now (gl/config with gl → .git), and each new content's size
// against the sandbox's limit; and files or directories the user made
// read-only, which Apply would refuse.
// Every refusal but that last is audited (CheckWrite, Refuse), once, under the path the
// proposal named.
func writeCheck(ctx context.Context, sb *sandbox.Sandbox, p *workflow.Proposal) workflow.Check {
	fail := func(err error) workflow.Check {
		return workflow.Check{Name: "sandbox", Status: workflow.Failed, Detail: err.Error()}
	}
	for _, c := range p.Changes {
		if n := int64(len(c.Content)); !c.Delete && n > sb.MaxFileSize() {
			return fail(sb.Refuse(ctx, &sandbox.RefusedError{Op: audit.OpWrite, Path: c.Path, Rule: sandbox.RuleSizeLimit,
				Reason: fmt.Sprintf("would be %d bytes, over the sandbox's limit of %d bytes", n, sb.MaxFileSize())}))
		}
		// A write follows a symlink where the file is; a removal (of a
		// deleted file, or a renamed one's old path) does not.
		if err := checkWrite(ctx, sb, c.Path, !c.Delete); err != nil {
			return fail(err)
		}
		if c.OldPath != "" && c.OldPath != c.Path {
			if err := checkWrite(ctx, sb, c.OldPath, false); err != nil {
				return fail(err)
			}
		}
	}
	// A file or directory the user made read-only is not written
	// (checkpoint.Apply refuses it): said before the user is asked.
	var changes []checkpoint.Change
	for _, c := range p.Changes {
		if c.OldPath != "" && c.OldPath != c.Path {
			changes = append(changes, checkpoint.Change{Path: c.OldPath, Delete: true})
		}
		changes = append(changes, checkpoint.Change{Path: c.Path, Delete: c.Delete})
	}
	if err := checkpoint.ReadOnlyOf(ctx, sb, changes); err != nil {
		return fail(err)
	}
	return workflow.Check{Name: "sandbox", Status: workflow.OK}
}

// checkWrite asks the sandbox about a write to path, by its text and then
// by where its symbolic links lead now. A refusal of the second kind says
// where the path led, and is recorded under path.
func checkWrite(ctx context.Context, sb *sandbox.Sandbox, path string, follow bool) error {
	if err := sb.CheckWrite(path); err != nil {
		return err
	}
	root := sb.Root()
	real, err := workflow.ResolveLinks(root, path, follow)
	if errors.Is(err, workflow.ErrLinkLoop) {
		return sb.Refuse(ctx, &sandbox.RefusedError{Op: audit.OpWrite, Path: path, Rule: sandbox.RuleSymlinkLoop, Reason: "goes through more than 40 symbolic links"})
	}
	if err != nil || real == filepath.Join(root, filepath.FromSlash(path)) {
		return nil // the write itself will say
	}
	err = sb.WouldRefuseWrite(real)
	var re *sandbox.RefusedError
	if !errors.As(err, &re) {
		return err
	}
	shown := real
	if rel, err := filepath.Rel(root, real); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
		shown = filepath.ToSlash(rel)
	}
	rule := re.Rule
	if rule == sandbox.RuleOutsideRoot {
		rule = sandbox.RuleSymlinkEscape
	}
	return sb.Refuse(ctx, &sandbox.RefusedError{Op: audit.OpWrite, Path: path, Rule: rule, Reason: fmt.Sprintf("(through a symlink, %s) %s", shown, re.Reason)})
}

// taskAsk is the CodeAsk of a task. question is the user's words that go
// to the model and to the search; recorded is what the request is
// recorded as, the command it was (taskCommand). Refactor and gen tests
// have no question: the model is not asked their command again, and the
// search looks for the goal and the target.
func (a *App) taskAsk(req TaskRequest, task, question, recorded string, data prompt.Data) CodeAsk {
	return CodeAsk{
		Request:  ask.Request{Prompt: question, Provider: req.Provider, Model: req.Model, Strategy: req.Strategy, Actor: req.Actor},
		Recorded: recorded,
		Task:     task, Root: req.Root, Target: req.Target, Data: data,
		Session: session.Ref(req.Session), Project: req.Root,
	}
}

// taskCommand is how a task is recorded, in the history and in its
// session's turn: as the command it was, `refactor TARGET: GOAL`,
// `gen tests TARGET`.
func taskCommand(task, target, goal string) string {
	cmd := strings.ReplaceAll(task, "-", " ") + " " + target
	if goal != "" {
		cmd += ": " + goal
	}
	return cmd
}

// projectSandbox opens the sandbox over the project at root with the
// config's [sandbox] settings; mode ("auto", "strict", "off") overrides
// the config's when set.
func (a *App) projectSandbox(root, actor, mode string) (*sandbox.Sandbox, error) {
	c := a.cfg.File.Sandbox
	m := c.Mode
	if mode != "" {
		var err error
		if m, err = sandbox.ParseMode(mode); err != nil {
			return nil, usererr.Usage("--sandbox: %v", err)
		}
	}
	return a.Sandbox(root, sandbox.Options{Allow: c.Allow, ReadOnly: c.ReadOnly, MaxFileSize: c.MaxFileSize, Actor: actor, Mode: m})
}

// resolveTarget finds the code target names in the project's index, or
// fails saying what the index has that looks like it — before any model
// is asked.
func (a *App) resolveTarget(ctx context.Context, root, target string) (db.CodeChunk, error) {
	s, err := a.Searcher(ctx)
	if err != nil {
		return db.CodeChunk{}, err
	}
	return ctxbuild.New(ctxbuild.Config{Store: a.Store, Search: s, Private: a.private()}).Resolve(ctx, root, target)
}

// sandboxReader reads the project's files through the sandbox.
func sandboxReader(ctx context.Context, sb *sandbox.Sandbox) workflow.Reader {
	return func(p string) ([]byte, error) { return sb.ReadFile(ctx, p) }
}

// validate checks a proposal, the toolchain's commands confined. It
// returns how they ran less confined than they can be, if they did
// (TaskResult.Confinement).
func (a *App) validate(ctx context.Context, sb *sandbox.Sandbox, req TaskRequest, p *workflow.Proposal) string {
	if !req.Toolchain {
		workflow.Validate(ctx, req.Root, p, workflow.ValidateOptions{})
		p.Checks = append(p.Checks, notBuilt(p)...)
		return ""
	}
	run, err := a.toolRunner(sb.Root(), req.Actor, req.Sandbox)
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		// No scratch dir: the machine's problem, not the change's.
		workflow.Validate(ctx, req.Root, p, workflow.ValidateOptions{})
		p.Checks = append(p.Checks, workflow.SetupFailed("toolchain", err))
		return ""
	}
	if err != nil {
		p.Checks = append(p.Checks, workflow.Check{Name: "toolchain", Status: workflow.Failed, Detail: err.Error()})
		return ""
	}
	defer run.Close(context.WithoutCancel(ctx))
	// The config's sandbox paths are what the checks may read beyond the
	// project: a mix path dependency there is copied beside the copy of
	// the project that is compiled.
	c := a.cfg.File.Sandbox
	workflow.Validate(ctx, req.Root, p, workflow.ValidateOptions{Toolchain: true, Runner: run, TempDir: run.scratch,
		Readable: append(slices.Clone(c.Allow), c.ReadOnly...), Private: a.private()})
	return run.weaker()
}

// notBuilt are the build checks Validate would have run with the
// toolchain (--no-build turned it off), each skipped and saying so: without
// them ✓ syntax would be the last word, and read as a change that builds.
// There are none where Validate would not have built either: a change
// whose syntax failed, or one with no Go or Elixir file.
func notBuilt(p *workflow.Proposal) []workflow.Check {
	if !slices.ContainsFunc(p.Checks, func(c workflow.Check) bool { return c.Name == "syntax" && c.Status != workflow.Failed }) {
		return nil
	}
	var names []string
	if slices.ContainsFunc(p.Changes, func(c parse.Change) bool { return workflow.BuildLang(c.Path) == "go" }) {
		names = append(names, "go build", "go vet")
	}
	if slices.ContainsFunc(p.Changes, func(c parse.Change) bool { return chunk.Lang(c.Path) == "elixir" }) {
		names = append(names, "mix compile")
	}
	checks := make([]workflow.Check, len(names))
	for i, n := range names {
		checks[i] = workflow.Check{Name: n, Status: workflow.Skipped, Detail: "not run (--no-build)"}
	}
	return checks
}

// toolRunner is where a task's toolchain commands run: a scratch
// directory they may write (overlays, copies of the project), and a
// sandbox over it in which the project is read-only; commands are
// confined as mode ("" means the config's [sandbox] mode) says.
func (a *App) toolRunner(project, actor, mode string) (*sandboxRunner, error) {
	m := a.cfg.File.Sandbox.Mode
	if mode != "" {
		var err error
		if m, err = sandbox.ParseMode(mode); err != nil {
			return nil, usererr.Usage("--sandbox: %v", err)
		}
	}
	// Named for this process, so that one a killed process left is known
	// as stale and removed by a later task (sandbox.MkdirTemp).
	scratch, err := sandbox.MkdirTemp("task", a.logger)
	if err != nil {
		return nil, fmt.Errorf("make a scratch dir in the temp dir: %w", err)
	}
	sb, err := a.Sandbox(scratch, sandbox.Options{ReadOnly: []string{project}, Actor: actor, Mode: m})
	if err != nil {
		os.RemoveAll(scratch)
		return nil, err
	}
	return &sandboxRunner{sb: sb, scratch: scratch, mode: m, strict: strictHint(actor)}, nil
}

// strictHint says, for the warning of commands run less confined, how the
// user asks for strict mode where they are: the command line (actor
// "cli") has a flag for it; elsewhere (the TUI, a node's API) the
// config's key is what there is (as refusedTests says for the reverse).
func strictHint(actor string) string {
	if actor == "cli" {
		return "--sandbox strict would refuse to run them"
	}
	return `[sandbox] mode = "strict" in the config would refuse to run them`
}

// sandboxRunner runs toolchain commands (workflow.Runner) in a sandbox.
type sandboxRunner struct {
	sb      *sandbox.Sandbox
	scratch string
	mode    sandbox.Mode
	strict  string // how the user asks for strict mode where they are, for the warning

	mu   sync.Mutex // guards less: checks may run commands at once
	less string     // how the first command less confined than it can be was, for weaker
}

// weaker says how the runner's commands ran less confined than the
// sandbox can confine them, and why, as one sentence; "" if none did.
// Only auto mode runs a command so: strict refuses it, and off is the
// user's choice.
func (r *sandboxRunner) weaker() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.less
}

// note records how cmd, started, was confined, if less than it can be.
func (r *sandboxRunner) note(cmd *sandbox.Cmd) {
	if r.mode != sandbox.ModeAuto {
		return
	}
	c := cmd.Confinement()
	var how []string
	switch {
	case !c.Landlock && c.Reason != "":
		how = append(how, "unconfined, free to read and write your files, because "+c.Reason)
	case c.Landlock && !c.Seccomp:
		how = append(how, "with the local unix sockets open to them, because "+c.Reason)
	}
	if !c.Isolated && c.IsolationReason != "" {
		how = append(how, "with the network open and their processes free to outlive them, because "+c.IsolationReason)
	}
	if len(how) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.less == "" {
		r.less = fmt.Sprintf("the commands that build and run the code ran %s (%s)", strings.Join(how, "; and "), r.strict)
	}
}

// Run runs c confined, its output to c.Output; a non-zero exit is its
// code, not an error.
func (r *sandboxRunner) Run(ctx context.Context, c workflow.Command) (int, error) {
	cmd := r.sb.Command(ctx, c.Name, c.Args...)
	cmd.Dir, cmd.ExtraEnv = c.Dir, c.Env
	out := c.Output
	if out == nil {
		out = io.Discard
	}
	cmd.Stdout, cmd.Stderr = out, out
	err := cmd.Start()
	if err == nil {
		r.note(cmd)
		err = cmd.Wait()
	}
	if ctx.Err() != nil {
		return -1, ctx.Err()
	}
	if st := cmd.ProcessState(); st != nil && st.Exited() {
		return st.ExitCode(), nil
	}
	return -1, err
}

// Close closes the sandbox (its audit records) and removes the scratch
// directory.
func (r *sandboxRunner) Close(ctx context.Context) error {
	err := r.sb.Close(ctx)
	os.RemoveAll(r.scratch)
	return err
}

// ApplyRequest writes a proposal's changes into a project.
type ApplyRequest struct {
	Root    string         `json:"root"`
	Changes []parse.Change `json:"changes"`
	Session string         `json:"session,omitempty"` // the turn that proposed them
	Turn    int64          `json:"turn,omitempty"`
	Reason  string         `json:"reason,omitempty"` // refactor, gen module, gen tests
	Label   string         `json:"label,omitempty"`
	Actor   string         `json:"actor,omitempty"`
	// Declined: the user said no when asked to confirm the write. Apply
	// writes nothing then, and records that in the turn (Session, Turn).
	Declined bool `json:"declined,omitempty"`
	// DeclinedHow says how the user declined, as the turn records it
	// ("closed unwritten in the TUI"); "" is a no at the CLI's prompt.
	DeclinedHow string `json:"declined_how,omitempty"`
	// Partial says what of the proposal Changes leave out, when the user
	// kept only part of it ("1 of 2 hunks of lib/calc.ex left out"); ""
	// when they are the proposal whole. The turn records the write as
	// written in part.
	Partial string `json:"partial,omitempty"`
}

// Apply writes changes through a checkpoint (app/checkpoint): the files'
// contents before are recorded first, then each file is written whole
// (temporary file and rename); a failure midway puts back what was
// written. aiex checkpoint restore undoes it. What was written is then
// indexed (indexWritten), so that the next command can name it. The
// turn that proposed the changes (req.Session, req.Turn) records whether
// they were written, with the checkpoint (recordWrite); a request
// Declined writes nothing and records only that.
func (a *App) Apply(ctx context.Context, req ApplyRequest) (*checkpoint.Result, error) {
	if req.Declined {
		a.recordWrite(ctx, req, nil, nil)
		return &checkpoint.Result{}, nil
	}
	if len(req.Changes) == 0 {
		return nil, usererr.New("nothing to write: the change has no files")
	}
	cs, done, err := a.projectCheckpoints(ctx, req.Root, req.Actor)
	if err != nil {
		return nil, err
	}
	defer done()
	var changes []checkpoint.Change
	for _, c := range req.Changes {
		// What each file must still be: the proposal's base (a file the
		// user changed since is not written over), none for a new path.
		expect := c.Base
		if c.OldPath != "" && c.OldPath != c.Path {
			changes = append(changes, checkpoint.Change{Path: c.OldPath, Delete: true, Expect: c.Base})
			if c.Base != "" {
				expect = parse.NoFile
			}
		}
		if expect == parse.NoFile {
			expect = checkpoint.Absent
		}
		from := "" // a renamed file keeps its mode, as git keeps it
		if c.OldPath != "" && c.OldPath != c.Path {
			from = c.OldPath
		}
		changes = append(changes, checkpoint.Change{Path: c.Path, Data: c.Content, Delete: c.Delete, Expect: expect, From: from})
	}
	res, err := cs.Apply(ctx, changes, checkpoint.Meta{Session: req.Session, Turn: req.Turn, Reason: req.Reason, Label: req.Label})
	a.recordWrite(ctx, req, res, err)
	if err == nil {
		a.indexWritten(ctx, req.Root, req.Changes)
	}
	return res, err
}
