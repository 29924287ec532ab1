package audit

import (
	"context"
	"fmt"
	"time"
)

// appendTimeout bounds one batch append of the background writer, whose
// context carries no deadline of its own (see Record).
const appendTimeout = 30 * time.Second

// Record queues r to be appended to the chain and returns at once; when
// Queue records are already waiting it waits for room (or for ctx). A
// writer goroutine appends the queue in batches while it is not empty.
// Errors of those appends come back from Flush and Close, which every
// recorder must call before its work counts as done.
func (l *Log) Record(ctx context.Context, r Record) error {
	if r.Time.IsZero() {
		r.Time = l.now()
	}
	for {
		l.mu.Lock()
		if l.closed {
			l.mu.Unlock()
			return ErrClosed
		}
		if len(l.pending) < l.queue {
			l.pending = append(l.pending, r)
			if !l.running {
				l.running = true
				l.done = make(chan struct{})
				// The writer outlives the recorder's call but not its
				// values; Flush and Close wait for it.
				go l.write(context.WithoutCancel(ctx), l.done)
			}
			l.mu.Unlock()
			return nil
		}
		space := l.space
		l.mu.Unlock()
		select {
		case <-space:
		case <-ctx.Done():
			return fmt.Errorf("audit: record: %w", ctx.Err())
		}
	}
}

// write appends the queue in batches until it is empty, then exits.
func (l *Log) write(ctx context.Context, done chan struct{}) {
	defer close(done)
	for {
		l.mu.Lock()
		if len(l.pending) == 0 {
			l.running = false
			l.mu.Unlock()
			return
		}
		n := min(len(l.pending), l.batch)
		batch := make([]*Record, n)
		for i := range n {
			r := l.pending[i]
			batch[i] = &r
		}
		l.pending = append(l.pending[:0:0], l.pending[n:]...)
		close(l.space) // wake recorders waiting for room
		l.space = make(chan struct{})
		l.mu.Unlock()

		actx, cancel := context.WithTimeout(ctx, appendTimeout)
		err := l.Append(actx, batch...)
		cancel()
		if err != nil {
			l.logger.Error("audit: records not stored", "count", n, "err", err)
			l.mu.Lock()
			if l.err == nil {
				l.err = err
			}
			l.lost += n
			l.mu.Unlock()
		}
	}
}

// Flush waits until every record queued before it is stored, and returns
// the first error the writer met since the last Flush (with how many
// records it could not store).
func (l *Log) Flush(ctx context.Context) error {
	for {
		l.mu.Lock()
		if !l.running {
			err, lost := l.err, l.lost
			l.err, l.lost = nil, 0
			l.mu.Unlock()
			if err != nil {
				return fmt.Errorf("audit: %d records not stored: %w", lost, err)
			}
			return nil
		}
		done := l.done
		l.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return fmt.Errorf("audit: flush: %w", ctx.Err())
		}
	}
}

// Close refuses further records and flushes the queue. It is safe to call
// more than once.
func (l *Log) Close(ctx context.Context) error {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	return l.Flush(ctx)
}
