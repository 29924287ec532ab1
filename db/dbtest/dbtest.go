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
