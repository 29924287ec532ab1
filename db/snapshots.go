package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Snapshot is the state a projection folded a stream into as of Version
// (app/events). State is the projection's own JSON; Schema its version.
// Pruned > 0 means retention deleted the stream's events up to that
// version: the stream can only be rebuilt from this snapshot on.
type Snapshot struct {
	Stream  string          `json:"stream"`
	Version int64           `json:"version"`
	Schema  int             `json:"schema"`
	State   json.RawMessage `json:"state,omitempty"`
	Pruned  int64           `json:"pruned"`
	TakenAt time.Time       `json:"taken_at"`
}

// UpsertSnapshotStmt records sn as the stream's snapshot unless the stream
// already has one of a later version (a snapshot never goes back). It
// keeps the stream's Pruned mark: retention sets that (MarkPrunedStmt).
func UpsertSnapshotStmt(sn *Snapshot) Statement {
	return Stmt(`INSERT INTO event_snapshots (stream, version, schema, state, pruned, taken_at)
		VALUES (?, ?, ?, ?, 0, ?)
		ON CONFLICT (stream) DO UPDATE SET version = excluded.version, schema = excluded.schema,
			state = excluded.state, taken_at = excluded.taken_at
		WHERE excluded.version >= event_snapshots.version`,
		sn.Stream, sn.Version, sn.Schema, string(sn.State), sn.TakenAt)
}

// ReplaceSnapshotStmt records sn as the stream's snapshot whatever its
// version, keeping the Pruned mark (replay rewrites snapshots at the
// versions they had).
func ReplaceSnapshotStmt(sn *Snapshot) Statement {
	return Stmt(`INSERT INTO event_snapshots (stream, version, schema, state, pruned, taken_at)
		VALUES (?, ?, ?, ?, 0, ?)
		ON CONFLICT (stream) DO UPDATE SET version = excluded.version, schema = excluded.schema,
			state = excluded.state, taken_at = excluded.taken_at`,
		sn.Stream, sn.Version, sn.Schema, string(sn.State), sn.TakenAt)
}

// MarkPrunedStmt records that the stream's events up to version through
// were deleted.
func MarkPrunedStmt(stream string, through int64) Statement {
	return Stmt(`UPDATE event_snapshots SET pruned = MAX(pruned, ?) WHERE stream = ?`, through, stream)
}

// DeleteSnapshotStmt deletes the stream's snapshot.
func DeleteSnapshotStmt(stream string) Statement {
	return Stmt(`DELETE FROM event_snapshots WHERE stream = ?`, stream)
}

// DeleteUnprunedSnapshotStmt deletes the stream's snapshot unless a prune
// made it the base of what is left of the stream (events before it were
// deleted): without it those events could not be replayed.
func DeleteUnprunedSnapshotStmt(stream string) Statement {
	return Stmt(`DELETE FROM event_snapshots WHERE stream = ? AND pruned = 0`, stream)
}

// Snapshot returns the stream's snapshot; ok is false if it has none.
func (s *Store) Snapshot(ctx context.Context, stream string) (sn Snapshot, ok bool, err error) {
	rows, err := s.Query(ctx, `SELECT stream, version, schema, state, pruned, taken_at FROM event_snapshots WHERE stream = ?`, stream)
	if err != nil {
		return sn, false, fmt.Errorf("db: snapshot: %w", err)
	}
	if len(rows.Values) == 0 {
		return sn, false, nil
	}
	r := rows.Values[0]
	return Snapshot{Stream: asString(r[0]), Version: asInt(r[1]), Schema: int(asInt(r[2])),
		State: json.RawMessage(asString(r[3])), Pruned: asInt(r[4]), TakenAt: time.UnixMilli(asInt(r[5]))}, true, nil
}

// Snapshots lists the snapshots of the streams starting with prefix,
// without their state, by stream.
func (s *Store) Snapshots(ctx context.Context, prefix string) ([]Snapshot, error) {
	lo, hi := PrefixRange(prefix)
	rows, err := s.Query(ctx, `SELECT stream, version, schema, pruned, taken_at FROM event_snapshots
		WHERE stream >= ? AND stream < ? ORDER BY stream`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("db: snapshots: %w", err)
	}
	out := make([]Snapshot, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, Snapshot{Stream: asString(r[0]), Version: asInt(r[1]), Schema: int(asInt(r[2])),
			Pruned: asInt(r[3]), TakenAt: time.UnixMilli(asInt(r[4]))})
	}
	return out, nil
}

// ProjectionMarkStmt records that projection name was replayed through
// event lastID, the highest id of the streams in [lo, hi) — and fails the
// transaction it is in (NOT NULL constraint on last_id) if an event of
// those streams was appended since: a replay must not overwrite rows that
// events it did not see wrote. IsReplayRace recognises that failure.
func ProjectionMarkStmt(name, lo, hi string, lastID int64, at time.Time) Statement {
	return Stmt(`INSERT INTO projection_state (name, last_id, replayed_at)
		SELECT ?, CASE WHEN (SELECT COALESCE(MAX(id), 0) FROM events WHERE stream >= ? AND stream < ?) = ? THEN ? END, ?
		ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id, replayed_at = excluded.replayed_at`,
		name, lo, hi, lastID, lastID, at)
}

// IsReplayRace reports whether err is the failure of a ProjectionMarkStmt:
// events were appended since the replay read them.
func IsReplayRace(err error) bool {
	return err != nil && errorContains(err, "NOT NULL constraint failed: projection_state.last_id")
}

// ProjectionState is one row of projection_state.
type ProjectionState struct {
	Name       string    `json:"name"`
	LastID     int64     `json:"last_id"`
	ReplayedAt time.Time `json:"replayed_at"`
}

// ProjectionStates lists when each projection was last replayed.
func (s *Store) ProjectionStates(ctx context.Context) ([]ProjectionState, error) {
	rows, err := s.Query(ctx, `SELECT name, last_id, replayed_at FROM projection_state ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("db: projection states: %w", err)
	}
	out := make([]ProjectionState, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, ProjectionState{Name: asString(r[0]), LastID: asInt(r[1]), ReplayedAt: time.UnixMilli(asInt(r[2]))})
	}
	return out, nil
}
