package node

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/mesh"
	"github.com/aiex-dev/aiex/mesh/meshtest"
)

// TestRecoverAsksPeers: of three nodes over plain TCP, one stops while the
// other two keep their leader. Recover, given the dialer of RecoverDialer,
// refuses to drop them, with the cluster key (which learns how far each
// is), without it (which learns only that they listen), and with a wrong
// key (whose handshake they refuse, which they could not if down).
func TestRecoverAsksPeers(t *testing.T) {
	var key mesh.Key
	tcp := meshtest.TCP(t, 3, func(i int, cfg *mesh.TCPConfig) { key = cfg.Key })
	a := startSpec(t, nodeSpec{name: "a", tr: tcp[0]})
	b := startSpec(t, nodeSpec{name: "b", tr: tcp[1], join: []string{a.Addr()}})
	c := startSpec(t, nodeSpec{name: "c", tr: tcp[2], join: []string{a.Addr()}})
	dir := c.App().Store.Dir()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{key.Text(), ""} {
		dial, release, err := RecoverDialer(k)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Recover(ctx, RecoverConfig{Dir: dir, DryRun: true, Dial: dial})
		release()
		if !errors.Is(err, db.ErrHasQuorum) || !strings.Contains(err.Error(), a.App().Store.NodeID()) || !strings.Contains(err.Error(), b.App().Store.NodeID()) {
			t.Errorf("Recover (key given: %v) with two live peers: %v; want a refusal naming both", k != "", err)
		}
	}
	other, err := mesh.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	dial, release, err := RecoverDialer(other.Text())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if _, err := Recover(ctx, RecoverConfig{Dir: dir, DryRun: true, Dial: dial}); !errors.Is(err, db.ErrHasQuorum) {
		t.Errorf("Recover with another cluster's key: %v; want ErrHasQuorum (the peers refused the key, so they run)", err)
	}
}
