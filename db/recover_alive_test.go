package db_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestClusterRecoverRefusesLivePeers: Recover asks the peers it would drop
// first. Two running peers of three (a quorum, with a leader) make it
// refuse, dry run included, naming them and saying to start the node; with
// only one peer up, that peer having committed more than this node holds,
// it refuses and names the node to recover on instead. Force skips the
// check. A refusal changes nothing in the dir.
func TestClusterRecoverRefusesLivePeers(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 3, nil)
	stopped := nodes[2]
	for i := range 3 {
		if err := putNode(ctx, nodes[i].s, "before-"+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
	}
	stopped.stop()
	// Writes the stopped node never received.
	for i := range 3 {
		if err := putNode(ctx, nodes[i%2].s, "after-"+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
	}
	probe := dbtest.Listen(t, "127.0.0.1:0") // the recovering command's own dialer
	defer probe.Close()
	peersFile := filepath.Join(stopped.dir, "store", "raft", "peers.json")

	for _, dry := range []bool{true, false} {
		_, err := db.Recover(ctx, db.RecoverConfig{Dir: stopped.dir, DryRun: dry, Dial: probe.Service()})
		var ue *usererr.Error
		if err == nil || !errors.As(err, &ue) || !errors.Is(err, db.ErrHasQuorum) || strings.Contains(err.Error(), "\n") ||
			!strings.Contains(err.Error(), "has a quorum") || !strings.Contains(err.Error(), nodes[0].s.NodeID()) ||
			!strings.Contains(err.Error(), nodes[1].s.NodeID()) || !strings.Contains(err.Error(), "start this node") {
			t.Fatalf("Recover (dry run %v) with both peers up: %v; want one line: the cluster has a quorum (naming both), start this node", dry, err)
		}
	}
	if _, err := os.Stat(peersFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused recovery left %s (%v)", peersFile, err)
	}
	if _, err := os.Stat(filepath.Join(stopped.dir, "dropped")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused recovery recorded dropped nodes (%v)", err)
	}

	// One peer up: with this node, still a quorum.
	nodes[0].crash()
	_, err := db.Recover(ctx, db.RecoverConfig{Dir: stopped.dir, DryRun: true, Dial: probe.Service()})
	if err == nil || !errors.Is(err, db.ErrHasQuorum) || !strings.Contains(err.Error(), "with this node") || !strings.Contains(err.Error(), nodes[1].s.NodeID()) {
		t.Fatalf("Recover with one peer of two up: %v; want: a quorum with this node, start it", err)
	}
}

// TestClusterRecoverNamesNewerPeer: of five nodes, the stopped one and one
// that runs are left; the one that runs committed writes the stopped one
// never received. Recover refuses and names the running node to recover on
// instead; Force recovers anyway, and the dry run says which peer answered.
func TestClusterRecoverNamesNewerPeer(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 5, nil)
	stopped, ahead := nodes[4], nodes[3]
	stopped.stop()
	for i := range 3 {
		if err := putNode(ctx, nodes[i].s, "after-"+string(rune('a'+i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := ahead.s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes[:3] {
		n.crash()
	}
	probe := dbtest.Listen(t, "127.0.0.1:0")
	defer probe.Close()
	_, err := db.Recover(ctx, db.RecoverConfig{Dir: stopped.dir, DryRun: true, Dial: probe.Service()})
	if err == nil || !errors.Is(err, db.ErrNewerPeer) || strings.Contains(err.Error(), "\n") ||
		!strings.Contains(err.Error(), "recover on "+ahead.s.NodeID()) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("Recover with a peer ahead: %v; want a refusal naming %s to recover on instead, and --force", err, ahead.s.NodeID())
	}
	rec, err := db.Recover(ctx, db.RecoverConfig{Dir: stopped.dir, DryRun: true, Force: true, Dial: probe.Service()})
	if err != nil || len(rec.Dropped) != 4 {
		t.Fatalf("forced dry run: %+v, %v; want the four peers dropped", rec, err)
	}
	var answered int
	for _, p := range rec.Dropped {
		if p.Answered {
			answered++
			if p.ID != ahead.s.NodeID() || p.CommitIndex <= rec.LastIndex {
				t.Errorf("forced dry run says %+v answered; this node's log ends at %d", p, rec.LastIndex)
			}
		}
	}
	if answered != 1 {
		t.Errorf("forced dry run: %d peers answered; want 1 (%+v)", answered, rec.Dropped)
	}
}

// plainDialer is a dialer without the cluster's credentials: it connects
// over TCP, closes at once and says whether something listened.
type plainDialer struct{}

func (plainDialer) Dial(addr string, timeout time.Duration) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	c.Close()
	return nil, fmt.Errorf("dial %s: %w", addr, db.ErrListening)
}

// TestClusterRecoverPlainDialer: without the cluster's credentials, a peer
// that takes the connection counts as running: two of three make a quorum,
// and Recover refuses; a crashed peer's closed port does not count.
func TestClusterRecoverPlainDialer(t *testing.T) {
	ctx := context.Background()
	nodes := newCluster(t, 3, nil)
	stopped := nodes[2]
	stopped.stop()
	if _, err := db.Recover(ctx, db.RecoverConfig{Dir: stopped.dir, DryRun: true, Dial: plainDialer{}}); !errors.Is(err, db.ErrHasQuorum) {
		t.Fatalf("Recover with both peers listening: %v; want ErrHasQuorum", err)
	}
	nodes[0].crash()
	nodes[1].crash()
	rec, err := db.Recover(ctx, db.RecoverConfig{Dir: stopped.dir, DryRun: true, Dial: plainDialer{}})
	if err != nil || len(rec.Dropped) != 2 || rec.Dropped[0].Answered || rec.Dropped[1].Answered {
		t.Fatalf("Recover with both peers down: %+v, %v; want a plan dropping two that did not answer", rec, err)
	}
}
