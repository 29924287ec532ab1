package search

import (
	"context"
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
)

// consistFixture is cut down from rqlite v8.43.4's store: Query, which
// makes reads consistent (its levels, linearizable and strong), says
// "consistency" and "read"; Database's comment says "made consistent";
// Backup and others say "made" and "read" about other things.
var consistFixture = map[string]string{
	"store/store.go": `package store

// Query executes queries that return rows, and do not modify the database.
func (s *Store) Query(qr *QueryRequest) ([]*Rows, error) {
	if !s.open.Is() {
		return nil, ErrNotOpen
	}
	if qr.Level == QueryRequest_QUERY_REQUEST_LEVEL_STRONG {
		// Strong consistency: the read goes through the Raft log.
		return s.execute(qr)
	}
	if qr.Level == QueryRequest_QUERY_REQUEST_LEVEL_LINEARIZABLE {
		// Linearizable consistency: confirm leadership, then read.
		if err := s.VerifyLeader(); err != nil {
			return nil, err
		}
		return s.db.Query(qr.Request)
	}
	if qr.Level == QueryRequest_QUERY_REQUEST_LEVEL_NONE && s.raft.State() != raft.Leader {
		// No consistency: read from the local database, however stale.
		return s.db.Query(qr.Request)
	}
	if s.raft.State() != raft.Leader {
		return nil, ErrNotLeader
	}
	return s.db.Query(qr.Request)
}

// Database returns a copy of the underlying database. The caller should
// ensure that no transaction is taking place during this call, or a read
// of the copy may not be consistent. No guarantee is made about the
// database if a write is made while it is copied.
func (s *Store) Database(leader bool) ([]byte, error) {
	if leader && s.raft.State() != raft.Leader {
		return nil, ErrNotLeader
	}
	return s.db.Serialize()
}

// Backup writes a backup of the node state to dst. The backup is made
// from a copy, read while no write is made.
func (s *Store) Backup(br *BackupRequest, dst io.Writer) error {
	return s.db.Backup(dst)
}

// ReadFrom reads data from r, and loads it into the database. A copy is
// made first.
func (s *Store) ReadFrom(r io.Reader) (int64, error) {
	return io.Copy(s.db, r)
}

// Snapshot is made of the database as read at that time.
func (s *Store) Snapshot() error { return s.snapshot() }
`,
	"wal/reader.go": `package wal

// ReadHeader reads the header; the check of its salt is made after it is read.
func (r *Reader) ReadHeader() error { return r.readHeader() }
`,
}

// TestSearchLightVerbs: a question's "made" (how are reads made
// consistent) asks about what is made so, not about making: rare in code,
// it was the rarest of the question's words, held by few chunks' prose,
// and rqlite's store.(*Store).Query, which holds "read" and
// "consistency" but not "made", was not in the first 40.
func TestSearchLightVerbs(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, consistFixture, index.Config{})
	sr := New(Config{Store: s})
	res, err := sr.Search(ctx, p.ID, "how are reads made consistent", 10)
	if err != nil {
		t.Fatal(err)
	}
	// Database's comment says "read" and "consistent" too.
	if got := names(res.Hits); !slices.Contains(got[:min(2, len(got))], "store.(*Store).Query") {
		t.Errorf("hits %q; want store.(*Store).Query in the first 2", places(res.Hits))
	}
	if slices.Contains(res.Terms, "made") {
		t.Errorf("terms %q hold the question's made", res.Terms)
	}
}
