package node

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/providers"
)

// silentHost accepts connections and never answers, as a node that
// vanished from a tailnet looks to a request on a pooled connection.
func silentHost(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// TestRemoteSilentNode: a node that did not answer a request is not asked
// again (its targets fail at once) until a newer heartbeat of it arrives;
// then it is.
func TestRemoteSilentNode(t *testing.T) {
	hc := &http.Client{Transport: &http.Transport{ResponseHeaderTimeout: headerTimeout}}
	t.Cleanup(hc.CloseIdleConnections)
	r := &reach{}
	r.heartbeat(time.Unix(100, 0))
	p := &remoteProvider{name: "gone/ollama", node: "gone", addr: silentHost(t), provider: "ollama", kind: "ollama", hc: hc, reach: r}
	chat := func() (time.Duration, error) {
		start := time.Now()
		_, err := p.Chat(context.Background(), providers.Request{Model: "tiny"}, func(providers.Chunk) error { return nil })
		return time.Since(start), err
	}

	took, err := chat()
	if providers.KindOf(err) != providers.KindUnavailable || took < headerTimeout {
		t.Fatalf("first request to a silent node: %v after %v; want unavailable after the header timeout (%v)", err, took, headerTimeout)
	}
	took, err = chat()
	if providers.KindOf(err) != providers.KindUnavailable || !strings.Contains(err.Error(), "did not answer") || took > 100*time.Millisecond {
		t.Fatalf("second request: %v after %v; want it to fail at once, naming the silence", err, took)
	}
	// The same heartbeat again changes nothing; a newer one means the node
	// is alive somewhere: it is asked again.
	r.heartbeat(time.Unix(100, 0))
	if _, err := chat(); !strings.Contains(err.Error(), "did not answer") {
		t.Fatalf("after the same heartbeat: %v; want the node still silent", err)
	}
	r.heartbeat(time.Unix(102, 0))
	took, err = chat()
	if providers.KindOf(err) != providers.KindUnavailable || strings.Contains(err.Error(), "did not answer") || took < headerTimeout {
		t.Fatalf("after a newer heartbeat: %v after %v; want the node asked again", err, took)
	}
}
