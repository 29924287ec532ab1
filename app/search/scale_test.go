package search

import (
	"context"
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
)

// scaleFixture is cut down from rqlite v8.43.4: a test whose short body
// says "read" and "consistency" over and over, store.(*Store).Query,
// long, which says both and implements the levels, and a reader's Read,
// short, which says "read" alone.
var scaleFixture = map[string]string{
	"store/store.go": `package store

// Query executes queries that return rows, and do not modify the database.
// If the request read consistency level is LINEARIZABLE, that level may be
// upgraded to STRONG if the Store determines that is necessary.
func (s *Store) Query(qr *QueryRequest) ([]*Rows, error) {
	if !s.open.Is() {
		return nil, ErrNotOpen
	}
	if qr.Level == QueryRequest_QUERY_REQUEST_LEVEL_AUTO {
		qr.Level = QueryRequest_QUERY_REQUEST_LEVEL_WEAK
		isVoter, err := s.IsVoter()
		if err != nil {
			return nil, err
		}
		if !isVoter {
			qr.Level = QueryRequest_QUERY_REQUEST_LEVEL_NONE
		}
	}
	if qr.Level == QueryRequest_QUERY_REQUEST_LEVEL_LINEARIZABLE {
		// The term is checked when heartbeat processing completes, so
		// that the leader did not change during the processing.
		if err := s.VerifyLeader(); err != nil {
			return nil, err
		}
		term := s.raft.CurrentTerm()
		if s.strongReadTerm.Load() != term {
			qr.Level = QueryRequest_QUERY_REQUEST_LEVEL_STRONG
		}
	}
	if qr.Level == QueryRequest_QUERY_REQUEST_LEVEL_STRONG {
		b, compressed, err := s.reqMarshaller.Marshal(qr)
		if err != nil {
			return nil, err
		}
		af, err := s.raft.Apply(b, s.ApplyTimeout).(raft.ApplyFuture)
		if err != nil {
			return nil, s.handleApplyError(err, compressed)
		}
		return af.Response().(*fsmQueryResponse).rows, nil
	}
	if qr.Level == QueryRequest_QUERY_REQUEST_LEVEL_NONE && qr.Freshness > 0 {
		if time.Since(s.raft.LastContact()) > time.Duration(qr.Freshness) {
			return nil, ErrStaleRead
		}
	}
	if s.raft.State() != raft.Leader && qr.Level != QueryRequest_QUERY_REQUEST_LEVEL_NONE {
		return nil, ErrNotLeader
	}
	return s.db.Query(qr.Request, qr.Timings)
}
`,
	"store/store_test.go": `package store

// Test_ReadConsistency: a read at each consistency level reads what was written.
func Test_ReadConsistency(t *testing.T) {
	for _, l := range consistencyLevels {
		read(t, l) // read with consistency l
	}
}
`,
	"progress/progress.go": `package progress

// Read reads from the underlying reader, and counts the bytes read.
func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.reader.Read(p)
	c.count += int64(n)
	return n, err
}
`,
}

// TestSearchScaleByCode: the hits holding every word are scaled by the
// best of them that weighs in full, not by a test's bm25: the test held
// store.(*Store).Query, which holds both words of the question, at a
// fraction of 1, under (*CountingReader).Read, the best of the hits
// holding one word and so at relaxedShare.
func TestSearchScaleByCode(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, scaleFixture, index.Config{})
	sr := New(Config{Store: s})
	res, err := sr.Search(ctx, p.ID, "how are reads made consistent", 10)
	if err != nil {
		t.Fatal(err)
	}
	got := names(res.Hits)
	if i, j := slices.Index(got, "store.(*Store).Query"), slices.Index(got, "progress.(*CountingReader).Read"); i != 0 || j < 0 {
		t.Errorf("hits %q; want store.(*Store).Query first, progress.(*CountingReader).Read after", places(res.Hits))
	}
}
