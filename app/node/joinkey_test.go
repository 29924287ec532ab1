package node

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/mesh"
	"github.com/aiex-dev/aiex/mesh/meshtest"
)

// TestJoinWithAnotherKeyFailsAtOnce: a peer's refusal of this node's
// cluster key is certain, so the join gives up at once, saying which key
// to use, instead of trying again until its deadline.
func TestJoinWithAnotherKeyFailsAtOnce(t *testing.T) {
	a := startNode(t, "alpha", meshtest.TCP(t, 1, nil)[0], nil, nil)
	stranger := meshtest.TCP(t, 1, func(_ int, c *mesh.TCPConfig) { c.Node = "stranger" })[0]
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	_, err := Start(ctx, Config{App: app.Config{DataDir: filepath.Join(short(t), "s")}, Transport: stranger,
		Join: []string{a.Addr()}, Heartbeat: 100 * time.Millisecond})
	if err == nil {
		t.Fatal("a node with another key joined")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the refused join failed after %v; want at once", took.Round(time.Second))
	}
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, "refused: another cluster key") || !strings.Contains(ue.Msg, "--cluster-key") {
		t.Errorf("join error %q; want the refusal of the key, and which key to start with", err)
	}
}

// TestJoinThroughAnotherProgramSaysSo: --join at the address of a server
// that is not an aiex node (Ollama's, say) fails at once, saying so,
// rather than that there is no leader there.
func TestJoinThroughAnotherProgramSaysSo(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "Ollama is running") }))
	defer web.Close()
	peer := strings.TrimPrefix(web.URL, "http://")
	tr := meshtest.TCP(t, 1, nil)[0]
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	_, err := Start(ctx, Config{App: app.Config{DataDir: filepath.Join(short(t), "s")}, Transport: tr,
		Join: []string{peer}, Heartbeat: 100 * time.Millisecond})
	if err == nil {
		t.Fatal("joined through a web server")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the join failed after %v; want at once", took.Round(time.Second))
	}
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, peer+": not an aiex node") || strings.Contains(ue.Msg, "no leader") {
		t.Errorf("join error %q; want it to say no aiex node answers at %s", err, peer)
	}
}
