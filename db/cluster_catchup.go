package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
)

// replicationRetryMax is the longest a Raft leader waits before it tries
// again to send its log to a follower it could not reach: hashicorp/raft's
// replicateTo backs off from 10 ms, doubling up to 10.24 s, and resets only
// on a success, while heartbeats back off at most half the heartbeat
// timeout. So a node back after ten seconds or more away learns its leader
// at once but may get the log it missed only ten seconds later.
const replicationRetryMax = 10240 * time.Millisecond

// catchUp waits, at the end of startCluster, until this node has applied
// what the leader had committed when it asked. It is given what is left of
// startCluster's timeout (ctx's deadline) and the leader's longest retry
// on top, from outer: a restart after a long absence is not a failure.
func (s *Store) catchUp(outer, ctx context.Context) error {
	wait := replicationRetryMax
	if d, ok := ctx.Deadline(); ok {
		wait += max(time.Until(d), 0)
	}
	ctx, cancel := context.WithTimeout(outer, wait)
	defer cancel()
	slow := time.AfterFunc(time.Second, func() {
		s.logger.Info("waiting for the leader to send the log this node missed (a leader retries a node it could not reach at most every 10 s)")
	})
	defer slow.Stop()
	if err := s.Sync(ctx); err != nil {
		if rerr := s.removedWhileDown(); errors.Is(rerr, errRejoined) {
			return nil // removed while it was down, and joined again
		} else if rerr != nil {
			return rerr
		}
		// The leader may be unknown again by now: name it only if known.
		leader := "the cluster's leader"
		if addr, id := s.str.LeaderWithID(); id != "" {
			leader = fmt.Sprintf("the cluster's leader %s at %s", id, addr)
		}
		return &usererr.Error{Err: err, Msg: fmt.Sprintf("could not catch up with %s within %s (%s); start the node again", leader, wait.Round(100*time.Millisecond), peerFailure(err))}
	}
	return nil
}
