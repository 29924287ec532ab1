package cli

import (
	"context"
	"net"
	"path/filepath"
	"testing"

	"github.com/aiex-dev/aiex/app/node"
)

// A node going away may take a request's connection and close it before
// answering: the client's error is dropped (a read is then asked again of
// whoever serves next, viaNodeRead), not a failure of the command.
func TestDroppedByAGoingNode(t *testing.T) {
	dir := t.TempDir()
	l, err := net.Listen("unix", filepath.Join(dir, node.SocketName))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			conn.Close() // taken, never answered
		}
	}()
	cl, err := node.Connect(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = cl.History(context.Background(), 1)
	if err == nil || !dropped(err) {
		t.Fatalf("history from a node that closes unanswered: %v; want it dropped", err)
	}
	if notReached(err) {
		t.Fatalf("%v reads as not reached: a write would be sent again", err)
	}
}
