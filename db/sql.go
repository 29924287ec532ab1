package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/rqlite/rqlite/v8/command/proto"
)

// Statement is one SQL statement with positional (?) arguments. Arguments
// may be nil, bool, int, int64, float64, string, []byte or time.Time (stored
// as Unix milliseconds).
type Statement struct {
	SQL  string
	Args []any
}

// Stmt is shorthand for a Statement.
func Stmt(sql string, args ...any) Statement { return Statement{SQL: sql, Args: args} }

// Result is the outcome of one executed statement.
type Result struct {
	LastInsertID int64
	RowsAffected int64
}

// ErrStatement wraps the error SQLite reported for a statement.
var ErrStatement = errors.New("statement failed")

// Execute runs stmts through Raft as one transaction: all apply or none do.
// It returns once the write is committed and applied by the leader. On a
// follower it is forwarded to the leader; this node applies it a moment
// later (see Sync). With no reachable leader it fails with a
// *NoQuorumError (ErrNoQuorum) after ClusterConfig.LeaderWait.
func (s *Store) Execute(ctx context.Context, stmts ...Statement) ([]Result, error) {
	return s.exec(ctx, false, stmts)
}

// ExecuteIdempotent is Execute for statements that may apply twice with
// the same effect (an insert that ignores a row already there): when the
// leader is lost after the request was sent, it is sent again to the next
// leader instead of failing with ErrOutcomeUnknown.
func (s *Store) ExecuteIdempotent(ctx context.Context, stmts ...Statement) ([]Result, error) {
	return s.exec(ctx, true, stmts)
}

func (s *Store) exec(ctx context.Context, idempotent bool, stmts []Statement) ([]Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := s.checkSchema(ctx); err != nil {
		return nil, err
	}
	req, err := request(stmts, true)
	if err != nil {
		return nil, err
	}
	s.written.Add(requestBytes(stmts))
	resps, idx, err := s.execute(ctx, &proto.ExecuteRequest{Request: req}, idempotent)
	if err == nil {
		raiseTo(&s.lastWrite, idx)
	}
	if err != nil {
		var nq *NoQuorumError
		if errors.As(err, &nq) {
			return nil, nq // a sentence for the user as it is
		}
		return nil, s.diskFull(fmt.Errorf("db.Execute: %w", err))
	}
	out := make([]Result, 0, len(resps))
	for i, r := range resps {
		switch v := r.Result.(type) {
		case *proto.ExecuteQueryResponse_E:
			if v.E.Error != "" {
				return nil, s.diskFull(stmtError(stmts, i, v.E.Error))
			}
			out = append(out, Result{LastInsertID: v.E.LastInsertId, RowsAffected: v.E.RowsAffected})
		case *proto.ExecuteQueryResponse_Error:
			return nil, s.diskFull(stmtError(stmts, i, v.Error))
		default:
			return nil, fmt.Errorf("db.Execute: statement %d: unexpected response %T", i, r.Result)
		}
	}
	return out, nil
}

// Rows is the result of a query: column names and one slice of values per
// row. Values are nil, int64, float64, string, []byte or bool.
type Rows struct {
	Columns []string
	Values  [][]any
}

// Query runs a read-only statement against the local SQLite copy (read
// level NONE: no Raft round trip). It reads this process's own writes: on
// a follower, which applies a write a moment after the leader committed
// it, a query after a write waits until the write is applied here (see
// caughtUp); others' writes may show a little late.
func (s *Store) Query(ctx context.Context, sql string, args ...any) (*Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.caughtUp(ctx)
	req, err := request([]Statement{{SQL: sql, Args: args}}, false)
	if err != nil {
		return nil, err
	}
	rows, _, err := s.str.Query(&proto.QueryRequest{Request: req, Level: proto.QueryRequest_QUERY_REQUEST_LEVEL_NONE})
	if err != nil {
		return nil, fmt.Errorf("db.Query: %w", err)
	}
	if len(rows) != 1 {
		return nil, fmt.Errorf("db.Query: %d result sets for one statement", len(rows))
	}
	r := rows[0]
	if r.Error != "" {
		return nil, stmtError([]Statement{{SQL: sql}}, 0, r.Error)
	}
	out := &Rows{Columns: r.Columns, Values: make([][]any, len(r.Values))}
	for i, v := range r.Values {
		row := make([]any, len(v.Parameters))
		for j, p := range v.Parameters {
			row[j] = fromParam(p)
		}
		out.Values[i] = row
	}
	return out, nil
}

// diskFull makes a write that failed for want of disk space (SQLite's
// SQLITE_FULL, or the OS's ENOSPC from the Raft log) a sentence for the
// user that names the data dir.
func (s *Store) diskFull(err error) error {
	msg := err.Error()
	if isTooLarge(err) {
		return &usererr.Error{Msg: tooLargeMsg(s.Dir()), Err: &DiskFullError{Dir: s.Dir(), Err: err, TooLarge: true}}
	}
	if errors.Is(err, syscall.ENOSPC) || strings.Contains(msg, "database or disk is full") || strings.Contains(msg, "no space left on device") {
		return &usererr.Error{Msg: fmt.Sprintf("the disk holding the data dir %s is full; free some space there and run the command again", s.Dir()),
			Err: &DiskFullError{Dir: s.Dir(), Err: err}}
	}
	return err
}

// DiskFullError is a write the store failed for want of disk space, under
// the sentence the user gets (run the command again). A caller whose
// command did its job all the same (an answer streamed whole, whose record
// could not be written) tells the user so in a sentence of its own, with
// Dir.
type DiskFullError struct {
	Dir string // the data dir
	Err error  // SQLite's SQLITE_FULL or the OS's ENOSPC, or EFBIG
	// TooLarge: not the disk but the process's file size limit (ulimit
	// -f) stopped the write.
	TooLarge bool
}

func (e *DiskFullError) Error() string { return e.Err.Error() }

// Cause says, for a sentence of the caller's, why the write failed and
// what to do: "the disk holding the data dir D is full; free some space
// there", or the file size limit's.
func (e *DiskFullError) Cause() string {
	if e.TooLarge {
		limit, _ := fileSizeLimit()
		return fmt.Sprintf("the files of the data dir %s cannot grow past this process's file size limit (ulimit -f: %d bytes); raise the limit", e.Dir, limit)
	}
	return fmt.Sprintf("the disk holding the data dir %s is full; free some space there", e.Dir)
}

func (e *DiskFullError) Unwrap() error { return e.Err }

func stmtError(stmts []Statement, i int, msg string) error {
	return fmt.Errorf("db: %w: %s (in %q)", ErrStatement, msg, abbrev(stmts[i].SQL, 60))
}

func abbrev(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func request(stmts []Statement, tx bool) (*proto.Request, error) {
	req := &proto.Request{Transaction: tx && len(stmts) > 1, Statements: make([]*proto.Statement, len(stmts))}
	for i, st := range stmts {
		ps := make([]*proto.Parameter, len(st.Args))
		for j, a := range st.Args {
			p, err := toParam(a)
			if err != nil {
				return nil, fmt.Errorf("db: statement %d argument %d: %w", i, j, err)
			}
			ps[j] = p
		}
		req.Statements[i] = &proto.Statement{Sql: st.SQL, Parameters: ps}
	}
	return req, nil
}

// toParam converts an argument to rqlite's wire form. A string that is not
// valid UTF-8 goes with U+FFFD for each invalid byte sequence: Protocol
// Buffers, which carry statements through the Raft log, refuse it, and the
// whole write would fail over one bad byte of a user's text (a Latin-1
// file piped in as a prompt). Bytes that must stay as they are go as
// []byte.
func toParam(a any) (*proto.Parameter, error) {
	switch v := a.(type) {
	case nil:
		return &proto.Parameter{}, nil
	case bool:
		return &proto.Parameter{Value: &proto.Parameter_B{B: v}}, nil
	case int:
		return &proto.Parameter{Value: &proto.Parameter_I{I: int64(v)}}, nil
	case int64:
		return &proto.Parameter{Value: &proto.Parameter_I{I: v}}, nil
	case uint64:
		return &proto.Parameter{Value: &proto.Parameter_I{I: int64(v)}}, nil
	case float64:
		return &proto.Parameter{Value: &proto.Parameter_D{D: v}}, nil
	case string:
		if !utf8.ValidString(v) {
			v = strings.ToValidUTF8(v, "\uFFFD")
		}
		return &proto.Parameter{Value: &proto.Parameter_S{S: v}}, nil
	case []byte:
		return &proto.Parameter{Value: &proto.Parameter_Y{Y: v}}, nil
	case time.Time:
		return &proto.Parameter{Value: &proto.Parameter_I{I: v.UnixMilli()}}, nil
	default:
		return nil, fmt.Errorf("unsupported type %T", a)
	}
}

func fromParam(p *proto.Parameter) any {
	switch v := p.GetValue().(type) {
	case *proto.Parameter_I:
		return v.I
	case *proto.Parameter_D:
		return v.D
	case *proto.Parameter_S:
		return v.S
	case *proto.Parameter_Y:
		return v.Y
	case *proto.Parameter_B:
		return v.B
	default:
		return nil
	}
}

// requestBytes is roughly what stmts add to the Raft log.
func requestBytes(stmts []Statement) int64 {
	var n int64
	for _, st := range stmts {
		n += int64(len(st.SQL))
		for _, a := range st.Args {
			switch v := a.(type) {
			case string:
				n += int64(len(v))
			case []byte:
				n += int64(len(v))
			default:
				n += 8
			}
		}
	}
	return n
}

// caughtUp returns once this node has applied this process's latest write
// (read your writes), or after caughtUpWait. The leader applies a write
// before acknowledging it; a follower applies it when the leader's next
// append tells it the write was committed, which an idle cluster may not
// send for a while: Sync makes that happen, at ~5 ms, once per write read
// after. Without a leader the read goes on with what this node has; with
// one that does not answer, only the first read waits.
func (s *Store) caughtUp(parent context.Context) {
	w := s.lastWrite.Load()
	if s.c == nil || w == 0 || w <= s.readTo.Load() || w <= s.str.DBAppliedIndex() {
		return
	}
	if _, leader := s.str.LeaderWithID(); leader == "" {
		return // no leader to learn the commit from: read what this node has
	}
	ctx, cancel := context.WithTimeout(parent, caughtUpWait)
	defer cancel()
	err := s.Sync(ctx)
	if err != nil && parent.Err() != nil {
		return // the caller gave up; the next read waits again
	}
	// Caught up, or waited the whole bound: a node cut off from the leader
	// (a partition, the leader frozen) cannot learn that its write was
	// committed until it hears from a leader again. Waiting again at every
	// read would add caughtUpWait to each of them, so later reads take
	// what this node has, as they do without a leader.
	if err != nil {
		s.logger.Debug("db: read without this process's latest write", "write", w, "applied", s.str.DBAppliedIndex(), "err", err)
	}
	raiseTo(&s.readTo, w)
}

// caughtUpWait bounds how long a read waits for this process's writes.
const caughtUpWait = 2 * time.Second

// raiseTo sets v to n if n is larger.
func raiseTo(v *atomic.Uint64, n uint64) {
	for {
		cur := v.Load()
		if n <= cur || v.CompareAndSwap(cur, n) {
			return
		}
	}
}
