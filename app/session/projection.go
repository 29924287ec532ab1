package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/db"
)

// Projection is the sessions projection (tables sessions, session_turns,
// session_usage), for events.Log.Replay, Load and Prune.
func Projection() events.Projection { return projection{} }

type projection struct{}

// ErrSnapshotSchema: a snapshot's state is of a schema this binary cannot
// read.
var ErrSnapshotSchema = errors.New("unknown snapshot schema")

func (projection) Name() string   { return "sessions" }
func (projection) Prefix() string { return StreamPrefix }

func (projection) Reset() []db.Statement { return db.ClearSessionsStmts() }

func (projection) NewFold(stream string, snap *db.Snapshot) (events.Fold, error) {
	id, ok := strings.CutPrefix(stream, StreamPrefix)
	if !ok || id == "" {
		return nil, fmt.Errorf("session: %s is not a session stream", stream)
	}
	if snap == nil {
		return newState(id), nil
	}
	if snap.Schema != stateSchema {
		return nil, fmt.Errorf("session: snapshot of %s: %w %d (this aiex reads %d)", stream, ErrSnapshotSchema, snap.Schema, stateSchema)
	}
	st := newState(id)
	if err := json.Unmarshal(snap.State, st); err != nil {
		return nil, fmt.Errorf("session: snapshot of %s: %w", stream, err)
	}
	if st.Session.ID != id || st.Session.Version != snap.Version {
		return nil, fmt.Errorf("session: snapshot of %s is of %s at version %d, not version %d", stream, st.Session.ID, st.Session.Version, snap.Version)
	}
	st.normalize()
	return st, nil
}

// normalize puts the times of a state read from JSON in UTC, as folded
// ones are, so that it marshals to the same bytes again.
func (st *state) normalize() {
	s := &st.Session
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	for i := range st.Turns {
		tr := &st.Turns[i]
		tr.StartedAt, tr.FinishedAt = tr.StartedAt.UTC(), tr.FinishedAt.UTC()
	}
	if st.Turns == nil {
		st.Turns = []db.SessionTurn{}
	}
	if st.Usage == nil {
		st.Usage = []db.SessionUsage{}
	}
}

// Write implements events.Projection: every row of every fold, in bulk.
// These are the rows liveStmts left behind after the same events.
func (projection) Write(folds []events.Fold) ([]db.Statement, error) {
	var sessions []db.SessionRow
	var turns []db.SessionTurn
	var refs []*db.TextRef
	var usage []db.SessionUsage
	for _, f := range folds {
		st, ok := f.(*state)
		if !ok {
			return nil, fmt.Errorf("session: cannot write a %T", f)
		}
		if st.Removed || st.Session.Version == 0 || st.Session.Status == "" {
			continue // removed, or nothing but skipped events
		}
		sessions = append(sessions, st.Session)
		if st.Session.Status == db.SessionActive {
			turns = append(turns, st.Turns...)
			for _, tr := range st.Turns {
				refs = append(refs, st.refs[tr.Turn])
			}
		}
		usage = append(usage, st.Usage...)
	}
	// The turns' statements are most of the SQL: the second half of them
	// is built on another core meanwhile (halves of whole statements).
	half := len(turns) / 2 / turnsPerStmt * turnsPerStmt
	var rest []db.Statement
	var wg sync.WaitGroup
	wg.Go(func() { rest = db.UpsertSessionTurnsFromEventsStmts(turns[half:], refs[half:]) })
	stmts := db.UpsertSessionsStmts(sessions)
	stmts = append(stmts, db.UpsertSessionTurnsFromEventsStmts(turns[:half], refs[:half])...)
	wg.Wait()
	stmts = append(stmts, rest...)
	return append(stmts, db.UpsertSessionUsageStmts(usage)...), nil
}

// turnsPerStmt is how many rows db puts in one statement at most: halves
// split elsewhere would only give one statement more.
const turnsPerStmt = 2000
