package app

import (
	"context"
	"time"
)

// orphanSync and orphanWait bound what opening the store does for the
// requests and turns an earlier process of this node left running:
// catching up with the leader before reading them, and ending the turns.
// Neither may keep the node from starting; a turn not ended then is ended
// the next time its session is continued.
const (
	orphanSync = 2 * time.Second
	orphanWait = 10 * time.Second
)

// orphanSessions returns the sessions of the requests node still shows
// running, which its earlier process left so (this process holds the data
// dir's lock). A failed read returns none: their turns are then ended
// when their sessions are next continued, as before.
func (a *App) orphanSessions(ctx context.Context, node string) []string {
	syncCtx, cancel := context.WithTimeout(ctx, orphanSync)
	defer cancel()
	if err := a.Store.Sync(syncCtx); err != nil {
		a.logger.Debug("app: reading the requests left running without catching up with the leader", "err", err)
	}
	ids, err := a.Store.RunningRequestSessions(ctx, node)
	if err != nil {
		a.logger.Warn("app: could not read the sessions of the requests left running", "err", err)
		return nil
	}
	return ids
}

// endOrphanedTurns ends the session turns of the requests that opening
// the store marked interrupted, at once and so for every node: until their
// ends are recorded, the other nodes show them running as long as this
// node is up (they cannot tell that the process running them is gone).
// Each turn ends as its request's record now says, interrupted and
// charged its prompt's estimate.
func (a *App) endOrphanedTurns(ctx context.Context, ids []string) {
	if len(ids) == 0 {
		return
	}
	svc, err := a.Sessions()
	if err != nil {
		a.logger.Warn("app: could not end the session turns left running", "err", err)
		return
	}
	ctx, cancel := context.WithTimeout(ctx, orphanWait)
	defer cancel()
	if err := svc.EndOrphaned(ctx, ids, "node"); err != nil {
		a.logger.Warn("app: could not end the session turns left running; they end when their sessions are next continued", "err", err)
	}
}
