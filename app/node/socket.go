package node

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/coord"
)

// ServeSocket serves the node API's socket routes for a core this process
// opened itself, without the mesh — what the TUI does when no node runs,
// so that the other aiex commands on the data dir (whose lock the core
// holds) go through it meanwhile, as they would through a node. Relaying
// to other nodes needs the mesh and is refused. Close stops serving and
// removes the socket; the core stays the caller's to close.
func ServeSocket(a *app.App, logger *slog.Logger) (*Node, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	n := &Node{logger: logger, app: a, borrowed: true, remotes: map[string]*remoteProvider{}, reach: map[string]*reach{},
		stop: make(chan struct{})}
	n.remote.Store(&[]coord.Target{})
	sock, err := listenSocket(filepath.Join(a.Store.Dir(), SocketName))
	if err != nil {
		return nil, err
	}
	n.sock = sock
	base, cancel := context.WithCancelCause(context.Background())
	n.cancelRequests = func() { cancel(errStopping) }
	n.local = &http.Server{Handler: n.routes(true), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return base }}
	n.serving.Go(func() {
		if err := n.local.Serve(sock); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Warn("node API stopped", "err", err)
		}
	})
	return n, nil
}
