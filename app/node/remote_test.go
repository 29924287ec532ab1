package node

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/aiex-dev/aiex/providers"
)

// TestRemoteSilentNode: a node that did not answer a request is not asked
// again (its targets fail at once) until a newer heartbeat of it arrives;
// then it is.
func TestRemoteSilentNode(t *testing.T) {
	hc := &http.Client{Transport: &http.Transport{ResponseHeaderTimeout: headerTimeout}}
	t.Cleanup(hc.CloseIdleConnections)
	r := &reach{}
	r.heartbeat(time.Unix(100, 0))
	p := &remoteProvider{name: "gone/ollama", node: "gone", addr: meshtest.SilentHost(t), provider: "ollama", kind: "ollama", hc: hc, reach: r}
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
