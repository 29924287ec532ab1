// Package audit is the audit log: every file operation and command the
// assistant's sandbox (app/sandbox) performed or refused, recorded in the
// replicated store as a hash chain. Each row carries the hash of the row
// before it, so a row changed, deleted or moved afterwards breaks the chain
// at that row, and Verify reports the first broken link.
//
// Appends are chained in Go and checked by the store against the tip they
// chain onto (db.AppendAudit), so writers on several nodes never fork the
// chain: the loser of a race reads the new tip and chains again. Record
// queues a record and returns; a background writer appends what is queued
// in batches, and Flush waits until everything recorded so far is stored.
// See app/sandbox/DESIGN.md.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/db"
)

// Record is one row of the audit chain. A recorder fills Actor, Op, Path,
// Result and Detail (and Time, else the log stamps it); the log sets
// Node, ID, PrevHash and Hash when it appends.
type Record = db.AuditRow

// Operations recorded by the sandbox.
const (
	OpRead   = "read"   // a file read (or opened for reading)
	OpWrite  = "write"  // a file written (atomically)
	OpRemove = "remove" // a file or empty directory removed
	OpMkdir  = "mkdir"  // directories created
	OpStat   = "stat"   // a file's metadata read
	OpList   = "list"   // a directory listed
	OpExec   = "exec"   // a command started
	OpExit   = "exit"   // a command ended

	OpConnect = "connect" // a peer's connection to this node (app/node)
)

// Results.
const (
	ResultOK      = "ok"
	ResultRefused = "refused" // a sandbox rule refused it; Detail names the rule
	ResultError   = "error"   // it failed; Detail says why
)

// Store is what the log needs of the store (*db.Store).
type Store interface {
	AuditTip(ctx context.Context) (db.AuditTip, error)
	AppendAudit(ctx context.Context, tipID int64, rows []db.AuditRow) error
	AuditRows(ctx context.Context, after int64, limit int) ([]db.AuditRow, error)
	AuditRecent(ctx context.Context, since time.Time, limit int) ([]db.AuditRow, error)
	Sync(ctx context.Context) error
}

// Config configures a Log. Store is required.
type Config struct {
	Store Store
	Node  string           // recorded with each row: the node that performed it
	Now   func() time.Time // the clock; nil means time.Now
	// Queue is how many records Record holds before it waits for the
	// writer (default 4096); Batch is how many one append carries at most
	// (default 512).
	Queue, Batch int
	Logger       *slog.Logger // nil discards
}

// Log appends to, lists and verifies the audit chain. It is safe for
// concurrent use. Records queued with Record are written by a goroutine
// that runs while there is something to write; Flush waits for it, Close
// flushes and refuses further records.
type Log struct {
	st     Store
	node   string
	now    func() time.Time
	queue  int
	batch  int
	logger *slog.Logger

	appendMu sync.Mutex // one append at a time from this log: they would only conflict

	mu      sync.Mutex
	pending []Record
	space   chan struct{} // closed (and replaced) when the writer takes records
	running bool
	done    chan struct{} // closed when the running writer exits
	err     error         // the first error the writer met, until Flush returns it
	lost    int           // records the writer could not store
	closed  bool
}

// ErrClosed is returned by Record after Close.
var ErrClosed = errors.New("audit: log closed")

// New returns a Log over cfg.Store.
func New(cfg Config) *Log {
	l := &Log{st: cfg.Store, node: cfg.Node, now: cfg.Now, queue: cfg.Queue, batch: cfg.Batch, logger: cfg.Logger}
	if l.now == nil {
		l.now = time.Now
	}
	if l.queue <= 0 {
		l.queue = 4096
	}
	if l.batch <= 0 {
		l.batch = 512
	}
	if l.logger == nil {
		l.logger = slog.New(slog.DiscardHandler)
	}
	l.space = make(chan struct{})
	return l
}

// Append stores recs at the end of the chain and returns once they are
// committed, with ID, Node, PrevHash and Hash set on each. If another
// writer appends first, it reads the new tip and chains again.
func (l *Log) Append(ctx context.Context, recs ...*Record) error {
	if len(recs) == 0 {
		return nil
	}
	for _, r := range recs {
		l.stamp(r)
	}
	l.appendMu.Lock()
	defer l.appendMu.Unlock()
	synced := false
	for attempt := 0; ; attempt++ {
		tip, err := l.st.AuditTip(ctx)
		if err != nil {
			return fmt.Errorf("audit: append: %w", err)
		}
		if attempt > 0 && l.landed(ctx, tip, recs) {
			return nil // an earlier attempt committed after all
		}
		Chain(tip.ID, tip.Hash, tip.Next(), recs)
		rows := make([]db.AuditRow, len(recs))
		for i, r := range recs {
			rows[i] = *r
		}
		err = l.st.AppendAudit(ctx, tip.ID, rows)
		if err == nil {
			return nil
		}
		if !errors.Is(err, db.ErrAuditConflict) || attempt >= 50 {
			return fmt.Errorf("audit: append: %w", err)
		}
		// Another writer got there first (or this node's copy is behind
		// the leader's): catch up before reading the tip again.
		if !synced || attempt%5 == 4 {
			if err := l.st.Sync(ctx); err != nil {
				return fmt.Errorf("audit: append: %w", err)
			}
			synced = true
		}
	}
}

// landed reports whether recs, as last chained, are already in the store:
// an append whose outcome was unknown (a leader change) may have committed
// before its retry conflicted with it.
func (l *Log) landed(ctx context.Context, tip db.AuditTip, recs []*Record) bool {
	first, last := recs[0].ID, recs[len(recs)-1].ID
	if first == 0 || tip.ID < last {
		return false
	}
	got, err := l.st.AuditRows(ctx, first-1, len(recs))
	if err != nil || len(got) != len(recs) {
		return false
	}
	for i, r := range recs {
		if got[i].ID != r.ID || got[i].Hash != r.Hash {
			return false
		}
	}
	return true
}

// stamp fills what a recorder may leave out and makes the strings safe to
// store and hash: valid UTF-8, no control characters, bounded lengths.
func (l *Log) stamp(r *Record) {
	if r.Time.IsZero() {
		r.Time = l.now()
	}
	r.Time = time.UnixMilli(r.Time.UnixMilli()).UTC() // what the store keeps
	if r.Node == "" {
		r.Node = l.node
	}
	r.Node = Clean(r.Node, 256)
	r.Actor = Clean(r.Actor, 256)
	r.Op = Clean(r.Op, 64)
	r.Path = Clean(r.Path, 4096)
	r.Result = Clean(r.Result, 64)
	r.Detail = Clean(r.Detail, 1024)
}

// Chain sets ID, PrevHash and Hash on recs so that they follow the row
// tipID whose hash is tipHash, the first taking id next (tipID + 1 unless
// rows after the tip were deleted).
func Chain(tipID int64, tipHash string, next int64, recs []*Record) {
	prev := tipHash
	for i, r := range recs {
		r.ID = next + int64(i)
		r.PrevHash = prev
		r.Hash = Hash(r)
		prev = r.Hash
	}
}

// hashDomain starts every hashed encoding, so that a hash of an audit row
// can never be mistaken for a hash of anything else.
const hashDomain = "aiex audit v1\x00"

// Hash is the row's hash: hex SHA-256 over a canonical encoding of its id,
// time (Unix ms), node, actor, op, path, result, detail and prev_hash, each
// length-prefixed so that no two rows encode alike.
func Hash(r *Record) string {
	h := sha256.New()
	h.Write([]byte(hashDomain))
	var buf [binary.MaxVarintLen64]byte
	field := func(s string) {
		h.Write(buf[:binary.PutUvarint(buf[:], uint64(len(s)))])
		h.Write([]byte(s))
	}
	field(strconv.FormatInt(r.ID, 10))
	field(strconv.FormatInt(r.Time.UnixMilli(), 10))
	for _, s := range []string{r.Node, r.Actor, r.Op, r.Path, r.Result, r.Detail, r.PrevHash} {
		field(s)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Clean makes s fit for the audit log: invalid UTF-8 becomes U+FFFD,
// control characters are written as \xNN, and the result is cut to at most
// n bytes (on a rune boundary, ending in "…").
func Clean(s string, n int) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if !clean {
		var b strings.Builder
		for i, r := range s {
			switch {
			case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
				b.WriteRune(utf8.RuneError)
			case r < 0x20 || r == 0x7f:
				fmt.Fprintf(&b, `\x%02x`, r)
			default:
				b.WriteRune(r)
			}
		}
		s = b.String()
	}
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
