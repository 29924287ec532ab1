// Package keylock is a set of locks, one per key, that a waiter can give
// up on when its context ends.
package keylock

import (
	"context"
	"sync"
)

// Locks holds a lock for each key it was asked for; the zero value is
// ready. Each lock stays for the life of the Locks (a few bytes a key).
type Locks struct {
	m sync.Map // key → chan struct{} of capacity 1: full while held
}

// Lock waits until key's lock is free and takes it, or until ctx ends.
func (l *Locks) Lock(ctx context.Context, key any) (unlock func(), err error) {
	v, _ := l.m.LoadOrStore(key, make(chan struct{}, 1))
	ch := v.(chan struct{})
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}
