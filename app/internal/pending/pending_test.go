package pending

import (
	"context"
	"testing"
	"time"
)

// TestCloseWaitsThenStops: Close tells the work it is quitting and waits
// for what finishes then; what does not is cancelled once the wait is over,
// and Close returns when it has returned. No work is taken on after Close.
func TestCloseWaitsThenStops(t *testing.T) {
	var p Set
	finished, cancelled := make(chan struct{}), make(chan struct{})
	p.Go(context.Background(), func(ctx context.Context, closing <-chan struct{}) {
		<-closing // a write that lands once told to hurry
		close(finished)
	})
	p.Go(context.Background(), func(ctx context.Context, closing <-chan struct{}) {
		<-ctx.Done() // one that never lands
		close(cancelled)
	})
	if n := p.Len(); n != 2 {
		t.Fatalf("Len = %d, want 2", n)
	}
	start := time.Now()
	p.Close(200 * time.Millisecond)
	if took := time.Since(start); took < 200*time.Millisecond {
		t.Errorf("Close returned after %v, before its wait was over with work left", took)
	}
	for name, ch := range map[string]chan struct{}{"finished": finished, "cancelled": cancelled} {
		select {
		case <-ch:
		default:
			t.Errorf("the work that %s had not returned when Close did", name)
		}
	}
	if p.Go(context.Background(), func(context.Context, <-chan struct{}) {}) {
		t.Error("work taken on after Close")
	}
	if n := p.Len(); n != 0 {
		t.Errorf("Len after Close = %d", n)
	}
	p.Close(time.Second) // twice is safe
}

// TestCloseReturnsWhenDone: with nothing left, Close does not wait.
func TestCloseReturnsWhenDone(t *testing.T) {
	var p Set
	p.Go(context.Background(), func(ctx context.Context, closing <-chan struct{}) { <-closing })
	start := time.Now()
	p.Close(10 * time.Second)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Close waited %v for work that had ended", took)
	}
}
