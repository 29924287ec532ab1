package mesh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// authFunc authenticates and authorises a freshly accepted connection
// within ctx. It returns the connection to hand to the caller (possibly a
// wrapper) or why the peer is refused.
type authFunc func(ctx context.Context, c net.Conn) (net.Conn, error)

// authListener wraps a raw listener: a goroutine accepts, each connection is
// authenticated in its own goroutine under a deadline, and only those that
// pass reach Accept. A silent or slow client costs one goroutine until its
// deadline and blocks no one; at most maxPending connections may be in
// flight (authenticating or waiting for Accept), and at most
// maxPendingPerHost from one host (no key is needed to open connections,
// so one host must not take every slot and lock the members out); beyond
// that new ones are refused at once.
type authListener struct {
	ln        net.Listener
	auth      authFunc
	timeout   time.Duration
	onRefused func(remoteAddr string, reason error)
	logger    *slog.Logger

	ready chan net.Conn // authenticated connections for Accept
	slots chan struct{} // one token per connection in flight
	mu    sync.Mutex    // guards perHost
	// perHost counts the connections in flight by remote host.
	perHost map[string]int
	ctx     context.Context // cancelled when the listener stops
	stop    context.CancelFunc
	wg      sync.WaitGroup // the per-connection goroutines
	done    chan struct{}  // closed when the accept loop has returned
	err     error          // why the accept loop returned; read after done

	closeOnce sync.Once
	closeErr  error
}

// errTooMany is the refusal reason when maxPending connections are in flight.
var errTooMany = errors.New("too many connections authenticating or waiting for Accept")

// errTooManyFromHost is the refusal reason when maxPendingPerHost
// connections of one host are in flight.
var errTooManyFromHost = errors.New("too many connections from this host authenticating or waiting for Accept")

func newAuthListener(ln net.Listener, auth authFunc, timeout time.Duration, onRefused func(string, error), logger *slog.Logger) *authListener {
	if timeout <= 0 {
		timeout = DefaultHandshakeTimeout
	}
	ctx, stop := context.WithCancel(context.Background())
	l := &authListener{
		ln:        ln,
		auth:      auth,
		timeout:   timeout,
		onRefused: onRefused,
		logger:    logger,
		ready:     make(chan net.Conn),
		slots:     make(chan struct{}, maxPending),
		perHost:   map[string]int{},
		ctx:       ctx,
		stop:      stop,
		done:      make(chan struct{}),
	}
	go l.loop()
	return l
}

// loop accepts raw connections until the listener fails or is closed.
func (l *authListener) loop() {
	defer close(l.done)
	defer l.stop() // abort handshakes in flight: nobody will Accept them
	var backoff time.Duration
	for {
		raw, err := l.ln.Accept()
		if err != nil {
			// Like net/http: retry errors the OS calls temporary (EMFILE,
			// ECONNABORTED) after a growing pause, give up on the rest.
			if te, ok := err.(interface{ Temporary() bool }); ok && te.Temporary() && l.ctx.Err() == nil {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				l.logger.Warn("mesh: accept failed; retrying", "err", err, "in", backoff)
				t := time.NewTimer(backoff)
				select {
				case <-t.C:
				case <-l.ctx.Done():
					t.Stop()
				}
				continue
			}
			l.err = err
			if l.ctx.Err() != nil {
				l.err = net.ErrClosed
			}
			return
		}
		backoff = 0
		host := hostOf(raw.RemoteAddr())
		if !l.take(host) {
			raw.Close()
			l.refuse(raw.RemoteAddr().String(), errTooManyFromHost)
			continue
		}
		select {
		case l.slots <- struct{}{}:
		default:
			l.give(host)
			raw.Close()
			l.refuse(raw.RemoteAddr().String(), errTooMany)
			continue
		}
		l.wg.Add(1)
		go l.handle(raw, host)
	}
}

// hostOf is the host part of a remote address (the address itself if it
// has no port).
func hostOf(a net.Addr) string {
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

// take counts one more connection of host in flight, unless it has
// maxPendingPerHost already.
func (l *authListener) take(host string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perHost[host] >= maxPendingPerHost {
		return false
	}
	l.perHost[host]++
	return true
}

// give counts one connection of host fewer in flight.
func (l *authListener) give(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perHost[host]--; l.perHost[host] <= 0 {
		delete(l.perHost, host)
	}
}

// handle authenticates one connection and hands it to Accept.
func (l *authListener) handle(raw net.Conn, host string) {
	defer l.wg.Done()
	defer func() { <-l.slots; l.give(host) }()
	remote := raw.RemoteAddr().String()
	deadline := time.Now().Add(l.timeout)
	ctx, cancel := context.WithDeadline(l.ctx, deadline)
	// The conn's deadline bounds reads and writes the auth func does not
	// watch ctx for.
	raw.SetDeadline(deadline)
	c, err := l.auth(ctx, raw)
	var ne net.Error
	if err != nil && (errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()) {
		err = fmt.Errorf("timed out authenticating after %v: %w", l.timeout, err)
	}
	cancel()
	if err != nil {
		raw.Close()
		if l.ctx.Err() == nil { // a closing listener refuses no one
			l.refuse(remote, err)
		}
		return
	}
	c.SetDeadline(time.Time{})
	select {
	case l.ready <- c:
	case <-l.ctx.Done():
		c.Close()
	}
}

func (l *authListener) refuse(remote string, reason error) {
	l.logger.Warn("mesh: refused connection", "remote", remote, "reason", reason)
	if l.onRefused != nil {
		l.onRefused(remote, reason)
	}
}

// Accept returns the next authenticated and authorised connection.
func (l *authListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case <-l.done:
		return nil, l.err
	}
}

// Close stops accepting, drops connections still authenticating, and waits
// for its goroutines. It is safe to call more than once.
func (l *authListener) Close() error {
	l.closeOnce.Do(func() {
		l.stop()
		if err := l.ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			l.closeErr = err
		}
		<-l.done
		l.wg.Wait()
	})
	return l.closeErr
}

// Addr is the raw listener's address.
func (l *authListener) Addr() net.Addr { return l.ln.Addr() }
