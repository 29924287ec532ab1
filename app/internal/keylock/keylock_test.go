package keylock

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLocks(t *testing.T) {
	var l Locks
	ctx := context.Background()
	// One holder at a time per key.
	var in, most atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			unlock, err := l.Lock(ctx, "a")
			if err != nil {
				t.Error(err)
				return
			}
			n := in.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(time.Millisecond)
			in.Add(-1)
			unlock()
		})
	}
	wg.Wait()
	if most.Load() != 1 {
		t.Errorf("%d holders at once", most.Load())
	}
	// Other keys are not held; a waiter gives up when its context ends.
	unlock, _ := l.Lock(ctx, "a")
	defer unlock()
	if u, err := l.Lock(ctx, "b"); err != nil {
		t.Fatalf("another key: %v", err)
	} else {
		u()
	}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := l.Lock(cctx, "a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a held lock with a deadline: %v", err)
	}
}
