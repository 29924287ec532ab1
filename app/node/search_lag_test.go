package node

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/mesh/meshtest"
)

// TestSearchAfterIndexOnAnotherNode: a search on a follower right after an
// index run through the leader finds the index complete. The follower
// applies the run's last write up to a heartbeat later; the search caught
// up first, rather than warn that no run over the project had finished;
// and a later run's new code is found at once too.
func TestSearchAfterIndexOnAnotherNode(t *testing.T) {
	tcp := meshtest.TCP(t, 2, nil)
	a := startNode(t, "a", tcp[0], nil, nil)
	b := startNode(t, "b", tcp[1], nil, nil, a.Addr())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	root := t.TempDir()
	for name, text := range map[string]string{
		"go.mod":  "module example.com/p\n\ngo 1.22\n",
		"p/p.go":  "package p\n\n// Shutdown stops the server.\nfunc Shutdown() {}\n",
		"p/q.go":  "package p\n\n// Serve serves.\nfunc Serve() { Shutdown() }\n",
		"main.go": "package main\n\nfunc main() {}\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.App().IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
		t.Fatal(err)
	}
	res, err := b.App().Search(ctx, root, "shutdown", 5)
	if err != nil {
		t.Fatalf("search on b right after the index run on a: %v", err)
	}
	if res.Incomplete || len(res.Hits) == 0 {
		t.Fatalf("search on b right after the index run on a: incomplete %v, %d hits; want the complete index", res.Incomplete, len(res.Hits))
	}
	// Runs that add a file: its code is found on b at once too (the
	// index was complete already, and b read what it had).
	for i := range 3 {
		word := fmt.Sprintf("Zanzibar%d", i)
		if err := os.WriteFile(filepath.Join(root, "p", word+".go"), []byte("package p\n\n// "+word+" is new.\nfunc "+word+"() {}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := a.App().IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
			t.Fatal(err)
		}
		res, err := b.App().Search(ctx, root, word, 5)
		if err != nil || len(res.Hits) == 0 {
			t.Fatalf("search on b for %s right after the run on a that indexed it: %v, %d hits", word, err, len(res.Hits))
		}
	}
}
