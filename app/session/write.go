package session

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// writeFor bounds how long a write keeps retrying when its context allows
// longer: time rather than a count of attempts, because how many writers
// a session has at once is not bounded (sixteen questions asked together
// lost to each other eight times in a row).
const writeFor = 30 * time.Second

// Backoff between attempts that lost to another writer: jittered, so
// that the writers that lost together do not all come back together.
const (
	backoffFirst = 2 * time.Millisecond
	backoffMax   = 250 * time.Millisecond
)

// record appends the events decide returns for the session's current
// state, folded into it and with the projection rows they change, in one
// transaction with the version the state is at as the expected one. On a
// conflict (another writer appended first), or when the store cannot say
// whether the write committed, it reads the session again and asks decide
// again, after a jittered backoff, until ctx ends or writeFor has passed.
// decide returning no events ends it: nothing to write.
//
// Writers of one session in this process take turns (Service.lockSession):
// only writers of other processes and nodes can make each other lose.
func (s *Session) record(ctx context.Context, decide func(*state) ([]events.Payload, error)) error {
	if s.readOnly {
		return ErrReadOnly
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, writeFor)
	defer cancel()
	id := s.st.Session.ID
	unlock, err := s.svc.lockSession(ctx, id)
	if err != nil {
		return fmt.Errorf("session %s: %w", id, err)
	}
	defer unlock()
	behind := int64(-1) // a version the stream is known to be past
	start := time.Now()
	for attempt := 1; ; attempt++ {
		if s.stale {
			if err := s.reload(ctx, behind); err != nil {
				return err
			}
		}
		ps, err := decide(s.st)
		if err != nil || len(ps) == 0 {
			return err
		}
		expected := s.st.Session.Version
		err = s.append(ctx, ps)
		if err == nil {
			return nil
		}
		s.stale = true // the state has the events folded in: read it again
		if !retryable(err) {
			return err
		}
		if errors.Is(err, events.ErrConflict) {
			behind = expected
		}
		s.svc.logger.Debug("session write lost to another writer or its outcome is unknown; reading it again",
			"session", id, "attempt", attempt, "err", err)
		t := time.NewTimer(backoff(attempt))
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("session %s: not written after %d attempts in %s: %w", id, attempt, time.Since(start).Round(time.Millisecond), err)
		case <-t.C:
		}
	}
}

// retryable reports whether a failed append may be tried again after
// reading the session again: it lost to another writer, or the store
// does not know whether it committed (decide sees it if it did).
func retryable(err error) bool {
	return errors.Is(err, events.ErrConflict) || errors.Is(err, db.ErrOutcomeUnknown)
}

// backoff is how long to wait before attempt+1: up to backoffFirst ×
// 2^(attempt-1), at most backoffMax, and at least half of that.
func backoff(attempt int) time.Duration {
	d := backoffMax
	if attempt < 8 {
		d = min(backoffFirst<<(attempt-1), backoffMax)
	}
	return d/2 + rand.N(d/2+1)
}

// lockSession waits until no other writer of session id in this process
// is writing, or ctx ends; the func it returns lets the next one in.
// Without it the writers of one process would lose to each other as
// blindly as writers on different nodes do, each loss a Raft round trip.
func (s *Service) lockSession(ctx context.Context, id string) (func(), error) {
	s.mu.Lock()
	l := s.locks[id]
	if l == nil {
		l = &sessionLock{ch: make(chan struct{}, 1)}
		s.locks[id] = l
	}
	l.refs++
	s.mu.Unlock()
	release := func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if l.refs--; l.refs == 0 {
			delete(s.locks, id)
		}
	}
	select {
	case l.ch <- struct{}{}:
		return func() { <-l.ch; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// sessionLock is a session's writers' lock: a channel, so that waiting
// for it ends with the waiter's context.
type sessionLock struct {
	ch   chan struct{}
	refs int // writers holding it or waiting for it
}

// append folds ps into the state and appends them with the rows they
// change (and a snapshot when one is due) in one transaction.
func (s *Session) append(ctx context.Context, ps []events.Payload) error {
	l := s.svc.log
	st := s.st
	expected := st.Session.Version
	stream := Stream(st.Session.ID)
	evs := make([]*events.Event, 0, len(ps))
	for _, p := range ps {
		ev, err := l.NewEvent(p, s.actor)
		if err != nil {
			return err
		}
		ev.Stream, ev.Version = stream, st.Session.Version+1
		// Fold the payload as the log will give it back (decoded from its
		// JSON), exactly as a replay does.
		dp, err := l.Registry().Decode(ev)
		if err != nil {
			return err
		}
		if err := st.Apply(ev, dp); err != nil {
			return fmt.Errorf("session %s: %w", st.Session.ID, err)
		}
		evs = append(evs, ev)
	}
	stmts := st.liveStmts()
	every := s.svc.cfg.SnapshotEvery
	_, archived := ps[len(ps)-1].(*Archived)
	if !st.Removed && (archived || expected/every != st.Session.Version/every) {
		sn, err := l.SnapshotStmt(stream, st)
		if err != nil {
			return err
		}
		stmts = append(stmts, sn)
	}
	if err := l.AppendBatch(ctx, []events.StreamAppend{{Stream: stream, Expected: expected, Events: evs}}, stmts...); err != nil {
		return err
	}
	st.written()
	s.isNew = false
	return nil
}

// reload reads the session's state again. behind, if not -1, is a version
// the stream is known to be past (an append expecting it lost): a copy at
// or before it is this node's, not caught up yet with the leader (a
// follower applies a commit a moment after the leader), and deciding on
// it would only lose again, so the store catches up first.
func (s *Session) reload(ctx context.Context, behind int64) error {
	st, err := s.read(ctx)
	if err == nil && behind >= 0 && st.Session.Version <= behind {
		if err := s.svc.st.Sync(ctx); err != nil {
			return fmt.Errorf("session: reload %s: %w", s.st.Session.ID, err)
		}
		st, err = s.read(ctx)
	}
	if err != nil {
		return err
	}
	st.written()
	s.st, s.stale = st, false
	s.isNew = st.Session.Version == 0
	return nil
}

// read reads the session's state from the store.
func (s *Session) read(ctx context.Context) (*state, error) {
	id := s.st.Session.ID
	row, ok, err := s.svc.st.Session(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("session: reload %s: %w", id, err)
	}
	if ok {
		return s.svc.load(ctx, row)
	}
	// Not in the projections: new (its first append may or may not have
	// committed), or removed. The log knows.
	f, err := s.svc.log.Load(ctx, Projection(), Stream(id))
	if err != nil {
		return nil, fmt.Errorf("session: reload %s: %w", id, err)
	}
	st := f.(*state)
	if st.Removed {
		return nil, &usererr.Error{Msg: fmt.Sprintf("session %s was removed", id), Err: ErrNotFound}
	}
	if st.Session.Version == 0 {
		st.Session.Project = s.st.Session.Project
	}
	return st, nil
}
