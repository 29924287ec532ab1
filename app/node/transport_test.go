package node

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/mesh"
)

// TestTransportListenInUse: a --listen address another program holds is
// one plain sentence naming the address and what to do, with no Go
// internals (mesh.NewTCP, listen tcp, bind).
func TestTransportListenInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	key, err := mesh.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTransport(context.Background(), t.TempDir(), MeshConfig{Listen: l.Addr().String(), Key: key.Text(), Node: "n"})
	if err == nil {
		tr.Close()
		t.Fatal("listened on an address in use")
	}
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, l.Addr().String()) || !strings.Contains(ue.Msg, "in use") ||
		strings.Contains(ue.Msg, "mesh.") || strings.Contains(ue.Msg, "bind") {
		t.Errorf("listen on an address in use: %v; want one plain sentence", err)
	}
}

// TestTransportPlainTCPUsers: allowed users on plain TCP, where no peer has
// a login to match them, are refused in words the user knows, not in the
// mesh's Go field names (AllowUsers, AllowTags).
func TestTransportPlainTCPUsers(t *testing.T) {
	key, err := mesh.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTransport(context.Background(), t.TempDir(), MeshConfig{Listen: "127.0.0.1:0", Key: key.Text(), Node: "n",
		AllowUsers: []string{"alice@example.com"}, AllowTags: []string{"tag:aiex"}})
	if err == nil {
		tr.Close()
		t.Fatal("listened with allowed users on plain TCP")
	}
	ue := usererr.As(err)
	if ue == nil || ue.ExitCode() != usererr.ExitUsage || !strings.Contains(ue.Msg, "tailnet nodes only") || strings.Contains(ue.Msg, "Allow") {
		t.Errorf("allowed users on plain TCP: %v; want a usage error in plain words", err)
	}
}
