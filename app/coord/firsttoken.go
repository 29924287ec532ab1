package coord

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/aiex-dev/aiex/providers"
)

// firstTokenBound is how long an attempt on t may wait for its first token
// under ctx, or 0 for no bound of its own: the request's deadline alone.
// An attempt with another candidate behind it (more) gets at most half of
// what is left of the deadline, less if Config.FirstToken says so, so that
// a provider that takes the request and never answers leaves time to fail
// over; the last candidate, and a request pinned to one provider, keep the
// rest of the deadline, as nothing could take over from them.
func (r *run) firstTokenBound(ctx context.Context) time.Duration {
	if !r.more {
		return 0
	}
	dl, ok := ctx.Deadline()
	if !ok {
		return r.c.cfg.FirstToken
	}
	d := time.Until(dl) / 2
	if ft := r.c.cfg.FirstToken; ft > 0 {
		d = min(d, ft)
	}
	return max(d, time.Millisecond)
}

// The states of a firstToken.
const (
	waiting int32 = iota
	arrived
	timedOut
)

// firstToken watches an attempt for its first token: the attempt's context
// ends if none has come within its bound, and a token that comes after
// that is refused (so that the request, which is failing over, never
// streams a word of the attempt it gave up on).
type firstToken struct {
	state  atomic.Int32
	bound  time.Duration
	timer  *time.Timer // nil: no bound
	cancel context.CancelFunc
}

// watchFirstToken returns the context of an attempt under ctx that ends
// when no token has come within bound (0: no bound).
func watchFirstToken(ctx context.Context, bound time.Duration) (context.Context, *firstToken) {
	actx, cancel := context.WithCancel(ctx)
	ft := &firstToken{bound: bound, cancel: cancel}
	if bound > 0 {
		ft.timer = time.AfterFunc(bound, func() {
			if ft.state.CompareAndSwap(waiting, timedOut) {
				cancel()
			}
		})
	}
	return actx, ft
}

// token notes that a token came, and reports whether it may be passed on:
// false once the wait has timed out.
func (ft *firstToken) token() bool {
	if ft.state.CompareAndSwap(waiting, arrived) {
		if ft.timer != nil {
			ft.timer.Stop()
		}
		return true
	}
	return ft.state.Load() == arrived
}

// timedOut reports whether the attempt was given up on for want of a
// first token.
func (ft *firstToken) timedOut() bool { return ft.state.Load() == timedOut }

// stop ends the watch, and the attempt's context.
func (ft *firstToken) stop() {
	if ft.timer != nil {
		ft.timer.Stop()
	}
	ft.cancel()
}

// errNoFirstToken marks the error of an attempt given up on for want of
// a first token (noFirstToken).
var errNoFirstToken = errors.New("coord: no first token")

// noFirstToken is the error of an attempt on p given up on after d without
// a token. The provider took the request and sent nothing: it is
// unavailable, a fault its breaker counts, and the request fails over
// without trying it again (NoRetry). Its server was reached, though, and
// its model list may well answer while its chats hang, so it is not a
// server out of reach (unreached) that a listing could show back, and its
// message says neither "cannot reach" nor "did not answer within", which
// the records are read for (unreachedMessage).
func noFirstToken(p providers.Provider, name string, d time.Duration) *providers.Error {
	return &providers.Error{Provider: name, Kind: providers.KindUnavailable, NoRetry: true, Err: errNoFirstToken,
		Message: fmt.Sprintf("%s at %s took the request but sent no answer within %s", serverName(p), p.Endpoint(), roundDuration(d))}
}
