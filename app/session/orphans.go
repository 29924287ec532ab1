package session

import (
	"context"
	"errors"
	"fmt"

	"github.com/aiex-dev/aiex/db"
)

// EndOrphaned ends, in the sessions ids, the turns a process of this node
// that has ended left running, as they would be ended the next time each
// session is continued (reap): for the process that has just opened the
// node's store and marked the requests its predecessor left running
// interrupted (db.InterruptRunningStmt), which it calls with those
// requests' sessions. Until a turn's end is recorded, every other node
// shows it running, for as long as this node is up: it cannot tell that
// the process that owned it is gone (a node serves its sessions from one
// process, whose turns live while the node does), and a session shown or
// continued only there kept a killed turn running for minutes. Each
// session is tried; an archived or removed one is left as it is. The
// error joins those that failed.
func (s *Service) EndOrphaned(ctx context.Context, ids []string, actor string) error {
	var errs []error
	for _, id := range ids {
		row, ok, err := s.st.Session(ctx, id)
		if err != nil {
			errs = append(errs, fmt.Errorf("session %s: %w", id, err))
			continue
		}
		if !ok || row.Status != db.SessionActive {
			continue
		}
		st, err := s.load(ctx, row)
		if err != nil {
			if !errors.Is(err, ErrNotFound) {
				errs = append(errs, err)
			}
			continue
		}
		sess := &Session{svc: s, st: st, actor: actor}
		if err := sess.reap(ctx); err != nil {
			errs = append(errs, fmt.Errorf("session %s: end the turns left running: %w", id, err))
		}
	}
	return errors.Join(errs...)
}
