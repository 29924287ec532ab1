package search

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
)

// storeFixture is cut down from rqlite v8.43.4: groups of metric names
// whose every member holds a question's words, a changelog that says
// them in every entry, and statements executed through thin wrappers of
// the one method that executes them.
var storeFixture = map[string]string{
	"store/store.go": `package store

const (
	snapshotsDirName          = "rsnapshots"
	restoreScratchPattern     = "rqlite-restore-*"
	bootScatchPattern         = "rqlite-boot-*"
	backupScratchPattern      = "rqlite-backup-*"
	walSnapshotScratchPattern = "rqlite-wal-snapshot-*"
	raftDBPath                = "raft.db"
	applyTimeout              = 10 * time.Second
)

const (
	numSnapshots            = "num_snapshots"
	numSnapshotsFailed      = "num_snapshots_failed"
	numUserSnapshots        = "num_user_snapshots"
	numUserSnapshotsFailed  = "num_user_snapshots_failed"
	numWALSnapshots         = "num_wal_snapshots"
	numWALSnapshotsFailed   = "num_wal_snapshots_failed"
	numSnapshotsFull        = "num_snapshots_full"
	numSnapshotsIncremental = "num_snapshots_incremental"
	numRestores             = "num_restores"
	numRestoresFailed       = "num_restores_failed"
	numCompressedCommands   = "num_compressed_commands"
	numUncompressedCommands = "num_uncompressed_commands"
)

// Store is a node's store.
type Store struct{ dbDir string }

// fsmRestore restores the node to a previous state. The Hashicorp docs state this
// will not be called concurrently with Apply(), so synchronization with Execute()
// is not necessary.
func (s *Store) fsmRestore(rc io.ReadCloser) (retErr error) {
	defer func() {
		if retErr != nil {
			stats.Add(numRestoresFailed, 1)
		}
	}()
	s.logger.Printf("initiating node restore on node ID %s", s.raftID)
	startT := time.Now()

	// Create a scatch file to write the restore data to.
	tmpFile, err := createTemp(s.dbDir, restoreScratchPattern)
	if err != nil {
		return fmt.Errorf("error creating temporary file for restore operation: %v", err)
	}
	defer os.Remove(tmpFile.Name())
	defer tmpFile.Close()

	// Copy it from the reader to the temporary file.
	_, err = io.Copy(tmpFile, rc)
	if err != nil {
		return fmt.Errorf("error copying restore data: %v", err)
	}
	if err := s.db.Swap(tmpFile.Name(), s.dbConf.FKConstraints, true); err != nil {
		return fmt.Errorf("error swapping database file: %v", err)
	}
	s.logger.Printf("successfully opened database at %s due to restore", s.db.Path())

	li, tm, err := snapshot.LatestIndexTerm(s.snapshotDir)
	if err != nil {
		return fmt.Errorf("failed to get latest snapshot index post restore: %s", err)
	}
	s.fsmIdx.Store(li)
	s.fsmTerm.Store(tm)
	stats.Add(numRestores, 1)
	s.logger.Printf("node restored in %s", time.Since(startT))
	rc.Close()
	return nil
}

// Snapshot takes a snapshot of the database.
func (s *Store) Snapshot(n uint64) error {
	stats.Add(numUserSnapshots, 1)
	return s.raft.Snapshot().Error()
}

// tryCompress attempts to compress the given command. If the command is
// successfully compressed, the compressed byte slice is returned, along with
// a boolean true. If the command cannot be compressed, the uncompressed byte
// slice is returned, along with a boolean false. The stats are updated
// accordingly.
func (s *Store) tryCompress(rq command.Requester) ([]byte, bool, error) {
	b, compressed, err := s.reqMarshaller.Marshal(rq)
	if err != nil {
		return nil, false, err
	}
	if compressed {
		stats.Add(numCompressedCommands, 1)
	} else {
		stats.Add(numUncompressedCommands, 1)
	}
	return b, compressed, nil
}
`,
	"store/fsm.go": `package store

// FSM is a wrapper around the Store which implements raft.FSM.
type FSM struct {
	s *Store
}

// Snapshot returns a Snapshot of the Store
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	return f.s.fsmSnapshot()
}

// Restore restores the Store from a snapshot.
func (f *FSM) Restore(rc io.ReadCloser) error {
	return f.s.fsmRestore(rc)
}
`,
	"command/marshal.go": `package command

const (
	numRequests             = "num_requests"
	numCompressedRequests   = "num_compressed_requests"
	numUncompressedRequests = "num_uncompressed_requests"
	numCompressedBytes      = "num_compressed_bytes"
	numPrecompressedBytes   = "num_precompressed_bytes"
	numUncompressedBytes    = "num_uncompressed_bytes"
	numCompressionMisses    = "num_compression_misses"
)

// RequestMarshaler marshals Request objects, potentially performing
// gzip compression.
type RequestMarshaler struct {
	BatchThreshold   int
	SizeThreshold    int
	ForceCompression bool
}

// Marshal marshals a Requester object, returning a byte slice, a bool
// indicating whether the contents are compressed, or an error.
func (m *RequestMarshaler) Marshal(r Requester) ([]byte, bool, error) {
	stats.Add(numRequests, 1)
	compress := false

	stmts := r.GetRequest().GetStatements()
	if len(stmts) >= m.BatchThreshold {
		compress = true
	}
	b, err := pb.Marshal(r)
	if err != nil {
		return nil, false, err
	}
	ubz := len(b)
	stats.Add(numPrecompressedBytes, int64(ubz))

	if compress {
		// Let's try compression.
		gzData, err := gzCompress(b)
		if err != nil {
			return nil, false, err
		}

		// Is compression better?
		if ubz > len(gzData) || m.ForceCompression {
			b = gzData
			stats.Add(numCompressedRequests, 1)
			stats.Add(numCompressedBytes, int64(len(b)))
		} else {
			compress = false
			stats.Add(numCompressionMisses, 1)
		}
	} else {
		stats.Add(numUncompressedRequests, 1)
		stats.Add(numUncompressedBytes, int64(len(b)))
	}
	return b, compress, nil
}
`,
	"CHANGELOG.md": `# Changelog

## v8.20.0
- Restore a node's database from a snapshot faster: the snapshot is
  streamed to the database, and a node restores it in place.

## v8.19.0
- A node restores its database from the latest snapshot at start-up,
  so a restore from a snapshot no longer reads the whole log.

## v8.18.0
- Fix a crash when a node restores a database from a snapshot
  that another node wrote while its database was restoring.
`,
	"db/db.go": `package db

// DB is the SQL database.
type DB struct{ rwDB *sql.DB }

// ExecuteStringStmtWithTimeout executes a single query that modifies the database.
// It also sets a timeout for the query. This is primarily a convenience function.
func (db *DB) ExecuteStringStmtWithTimeout(query string, timeout time.Duration) ([]*command.ExecuteQueryResponse, error) {
	r := &command.Request{
		Statements: []*command.Statement{
			{
				Sql: query,
			},
		},
		DbTimeout: int64(timeout),
	}
	return db.Execute(r, false)
}

// ExecuteStringStmt executes a single query that modifies the database. This is
// primarily a convenience function.
func (db *DB) ExecuteStringStmt(query string) ([]*command.ExecuteQueryResponse, error) {
	r := &command.Request{
		Statements: []*command.Statement{
			{
				Sql: query,
			},
		},
	}
	return db.Execute(r, false)
}

// Execute executes queries that modify the database.
func (db *DB) Execute(req *command.Request, xTime bool) ([]*command.ExecuteQueryResponse, error) {
	stats.Add(numExecutions, int64(len(req.Statements)))
	conn, err := db.rwDB.Conn(context.Background())
	if err != nil {
		return nil, err
	}
	defer conn.Close()

	ctx := context.Background()
	if req.DbTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(req.DbTimeout))
		defer cancel()
	}
	return db.executeWithConn(ctx, req, xTime, conn)
}

type execerQueryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (db *DB) executeWithConn(ctx context.Context, req *command.Request, xTime bool, conn *sql.Conn) ([]*command.ExecuteQueryResponse, error) {
	var err error

	eqer := execerQueryer(conn)
	var tx *sql.Tx
	if req.Transaction {
		stats.Add(numETx, 1)
		tx, err = conn.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		defer func() {
			if tx != nil {
				tx.Rollback() // Will be ignored if tx is committed
			}
		}()
		eqer = tx
	}

	var allResults []*command.ExecuteQueryResponse

	// handleError sets the error field on the given result. It returns
	// whether the caller should continue processing or break.
	handleError := func(result *command.ExecuteQueryResponse, err error) bool {
		stats.Add(numExecutionErrors, 1)
		result.Result = &command.ExecuteQueryResponse_Error{
			Error: err.Error(),
		}
		allResults = append(allResults, result)
		if tx != nil {
			tx.Rollback()
			tx = nil
			return false
		}
		if req.RollbackOnError {
			db.executeStmtWithConn(ctx, &command.Statement{Sql: "ROLLBACK"}, false, eqer, time.Duration(req.DbTimeout))
			return false
		}
		return true
	}

	// Execute each statement.
	for _, stmt := range req.Statements {
		ss := stmt.Sql
		if ss == "" {
			continue
		}

		result, err := db.executeStmtWithConn(ctx, stmt, xTime, eqer, time.Duration(req.DbTimeout))
		if err != nil {
			if handleError(result, err) {
				continue
			}
			break
		}
		allResults = append(allResults, result)
	}

	if tx != nil {
		err = tx.Commit()
	}
	return allResults, err
}

func (db *DB) executeStmtWithConn(ctx context.Context, stmt *command.Statement, xTime bool, eq execerQueryer, timeout time.Duration) (res *command.ExecuteQueryResponse, retErr error) {
	response := &command.ExecuteQueryResponse{}
	parameters, err := parametersToValues(stmt.Parameters)
	if err != nil {
		response.Result = &command.ExecuteQueryResponse_Error{Error: err.Error()}
		return response, nil
	}
	r, err := eq.ExecContext(ctx, stmt.Sql, parameters...)
	if err != nil {
		return response, err
	}
	return response, nil
}
`,
	"system_test/helpers.go": `package system

// Execute executes a single statement against the node.
func (n *Node) Execute(stmt string) (string, error) {
	return n.ExecuteMulti([]string{stmt})
}

// ExecuteRaw runs a single statement against the node, sending the statement
// as a plain text string in the body of the request.
func (n *Node) ExecuteRaw(stmt string) (string, error) {
	return n.postExecute(stmt, "text/plain")
}

// ExecuteMulti executes multiple statements against the node.
func (n *Node) ExecuteMulti(stmts []string) (string, error) {
	j, err := json.Marshal(stmts)
	if err != nil {
		return "", err
	}
	return n.postExecute(string(j), "application/json")
}
`,
}

// TestSearchGroupsOfNames: a Go const/var group whose members' names
// hold a question's words (metric names, file patterns) is no answer to
// how the code does the thing: the functions doing it come first, the
// groups after them. The group comes first when the query names one of
// its members, typed or in words, or asks about constants.
func TestSearchGroupsOfNames(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, storeFixture, index.Config{})
	sr := New(Config{Store: s})
	search := func(query string) []Hit {
		res, err := sr.Search(ctx, p.ID, query, 10)
		if err != nil {
			t.Fatal(err)
		}
		return res.Hits
	}
	for query, doers := range map[string][]string{
		"snapshot restore": {"store.(*Store).fsmRestore", "store.(*FSM).Restore"},
		"compress request": {"command.(*RequestMarshaler).Marshal", "store.(*Store).tryCompress"},
	} {
		hits := search(query)
		got := names(hits)
		if len(hits) == 0 || !slices.Contains(doers, hits[0].Name) {
			t.Errorf("%q: hits %q; want one of %q first", query, got, doers)
		}
		for _, d := range doers {
			i := slices.Index(got, d)
			for j, h := range hits {
				if isGroup(h.CodeChunk) && (i < 0 || j < i) {
					t.Errorf("%q: hits %q; want %s before the groups", query, got, d)
					break
				}
			}
		}
	}
	metrics := "store.{numSnapshots,numSnapshotsFailed,numUserSnapshots,numUserSnapshotsFailed,…}"
	for _, tt := range []struct{ query, first string }{
		{"numSnapshots", metrics},
		{"num snapshots failed", metrics},
		{"what is num_snapshots_full", metrics},
		{"snapshot restore constants", "store.{snapshotsDirName,restoreScratchPattern,bootScatchPattern,backupScratchPattern,…}"},
		{"compressed request metrics", "command.{numRequests,numCompressedRequests,numUncompressedRequests,numCompressedBytes,…}"},
	} {
		if hits := search(tt.query); len(hits) == 0 || hits[0].Name != tt.first {
			t.Errorf("%q: hits %q; want %s first", tt.query, names(hits), tt.first)
		}
	}
}

// TestSearchProseWeighsLess: a question about how code works gets the
// code before a changelog saying its words in every entry; a question
// about changes or docs gets the prose.
func TestSearchProseWeighsLess(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, storeFixture, index.Config{})
	sr := New(Config{Store: s})
	res, err := sr.Search(ctx, p.ID, "how does a node restore its database from a snapshot?", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) < 2 || res.Hits[0].Name != "store.(*Store).fsmRestore" || strings.HasSuffix(res.Hits[1].Path, ".md") {
		t.Errorf("hits %q; want store.(*Store).fsmRestore first, then code", places(res.Hits))
	}
	for _, q := range []string{"which release changed how a node restores a snapshot", "changelog snapshot restore"} {
		res, err := sr.Search(ctx, p.ID, q, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Path != "CHANGELOG.md" {
			t.Errorf("%q: hits %q; want CHANGELOG.md first", q, places(res.Hits))
		}
	}
}

// TestSearchCalledByHits: of the hits for a question, the method that
// the others call to do the thing (db.(*DB).executeWithConn, under four
// one-line wrappers saying "executes a SQL statement against the
// database") comes among the first.
func TestSearchCalledByHits(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, storeFixture, index.Config{})
	sr := New(Config{Store: s})
	res, err := sr.Search(ctx, p.ID, "how are SQL statements executed against the database?", 10)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.Index(names(res.Hits), "db.(*DB).executeWithConn"); i < 0 || i > 1 {
		t.Errorf("hits %q; want db.(*DB).executeWithConn among the first 2", names(res.Hits))
	}
}
