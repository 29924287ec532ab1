package cli

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
)

// stuckGrace is how long a write to stdout may stay blocked once the
// command has been told to stop (a signal ended its context) before it is
// given up: long enough for a slow reader to catch up, short enough that
// SIGTERM still ends the process promptly.
const stuckGrace = 2 * time.Second

// errStdoutStuck ends a command whose stdout nobody reads after a signal:
// the exit code is the signal's, as for any command the signal stopped.
var errStdoutStuck = &usererr.Error{
	Msg:  "stopped with output unwritten: nothing read stdout after the signal",
	Code: usererr.ExitSignal,
}

// stuckWriter is stdout when it is a pipe or a file. A write to a pipe
// whose reader neither reads nor goes away (aiex events tail | sleep 60)
// blocks in the kernel, where no context reaches it: the signal that ends
// the command's context would wait for the reader. Writes are made by a
// goroutine instead; once ctx has ended, a write still blocked after
// stuckGrace is given up (it fails with errStdoutStuck, as every later
// write does), so that the command records what it was doing, finishes
// what it serves for others and closes the store as after any signal.
//
// The goroutine of a write given up stays blocked in the kernel until the
// process exits, which it then does soon: no one can stop it, so close
// does not wait for it.
type stuckWriter struct {
	ctx  context.Context
	w    io.Writer
	reqs chan []byte
	res  chan writeResult

	mu    sync.Mutex // one write at a time: the goroutine takes one
	stuck bool       // a write was given up; under mu
	once  sync.Once
}

type writeResult struct {
	n   int
	err error
}

func newStuckWriter(ctx context.Context, w io.Writer) *stuckWriter {
	s := &stuckWriter{ctx: ctx, w: w, reqs: make(chan []byte), res: make(chan writeResult, 1)}
	go func() {
		for p := range s.reqs {
			n, err := s.w.Write(p)
			s.res <- writeResult{n, err}
		}
	}()
	return s
}

// Write writes p, unless stdout has been blocked for stuckGrace since the
// command's context ended.
func (s *stuckWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stuck {
		return 0, errStdoutStuck
	}
	// A copy: a write given up still holds its bytes, which the caller
	// may reuse once Write has returned.
	s.reqs <- append([]byte(nil), p...)
	select {
	case r := <-s.res:
		return r.n, r.err
	case <-s.ctx.Done():
	}
	t := time.NewTimer(stuckGrace)
	defer t.Stop()
	select {
	case r := <-s.res:
		return r.n, r.err
	case <-t.C:
		s.stuck = true
		return 0, errStdoutStuck
	}
}

// close ends the writing goroutine: at once when it is idle, else when
// the write it was given up in returns (if ever: see stuckWriter). Safe to
// call twice.
func (s *stuckWriter) close() {
	s.once.Do(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		close(s.reqs)
	})
}
