package node

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/providers"
)

// refusedAddr is an address on this machine where nothing listens: a
// connection to it is refused, as one to a node that is not running is.
func refusedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestRemoteRefusedNode: a node whose API refuses the connection (it is
// not running) is known down until a newer heartbeat of it arrives: its
// providers say so (HostDown), once and without the Go error, and the
// coordinator's retries fail at once instead of each dialling it again.
func TestRemoteRefusedNode(t *testing.T) {
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(hc.CloseIdleConnections)
	addr := refusedAddr(t)
	r := &reach{}
	r.heartbeat(time.Unix(100, 0))
	p := &remoteProvider{name: "n1/slow", node: "n1", addr: addr, provider: "slow", kind: "ollama", hc: hc, reach: r}
	if why, down := p.HostDown(); down {
		t.Fatalf("before any request: HostDown = %q; want the node not known down", why)
	}
	want := "node n1 (" + addr + ") is not reachable"
	_, err := p.Chat(context.Background(), providers.Request{Model: "tiny"}, func(providers.Chunk) error { return nil })
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Kind != providers.KindUnavailable || pe.Message != want {
		t.Fatalf("request to a node that refuses: %v; want unavailable, %q", err, want)
	}
	if why, down := p.HostDown(); !down || why != want {
		t.Fatalf("after the refusal: HostDown = %q, %v; want %q, true", why, down, want)
	}
	_, err = p.Chat(context.Background(), providers.Request{Model: "tiny"}, func(providers.Chunk) error { return nil })
	if !errors.As(err, &pe) || !strings.HasPrefix(pe.Message, want+": it did not answer") || strings.Contains(pe.Message, "Post ") {
		t.Fatalf("second request: %v; want it failed at once as the node known down", err)
	}
	r.heartbeat(time.Unix(102, 0))
	if why, down := p.HostDown(); down {
		t.Fatalf("after a newer heartbeat: HostDown = %q; want the node no longer known down", why)
	}
}
