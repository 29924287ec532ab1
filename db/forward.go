package db

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/rqlite/rqlite/v8/cluster"
	"github.com/rqlite/rqlite/v8/command/proto"
	"github.com/rqlite/rqlite/v8/store"
)

// ErrNoQuorum is matched (errors.Is) by a *NoQuorumError: no leader could be
// reached within the bound, so nothing can be written.
var ErrNoQuorum = errors.New("no quorum")

// ErrOutcomeUnknown wraps the failure of a write that was sent to the leader
// but whose answer never came (the leader was lost meanwhile): it may or may
// not have been applied. It is not retried, as applying it twice could be
// worse than not at all; read back to find out.
var ErrOutcomeUnknown = errors.New("write outcome unknown")

// ErrClosed is returned by calls on a closed store.
var ErrClosed = errors.New("db: store closed")

// NoQuorumError says that a cluster has no reachable leader, and how many of
// its voters this node could reach: itself, plus each peer whose cluster
// service answered a probe. Its message is fit to show a user as it is.
type NoQuorumError struct {
	Reachable int   // voters that answered, this node included if it votes
	Voters    int   // voters in this node's copy of the Raft configuration
	Err       error // the last failure seen while waiting, if any

	otherKey []Member // peers unreachable because they hold another cluster key
}

func (e *NoQuorumError) Error() string {
	msg := fmt.Sprintf("no quorum: %d of %d nodes reachable", e.Reachable, e.Voters)
	if len(e.otherKey) > 0 {
		m := e.otherKey[0]
		msg += fmt.Sprintf(" (%s at %s refused this node: its cluster key differs from this node's)", m.ID, m.Addr)
	}
	return msg
}

// UserMessage says what the error means to the person at the keyboard,
// and what to do, whatever was being written when it happened.
func (e *NoQuorumError) UserMessage() string {
	return "the cluster has " + e.Error() + ", and writes wait until a majority of its nodes answers: start the nodes that are down (aiex cluster status shows which); only if they are lost for good, stop this node and run aiex cluster recover on its data dir"
}

// Is makes errors.Is(err, ErrNoQuorum) true.
func (e *NoQuorumError) Is(target error) bool { return target == ErrNoQuorum }

func (e *NoQuorumError) Unwrap() error { return e.Err }

// noQuorum probes the voters and describes what it found.
func (s *Store) noQuorum(cause error) *NoQuorumError {
	e := &NoQuorumError{Err: cause}
	ms, err := s.members()
	if err != nil {
		e.Err = errors.Join(cause, err)
	}
	for _, m := range ms {
		if m.Voter {
			e.Voters++
			if m.Reachable {
				e.Reachable++
			}
		}
		if keyMismatch(m.probeErr) {
			e.otherKey = append(e.otherKey, m)
		}
	}
	return e
}

// keyMismatch reports whether err is a handshake that failed because the
// peer holds another cluster key (mesh's TCP transport says so).
func keyMismatch(err error) bool {
	var km interface{ ClusterKeyMismatch() bool }
	return errors.As(err, &km) && km.ClusterKeyMismatch()
}

// forwardTimeout bounds each read and write of a request forwarded to the
// leader, which includes the leader's time to commit and apply it (a big
// index batch takes seconds on a busy machine), whatever the caller's
// deadline: a leader that died on a tailnet sends no reset, and the read
// would otherwise wait for the whole deadline (an LLM request's is 10 min).
const forwardTimeout = 8 * time.Second

// fwdClient is a cluster client whose connections carry one tag, so that
// they can all be closed when the client is retired after a leader change.
// Calls hold it (client/release) so that retiring waits for them, except
// calls to a node that is no longer the leader: those are cut at once.
type fwdClient struct {
	*cluster.Client
	ly     *trackedLayer
	tag    uint64
	ctx    context.Context // cancelled when retired: ends its dials
	cancel context.CancelFunc

	mu       sync.Mutex
	inflight int
	retired  bool
}

func (c *clusterState) newClient() *fwdClient {
	f := &fwdClient{ly: c.service, tag: c.nextTag.Add(1)}
	f.ctx, f.cancel = context.WithCancel(c.service.ctx)
	f.Client = cluster.NewClient(f, dialTimeout)
	if c.svc != nil {
		f.SetLocal(c.cfg.Advertise, c.svc) // node meta of this node is served without a dial
		f.SetLocalVersion(c.cfg.Version)
	}
	return f
}

// Dial is the cluster client's dialer: the service layer, tagged, until
// the client is retired.
func (f *fwdClient) Dial(addr string, timeout time.Duration) (net.Conn, error) {
	return f.ly.dialTagged(f.ctx, addr, timeout, f.tag)
}

// client returns the current forwarding client, held until release.
func (c *clusterState) client() *fwdClient {
	for {
		f := c.fwd.Load()
		f.mu.Lock()
		if !f.retired {
			f.inflight++
			f.mu.Unlock()
			return f
		}
		f.mu.Unlock() // swapped out just now: the next Load sees its successor
	}
}

func (f *fwdClient) release() {
	f.mu.Lock()
	f.inflight--
	done := f.retired && f.inflight == 0
	f.mu.Unlock()
	if done {
		f.ly.closeTagged(f.tag, "")
	}
}

// retire is called when the leader changed; leader is the new one's
// address ("" if none is known yet). It cuts at once the client's dials
// and its connections to every other node: a call waiting on the old
// leader would otherwise wait out forwardTimeout when that leader vanished
// without a reset (a tailnet peer that died or went offline). The cut call
// fails as a read or a write of its request, which route classifies as
// usual: a request not sent whole is retried; one that was is an unknown
// outcome, retried only if idempotent. Calls to the new leader (begun in
// the moment between Raft's change and this) finish, though a dial they
// need fails (and is retried); the client's remaining connections close
// with the last call.
func (f *fwdClient) retire(leader string) {
	f.mu.Lock()
	f.retired = true
	done := f.inflight == 0
	f.mu.Unlock()
	f.cancel()
	if done {
		leader = ""
	}
	f.ly.closeTagged(f.tag, leader)
}

// errNoLeader means this node knows of no leader at the moment.
var errNoLeader = errors.New("no leader known")

// route runs an operation on the leader: local if this node leads, remote
// through the leader's cluster service otherwise. While the operation cannot
// have taken effect (no leader yet, the node asked is no longer leader, the
// leader cannot be dialed) it waits for a leader change or a short backoff
// and tries again, for up to LeaderWait or until ctx ends, then fails with a
// *NoQuorumError. A failure after the request was sent is returned at once,
// wrapped in ErrOutcomeUnknown, unless the operation is idempotent.
func (s *Store) route(ctx context.Context, idempotent bool, local func() error,
	remote func(f *fwdClient, addr string, timeout time.Duration) error) error {
	c := s.c
	deadline := time.Now().Add(c.cfg.LeaderWait)
	ctxBound := false // the deadline is ctx's
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline, ctxBound = d, true
	}
	backoff := 2 * time.Millisecond
	if s.removed() {
		// The leader would still take its writes, until this node forgets
		// it; they are no longer this node's to make.
		return s.removedError("")
	}
	for {
		if s.closing() {
			return ErrClosed
		}
		if err := s.splitError(); err != nil {
			return err // a cluster of dropped nodes: nothing more diverges
		}
		changed := c.leader.Wait()
		var err error
		addr, id := s.str.LeaderWithID()
		switch {
		case id == s.id:
			err = local()
		case addr != "":
			f := c.client()
			err = remote(f, addr, fwdTimeout(ctx))
			f.release()
			if e := s.splitRefusal(err); e != nil {
				return e // the leader found its cluster split before this node did
			}
			if err != nil && classify(err) != retry {
				err = fmt.Errorf("leader %s at %s: %w", id, addr, err)
			}
		case s.removed():
			return s.removedError("")
		default:
			err = errNoLeader
		}
		if err == nil {
			return nil
		}
		switch classify(err) {
		case permanent:
			return err
		case unknown:
			if !idempotent {
				return fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
			}
			// The leader went quiet mid-request: the wait for the next
			// one starts now, not when the request was first sent.
			if next := time.Now().Add(c.cfg.LeaderWait); !ctxBound && next.After(deadline) {
				deadline = next
			}
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			if ctxBound {
				err = errors.Join(err, context.DeadlineExceeded)
			}
			return s.noLeader(err)
		}
		t := time.NewTimer(min(backoff, wait))
		select {
		case <-changed:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return s.noLeader(ctx.Err())
			}
			return ctx.Err()
		case <-s.closed:
			t.Stop()
			return ErrClosed
		}
		t.Stop()
		backoff = min(2*backoff, 100*time.Millisecond)
	}
}

func fwdTimeout(ctx context.Context) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return min(max(time.Until(d), time.Millisecond), forwardTimeout)
	}
	return forwardTimeout
}

type errClass int

const (
	permanent errClass = iota
	retry              // the operation cannot have taken effect
	unknown            // it was sent; it may have taken effect
)

// classify sorts a failure by whether the operation may have taken effect.
// rqlite's cluster client turns the remote node's errors into plain strings,
// so those are matched by text.
func classify(err error) errClass {
	msg := err.Error()
	var de *dialError
	switch {
	case strings.Contains(msg, "leadership lost while committing log"),
		strings.HasPrefix(msg, "read protobuf"), strings.Contains(msg, ": read protobuf"),
		strings.Contains(msg, "panic reading response"),
		errors.Is(err, io.EOF):
		return unknown
	case errors.As(err, &de), errors.Is(err, errNoLeader),
		errors.Is(err, store.ErrNotLeader), errors.Is(err, store.ErrNotReady),
		errors.Is(err, store.ErrLeaderNotFound), errors.Is(err, net.ErrClosed):
		return retry
	}
	for _, m := range []string{"not leader", "store not ready", "leader not found", "store not open"} {
		if msg == m || strings.HasSuffix(msg, ": "+m) {
			return retry
		}
	}
	// The request was not sent whole: the leader cannot have parsed it.
	if strings.Contains(msg, "write length") || strings.Contains(msg, "write protobuf bytes") {
		return retry
	}
	return permanent
}

// execute runs er on the leader and returns its results and Raft index.
func (s *Store) execute(ctx context.Context, er *proto.ExecuteRequest, idempotent bool) ([]*proto.ExecuteQueryResponse, uint64, error) {
	if s.c == nil {
		return s.str.Execute(er)
	}
	var resps []*proto.ExecuteQueryResponse
	var idx uint64
	err := s.route(ctx, idempotent,
		func() (err error) {
			resps, idx, err = s.str.Execute(er)
			return err
		},
		func(f *fwdClient, addr string, timeout time.Duration) (err error) {
			resps, idx, err = f.Execute(er, addr, nil, timeout, 0)
			return err
		})
	return resps, idx, err
}

// Sync waits until this node has applied every write the leader had
// committed when Sync was called, so that local reads see them. A single
// node returns at once. In cluster mode a write through a follower returns
// when the leader has applied it; the follower applies it when it learns
// that it was committed, which Raft tells it with the next append: at once
// under load, but up to ~100 ms later when the cluster is idle (Raft's
// commit timeout). Sync closes that gap: it makes one empty write through
// the leader, whose index it waits for, and a second one, whose append
// carries the first one's commit to this node. Measured on 3 local nodes:
// a follower's write plus Sync p50 5–6 ms; with one empty write, ~80 ms.
func (s *Store) Sync(ctx context.Context) error {
	if s.c == nil {
		return nil
	}
	empty := &proto.ExecuteRequest{Request: &proto.Request{}}
	_, idx, err := s.execute(ctx, empty, true)
	if err == nil {
		_, _, err = s.execute(ctx, empty, true)
	}
	if err != nil {
		return fmt.Errorf("db.Sync: %w", err)
	}
	wait := 10 * time.Second
	if d, ok := ctx.Deadline(); ok {
		wait = max(time.Until(d), time.Millisecond)
	}
	if _, err := s.str.WaitForFSMIndex(idx, wait); err != nil {
		return fmt.Errorf("db.Sync: %w", err)
	}
	return nil
}
