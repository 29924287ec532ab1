package db

import (
	"testing"
	"time"
)

func TestSignal(t *testing.T) {
	var s Signal
	a, b := s.Wait(), s.Wait()
	if a != b {
		t.Fatal("two waits before a fire got different channels")
	}
	select {
	case <-a:
		t.Fatal("woken before any fire")
	default:
	}
	s.Fire()
	for _, ch := range []<-chan struct{}{a, b} {
		select {
		case <-ch:
		case <-time.After(time.Second):
			t.Fatal("a waiter was not woken")
		}
	}
	if c := s.Wait(); c == a {
		t.Error("a wait after the fire got the closed channel")
	}
	s.Fire() // no waiters: nothing to close twice
}
