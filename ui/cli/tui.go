package cli

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/muesli/termenv"

	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/ui/tui"
	"github.com/aiex-dev/aiex/ui/tui/backend"
)

// TuiCmd opens the terminal UI.
type TuiCmd struct {
	Session string `placeholder:"ID|last" help:"Open a session: its id (or a unique prefix), or last (this project's most recent). Default: a new one."`
	Node    string `placeholder:"NAME" help:"Attach to another node of the cluster over the mesh (not yet: run aiex tui on that node)."`
}

// Run runs the TUI until the user quits. It talks to the node running on
// the data dir when there is one, else to the core in this process,
// opened on first use so that the first frame does not wait for the store.
func (t *TuiCmd) Run(c *Context) error {
	if t.Node != "" {
		return usererr.Usage("--node %s: attaching the TUI to another node over the mesh is not there yet; run aiex tui on that node, or here without --node", t.Node)
	}
	if !c.StdinTTY || !c.StdoutTTY {
		return usererr.Usage("aiex tui needs a terminal on stdin and stdout; in scripts use aiex ask")
	}
	cfg, err := c.appConfig()
	if err != nil {
		return err
	}
	if c.Globals.Verbose {
		// The screen is the TUI's: the log goes to a file.
		logger, f, err := tuiLog(cfg.DataDir)
		if err != nil {
			return err
		}
		// Closed as the command ends: what the core logs as it closes
		// after it is lost.
		defer f.Close()
		c.Logger = logger
		c.Globals.Verbose = false
	}
	project, err := projectRoot()
	if err != nil {
		return err
	}
	var b tui.Backend
	cl, err := node.Connect(c, cfg.DataDir)
	switch {
	case err == nil:
		b = backend.Node(cl, project)
	case errors.Is(err, node.ErrNoNode):
		b = backend.Local(c.App, project)
	default:
		return err
	}
	profile := termenv.Ascii
	if c.Out.Color {
		profile = tui.ColorProfile(c.Getenv)
	}
	sess := t.Session
	if sess == "new" {
		sess = ""
	}
	return tui.Run(c, b, c.Stdin, c.Stdout, tui.Options{Session: sess, Profile: profile, Dark: tui.DarkBackground(c.Getenv), Root: project})
}

// tuiLog opens DATA_DIR/tui.log for --verbose and returns a logger on it.
func tuiLog(dataDir string) (*slog.Logger, *os.File, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("tui: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dataDir, "tui.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("tui: %w", err)
	}
	return slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug})), f, nil
}
