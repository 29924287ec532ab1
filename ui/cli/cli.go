// Package cli is aiex's command line: the kong command tree, one file per
// command, and the output helpers they share. Commands reach the core only
// through app.App, built on first use so that commands which need no store
// (version, completion, help) start in milliseconds.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/agnivade/levenshtein"
	"github.com/alecthomas/kong"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/ui/cli/fastpath"
)

// Globals are the flags every command takes.
type Globals struct {
	DataDir *string `name:"data-dir" env:"AIEX_DATA_DIR" placeholder:"DIR" predictor:"dir" help:"Where aiex keeps its store (default: $XDG_DATA_HOME/aiex)."`
	Config  *string `name:"config" env:"AIEX_CONFIG" placeholder:"FILE" predictor:"file" help:"Configuration file (default: $XDG_CONFIG_HOME/aiex/config.toml)."`
	JSON    bool    `name:"json" help:"Print results as JSON."`
	NoColor bool    `name:"no-color" help:"Plain output without colour (also when NO_COLOR is set and not empty)."`
	Verbose bool    `name:"verbose" short:"v" help:"Log what aiex does to stderr (the TUI: to DATA_DIR/tui.log)."`
	// ShowVersion is --version: Root's Version is the command.
	ShowVersion versionFlag `name:"version" help:"Show version information (as aiex version does) and exit."`
}

// Root is the command tree.
type Root struct {
	Globals

	Ask        AskCmd        `cmd:"" help:"Ask a question; the answer streams to stdout."`
	Tui        TuiCmd        `cmd:"" help:"Open the terminal UI (also aiex alone, on a terminal): conversation, sessions, context, models."`
	History    HistoryCmd    `cmd:"" help:"List recorded LLM interactions."`
	Status     StatusCmd     `cmd:"" help:"Show the data dir, the store and the providers."`
	Providers  ProvidersCmd  `cmd:"" help:"Show each provider: reachable, circuit breakers, limits, recent latency and errors."`
	Models     ModelsCmd     `cmd:"" help:"List every model of every provider with context window, local/cloud and price."`
	Usage      UsageCmd      `cmd:"" help:"Tokens and cost by day, provider, model and kind (chat or embed)."`
	Keys       KeysCmd       `cmd:"" help:"Manage stored provider API keys."`
	Index      IndexCmd      `cmd:"" help:"Index the current project's code: chunks, a full-text index and a symbol graph."`
	Chunks     ChunksCmd     `cmd:"" help:"Show how the index cuts a file into chunks."`
	Search     SearchCmd     `cmd:"" help:"Rank the current project's code for a query (words or a symbol)."`
	Context    ContextCmd    `cmd:"" help:"Show the code a prompt about TARGET would carry, fitted to a model's context window."`
	Explain    ExplainCmd    `cmd:"" help:"Explain a piece of the project's code: a file, PATH:LINE or a symbol."`
	Refactor   RefactorCmd   `cmd:"" help:"Propose a change to a piece of code toward a goal: a checked diff, written with --apply."`
	Gen        GenCmd        `cmd:"" help:"Generate code: gen module NAME, gen tests TARGET."`
	Node       NodeCmd       `cmd:"" help:"Run this data dir as a node of a cluster (aiex node run)."`
	Cluster    ClusterCmd    `cmd:"" help:"The cluster: init a key, status, leave, remove a node, recover after a lost quorum."`
	Session    SessionCmd    `cmd:"" help:"Sessions: list, show, resume, export, archive, unarchive, rm."`
	Events     EventsCmd     `cmd:"" help:"The event log: tail it, replay it into the projections."`
	Checkpoint CheckpointCmd `cmd:"" help:"Checkpoints of the assistant's writes: list, show, diff, restore, tag, prune."`
	Audit      AuditCmd      `cmd:"" help:"The audit log of the assistant's file operations and commands; --verify checks its hash chain."`
	Version    VersionCmd    `cmd:"" help:"Show version information."`
	Completion CompletionCmd `cmd:"" help:"Print a shell completion script (bash, zsh or fish)."`
}

// BuildInfo describes the binary.
type BuildInfo struct {
	Version string
	Commit  string
}

// Env is the process environment a command runs in.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Terminal reports which of stdin, stdout and stderr are terminals.
	StdinTTY, StdoutTTY, StderrTTY bool
	// StdinPiped reports that stdin is a pipe or a file (not a terminal,
	// not /dev/null), so a prompt may be read from it.
	StdinPiped bool
	// Columns is the width of the terminal on stdout, 0 if it is none.
	Columns int
	Getenv  func(string) string
	Build   BuildInfo
}

// Context is what a command's Run receives.
type Context struct {
	context.Context
	Env
	Globals *Globals
	Out     *Output
	Logger  *slog.Logger

	app *app.App
	// longRunning: the command serves many requests (app.Config.LongRunning).
	longRunning bool
	// args is the command line as given, for what the parsed flags cannot
	// tell: a flag given empty (--join "$UNSET") from one left out.
	args []string
	cfg  *loadedConfig // appConfig's, once read
}

// App builds the core on first use: it loads the configuration and opens
// the store. Run closes it when the command ends.
func (c *Context) App() (*app.App, error) {
	if c.app != nil {
		return c.app, nil
	}
	cfg, err := c.appConfig()
	if err != nil {
		return nil, err
	}
	a, err := app.New(c, cfg)
	if err != nil {
		return nil, err
	}
	c.app = a
	return a, nil
}

// appConfig resolves the configuration: flags and env win over the file,
// the file over defaults.
//
// Paths from flags and the environment are made absolute like those of
// the file (see app.LoadFile): ~/ is the home directory, and a relative
// path is relative to the current directory.
func (c *Context) appConfig() (app.Config, error) {
	// Read once per command: a command that goes through a node and then
	// opens the store (viaNode) asks for it several times.
	if c.cfg == nil {
		cfg, err := c.loadConfig()
		c.cfg = &loadedConfig{cfg, err}
	}
	// What the command may change after the first read (the TUI logs to
	// a file, and serves many requests) is taken as it is now.
	cfg := c.cfg.cfg
	cfg.Logger, cfg.Verbose, cfg.LongRunning = c.Logger, c.Globals.Verbose, c.longRunning
	return cfg, c.cfg.err
}

// loadedConfig is appConfig's result, kept.
type loadedConfig struct {
	cfg app.Config
	err error
}

func (c *Context) loadConfig() (app.Config, error) {
	path, named := "", c.Globals.Config != nil
	var err error
	if named {
		if path, err = flagPath("--config", "AIEX_CONFIG", *c.Globals.Config); err != nil {
			return app.Config{}, err
		}
	} else {
		path = app.DefaultConfigPath()
	}
	f, err := app.LoadFile(path, named)
	if err != nil {
		return app.Config{}, err
	}
	var dir string
	if c.Globals.DataDir != nil {
		if dir, err = flagPath("--data-dir", "AIEX_DATA_DIR", *c.Globals.DataDir); err != nil {
			return app.Config{}, err
		}
	} else {
		dir = f.DataDir
	}
	if dir == "" {
		dir = app.DefaultDataDir()
	}
	return app.Config{
		DataDir:     dir,
		ConfigPath:  path,
		File:        f,
		Logger:      c.Logger,
		Version:     c.Build.Version,
		Verbose:     c.Globals.Verbose,
		LongRunning: c.longRunning,
	}, nil
}

// flagPath makes p, the value of flag or of its environment variable env,
// absolute (see app.ExpandPath): relative to the current directory.
func flagPath(flag, env, p string) (string, error) {
	if strings.TrimSpace(p) == "" {
		// --data-dir "$UNSET" would otherwise quietly use the default.
		return "", usererr.Usage("%s is empty: give a path, or leave the flag out for the default", flag)
	}
	cwd := ""
	if !filepath.IsAbs(p) && !strings.HasPrefix(p, "~") {
		var err error
		if cwd, err = os.Getwd(); err != nil {
			return "", usererr.Wrap(err, "%s %s: cannot find the current directory (%v); give an absolute path", flag, p, err)
		}
	}
	abs, err := app.ExpandPath(p, cwd)
	if err != nil {
		return "", usererr.Usage("%s (or %s) %v", flag, env, err)
	}
	return abs, nil
}

const description = `Aiex is an AI coding assistant for Elixir and Go: ask questions of local
(Ollama, LM Studio) and cloud models; every interaction is recorded in an embedded,
replicated store.`

// exitPanic carries kong's exit request out of Parse (kong expects its Exit
// func not to return).
type exitPanic struct{ code int }

// Run parses args, runs the chosen command and returns the exit code.
func Run(ctx context.Context, args []string, env Env) (code int) {
	if env.Getenv == nil {
		env.Getenv = os.Getenv
	}
	// A pipe or file on stdout (a terminal is left alone: the TUI needs
	// the *os.File) can block a write beyond any signal: see stuckWriter.
	if f, ok := env.Stdout.(*os.File); ok && !env.StdoutTTY {
		sw := newStuckWriter(ctx, f)
		defer sw.close()
		env.Stdout = sw
	}
	var root Root
	parser, err := kong.New(&root,
		kong.Name("aiex"),
		kong.Description(description),
		kong.Writers(env.Stdout, env.Stderr),
		kong.Exit(func(code int) { panic(exitPanic{code}) }),
		// At most 80 columns, also on a wider terminal: lines of prose read
		// better so, and the help is then the same text that package
		// fastpath prints before the rest of aiex starts. helpPrinter
		// narrows it to a narrower terminal, down to a least width.
		kong.ConfigureHelp(kong.HelpOptions{Compact: true, WrapUpperBound: fastpath.HelpWidth}),
		kong.Help(helpPrinter(env)),
		kong.Bind(env.Build), // for --version
		countFlags(),
	)
	if err != nil {
		fmt.Fprintf(env.Stderr, "aiex: internal error: %v\n", err)
		return usererr.ExitFailure
	}
	defer func() {
		if r := recover(); r != nil {
			ep, ok := r.(exitPanic)
			if !ok {
				panic(r)
			}
			code = ep.code
		}
	}()

	// Shell completion: only when a shell asks (COMP_LINE is set), so
	// ordinary runs don't pay for building the completion tree.
	if env.Getenv("COMP_LINE") != "" {
		completeLine(parser, env.Getenv)
	}
	args, err = habitual(parser, helpValues(args))
	if err != nil {
		var uc *unknownCommandError
		errors.As(err, &uc)
		fmt.Fprintf(env.Stderr, "aiex: error: %s\n", quoteControls(err.Error()))
		fmt.Fprintf(env.Stderr, "Run \"%s --help\" for usage.\n", uc.parent)
		return usererr.ExitUsage
	}
	if len(args) == 0 {
		// On a terminal, aiex alone opens the TUI; elsewhere it shows help.
		args = []string{"--help"}
		if env.StdinTTY && env.StdoutTTY {
			args = []string{"tui"}
		}
	} else if !namesCommand(parser, args) && !hasWord(parser, args) && (env.StdinTTY && env.StdoutTTY || tuiFlag(args)) {
		// aiex --data-dir D, aiex --session last: flags without a command
		// are the TUI's, as aiex alone is (the README's "aiex [tui]
		// [--session ID|last]"). Off a terminal the TUI then says it
		// needs one; a global flag alone still gets kong's list of
		// commands there. A word that is no flag's value is a command
		// mistyped (aiex serch): kong says so, with what it may have
		// meant, as off a terminal, rather than call it the TUI's
		// unexpected argument.
		args = append([]string{"tui"}, args...)
	}

	kctx, err := parser.Parse(args)
	if err != nil {
		if errors.Is(err, syscall.EPIPE) {
			// Help written to a reader that went away (aiex --help |
			// head): as for any other output, say nothing.
			return exitPipe
		}
		if outputFailed(err) {
			// Help that could not be written (a full disk): no mistake
			// of the command line's, said as any failed output is.
			return report(env.Stderr, err, root.Verbose)
		}
		if ue := usererr.As(err); ue != nil {
			// A command's Validate refused its arguments, before anything
			// was opened: said as the command itself would say it.
			return report(env.Stderr, ue, root.Verbose)
		}
		// kong's errors echo the argument they are about as typed: what
		// a terminal would act on in it is quoted.
		var pe *kong.ParseError
		if errors.As(err, &pe) {
			fmt.Fprintf(env.Stderr, "aiex: error: %s\n", quoteControls(err.Error()))
			fmt.Fprintf(env.Stderr, "Run \"%s --help\" for usage.\n", helpPath(pe.Context))
			return usererr.ExitUsage
		}
		fmt.Fprintf(env.Stderr, "aiex: error: %s\n", quoteControls(err.Error()))
		return usererr.ExitUsage
	}

	// An empty AIEX_DATA_DIR or AIEX_CONFIG means unset, as an empty
	// XDG_DATA_HOME does; an empty flag is a mistake (flagPath).
	if root.DataDir != nil && *root.DataDir == "" && !onCommandLine(args, "--data-dir") {
		root.DataDir = nil
	}
	if root.Config != nil && *root.Config == "" && !onCommandLine(args, "--config") {
		root.Config = nil
	}
	c := newContext(ctx, env, &root.Globals)
	c.args = args
	err = kctx.Run(c)
	if c.app != nil {
		// Close the core (store last) under a context that a cancelled
		// command cannot cut short: a clean close is what keeps the store
		// consistent.
		if cerr := c.app.Close(context.WithoutCancel(ctx)); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}
	return report(env.Stderr, err, root.Verbose)
}

// namesCommand reports whether args hold a word that is one of the
// commands, or a request for help: anything but flags and their values.
func namesCommand(parser *kong.Kong, args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "--" {
			return true
		}
		for _, n := range parser.Model.Children {
			if a == n.Name || slices.Contains(n.Aliases, a) {
				return true
			}
		}
	}
	return false
}

// hasWord reports whether args hold a word that is neither a flag nor
// the value of one of the flags aiex alone takes (the global flags and
// the TUI's).
func hasWord(parser *kong.Kong, args []string) bool {
	takesValue := map[string]bool{}
	nodes := []*kong.Node{parser.Model.Node}
	if i := slices.IndexFunc(parser.Model.Children, func(n *kong.Node) bool { return n.Name == "tui" }); i >= 0 {
		nodes = append(nodes, parser.Model.Children[i])
	}
	for _, n := range nodes {
		for _, f := range n.Flags {
			if !f.IsBool() && !f.IsCounter() {
				takesValue["--"+f.Name] = true
				if f.Short != 0 {
					takesValue["-"+string(f.Short)] = true
				}
			}
		}
	}
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--":
			return i+1 < len(args)
		case takesValue[a]:
			i++ // its value
		case !strings.HasPrefix(a, "-"):
			return true
		}
	}
	return false
}

// habitual turns what people type from habit into aiex's own command
// line: aiex --version (with no command) is aiex version, and aiex help
// [COMMAND…] is aiex [COMMAND…] --help, so that both print exactly what
// those do. Only the words before the command are looked at (the values
// of --data-dir and --config skipped): after it, they are the command's.
//
// The words after help must name a command, else kong would call the
// first one an unexpected argument: an unknown one is an
// *unknownCommandError, and aiex help help is aiex --help.
func habitual(parser *kong.Kong, args []string) ([]string, error) {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--":
			return args, nil
		case a == "--data-dir" || a == "--config":
			i++ // its value
		case a == "help":
			rest := args[i+1:]
			if len(rest) > 0 && rest[0] == "help" {
				rest = rest[1:]
			}
			n, err := checkCommandPath(parser, rest)
			if err != nil {
				return nil, err
			}
			// --help right after the command's name: at the end it could
			// be a flag's value (help ask --model) or, after --, the
			// command's argument (help -- ask would run ask).
			out := append(slices.Clone(args[:i]), rest[:n]...)
			out = append(out, "--help")
			return append(out, rest[n:]...), nil
		case a == "--version" && !namesCommand(parser, args):
			out := slices.Clone(args)
			out[i] = "version"
			return out, nil
		case !strings.HasPrefix(a, "-"):
			return args, nil
		}
	}
	return args, nil
}

// outputFailed reports whether err is a failed write of the output.
func outputFailed(err error) bool {
	var pe *fs.PathError
	return errors.Is(err, errStdoutStuck) || errors.As(err, &pe) && pe.Op == "write"
}

// unknownCommandError is a word after aiex help that names no command.
type unknownCommandError struct {
	name   string
	parent string // the command path it was looked for under: "aiex session"
	like   string // the command it may have meant, as kong says for aiex verison
}

func (e *unknownCommandError) Error() string {
	if e.like != "" {
		return fmt.Sprintf("unknown command %q, did you mean %q?", e.name, e.like)
	}
	return fmt.Sprintf("unknown command %q", e.name)
}

// likeCommand is the command of node's that w is a typo of (at most two
// edits, at most half its letters), "" if none.
func likeCommand(node *kong.Node, w string) string {
	best, bestD := "", 3
	for _, c := range node.Children {
		if c.Type != kong.CommandNode || c.Hidden {
			continue
		}
		if d := levenshtein.ComputeDistance(w, c.Name); d < bestD && 2*d <= len(c.Name) {
			best, bestD = c.Name, d
		}
	}
	return best
}

// checkCommandPath checks that the words, up to the first flag, are a path
// of commands (session show), and returns how many words name commands.
func checkCommandPath(parser *kong.Kong, words []string) (int, error) {
	node, path := parser.Model.Node, "aiex"
	for n, w := range words {
		if strings.HasPrefix(w, "-") {
			return n, nil
		}
		i := slices.IndexFunc(node.Children, func(n *kong.Node) bool {
			return n.Type == kong.CommandNode && (n.Name == w || slices.Contains(n.Aliases, w))
		})
		switch {
		case i >= 0:
		case !slices.ContainsFunc(node.Children, func(n *kong.Node) bool { return n.Type == kong.CommandNode }):
			return n, nil // a command without subcommands: its own arguments
		default:
			return 0, &unknownCommandError{name: w, parent: path, like: likeCommand(node, w)}
		}
		node, path = node.Children[i], path+" "+node.Children[i].Name
	}
	return len(words), nil
}

// tuiFlag reports whether args give one of the TUI's own flags.
func tuiFlag(args []string) bool {
	return onCommandLine(args, "--session") || onCommandLine(args, "--node")
}

// onCommandLine reports whether args give flag (--flag V or --flag=V)
// before any "--".
func onCommandLine(args []string, flag string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == flag || strings.HasPrefix(a, flag+"=") {
			return true
		}
	}
	return false
}

func newContext(ctx context.Context, env Env, g *Globals) *Context {
	noColor := g.NoColor || env.Getenv("NO_COLOR") != "" || env.Getenv("TERM") == "dumb"
	logger := slog.New(slog.DiscardHandler)
	if g.Verbose {
		logger = slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return &Context{
		Context: ctx,
		Env:     env,
		Globals: g,
		Logger:  logger,
		Out: &Output{
			Out: env.Stdout, Err: env.Stderr,
			TTY: env.StdoutTTY, ErrTTY: env.StderrTTY,
			Color: env.StdoutTTY && !noColor,
			JSON:  g.JSON,
		},
	}
}

// userMessager is an error of a package below app that has a message fit
// for the user as it is (db.NoQuorumError), which ui reaches through app.
type userMessager interface{ UserMessage() string }

// report prints err as one line and returns the exit code.
func report(w io.Writer, err error, verbose bool) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(w, "aiex: cancelled")
		return usererr.ExitSignal
	}
	if errors.Is(err, syscall.EPIPE) && !errors.Is(err, errStdoutClosed) {
		// stdout's reader went away (aiex history | head): nothing to
		// say to anyone; the exit status a shell gives SIGPIPE.
		return exitPipe
	}
	// Messages may quote a server or a file: shown as a terminal can
	// show them (session.Printable), on one line.
	line := func(s string) string { return strings.ReplaceAll(session.Printable(s), "\n", "; ") }
	if ue := usererr.As(err); ue != nil {
		fmt.Fprintf(w, "aiex: %s\n", line(ue.Msg))
		if verbose && ue.Err != nil {
			fmt.Fprintf(w, "aiex: cause: %s\n", line(ue.Err.Error()))
		}
		return ue.ExitCode()
	}
	if um := userMessager(nil); errors.As(err, &um) {
		// An error deep in the stack that says what to do itself (the
		// store's NoQuorumError): whatever was being done ("events:
		// append: …"), what to do is the same.
		fmt.Fprintf(w, "aiex: %s\n", line(um.UserMessage()))
		if verbose {
			fmt.Fprintf(w, "aiex: cause: %s\n", line(err.Error()))
		}
		return usererr.ExitFailure
	}
	fmt.Fprintf(w, "aiex: %s\n", line(err.Error()))
	return usererr.ExitFailure
}

// helpPath is the command path for a "--help" hint, e.g. "aiex ask".
func helpPath(kctx *kong.Context) string {
	names := []string{}
	if kctx != nil {
		for n := kctx.Selected(); n != nil && n.Parent != nil; n = n.Parent {
			names = append(names, n.Name)
		}
	}
	slices.Reverse(names)
	return strings.Join(append([]string{"aiex"}, names...), " ")
}
