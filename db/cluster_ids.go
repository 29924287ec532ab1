package db

// A node's ID is who it is in Raft's configuration, and it lives in the
// data dir (node-id). A data dir copied to another machine, or a node-id
// file copied into a new one, carries a member's ID: started there with a
// join, the copy asks to be admitted at its own address, and rqlite's Join
// takes that for the member having moved. It removes the member's entry and
// adds the copy at the new address; the member, still running, finds
// itself removed, and the copy takes its place. A node that really moved
// (restarted on a new IP) joins in the same way and must be admitted.
//
// What tells them apart is whether the member still answers at its old
// address. So the leader, before it admits a join whose ID the
// configuration holds at another address, asks that address who it is (an
// identity probe on the cluster service, answered by every aiex node
// whether it leads or not) and refuses the join if that is the member
// itself. The refusal names the address; the joining node stops at once
// with a one-line error saying what to do, instead of retrying until its
// open times out.

import (
	"fmt"
	"strings"

	"github.com/rqlite/rqlite/v8/command/proto"
	"github.com/rqlite/rqlite/v8/store"
)

// identityProbe is the query a leader sends an address to learn which node
// answers there. The cluster service of an aiex node answers it with its
// own ID (serviceDB.Query), without Raft; an older aiex leader runs it as
// SQL, and an older follower answers "not leader".
const identityProbe = "SELECT 'aiex node id'"

func identityProbeRequest() *proto.QueryRequest {
	return &proto.QueryRequest{
		Request: &proto.Request{Statements: []*proto.Statement{{Sql: identityProbe}}},
		Level:   proto.QueryRequest_QUERY_REQUEST_LEVEL_NONE,
	}
}

// isIdentityProbe reports whether qr is an identity probe.
func isIdentityProbe(qr *proto.QueryRequest) bool {
	stmts := qr.GetRequest().GetStatements()
	return len(stmts) == 1 && stmts[0].GetSql() == identityProbe
}

// identityRows is this node's answer to an identity probe.
func identityRows(id string) []*proto.QueryRows {
	return []*proto.QueryRows{{
		Columns: []string{"aiex_node_id"},
		Types:   []string{"text"},
		Values:  []*proto.Values{{Parameters: []*proto.Parameter{{Value: &proto.Parameter_S{S: id}}}}},
	}}
}

// identityOf returns the ID in an answer to an identity probe; false if
// the answer names none (an older aiex node ran the probe as SQL).
func identityOf(rows []*proto.QueryRows) (string, bool) {
	if len(rows) != 1 || len(rows[0].GetColumns()) != 1 || rows[0].GetColumns()[0] != "aiex_node_id" ||
		len(rows[0].GetValues()) != 1 || len(rows[0].GetValues()[0].GetParameters()) != 1 {
		return "", false
	}
	return rows[0].GetValues()[0].GetParameters()[0].GetS(), true
}

// duplicateMarker is in every refusal of a join under a running member's
// ID, which the joining node recognises (rqlite's cluster client passes
// remote errors as text); the member's address follows it.
const duplicateMarker = "is the ID of a running member of this cluster, at "

// duplicateRefusal is what the leader tells a node joining under the ID of
// the member running at addr.
func duplicateRefusal(id, addr string) error {
	return fmt.Errorf("node ID %s %s%s", id, duplicateMarker, addr)
}

// heldAt returns the address of the running member whose ID is in a
// refusal by duplicateRefusal; false if msg is no such refusal.
func heldAt(msg string) (string, bool) {
	_, addr, ok := strings.Cut(msg, duplicateMarker)
	if !ok {
		return "", false
	}
	addr, _, _ = strings.Cut(addr, " ")
	return addr, true
}

// heldElsewhere says, on the leader, whether the ID of join request jr is
// that of a member running at another address, and that address. The
// configuration's entry for the ID is the member's last address: if nothing
// answers there within probeTimeout, or another node does, the member has
// moved (or is gone) and the join may take its place.
func (c *clusterState) heldElsewhere(jr *proto.JoinRequest) (string, bool) {
	servers, err := c.str.Nodes()
	if err != nil {
		return "", false // rqlite's Join reads the configuration again, and fails the same way
	}
	var old *store.Server
	for _, srv := range servers {
		if srv.ID == jr.GetId() {
			old = srv
		}
	}
	if old == nil || old.Addr == jr.GetAddress() {
		return "", false // a new node, or a member joining again at its address
	}
	if old.ID == c.self {
		return old.Addr, true // this node, which leads: running, obviously
	}
	answers := c.askPeers([]*store.Server{old}, identityProbeRequest())
	if len(answers) == 0 {
		return "", false // no answer: moved, or down
	}
	a := answers[0]
	switch {
	case a.err == nil:
		id, ok := identityOf(a.rows)
		// An older aiex leader ran the probe as SQL: something of the
		// cluster's answers there, and most likely the member itself.
		return old.Addr, !ok || id == old.ID
	case a.err.Error() == store.ErrNotLeader.Error():
		return old.Addr, true // an older aiex follower answered
	}
	return "", false // the dial or the exchange failed: nobody answers there
}
