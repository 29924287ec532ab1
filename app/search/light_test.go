package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
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

// clientFixture is cut down from the Go standard library's net/http:
// http.Client, whose field Timeout "specifies a time limit for requests
// made by this Client" among many, and short chunks saying "request" and
// "timeout" that bm25 ranks above it.
var clientFixture = map[string]string{
	"net/http/client.go": `package http

// A Client is an HTTP client. Its zero value (DefaultClient) is a usable
// client that uses DefaultTransport. The Client's Transport typically has
// internal state (cached TCP connections), so Clients should be reused
// instead of created as needed. Clients are safe for concurrent use by
// multiple goroutines.
type Client struct {
	// Transport specifies the mechanism by which individual HTTP
	// requests are sent. If nil, DefaultTransport is used.
	Transport RoundTripper

	// CheckRedirect specifies the policy for handling redirects. If
	// CheckRedirect is not nil, the client calls it before following an
	// HTTP redirect. The arguments req and via are the upcoming request
	// and the requests sent so far, oldest first.
	CheckRedirect func(req *Request, via []*Request) error

	// Jar specifies the cookie jar. The Jar is used to insert relevant
	// cookies into every outbound Request and is updated with the cookie
	// values of every inbound Response.
	Jar CookieJar

	// Timeout specifies a time limit for requests made by this Client.
	// The timeout includes connection time, any redirects, and reading
	// the response body. The timer remains running after Get, Head,
	// Post, or Do return and will interrupt reading of the Response.Body.
	Timeout time.Duration
}
`,
	"net/http/server.go": `package http

// TimeoutHandler returns a Handler that runs h with the given time limit.
// A request that takes longer gets a 503 Service Unavailable: timeout.
func TimeoutHandler(h Handler, dt time.Duration, msg string) Handler {
	return &timeoutHandler{handler: h, body: msg, dt: dt}
}

// timeoutWriter is the writer of a request under a timeout.
type timeoutWriter struct {
	w        ResponseWriter
	req      *Request
	timedOut bool
}

// ErrHandlerTimeout is returned by a request's writer after its timeout.
var ErrHandlerTimeout = errors.New("http: Handler timeout")
`,
	"net/http/transport.go": `package http

// responseHeaderTimeout is the timeout for a request's response headers.
func (cc *ClientConn) responseHeaderTimeout() time.Duration {
	return cc.t.ResponseHeaderTimeout // timeout of the request
}
`,
}

func init() {
	// Other code, so that "request" and "timeout" are rare words.
	var b strings.Builder
	b.WriteString("package other\n")
	for _, w := range []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
		"kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"} {
		fmt.Fprintf(&b, "\n// %s does the %s thing.\nfunc %s() int { return %sCount }\n", w, w, w, w)
	}
	clientFixture["other/other.go"] = b.String()
}

// TestSearchLightVerbNeighbour: a light verb left out of a question
// ("how is a request made with a timeout") still says something next to
// its neighbour: the chunks saying "requests made" with the question's
// words are found though bm25 ranks them past the candidates (three here,
// sixty on the standard library's index, where http.Client was 103rd).
func TestSearchLightVerbNeighbour(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, clientFixture, index.Config{})
	sr := New(Config{Store: s, Candidates: 3})
	res, err := sr.Search(ctx, p.ID, "how is a request made with a timeout", 10)
	if err != nil {
		t.Fatal(err)
	}
	// timeoutWriter, the best by bm25, is as good a hit.
	if got := names(res.Hits); !slices.Contains(got[:min(2, len(got))], "http.Client") {
		t.Errorf("hits %q; want http.Client in the first 2", places(res.Hits))
	}
	// Without the verb, nothing is near it.
	res, err = sr.Search(ctx, p.ID, "request timeout", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) > 0 && res.Hits[0].Name == "http.Client" {
		t.Errorf("hits %q; want the short chunks first", places(res.Hits))
	}
}
