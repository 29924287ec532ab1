package backend

import (
	"context"
	"errors"

	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/ui/tui"
)

// A TUI that runs the core itself serves it on the data dir's socket to
// the other TUIs and commands there. Quitting would cut the answers it
// streams for them, and they are not its user's to stop: the TUI asks
// Serving how many there are, says so, and waits for them (a second
// Ctrl-C quits at once; the socket's server then records them as cut by
// its quitting).

// servingBackend is a Backend that can say how many answers its process
// streams for other clients.
type servingBackend interface {
	Serving(ctx context.Context) (int, error)
}

// Serving reports how many answers (asks, tasks) the process of b streams
// for other clients through the data dir's socket: 0 for a backend that
// goes through another process, or one of another package.
func Serving(ctx context.Context, b tui.Backend) (int, error) {
	if s, ok := b.(servingBackend); ok {
		return s.Serving(ctx)
	}
	return 0, nil
}

// Serving asks the socket this process serves for the core (the server is
// built apart from the core, by the command: see node.ServeSocket). A core
// not opened yet, or not served, serves no one.
func (l *local) Serving(ctx context.Context) (int, error) {
	l.mu.Lock()
	core := l.core
	l.mu.Unlock()
	if core == nil {
		return 0, nil
	}
	cl, err := node.Connect(ctx, core.Store.Dir())
	if errors.Is(err, node.ErrNoNode) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return cl.Serving(ctx)
}

// Serving is the current backend's: the core here once taken over, else
// none (another process serves).
func (h *hosted) Serving(ctx context.Context) (int, error) { return Serving(ctx, h.backend()) }
