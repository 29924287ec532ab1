package node

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/mesh/meshtest"
)

// syncBuffer is a log sink the node's goroutines may write to.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestNodeNoticesDataDirDeleted: a data dir deleted under a running node
// closes the node's Lost, with an error naming the dir, and the node logs
// it once, as an error.
func TestNodeNoticesDataDirDeleted(t *testing.T) {
	tcp := meshtest.TCP(t, 1, nil)
	dir := filepath.Join(short(t), "solo")
	var logs syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	n, err := Start(ctx, Config{
		App:       app.Config{DataDir: dir, Version: "test", Getenv: func(string) string { return "" }},
		Transport: tcp[0], Name: "solo", Heartbeat: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelError})),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		n.Close(ctx)
	})
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	select {
	case <-n.Lost():
	case <-time.After(10 * time.Second):
		t.Fatal("the node did not notice its data dir was deleted")
	}
	if err := n.LostErr(); err == nil || !strings.Contains(err.Error(), "data dir "+dir+" was deleted") {
		t.Fatalf("LostErr = %v", err)
	}
	waitFor(t, "the node's error log", func() bool { return strings.Contains(logs.String(), "was deleted or replaced") })
	time.Sleep(300 * time.Millisecond) // three heartbeats: said once, not at each
	if c := strings.Count(logs.String(), "was deleted or replaced"); c != 1 {
		t.Fatalf("logged %d times:\n%s", c, logs.String())
	}
}
