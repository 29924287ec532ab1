package session

import (
	"context"
	"errors"
	"fmt"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// ListOptions selects sessions for List.
type ListOptions struct {
	Project  string // "" means every project
	Archived bool   // include archived sessions
	Limit    int    // <= 0 means all
}

// List returns sessions, the one with the latest turn first (as RefLast
// picks: archiving and unarchiving do not move a session up), with every
// turn any node had ended before (catchUp).
func (s *Service) List(ctx context.Context, o ListOptions) ([]Info, error) {
	s.catchUp(ctx)
	rows, err := s.st.Sessions(ctx, db.SessionFilter{Project: o.Project, Archived: o.Archived, Limit: o.Limit})
	if err != nil {
		return nil, fmt.Errorf("session: list: %w", err)
	}
	out := make([]Info, 0, len(rows))
	ids := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, s.listed(ctx, r))
		ids = append(ids, r.ID)
	}
	// A failed read shows the costs as they are.
	if unknown, err := s.st.UnknownCostRequests(ctx, ids); err == nil {
		for i := range out {
			out[i].CostUnknown = len(unknown[out[i].ID]) > 0
		}
	}
	return out, nil
}

// listed is row as List shows it: with its totals as Open shows them
// (Service.asReaped) when its last turn is left running by a process that
// ended, since the table counts that turn only once it is reaped. Only the
// last turn can be so: a turn begins after the ones before it ended or
// were reaped. A failed read shows the row as it is.
func (s *Service) listed(ctx context.Context, row db.SessionRow) Info {
	if row.Status != db.SessionActive || row.Turns == 0 {
		return infoOf(row)
	}
	last, err := s.st.SessionTurns(ctx, row.ID, row.Turns, row.Turns)
	if err != nil || len(last) != 1 || last[0].Status != db.TurnRunning || s.alive(ctx, &last[0]) {
		return infoOf(row)
	}
	st, err := s.load(ctx, row)
	if err != nil {
		return infoOf(row)
	}
	return infoOf(s.asReaped(ctx, st).Session)
}

// Archive takes a session out of the hot projections: its turns leave
// session_turns (a snapshot taken with the event keeps them at hand), it
// leaves List and "last", and it can no longer be continued until it is
// unarchived. Archiving an archived session changes nothing and says so
// (an error wrapping ErrArchived). A session with a turn being answered
// is refused.
func (s *Service) Archive(ctx context.Context, ref Ref, project, actor string) (Info, error) {
	sess, err := s.writable(ctx, ref, project, actor)
	if err != nil || sess == nil {
		return Info{}, err
	}
	if sess.st.Session.Status == db.SessionArchived {
		return Info{}, archivedAlready(sess.st)
	}
	if err := sess.reap(ctx); err != nil {
		return Info{}, err
	}
	err = sess.record(ctx, func(st *state) ([]events.Payload, error) {
		if st.Session.Status == db.SessionArchived {
			return nil, archivedAlready(st) // by another writer, meanwhile
		}
		if err := s.idle(ctx, st); err != nil {
			return nil, err
		}
		return []events.Payload{&Archived{}}, nil
	})
	if err != nil {
		return Info{}, err
	}
	return s.withCost(ctx, sess.Info()), nil
}

// Unarchive brings an archived session back: its turns return to the
// projections, and it can be continued. Unarchiving an active session
// changes nothing and says so (an error wrapping ErrNotArchived).
func (s *Service) Unarchive(ctx context.Context, ref Ref, project, actor string) (Info, error) {
	sess, err := s.writable(ctx, ref, project, actor)
	if err != nil || sess == nil {
		return Info{}, err
	}
	err = sess.record(ctx, func(st *state) ([]events.Payload, error) {
		if st.Session.Status != db.SessionArchived {
			return nil, &usererr.Error{Msg: fmt.Sprintf("session %s is not archived; nothing to do (continue it with aiex ask --session %[1]s)", st.Session.ID),
				Err: ErrNotArchived}
		}
		return []events.Payload{&Unarchived{}}, nil
	})
	if err != nil {
		return Info{}, err
	}
	return s.withCost(ctx, sess.Info()), nil
}

// Remove deletes a session: its rows leave every projection and its
// snapshot goes. Its events stay in the log (append-only) until retention
// prunes them; a replay leaves it removed. A session with a turn being
// answered is refused. It returns the session as it was.
func (s *Service) Remove(ctx context.Context, ref Ref, project, actor string) (Info, error) {
	sess, err := s.writable(ctx, ref, project, actor)
	if err != nil || sess == nil {
		return Info{}, err
	}
	if err := sess.reap(ctx); err != nil {
		return Info{}, err
	}
	info := sess.Info()
	err = sess.record(ctx, func(st *state) ([]events.Payload, error) {
		if err := s.idle(ctx, st); err != nil {
			return nil, err
		}
		info = infoOf(st.Session)
		return []events.Payload{&Removed{}}, nil
	})
	return s.withCost(ctx, info), err
}

// withCost is info with its cost unknown as List shows it (a failed read
// leaves it as it is).
func (s *Service) withCost(ctx context.Context, info Info) Info {
	if unknown, err := s.st.UnknownCostRequests(ctx, []string{info.ID}); err == nil && info.ID != "" {
		info.CostUnknown = len(unknown[info.ID]) > 0
	}
	return info
}

// ErrNotArchived: Unarchive of a session that is not archived.
var ErrNotArchived = errors.New("session not archived")

// archivedAlready is Archive's answer for an archived session.
func archivedAlready(st *state) error {
	return &usererr.Error{Msg: fmt.Sprintf("session %s is archived already; bring it back with aiex session unarchive %[1]s", st.Session.ID),
		Err: ErrArchived}
}

// writable loads the session ref names, archived or not, for writing. It
// reads the session as the cluster's leader has it, not as this node's
// copy had it a moment ago: a change decided on an out-of-date copy could
// be taken for a no-op (unarchiving a session archived on another node
// that this node still shows active) without anything written, so
// without the version check that would have caught it.
func (s *Service) writable(ctx context.Context, ref Ref, project, actor string) (*Session, error) {
	if ref == RefNew || ref == "" {
		return nil, usererr.Usage("name a session: an id, or last")
	}
	if err := s.st.Sync(ctx); err != nil {
		return nil, &usererr.Error{Msg: fmt.Sprintf("cannot change session %s: this node could not catch up with the cluster's leader (%v); try again once the cluster has a leader", ref, err), Err: err}
	}
	row, ok, err := s.resolve(ctx, ref, project)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &usererr.Error{Msg: "no session in this project yet", Err: ErrNotFound}
	}
	st, err := s.load(ctx, row)
	if err != nil {
		return nil, err
	}
	return &Session{svc: s, st: st, actor: actor}, nil
}

// idle refuses a session with a turn still being answered.
func (s *Service) idle(ctx context.Context, st *state) error {
	for _, tr := range st.running() {
		if s.alive(ctx, tr) {
			return &usererr.Error{Msg: fmt.Sprintf("session %s is answering turn %d; try again when it ends", st.Session.ID, tr.Turn), Err: ErrBusy}
		}
	}
	return nil
}
