package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Appends with an expected version (optimistic concurrency). A writer
// that read a stream at version V appends with V as the expected version;
// if another writer appended in between, nothing is written and the
// append fails with a *ConflictError. The check runs inside the INSERT,
// which Raft applies in one order on every node: a row whose stream is not
// at the expected version gets a NULL version, the NOT NULL constraint
// fails, and the whole transaction — the events and whatever statements
// came with them (projection rows) — rolls back.

// AnyVersion as an expected version appends without a check.
const AnyVersion int64 = -1

// ErrConflict is matched (errors.Is) by a *ConflictError.
var ErrConflict = errors.New("stream version conflict")

// ConflictError reports that a stream was not at the version an append
// expected: another writer appended to it first. Reload and retry.
type ConflictError struct {
	Stream   string
	Expected int64
	Actual   int64 // the stream's version when the conflict was reported
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("stream %s is at version %d, not %d: another writer appended to it", e.Stream, e.Actual, e.Expected)
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// StreamAppend is a batch of events for one stream, appended only if the
// stream is at version Expected (0: the stream has no events yet;
// AnyVersion: no check).
type StreamAppend struct {
	Stream   string
	Expected int64
	Events   []*Event
}

// AppendStreams appends each batch to its stream and executes with after
// them, all in one Raft transaction: all of it is written or none. A batch
// whose stream is not at its expected version fails the whole transaction
// with a *ConflictError. Each event gets its ID, its Stream, and, in a
// checked batch, its Version. A stream may appear in one batch only.
func (s *Store) AppendStreams(ctx context.Context, apps []StreamAppend, with ...Statement) error {
	stmts, n, err := appendStreamsStmts(apps)
	if err != nil {
		return fmt.Errorf("db.AppendStreams: %w", err)
	}
	if len(stmts) == 0 && len(with) == 0 {
		return nil
	}
	res, err := s.Execute(ctx, append(stmts, with...)...)
	if err != nil {
		if errors.Is(err, ErrStatement) && errorContains(err, "NOT NULL constraint failed: events.version") {
			return s.conflict(ctx, apps)
		}
		var nq *NoQuorumError
		if errors.As(err, &nq) {
			return nq
		}
		return fmt.Errorf("db.AppendStreams: %w", err)
	}
	// One INSERT gives its rows consecutive ids in event order (see
	// appendEventsStmt): the last id and the count place them all.
	evs := make([]*Event, 0, n)
	for _, a := range apps {
		evs = append(evs, a.Events...)
	}
	for i, chunk := range slices.Collect(slices.Chunk(evs, appendChunk)) {
		r := res[i]
		if r.RowsAffected != int64(len(chunk)) {
			return fmt.Errorf("db.AppendStreams: %d of %d events inserted", r.RowsAffected, len(chunk))
		}
		for j, ev := range chunk {
			ev.ID = r.LastInsertID - int64(len(chunk)-1-j)
		}
	}
	return nil
}

// AppendStreamsStmts returns the statements AppendStreams executes for
// apps (without IDs set on the events): for callers that put them in a
// transaction of their own. Events travel as one JSON argument per
// appendChunk events, as in AppendEvents.
func AppendStreamsStmts(apps []StreamAppend) ([]Statement, error) {
	stmts, _, err := appendStreamsStmts(apps)
	return stmts, err
}

func appendStreamsStmts(apps []StreamAppend) ([]Statement, int, error) {
	type row = [8]any
	var rows []row
	seen := make(map[string]bool, len(apps))
	for _, a := range apps {
		if a.Stream == "" {
			return nil, 0, errors.New("append to an unnamed stream")
		}
		if seen[a.Stream] {
			return nil, 0, fmt.Errorf("stream %s appears twice in one append", a.Stream)
		}
		seen[a.Stream] = true
		base := 0 // the index of the stream's first event in the current chunk
		for i, ev := range a.Events {
			ev.Stream = a.Stream
			schema := ev.Schema
			if schema == 0 {
				schema = 1
			}
			// Each chunk checks its stream against the version the chunks
			// before it in this transaction left.
			if i == 0 || len(rows)%appendChunk == 0 {
				base = i
			}
			expected := a.Expected
			if expected >= 0 {
				expected += int64(base)
				ev.Version = a.Expected + int64(i) + 1
			}
			rows = append(rows, row{a.Stream, expected, ev.Type, schema, string(ev.Payload), ev.Node, ev.Actor, ev.Time.UnixMilli()})
		}
	}
	var stmts []Statement
	for chunk := range slices.Chunk(rows, appendChunk) {
		js, err := json.Marshal(chunk)
		if err != nil {
			return nil, 0, err
		}
		stmts = append(stmts, Stmt(`INSERT INTO events (stream, version, type, schema, payload, node, actor, ts)
			SELECT s, CASE WHEN x < 0 OR x = cur THEN cur + ROW_NUMBER() OVER (PARTITION BY s ORDER BY k) END,
				t, v, p, n, a, ts
			FROM (SELECT j.key AS k, j.value ->> 0 AS s, j.value ->> 1 AS x, j.value ->> 2 AS t,
					j.value ->> 3 AS v, j.value ->> 4 AS p, j.value ->> 5 AS n, j.value ->> 6 AS a, j.value ->> 7 AS ts,
					COALESCE((SELECT MAX(e.version) FROM events e WHERE e.stream = j.value ->> 0), 0) AS cur
				FROM json_each(?) AS j)
			ORDER BY k`, string(js)))
	}
	return stmts, len(rows), nil
}

// conflict builds the *ConflictError of a failed checked append: the first
// checked stream whose version is not the expected one.
func (s *Store) conflict(ctx context.Context, apps []StreamAppend) error {
	first := (*ConflictError)(nil)
	for _, a := range apps {
		if a.Expected < 0 {
			continue
		}
		v, err := s.StreamVersion(ctx, a.Stream)
		if err != nil {
			return fmt.Errorf("db.AppendStreams: %w (and reading its version: %v)", ErrConflict, err)
		}
		ce := &ConflictError{Stream: a.Stream, Expected: a.Expected, Actual: v}
		if v != a.Expected {
			return ce
		}
		if first == nil {
			first = ce
		}
	}
	if first == nil {
		return fmt.Errorf("db.AppendStreams: %w", ErrConflict)
	}
	return first // the stream moved on and back: cannot happen, but say conflict
}

// StreamVersion is the version of the stream's last event; 0 if it has none.
func (s *Store) StreamVersion(ctx context.Context, stream string) (int64, error) {
	rows, err := s.Query(ctx, `SELECT COALESCE(MAX(version), 0) FROM events WHERE stream = ?`, stream)
	if err != nil {
		return 0, fmt.Errorf("db: stream version: %w", err)
	}
	return asInt(rows.Values[0][0]), nil
}

const eventColumns = `id, stream, version, type, schema, payload, node, actor, ts`

// StreamEvents returns the events of one stream with version > after, in
// version order; limit <= 0 means all.
func (s *Store) StreamEvents(ctx context.Context, stream string, after int64, limit int) ([]Event, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.Query(ctx, `SELECT `+eventColumns+` FROM events WHERE stream = ? AND version > ?
		ORDER BY version LIMIT ?`, stream, after, limit)
	if err != nil {
		return nil, fmt.Errorf("db: stream events: %w", err)
	}
	return scanEvents(rows), nil
}

// PrefixEvents returns the events with id > after of every stream whose
// name starts with prefix, in id order; limit <= 0 means all. It walks the
// table by id (the unary + keeps SQLite off the stream index, which would
// make it sort the whole prefix for every page).
func (s *Store) PrefixEvents(ctx context.Context, prefix string, after int64, limit int) ([]Event, error) {
	if limit <= 0 {
		limit = -1
	}
	lo, hi := PrefixRange(prefix)
	rows, err := s.Query(ctx, `SELECT `+eventColumns+` FROM events WHERE id > ? AND +stream >= ? AND +stream < ?
		ORDER BY id LIMIT ?`, after, lo, hi, limit)
	if err != nil {
		return nil, fmt.Errorf("db: prefix events: %w", err)
	}
	return scanEvents(rows), nil
}

// LastEventID is the highest event id (0: none); it reads one row.
func (s *Store) LastEventID(ctx context.Context) (int64, error) {
	rows, err := s.Query(ctx, `SELECT COALESCE(MAX(id), 0) FROM events`)
	if err != nil {
		return 0, fmt.Errorf("db: last event id: %w", err)
	}
	return asInt(rows.Values[0][0]), nil
}

// PrefixMaxID is the highest event id among the streams starting with
// prefix; 0 if there are none. It scans the prefix's events (LastEventID
// is the cheap one for all streams).
func (s *Store) PrefixMaxID(ctx context.Context, prefix string) (int64, error) {
	if prefix == "" {
		return s.LastEventID(ctx)
	}
	lo, hi := PrefixRange(prefix)
	rows, err := s.Query(ctx, `SELECT COALESCE(MAX(id), 0) FROM events WHERE stream >= ? AND stream < ?`, lo, hi)
	if err != nil {
		return 0, fmt.Errorf("db: prefix max id: %w", err)
	}
	return asInt(rows.Values[0][0]), nil
}

// StreamSpan describes the events of one stream: versions First..Last,
// and Old, the last version of an event older than some time (0: none).
type StreamSpan struct {
	Stream      string
	First, Last int64
	Old         int64
	LastType    string
}

// StreamSpans lists the streams starting with prefix that have events
// before t, with their spans.
func (s *Store) StreamSpans(ctx context.Context, prefix string, t time.Time) ([]StreamSpan, error) {
	lo, hi := PrefixRange(prefix)
	ms := t.UnixMilli()
	rows, err := s.Query(ctx, `SELECT stream, MIN(version), MAX(version), MAX(CASE WHEN ts < ? THEN version ELSE 0 END),
			(SELECT l.type FROM events l WHERE l.stream = e.stream ORDER BY l.version DESC LIMIT 1)
		FROM events e WHERE stream >= ? AND stream < ? GROUP BY stream HAVING MIN(ts) < ? ORDER BY stream`, ms, lo, hi, ms)
	if err != nil {
		return nil, fmt.Errorf("db: stream spans: %w", err)
	}
	out := make([]StreamSpan, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, StreamSpan{Stream: asString(r[0]), First: asInt(r[1]), Last: asInt(r[2]), Old: asInt(r[3]), LastType: asString(r[4])})
	}
	return out, nil
}

// DeleteStreamEventsStmt deletes the events of stream up to version
// through (retention; see app/events). Event ids are never reused.
func DeleteStreamEventsStmt(stream string, through int64) Statement {
	return Stmt(`DELETE FROM events WHERE stream = ? AND version <= ?`, stream, through)
}

// PrefixRange is the range [lo, hi) of the names starting with prefix.
func PrefixRange(prefix string) (lo, hi string) {
	if prefix == "" {
		return "", "\U0010FFFF"
	}
	if last := prefix[len(prefix)-1]; last < 0x7f {
		return prefix, prefix[:len(prefix)-1] + string(last+1)
	}
	return prefix, prefix + "\U0010FFFF" // keeps hi valid UTF-8, as protobuf wants
}

func scanEvents(rows *Rows) []Event {
	out := make([]Event, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, Event{
			ID:      asInt(r[0]),
			Stream:  asString(r[1]),
			Version: asInt(r[2]),
			Type:    asString(r[3]),
			Schema:  int(asInt(r[4])),
			Payload: json.RawMessage(asString(r[5])),
			Node:    asString(r[6]),
			Actor:   asString(r[7]),
			Time:    time.UnixMilli(asInt(r[8])),
		})
	}
	return out
}

func errorContains(err error, s string) bool { return strings.Contains(err.Error(), s) }
