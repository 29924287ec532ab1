// Package pending runs work in the background that a process must give a
// chance to finish before it quits: records a caller could not wait for
// (a request's end, a session turn's end) while the store could not take
// them (no leader for a while, a full disk). Close tells the work the
// process is quitting, waits for it a while, then stops what is left.
package pending

import (
	"context"
	"sync"
	"time"
)

// Set is the background work of one process, or part of it. Its zero value
// is ready to use; it is safe for concurrent use.
type Set struct {
	mu      sync.Mutex
	closed  bool
	closing chan struct{} // closed by Close
	n       int
	cancels map[int]context.CancelFunc
	drained chan struct{} // closed when the last work ends, while Close waits
	wg      sync.WaitGroup
}

// Go runs fn in the background, with a context that Close ends (ctx's
// values, not its cancellation) and a channel Close closes first: fn
// should then try at once and often, for as long as Close waits. It
// reports whether it took fn on: false once Close has been called.
func (p *Set) Go(ctx context.Context, fn func(ctx context.Context, closing <-chan struct{})) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	if p.cancels == nil {
		p.cancels, p.closing = map[int]context.CancelFunc{}, make(chan struct{})
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	closing := p.closing
	p.n++
	n := p.n
	p.cancels[n] = cancel
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer func() {
			p.mu.Lock()
			delete(p.cancels, n)
			if len(p.cancels) == 0 && p.drained != nil {
				close(p.drained)
				p.drained = nil
			}
			p.mu.Unlock()
			cancel()
		}()
		fn(ctx, closing)
	}()
	return true
}

// Len is how much work is pending.
func (p *Set) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.cancels)
}

// Close takes no more work, tells the pending work the process is
// quitting, waits for it for up to wait, then cancels what is left and
// waits for it to return. It is safe to call twice.
func (p *Set) Close(wait time.Duration) {
	p.mu.Lock()
	if !p.closed {
		p.closed = true
		if p.closing != nil {
			close(p.closing)
		}
	}
	var drained chan struct{}
	if len(p.cancels) > 0 {
		if p.drained == nil {
			p.drained = make(chan struct{})
		}
		drained = p.drained
	}
	p.mu.Unlock()
	if drained != nil {
		t := time.NewTimer(wait)
		select {
		case <-drained:
		case <-t.C:
		}
		t.Stop()
	}
	p.mu.Lock()
	for _, cancel := range p.cancels {
		cancel()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
