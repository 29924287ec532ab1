package events

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// Match reports whether stream is one of streams: each is a stream's name,
// or a prefix ending in "*" ("session/*"). No streams match every stream.
func Match(streams []string, stream string) bool {
	if len(streams) == 0 {
		return true
	}
	for _, s := range streams {
		if p, ok := strings.CutSuffix(s, "*"); ok {
			if strings.HasPrefix(stream, p) {
				return true
			}
		} else if s == stream {
			return true
		}
	}
	return false
}

// Subscribe calls fn with each event of streams (see Match) whose id is
// above from, oldest first, in batches: first those already in the log,
// then each new one as this node applies it, whichever node appended it.
// Event ids grow in commit order, so to resume after a disconnect,
// subscribe again from the id of the last event fn handled: no event is
// missed and none comes twice. A negative from starts that many events
// before the newest, of any stream. It returns when ctx ends (ctx.Err()),
// when fn fails (its error) or when the store closes.
//
// What wakes it: an append through this Log, at once (the append is
// committed and applied when AppendBatch returns); db.Store.TailEvents
// (rqlite's CDC) for events other writers and nodes append; and a ticker
// behind both. CDC alone is not enough on this node: rqlite sends its
// notice from inside SQLite's commit, so a reader woken by it can look
// before the row is visible and then sleep until the next notice.
func (l *Log) Subscribe(ctx context.Context, streams []string, from int64, fn func([]Event) error) error {
	leave := l.hub.join(ctx, l.st)
	defer leave()
	after := from
	if after < 0 {
		last, err := l.st.LastEventID(ctx)
		if err != nil {
			return fmt.Errorf("events: subscribe: %w", err)
		}
		after = max(0, last+from)
	}
	tick := time.NewTicker(subscribeFallback)
	defer tick.Stop()
	for {
		woken := l.hub.wake.Wait()
		evs, next, more, err := l.readAfter(ctx, streams, after)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("events: subscribe: %w", err)
		}
		after = next
		if len(evs) > 0 {
			if err := fn(evs); err != nil {
				return err
			}
		}
		if more {
			continue // more are waiting
		}
		select {
		case <-woken:
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// readAfter returns up to subscribeBatch events of streams with id above
// after, where the next read starts, and whether more may be waiting. Watching one stream or one
// prefix, it asks the store for those alone and moves past the events of
// the others it did not read: it reads the log's last id first, and an
// event committed later gets a higher id, so none at or below that id can
// still appear. (Without that, a subscriber of a quiet session in a busy
// log would read further and further back at every wake-up.) Watching
// several, it reads every stream's events and keeps its own.
func (l *Log) readAfter(ctx context.Context, streams []string, after int64) (evs []Event, next int64, more bool, err error) {
	var one, prefix string
	if len(streams) == 1 {
		if p, ok := strings.CutSuffix(streams[0], "*"); ok {
			prefix = p
		} else {
			one = streams[0]
		}
	}
	if len(streams) == 1 && (one != "" || prefix != "") {
		last, err := l.st.LastEventID(ctx)
		if err != nil {
			return nil, after, false, err
		}
		if one != "" {
			evs, err = l.st.Events(ctx, one, after, subscribeBatch)
		} else {
			evs, err = l.st.PrefixEvents(ctx, prefix, after, subscribeBatch)
		}
		if err != nil {
			return nil, after, false, err
		}
		if len(evs) == subscribeBatch {
			return evs, evs[len(evs)-1].ID, true, nil // the rest is still to read
		}
		next = max(after, last)
		if len(evs) > 0 {
			next = max(next, evs[len(evs)-1].ID)
		}
		return evs, next, false, nil
	}
	all, err := l.st.Events(ctx, "", after, subscribeBatch)
	if err != nil || len(all) == 0 {
		return nil, after, false, err
	}
	for _, ev := range all {
		if Match(streams, ev.Stream) {
			evs = append(evs, ev)
		}
	}
	return evs, all[len(all)-1].ID, len(all) == subscribeBatch, nil
}

const (
	subscribeBatch    = 1000        // events read per query
	subscribeFallback = time.Second // the ticker behind the wake-ups
)

// hub wakes a Log's subscribers: on every append through the Log, and on
// every batch db.Store.TailEvents sees, from one tail shared by all the
// subscribers, which runs while there is at least one.
type hub struct {
	wake db.Signal

	mu     sync.Mutex
	n      int
	cancel context.CancelFunc
	done   chan struct{}
}

// join counts a subscriber in, starting the shared tail for the first;
// leave counts it out, stopping the tail (and waiting for it) after the
// last.
func (h *hub) join(ctx context.Context, st *db.Store) (leave func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.n++
	if h.n == 1 {
		tctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		h.cancel, h.done = cancel, done
		go func() {
			defer close(done)
			// From the newest event on: only new ones matter here.
			_ = st.TailEvents(tctx, -1, func([]db.Event) error {
				h.wake.Fire()
				return nil
			})
		}()
	}
	return func() {
		h.mu.Lock()
		h.n--
		if h.n > 0 {
			h.mu.Unlock()
			return
		}
		cancel, done := h.cancel, h.done
		h.mu.Unlock()
		cancel()
		<-done
	}
}

// Subscription delivers the events of a Watch on a channel.
type Subscription struct {
	c      chan Event
	cancel context.CancelFunc
	done   chan struct{}
	last   atomic.Int64
	err    error // set before done is closed
	once   sync.Once
}

// Watch is Subscribe with a channel: the subscription's goroutine sends
// each event on C, unbuffered, so that Last is the id of the last event
// the receiver took. Close stops it and waits for it.
func (l *Log) Watch(ctx context.Context, streams []string, from int64) *Subscription {
	ctx, cancel := context.WithCancel(ctx)
	s := &Subscription{c: make(chan Event), cancel: cancel, done: make(chan struct{})}
	s.last.Store(max(from, 0))
	go func() {
		defer close(s.done)
		defer close(s.c)
		s.err = l.Subscribe(ctx, streams, from, func(evs []Event) error {
			for _, ev := range evs {
				select {
				case s.c <- ev:
					s.last.Store(ev.ID)
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
	}()
	return s
}

// C delivers the events; it is closed when the subscription ends.
func (s *Subscription) C() <-chan Event { return s.c }

// Last is the id of the last event received from C (or the from given to
// Watch): where a new subscription resumes.
func (s *Subscription) Last() int64 { return s.last.Load() }

// Done is closed when the subscription has ended.
func (s *Subscription) Done() <-chan struct{} { return s.done }

// Err is why the subscription ended, once Done is closed: nil after Close,
// else the context's error or db.ErrClosed.
func (s *Subscription) Err() error {
	select {
	case <-s.done:
	default:
		return nil
	}
	return s.err
}

// Close stops the subscription and waits for its goroutine. It returns
// the error that ended it before Close, if any; it is safe to call twice.
func (s *Subscription) Close() error {
	s.once.Do(s.cancel)
	<-s.done
	if errors.Is(s.err, context.Canceled) {
		return nil
	}
	return s.err
}
