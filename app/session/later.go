package session

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/aiex-dev/aiex/app/events"
)

// How often a turn's end that could not be recorded is tried again: the
// first time after about laterFirst, then twice as long each time, up to
// laterMax.
const (
	laterFirst = time.Second
	laterMax   = 30 * time.Second
)

// When the process quits (Close) with turn ends still to record, it tries
// them at once and then every laterClosing, for up to closeWait: a disk
// that had room again a moment before the user quit, or a leader elected
// meanwhile, then gets the answer recorded rather than the turn marked
// interrupted without it by the next writer of the session.
const (
	laterClosing = 250 * time.Millisecond
	closeWait    = 10 * time.Second
)

// endLater keeps trying, in the background, to record the end of a turn
// that its caller could not record in time (no leader for a while, a
// caller that stopped waiting), until it lands, decide refuses (the turn
// ended some other way), or Close. It reports whether it took it on
// (false once Close has been called).
//
// This process owns the turn until then (Service.alive: its key stays
// active), so nothing here marks it interrupted; once this process ends,
// the turn's owner is gone and the next writer of the session marks it
// interrupted. Either way the turn does not stay running. The end is
// recorded with the expected-version check like every write, not without
// it: the rows written with an event are computed from the state at the
// version it is appended to, and an unchecked append would write rows
// folded from a state that may be out of date.
func (s *Session) endLater(ctx context.Context, decide func(*state) ([]events.Payload, error), key *string, refused *bool) bool {
	return s.svc.later.Go(ctx, func(ctx context.Context, closing <-chan struct{}) {
		s.recordLater(ctx, closing, decide, key, refused)
	})
}

// recordLater is endLater's goroutine.
func (s *Session) recordLater(ctx context.Context, closing <-chan struct{}, decide func(*state) ([]events.Payload, error), key *string, refused *bool) {
	id := s.ID()
	s.svc.logger.Warn("session: recording a turn's end failed; retrying in the background", "session", id)
	wait := laterFirst
	for attempt := 1; ; attempt++ {
		t := time.NewTimer(wait/2 + rand.N(wait/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			s.svc.logger.Warn("session: stopped before a turn's end was recorded; the next writer of the session will mark it interrupted", "session", id)
			return
		case <-closing:
			// The process is quitting: try now, and then often, for as
			// long as Close waits.
			t.Stop()
			closing = nil
		case <-t.C:
		}
		err := s.record(ctx, decide)
		if err == nil {
			if *key != "" {
				s.svc.running(*key, false)
			}
			s.svc.logger.Info("session: a turn's end recorded late", "session", id, "attempts", attempt)
			return
		}
		if *refused || errors.Is(err, ErrNotFound) {
			s.svc.logger.Warn("session: a turn's end cannot be recorded", "session", id, "err", err)
			return
		}
		s.svc.logger.Debug("session: recording a turn's end failed again", "session", id, "attempt", attempt, "err", err)
		wait = min(2*wait, laterMax)
		if closing == nil {
			wait = laterClosing
		}
	}
}

// Close waits, for up to closeWait, for the turn ends being recorded in
// the background (trying each at once and then often), then stops those
// left and waits for them. Their turns stay running as this process left
// them; once it has ended, the next writer of each session marks them
// interrupted. It is safe to call twice.
func (s *Service) Close() {
	if n := s.later.Len(); n > 0 {
		s.logger.Info("session: waiting for turn ends to be recorded before quitting", "turns", n, "for at most", closeWait)
	}
	s.later.Close(closeWait)
}
