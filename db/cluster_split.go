package db

// A cluster of dropped nodes (see cluster_dropped.go and DESIGN.md,
// "Dropped nodes that come back anyway"). Dropped nodes that come back on
// their old data dirs while the recovered node is down are a majority of
// their old configuration: they elect a leader and take writes, a cluster of
// their own, and nothing in their configuration tells them otherwise. When
// the recovered node is up again it refuses their Raft traffic, so their
// leader's heartbeats to it fail. The leader then asks it, every
// splitProbeEvery while they fail, with the member probe whether it dropped
// this cluster; one that answers with its refusal means it did. From then
// on this node refuses writes, its own and those its followers forward,
// with the error a dropped node gets when it starts (droppedError), reports
// it in Status, and tells its followers (a split notice), which hear
// nothing from the recovered node themselves. A healthy cluster pays
// nothing: its leader sees no failed heartbeat.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/hashicorp/raft"
	"github.com/rqlite/rqlite/v8/command/proto"
	"github.com/rqlite/rqlite/v8/store"
)

// splitProbeEvery is how often a leader asks a peer its heartbeats fail
// to whether it dropped this cluster, and tells its followers that have
// not heard yet. Raft reports a failing heartbeat every 10–250 ms.
const splitProbeEvery = 2 * time.Second

// watchSplit follows the failed heartbeats this node sends while it leads,
// until the store closes, and asks the peers they fail to whether a
// recovery of theirs dropped this cluster (checkSplit). It runs under the
// leader watcher, which waits for it.
func (s *Store) watchSplit() {
	c := s.c
	ch := make(chan raft.Observation, 16)
	obs := raft.NewObserver(ch, false, func(o *raft.Observation) bool {
		_, failed := o.Data.(raft.FailedHeartbeatObservation)
		return failed
	})
	s.str.RegisterObserver(obs)
	defer s.str.DeregisterObserver(obs)
	asked := map[raft.ServerID]time.Time{} // when each failing peer was asked last
	told := map[string]bool{}              // followers that took the split notice
	for {
		select {
		case o := <-ch:
			peer := o.Data.(raft.FailedHeartbeatObservation).PeerID
			if time.Since(asked[peer]) < splitProbeEvery {
				continue
			}
			asked[peer] = time.Now()
			s.checkSplit(string(peer), told)
		case <-c.stop:
			return
		}
	}
}

// checkSplit sends the member probe to peer, whose heartbeats fail, unless
// this cluster is known to be split already; if it is (or now turns out
// to be), it sends the split notice to the peers that have not taken it.
func (s *Store) checkSplit(peer string, told map[string]bool) {
	c := s.c
	nodes, err := s.str.Nodes()
	if err != nil {
		return
	}
	p := c.split.Load()
	if p == nil {
		i := slices.IndexFunc(nodes, func(n *store.Server) bool { return n.ID == peer })
		if i < 0 {
			return // no longer in the configuration
		}
		for _, a := range s.askPeers(nodes[i:i+1], memberProbeRequest(s.id)) {
			if a.err != nil && strings.Contains(a.err.Error(), droppedMarker) {
				c.noteSplit(peerProbe{id: a.n.ID, addr: a.n.Addr, dropped: a.err.Error()})
			}
		}
		if p = c.split.Load(); p == nil {
			return
		}
	}
	rest := slices.DeleteFunc(slices.Clone(nodes), func(n *store.Server) bool {
		return n.ID == s.id || n.ID == p.id || told[n.ID]
	})
	if len(rest) == 0 {
		return
	}
	for _, a := range s.askPeers(rest, splitNoticeRequest(p)) {
		if a.err == nil {
			told[a.n.ID] = true
		}
	}
}

// noteSplit records that peer p, a recovered node, dropped this node's
// cluster, and logs it once with what to do.
func (c *clusterState) noteSplit(p peerProbe) {
	if !c.split.CompareAndSwap(nil, &p) || c.logger == nil {
		return
	}
	c.logger.Error(fmt.Sprintf("this node's cluster is made of nodes that were dropped when it was recovered on node %s at %s (aiex cluster recover), and runs apart from the recovered cluster: this node refuses writes from now on. "+
		"What these nodes wrote since the recovery is on them alone and cannot be merged into %s's: save what you need while they still run (aiex events tail --since 0 --json > FILE prints every event; aiex session export ID), "+
		"then stop them and start each on a new data dir with aiex node run --join %s", p.id, p.addr, p.id, p.addr),
		"node", c.self, "recovered_on", p.id, "addr", p.addr)
}

// splitError is the error of every operation routed to the leader once
// this node's cluster is known to be one of dropped nodes; nil otherwise.
func (s *Store) splitError() error {
	if s.c == nil {
		return nil
	}
	if p := s.c.split.Load(); p != nil {
		return s.droppedError(*p)
	}
	return nil
}

// splitRefusal returns the error of an operation that the leader refused
// because its cluster is one of dropped nodes (serviceDB), which this node
// then knows too; nil if err is not that refusal.
func (s *Store) splitRefusal(err error) error {
	if err == nil || s.c == nil || !strings.Contains(err.Error(), droppedMarker) {
		return nil
	}
	if !s.c.noticed(recoveredOn(err.Error()), err.Error()) {
		return nil
	}
	return s.splitError()
}

// splitStatus is Status's Dropped: the sentence of splitError.
func (s *Store) splitStatus() string {
	if ue := usererr.As(s.splitError()); ue != nil {
		return ue.Msg
	}
	return ""
}

// splitNotice is the query a leader that found its cluster split sends
// its followers; its parameters are the recovered node's ID and its
// refusal. An aiex version that does not know it runs it (level NONE: any
// node answers a row).
const splitNotice = "SELECT 'aiex split notice', ?, ?"

func splitNoticeRequest(p *peerProbe) *proto.QueryRequest {
	return &proto.QueryRequest{
		Request: &proto.Request{Statements: []*proto.Statement{{
			Sql: splitNotice,
			Parameters: []*proto.Parameter{
				{Value: &proto.Parameter_S{S: p.id}},
				{Value: &proto.Parameter_S{S: p.dropped}},
			},
		}}},
		Level: proto.QueryRequest_QUERY_REQUEST_LEVEL_NONE,
	}
}

// splitNoticeOf returns the recovered node and its refusal if qr is a
// split notice.
func splitNoticeOf(qr *proto.QueryRequest) (by, refusal string, ok bool) {
	stmts := qr.GetRequest().GetStatements()
	if len(stmts) != 1 || stmts[0].GetSql() != splitNotice || len(stmts[0].GetParameters()) != 2 {
		return "", "", false
	}
	ps := stmts[0].GetParameters()
	return ps[0].GetS(), ps[1].GetS(), true
}

// noticed records a split that this node learned from its leader: node by
// dropped this cluster, saying refusal. It is taken only if by is another
// member of this node's configuration and the refusal names it, and
// reports whether this node's cluster is now known to be split.
func (c *clusterState) noticed(by, refusal string) bool {
	if c.split.Load() != nil {
		return true
	}
	if by == "" || by == c.self || c.str == nil || recoveredOn(refusal) != by {
		return false
	}
	nodes, err := c.str.Nodes()
	if err != nil {
		return false
	}
	i := slices.IndexFunc(nodes, func(n *store.Server) bool { return n.ID == by })
	if i < 0 {
		return false
	}
	c.noteSplit(peerProbe{id: by, addr: nodes[i].Addr, dropped: refusal})
	return true
}

// refuseSplit is serviceDB's answer to a forwarded operation that could
// write, once this node's cluster is known to be one of dropped nodes: the
// recovered node's refusal, which the follower recognises (splitRefusal).
func (d serviceDB) refuseSplit() error {
	if p := d.c.split.Load(); p != nil {
		return fmt.Errorf("this cluster runs apart from the cluster recovered on node %s at %s: %s", p.id, p.addr, p.dropped)
	}
	return nil
}

func (d serviceDB) Execute(er *proto.ExecuteRequest) ([]*proto.ExecuteQueryResponse, uint64, error) {
	if err := d.refuseSplit(); err != nil {
		return nil, 0, err
	}
	return d.Store.Execute(er)
}

func (d serviceDB) Request(rr *proto.ExecuteQueryRequest) ([]*proto.ExecuteQueryResponse, uint64, error) {
	if err := d.refuseSplit(); err != nil {
		return nil, 0, err
	}
	return d.Store.Request(rr)
}
