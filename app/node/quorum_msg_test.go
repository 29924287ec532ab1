package node

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/mesh/meshtest"
)

// TestNoQuorumErrorsThroughTheNode: a command's remove or leave, run by a
// node left with 1 of its 3 voters, fails with the store's sentence for the
// user — the cluster cannot write, 1 of 3 reachable, what to do — on one
// line, as a user error: not the Go call that failed ("db.Remove …",
// "db.Leave …") behind the client's "node:" prefix.
func TestNoQuorumErrorsThroughTheNode(t *testing.T) {
	tcp := meshtest.TCP(t, 3, nil)
	n0 := startSpec(t, nodeSpec{name: "n0", tr: tcp[0]})
	n1 := startSpec(t, nodeSpec{name: "n1", tr: tcp[1], join: []string{n0.Addr()}})
	n2 := startSpec(t, nodeSpec{name: "n2", tr: tcp[2], join: []string{n0.Addr()}})
	within(t, 15*time.Second, "three members", func() bool {
		ms, err := n1.App().Store.Members(context.Background())
		return err == nil && len(ms) == 3
	})
	gone := n2.App().Store.NodeID()
	for _, n := range []*Node{n2, n0} {
		if err := n.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	cl, err := Connect(context.Background(), n1.App().Store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	for what, call := range map[string]func() error{
		"remove": func() error { return cl.Remove(context.Background(), gone) },
		"leave":  func() error { return cl.Leave(context.Background()) },
	} {
		err := call()
		ue := usererr.As(err)
		if ue == nil {
			t.Errorf("%s without quorum: %v (%T); want a user error", what, err, err)
			continue
		}
		msg := ue.Msg
		if !errors.Is(err, db.ErrNoQuorum) {
			t.Errorf("%s without quorum: %v; want it to match db.ErrNoQuorum", what, err)
		}
		if !strings.Contains(msg, "the cluster has no quorum: 1 of 3 nodes reachable") || !strings.Contains(msg, "writes wait") ||
			!strings.Contains(msg, "start the nodes that are down") || !strings.Contains(msg, "aiex cluster status") ||
			strings.Contains(msg, "db.") || strings.HasPrefix(msg, "node:") || strings.Contains(msg, "\n") {
			t.Errorf("%s without quorum: %q; want the cluster's no-quorum sentence, on one line, with no Go names", what, msg)
		}
	}
}
