package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/muesli/termenv"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/ui/tui"
	"github.com/aiex-dev/aiex/ui/tui/backend"
)

// TuiCmd opens the terminal UI.
type TuiCmd struct {
	Session string `placeholder:"ID|last" help:"Open a session: its id (or a unique prefix of 4 or more), or last (this project's most recent). Default: a new one."`
	Node    string `placeholder:"NAME" help:"Attach to another node of the cluster (its ID or name, as aiex cluster status lists them): the conversation runs there, on its models; tasks and files stay here. Needs a node running on this data dir, which relays over the mesh."`
}

// Help is what tui --help says below the summary line: where -v logs,
// since the global flag's help says stderr, which the screen is.
func (t *TuiCmd) Help() string {
	return "With -v (--verbose) the log goes to DATA_DIR/tui.log, not to stderr: the screen is the TUI's."
}

// Run runs the TUI until the user quits. It talks to the node running on
// the data dir when there is one, else to the core in this process,
// opened on first use so that the first frame does not wait for the store.
// When what served the data dir was not a node but another command
// lending its core (another TUI), this one takes the data dir over once
// that command ends.
// With --node it attaches to another node through the one on the data dir.
func (t *TuiCmd) Run(c *Context) error {
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
	cl, err := connect(c, cfg.DataDir)
	if cl != nil {
		cl.Notice = nil // a line on stderr would tear the TUI's screen
	}
	switch {
	case err == nil && t.Node != "":
		// An unknown name, or a node that refuses, ends here; a node that
		// is down is not an error: the TUI reconnects until it is back.
		if _, err := cl.Attach(c, t.Node); err != nil && !errors.Is(err, node.ErrPeerUnreachable) {
			return err
		}
		b = backend.Attached(cl, t.Node, project)
	case err == nil:
		// Another TUI (or events --follow) may be what serves the data
		// dir: when it ends, this one runs the core itself.
		c.longRunning = true
		open, closeSocket := servedCore(c)
		defer closeSocket()
		b = backend.Hosted(cl, cfg.DataDir, open, project)
	case errors.Is(err, node.ErrNoNode) && t.Node != "":
		return usererr.New("--node %s needs a node running on %s to relay over the mesh; start one with aiex node run (--tsnet NAME or --listen ADDR)", t.Node, cfg.DataDir)
	case errors.Is(err, node.ErrNoNode):
		c.longRunning = true
		open, closeSocket := servedCore(c)
		defer closeSocket()
		b = backend.Local(open, project)
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
	if sess != "" && sess != "last" {
		// A session that is not there is said on one line, as session show
		// says it, rather than inside a TUI that opens on a new one ("last"
		// with none yet opens a new one). A node out of reach is not a
		// mistake: the TUI waits for it.
		if _, err := b.Session(c, sess); usererr.As(err) != nil {
			return err
		}
	}
	return tui.Run(c, b, c.Stdin, c.Stdout, tui.Options{Session: sess, Profile: profile, Dark: tui.DarkBackground(c.Getenv), Root: project})
}

// servedCore opens the core for the TUI (on first use) and serves the
// node API's socket routes for it while the TUI runs, so that other aiex
// commands on the data dir — whose lock the core holds — go through it
// as through a node. closeSocket stops serving (before the core closes).
// When a signal ended the TUI, it first waits for the answers the socket
// streams for those commands, as the TUI does when its user quits and as
// a node does (see finishServing); when its user quit, the TUI has
// already waited, or was told not to.
func servedCore(c *Context) (open func() (*app.App, error), closeSocket func()) {
	var mu sync.Mutex
	var srv *node.Node
	sigs := catchQuitSignals()
	open = func() (*app.App, error) {
		core, err := c.App()
		if cm := (*app.ClusterMemberError)(nil); errors.As(err, &cm) {
			// Not now, not later: the TUI ends and says it on one line.
			return nil, &tui.Unusable{Err: err}
		}
		if err != nil {
			return nil, err
		}
		mu.Lock()
		defer mu.Unlock()
		if srv == nil {
			if srv, err = node.ServeSocket(core, c.Logger); err != nil {
				c.Logger.Warn("tui: other commands cannot go through this TUI's core", "err", err)
			}
		}
		return core, nil
	}
	closeSocket = func() {
		defer sigs.stop()
		mu.Lock()
		served := srv
		mu.Unlock()
		if served == nil {
			return
		}
		if c.Err() != nil {
			finishServing(c, served, sigs)
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c), 5*time.Second)
		defer cancel()
		served.Close(ctx)
	}
	return open, closeSocket
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
