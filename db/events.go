package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Event is one row of the append-only events log.
type Event struct {
	ID      int64           `json:"id"`
	Stream  string          `json:"stream"`
	Version int64           `json:"version"`
	Type    string          `json:"type"`
	Schema  int             `json:"schema"`
	Payload json.RawMessage `json:"payload"`
	Node    string          `json:"node"`
	Actor   string          `json:"actor"`
	Time    time.Time       `json:"ts"`
}

// AppendEventStmt is the statement that appends ev at the next version of
// its stream. The version is computed inside the statement, which Raft
// applies in one order on every node, so concurrent appends to a stream
// never collide. (Appends that must check an expected version come with the
// sessions work.)
func AppendEventStmt(ev *Event) Statement {
	schema := ev.Schema
	if schema == 0 {
		schema = 1
	}
	return Stmt(`INSERT INTO events (stream, version, type, schema, payload, node, actor, ts)
		SELECT ?, COALESCE(MAX(version), 0) + 1, ?, ?, ?, ?, ?, ? FROM events WHERE stream = ?`,
		ev.Stream, ev.Type, schema, string(ev.Payload), ev.Node, ev.Actor, ev.Time, ev.Stream)
}

// Events returns the events with id > after, oldest first, optionally of
// one stream; limit <= 0 means all.
func (s *Store) Events(ctx context.Context, stream string, after int64, limit int) ([]Event, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.Query(ctx, `SELECT id, stream, version, type, schema, payload, node, actor, ts
		FROM events WHERE id > ? AND (? = '' OR stream = ?) ORDER BY id LIMIT ?`,
		after, stream, stream, limit)
	if err != nil {
		return nil, fmt.Errorf("db: events: %w", err)
	}
	return scanEvents(rows), nil
}
