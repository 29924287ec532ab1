package db

// The nodes a recovery dropped (see Recover and DESIGN.md, "Recovery"). A
// dropped node that comes back on its old data dir still has the old
// configuration: with another dropped node it is a majority of it, elects a
// leader at a higher term and sends it AppendEntries to the recovered node,
// and Raft follows any leader with a higher term, in its configuration or
// not. The recovered node's writes since the recovery would be lost. So the
// recovered node keeps the dropped nodes' IDs in its data dir and refuses
// their Raft traffic (every Raft RPC names its sender's ID) and their join
// requests, and tells them, when they ask (memberProbe), that they were
// dropped, so that they stop with a reason instead of forming a cluster of
// their own.
//
// The recovered node also writes them, when it opens next, into the
// replicated table cluster_dropped, and every member refuses what it lists
// in the same ways: a dropped node cannot rejoin through a node that joined
// after the recovery, nor send Raft traffic to a new node at a dropped
// node's old address. Dropped nodes that meet while no member of the
// recovered cluster answers them run as a cluster of their own (they know
// no member but the recovered node, the only one in their configuration)
// until the recovered node is back: then their leader finds out and they
// refuse writes (cluster_split.go).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-msgpack/v2/codec"
	"github.com/hashicorp/raft"
	"github.com/rqlite/rqlite/v8/command/proto"
	"github.com/rqlite/rqlite/v8/store"
)

// droppedFile, in the data dir of a recovered node: the peers its
// recoveries dropped (a JSON array of Peer), kept for good (a dropped
// node's ID never comes back: its machine rejoins on a new data dir, with
// a new ID).
const droppedFile = "dropped"

// loadDropped reads the dropped peers recorded in dir, by ID; none if the
// node was never recovered.
func loadDropped(dir string) (map[string]Peer, error) {
	b, err := os.ReadFile(filepath.Join(dir, droppedFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the nodes dropped by recovery: %w", err)
	}
	var ps []Peer
	if err := json.Unmarshal(b, &ps); err != nil {
		return nil, fmt.Errorf("read the nodes dropped by recovery (%s): %w", filepath.Join(dir, droppedFile), err)
	}
	m := make(map[string]Peer, len(ps))
	for _, p := range ps {
		m[p.ID] = p
	}
	return m, nil
}

// saveDropped adds ps to the dropped peers recorded in dir.
func saveDropped(dir string, ps []Peer) error {
	m, err := loadDropped(dir)
	if err != nil {
		return err
	}
	all := make([]Peer, 0, len(m)+len(ps))
	for _, p := range m {
		all = append(all, p)
	}
	for _, p := range ps {
		if _, ok := m[p.ID]; !ok {
			all = append(all, p)
		}
	}
	slices.SortFunc(all, func(a, b Peer) int { return strings.Compare(a.ID, b.ID) })
	b, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, droppedFile), append(b, '\n'), 0o600); err != nil {
		return unwritable(dir, err)
	}
	return nil
}

// droppedMarker is in every refusal of a dropped node, which the dropped
// node recognises (rqlite's cluster client passes remote errors as text).
const droppedMarker = "was dropped from this cluster when it was recovered"

// droppedRefusal is what a member tells dropped node id: a recovery on
// node by dropped it.
func droppedRefusal(id, by string) error {
	return fmt.Errorf("node %s %s on node %s (aiex cluster recover)", id, droppedMarker, by)
}

// recoveredOn returns the node named in a refusal by droppedRefusal; "" if
// msg has none.
func recoveredOn(msg string) string {
	const on = droppedMarker + " on node "
	i := strings.Index(msg, on)
	if i < 0 {
		return ""
	}
	by, _, _ := strings.Cut(msg[i+len(on):], " ")
	return by
}

// droppedFrom reports whether id was dropped by a recovery, and by which
// node's: one of this node (its data dir's list), or one recorded in the
// replicated table cluster_dropped, by any member.
func (c *clusterState) droppedFrom(id string) (by string, ok bool) {
	if _, ok := c.dropped[id]; ok {
		return c.self, true
	}
	if c.str == nil {
		return "", false
	}
	// A local read (level NONE) of this node's copy; before the store is
	// open, and before the migration that makes the table, there is none.
	rows, _, err := c.str.Query(&proto.QueryRequest{
		Request: &proto.Request{Statements: []*proto.Statement{{
			Sql:        "SELECT recovered_on FROM cluster_dropped WHERE id = ?",
			Parameters: []*proto.Parameter{{Value: &proto.Parameter_S{S: id}}},
		}}},
		Level: proto.QueryRequest_QUERY_REQUEST_LEVEL_NONE,
	})
	if err != nil || len(rows) != 1 || rows[0].Error != "" || len(rows[0].Values) == 0 || len(rows[0].Values[0].Parameters) == 0 {
		return "", false
	}
	return rows[0].Values[0].Parameters[0].GetS(), true
}

// guardDropped loads the peers dropped by recoveries of the node in dir
// and makes the Raft layer refuse the connections of every dropped node,
// those and the ones the cluster's table lists.
func (c *clusterState) guardDropped(dir, id string, logger *slog.Logger) error {
	dropped, err := loadDropped(dir)
	if err != nil {
		return err
	}
	c.dropped, c.self, c.logger = dropped, id, logger
	c.raft.guard = func(conn net.Conn) net.Conn {
		return &raftGuard{Conn: conn, refuse: func(peer, addr string) error {
			by, ok := c.droppedFrom(peer)
			if !ok {
				return nil
			}
			if _, seen := c.refusedLog.LoadOrStore(peer, true); !seen {
				logger.Warn("refusing Raft traffic from a node dropped by aiex cluster recover; it must rejoin on a new data dir",
					"node", peer, "addr", addr, "recovered_on", by)
			}
			return droppedRefusal(peer, by)
		}}
	}
	return nil
}

// publishDropped writes the peers that recoveries of this node dropped
// into the replicated table cluster_dropped, those not there yet, so that
// every member refuses them too. A recovered node is its cluster's only
// voter when it opens next, so this is its first write after the recovery.
func (s *Store) publishDropped(ctx context.Context) error {
	c := s.c
	if c == nil || len(c.dropped) == 0 {
		return nil
	}
	rows, err := s.Query(ctx, "SELECT id FROM cluster_dropped")
	if err != nil {
		return err
	}
	there := make(map[string]bool, len(rows.Values))
	for _, r := range rows.Values {
		id, _ := r[0].(string)
		there[id] = true
	}
	var stmts []Statement
	now := time.Now()
	for _, id := range slices.Sorted(maps.Keys(c.dropped)) {
		if there[id] {
			continue
		}
		p := c.dropped[id]
		stmts = append(stmts, Stmt(`INSERT INTO cluster_dropped (id, addr, recovered_on, recorded_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			p.ID, p.Addr, s.id, now))
	}
	if len(stmts) == 0 {
		return nil
	}
	if _, err := s.Execute(ctx, stmts...); err != nil {
		return err
	}
	s.logger.Info("recorded the nodes dropped by recovery in the cluster", "nodes", len(stmts))
	return nil
}

// raftGuard wraps a connection accepted on the Raft layer: before Raft
// reads anything, the first RPC's header is decoded to learn the sender,
// and a refused sender's connection fails its first read (Raft drops it).
// Otherwise Raft reads the same bytes, replayed.
type raftGuard struct {
	net.Conn
	refuse func(id, addr string) error
	once   sync.Once
	r      io.Reader
	err    error
}

func (g *raftGuard) Read(p []byte) (int, error) {
	g.once.Do(g.check)
	if g.err != nil {
		return 0, g.err
	}
	return g.r.Read(p)
}

func (g *raftGuard) check() {
	var seen bytes.Buffer
	id, addr, err := raftSender(bufio.NewReader(io.TeeReader(g.Conn, &seen)))
	g.r = io.MultiReader(&seen, g.Conn)
	if err != nil {
		return // Raft reads the same bytes and fails as it would have
	}
	if g.err = g.refuse(id, addr); g.err != nil {
		g.Conn.Close()
	}
}

// raftSender reads the first RPC of a connection to a Raft transport
// (hashicorp/raft's NetworkTransport: a type byte, then the request in
// msgpack) far enough to return the ID and address in its header, which
// every request type embeds.
func raftSender(r *bufio.Reader) (id, addr string, err error) {
	if _, err := r.ReadByte(); err != nil {
		return "", "", err
	}
	var req struct{ raft.RPCHeader }
	if err := codec.NewDecoder(r, &codec.MsgpackHandle{}).Decode(&req); err != nil {
		return "", "", err
	}
	return string(req.ID), string(req.Addr), nil
}

// memberProbe is the query a node sends its peers to learn whether one of
// them leads a cluster without it, and whether that one dropped it
// (leaderWithout). Its parameter is the asking node's ID. A peer that
// dropped the asker answers with its refusal; any other peer runs it (a
// leader answers a row, a follower "not leader"), aiex versions that do not
// know it included.
const memberProbe = "SELECT 'aiex member probe', ?"

func memberProbeRequest(id string) *proto.QueryRequest {
	return &proto.QueryRequest{
		Request: &proto.Request{Statements: []*proto.Statement{{
			Sql:        memberProbe,
			Parameters: []*proto.Parameter{{Value: &proto.Parameter_S{S: id}}},
		}}},
		Level: proto.QueryRequest_QUERY_REQUEST_LEVEL_WEAK,
	}
}

// probeAsker returns the asking node's ID if qr is a member probe.
func probeAsker(qr *proto.QueryRequest) (string, bool) {
	stmts := qr.GetRequest().GetStatements()
	if len(stmts) != 1 || stmts[0].GetSql() != memberProbe || len(stmts[0].GetParameters()) != 1 {
		return "", false
	}
	return stmts[0].GetParameters()[0].GetS(), true
}

// serviceDB is what the cluster service may do to this node's database on a
// peer's behalf: execute, query and request, as forwarded by followers. It
// refuses backups and loads (a load replaces the whole database): the
// layers are the only access control, and aiex never asks for either. It
// answers a member probe from a dropped node with its refusal, takes a
// split notice, and refuses writes once its cluster is known to be one of
// dropped nodes (cluster_split.go).
type serviceDB struct {
	*store.Store
	c  *clusterState
	id string // this node's
}

var errRefused = errors.New("refused: aiex nodes do not serve backups or loads to peers")

func (serviceDB) Backup(*proto.BackupRequest, io.Writer) error { return errRefused }
func (serviceDB) Load(*proto.LoadRequest) error                { return errRefused }

func (d serviceDB) Query(qr *proto.QueryRequest) ([]*proto.QueryRows, uint64, error) {
	if isIdentityProbe(qr) {
		return identityRows(d.id), 0, nil // see cluster_ids.go
	}
	if id, ok := probeAsker(qr); ok {
		if by, dropped := d.c.droppedFrom(id); dropped {
			return nil, 0, droppedRefusal(id, by)
		}
		if d.Store.IsLeader() && !d.isMember(id) {
			return nil, 0, fmt.Errorf("node %s %s", id, notMemberMarker)
		}
	}
	if by, refusal, ok := splitNoticeOf(qr); ok {
		d.c.noticed(by, refusal) // see cluster_split.go
		return []*proto.QueryRows{{}}, 0, nil
	}
	return d.Store.Query(qr)
}

// notMemberMarker is in a leader's answer to the member probe of a node its
// configuration does not list: the node was removed (or never finished
// joining). Older aiex versions answer such a probe with a row, as they
// answer any leader's.
const notMemberMarker = "is not a member of the cluster this node leads"

// isMember reports whether id is in this node's copy of the configuration;
// true when that cannot be read, so that a probe is not told a member was
// removed for a failed read.
func (d serviceDB) isMember(id string) bool {
	nodes, err := d.Store.Nodes()
	return err != nil || slices.ContainsFunc(nodes, func(n *store.Server) bool { return n.ID == id })
}

// serviceManager is the cluster service's membership manager: the store,
// except that a dropped node is not admitted again with its old ID, nor a
// node under the ID of a member running at another address
// (cluster_ids.go).
type serviceManager struct {
	*store.Store
	c  *clusterState
	id string
}

func (m serviceManager) Join(jr *proto.JoinRequest) error {
	if by, dropped := m.c.droppedFrom(jr.GetId()); dropped {
		return droppedRefusal(jr.GetId(), by)
	}
	// Only the leader admits; a follower's Join sends the joiner to it.
	if m.Store.IsLeader() {
		if addr, held := m.c.heldElsewhere(jr); held {
			if _, seen := m.c.refusedLog.LoadOrStore("join "+jr.GetId()+" "+jr.GetAddress(), true); !seen {
				m.c.logger.Warn("refusing a join under the ID of a running member: its data dir or node-id file was copied",
					"node", jr.GetId(), "member_addr", addr, "joining_addr", jr.GetAddress())
			}
			return duplicateRefusal(jr.GetId(), addr)
		}
	}
	return m.Store.Join(jr)
}
