package events

import (
	"context"
	"fmt"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// PruneReport says what Prune deleted.
type PruneReport struct {
	Streams int `json:"streams"` // streams whose old events were deleted
	Events  int `json:"events"`  // events deleted
	Ended   int `json:"ended"`   // ended streams deleted whole (removed sessions)
}

// Prune applies retention to the streams of ps: it deletes their events
// older than before, but only through a snapshot, so that every
// projection stays replayable. For each stream with old events it takes a
// snapshot at the last old version (unless one at or after it exists),
// marks it as the stream's base and deletes the events up to it, in one
// transaction. A stream's last event is always kept (it holds the stream's
// version, which writers append against), except in a stream that has
// ended (a removed session) whose events are all old: that one goes whole,
// snapshot and all — it has no rows to rebuild.
func (l *Log) Prune(ctx context.Context, before time.Time, ps ...Projection) (*PruneReport, error) {
	rep := &PruneReport{}
	for _, p := range ps {
		spans, err := l.st.StreamSpans(ctx, p.Prefix(), before)
		if err != nil {
			return rep, fmt.Errorf("events: prune %s: %w", p.Name(), err)
		}
		for _, sp := range spans {
			if err := l.pruneStream(ctx, p, sp, rep); err != nil {
				return rep, err
			}
		}
	}
	return rep, nil
}

func (l *Log) pruneStream(ctx context.Context, p Projection, sp db.StreamSpan, rep *PruneReport) error {
	if sp.Old == 0 {
		return nil
	}
	sn, hasSnap, err := l.st.Snapshot(ctx, sp.Stream)
	if err != nil {
		return fmt.Errorf("events: prune %s: %w", sp.Stream, err)
	}
	if sp.Old == sp.Last {
		f, err := l.Load(ctx, p, sp.Stream)
		if err != nil {
			return fmt.Errorf("events: prune: %w", err)
		}
		if f.Ended() {
			stmts := []db.Statement{db.DeleteStreamEventsStmt(sp.Stream, sp.Last), db.DeleteSnapshotStmt(sp.Stream)}
			res, err := l.st.Execute(ctx, stmts...)
			if err != nil {
				return fmt.Errorf("events: prune %s: %w", sp.Stream, err)
			}
			rep.Ended++
			rep.Events += int(res[0].RowsAffected)
			return nil
		}
	}
	through := min(sp.Old, sp.Last-1)
	if through < sp.First {
		return nil // nothing old but the last event
	}
	var stmts []db.Statement
	if !hasSnap || sn.Version < through {
		f, err := l.LoadThrough(ctx, p, sp.Stream, through)
		if err != nil {
			return fmt.Errorf("events: prune: %w", err)
		}
		st, err := l.SnapshotStmt(sp.Stream, f)
		if err != nil {
			return err
		}
		stmts = append(stmts, st)
	}
	stmts = append(stmts, db.MarkPrunedStmt(sp.Stream, through), db.DeleteStreamEventsStmt(sp.Stream, through))
	res, err := l.st.Execute(ctx, stmts...)
	if err != nil {
		return fmt.Errorf("events: prune %s: %w", sp.Stream, err)
	}
	rep.Streams++
	rep.Events += int(res[len(res)-1].RowsAffected)
	return nil
}
