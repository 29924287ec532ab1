// Package dbtest opens throwaway embedded stores for tests.
package dbtest

import (
	"context"
	"log/slog"
	"testing"

	"github.com/aiex-dev/aiex/db"
)

// Open opens a single-node store in a fresh temp dir, closed when the test
// ends.
func Open(t testing.TB) *db.Store {
	t.Helper()
	return OpenDir(t, t.TempDir())
}

// OpenDir opens a single-node store in dir, closed when the test ends.
func OpenDir(t testing.TB, dir string) *db.Store {
	t.Helper()
	s, err := db.Open(context.Background(), db.Config{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("db.Open(%s): %v", dir, err)
	}
	t.Cleanup(func() {
		if err := s.Close(context.Background()); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s
}

// OpenCluster opens a cluster of n nodes on loopback, each with its own temp
// dir and Host: the first bootstraps, the others join it. Everything is
// closed when the test ends. The first store returned is the leader.
func OpenCluster(t testing.TB, n int) []*db.Store {
	t.Helper()
	var out []*db.Store
	var join []string
	for range n {
		h := Listen(t, "127.0.0.1:0")
		s, err := db.Open(context.Background(), db.Config{
			Dir: t.TempDir(),
			Cluster: &db.ClusterConfig{
				Raft: h.Raft(), Service: h.Service(), Advertise: h.Addr(), Join: join,
			},
		})
		if err != nil {
			t.Fatalf("db.Open node %d: %v", len(out), err)
		}
		t.Cleanup(func() {
			if err := s.Close(context.Background()); err != nil {
				t.Errorf("close store: %v", err)
			}
		})
		out = append(out, s)
		join = []string{h.Addr()}
	}
	return out
}
