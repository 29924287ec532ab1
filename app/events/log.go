// Package events is the event store: an append-only log of typed,
// versioned events in the replicated store, with optimistic concurrency
// (an append carries the version of the stream its writer read, and fails
// with ErrConflict if another writer appended first), projections folded
// from the log (written in the same Raft transaction as their events, and
// rebuilt by Replay), snapshots of long streams, retention through
// snapshots (Prune), and subscriptions that resume from an event id.
//
// See DESIGN.md for why projections are written synchronously, how replay
// stays identical to live writes, and the figures.
package events

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// Event is one record of the log.
type Event = db.Event

// StreamAppend is a batch of events for one stream, appended only if the
// stream is at version Expected.
type StreamAppend = db.StreamAppend

// ConflictError reports that a stream was not at the version an append
// expected; errors.Is(err, ErrConflict) matches it.
type ConflictError = db.ConflictError

// ErrConflict is matched by every append conflict.
var ErrConflict = db.ErrConflict

// AnyVersion as an expected version appends without a check.
const AnyVersion = db.AnyVersion

// Config configures a Log. Store and Registry are required.
type Config struct {
	Store    *db.Store
	Registry *Registry
	// Node is recorded with each event; "" means the store's node ID.
	Node string
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger // nil discards
}

// Log appends, reads, replays and follows events. It is safe for
// concurrent use.
type Log struct {
	st     *db.Store
	reg    *Registry
	node   string
	now    func() time.Time
	logger *slog.Logger
	hub    hub // wakes subscribers
}

// New returns a Log over cfg.Store.
func New(cfg Config) *Log {
	l := &Log{st: cfg.Store, reg: cfg.Registry, node: cfg.Node, now: cfg.Now, logger: cfg.Logger}
	if l.node == "" {
		l.node = cfg.Store.NodeID()
	}
	if l.now == nil {
		l.now = time.Now
	}
	if l.logger == nil {
		l.logger = slog.New(slog.DiscardHandler)
	}
	return l
}

// Registry is the log's registry of event types.
func (l *Log) Registry() *Registry { return l.reg }

// Node is the node ID recorded with the events this log makes.
func (l *Log) Node() string { return l.node }

// Now is the log's clock, to the millisecond the store keeps, in UTC.
func (l *Log) Now() time.Time { return time.UnixMilli(l.now().UnixMilli()).UTC() }

// NewEvent returns an event of p's registered type, encoded at the type's
// current schema version, stamped with this node, actor and the time (to
// the millisecond, as stored). Its stream is set by Append.
func (l *Log) NewEvent(p Payload, actor string) (*Event, error) {
	typ, schema, payload, err := l.reg.Encode(p)
	if err != nil {
		return nil, err
	}
	return &Event{Type: typ, Schema: schema, Payload: payload, Node: l.node, Actor: actor, Time: l.Now()}, nil
}

// Append appends evs to stream if the stream is at version expected (0:
// it has no events yet; AnyVersion: no check), all or none, and returns
// the stream's version after them (0 with AnyVersion). If another writer
// appended first it fails with a *ConflictError: read the stream again,
// decide again, and retry. It returns once the store has committed the
// events; each gets its ID and Version.
func (l *Log) Append(ctx context.Context, stream string, expected int64, evs ...*Event) (int64, error) {
	if err := l.AppendBatch(ctx, []StreamAppend{{Stream: stream, Expected: expected, Events: evs}}); err != nil {
		return 0, err
	}
	if expected < 0 {
		return 0, nil
	}
	return expected + int64(len(evs)), nil
}

// AppendBatch appends to several streams, each checked against its own
// expected version, and executes with (projection rows, snapshots) in the
// same Raft transaction: everything commits or nothing does. Batching many
// events in one call is what makes appends fast.
func (l *Log) AppendBatch(ctx context.Context, apps []StreamAppend, with ...db.Statement) error {
	if err := l.st.AppendStreams(ctx, apps, with...); err != nil {
		return fmt.Errorf("events: append: %w", err)
	}
	l.hub.wake.Fire() // committed and applied here: subscribers can read it
	return nil
}

// readPage is how many events one read returns at most.
const readPage = 10000

// Read returns the events of stream with version > after, in order.
func (l *Log) Read(ctx context.Context, stream string, after int64) ([]Event, error) {
	var out []Event
	for {
		evs, err := l.st.StreamEvents(ctx, stream, after, readPage)
		if err != nil {
			return nil, fmt.Errorf("events: read %s: %w", stream, err)
		}
		out = append(out, evs...)
		if len(evs) < readPage {
			return out, nil
		}
		after = evs[len(evs)-1].Version
	}
}

// Version is the stream's current version (0 if it has no events).
func (l *Log) Version(ctx context.Context, stream string) (int64, error) {
	v, err := l.st.StreamVersion(ctx, stream)
	if err != nil {
		return 0, fmt.Errorf("events: %w", err)
	}
	return v, nil
}

// Load folds stream with p: from the stream's snapshot when p can read it,
// then every event after it. A stream with no events and no snapshot
// gives a fold at version 0.
func (l *Log) Load(ctx context.Context, p Projection, stream string) (Fold, error) {
	return l.LoadThrough(ctx, p, stream, 0)
}

// LoadThrough is Load up to version through (0: the last).
func (l *Log) LoadThrough(ctx context.Context, p Projection, stream string, through int64) (Fold, error) {
	sn, ok, err := l.st.Snapshot(ctx, stream)
	if err != nil {
		return nil, fmt.Errorf("events: load %s: %w", stream, err)
	}
	var f Fold
	if ok && (through == 0 || sn.Version <= through) {
		f, err = p.NewFold(stream, &sn)
		if err != nil && sn.Pruned > 0 {
			return nil, fmt.Errorf("events: load %s: its events up to version %d were pruned and its snapshot is unreadable: %w", stream, sn.Pruned, err)
		}
		if err != nil {
			l.logger.Warn("snapshot unreadable; folding from the first event", "stream", stream, "err", err)
			f = nil
		}
	} else if ok && sn.Pruned > 0 {
		return nil, fmt.Errorf("events: load %s through version %d: its events up to version %d were pruned", stream, through, sn.Pruned)
	}
	if f == nil {
		if f, err = p.NewFold(stream, nil); err != nil {
			return nil, fmt.Errorf("events: load %s: %w", stream, err)
		}
	}
	for {
		evs, err := l.st.StreamEvents(ctx, stream, f.Version(), readPage)
		if err != nil {
			return nil, fmt.Errorf("events: load %s: %w", stream, err)
		}
		for i := range evs {
			ev := &evs[i]
			if through > 0 && ev.Version > through {
				return f, nil
			}
			if err := l.apply(f, ev); err != nil {
				return nil, fmt.Errorf("events: load %s: %w", stream, err)
			}
		}
		if len(evs) < readPage {
			return f, nil
		}
	}
}

// apply decodes ev and folds it into f, checking that it is the stream's
// next version.
func (l *Log) apply(f Fold, ev *Event) error {
	p, err := l.reg.Decode(ev)
	return applyDecoded(f, ev, p, err)
}

// applyDecoded folds ev, decoded as p (or not: derr), into f: a version
// gap first, then a decoding error, then what Apply refuses.
func applyDecoded(f Fold, ev *Event, p Payload, derr error) error {
	if ev.Version != f.Version()+1 {
		return &DecodeError{ID: ev.ID, Stream: ev.Stream, Version: ev.Version, Type: ev.Type, Schema: ev.Schema,
			Err: fmt.Errorf("%w: expected version %d of the stream", ErrGap, f.Version()+1)}
	}
	if derr != nil {
		return derr
	}
	if err := f.Apply(ev, p); err != nil {
		return &DecodeError{ID: ev.ID, Stream: ev.Stream, Version: ev.Version, Type: ev.Type, Schema: ev.Schema,
			Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
	}
	return nil
}

// SnapshotStmt is the statement that records f's state as its stream's
// snapshot (it never replaces a later one).
func (l *Log) SnapshotStmt(stream string, f Fold) (db.Statement, error) {
	schema, state, err := f.Snapshot()
	if err != nil {
		return db.Statement{}, fmt.Errorf("events: snapshot %s: %w", stream, err)
	}
	return db.UpsertSnapshotStmt(&db.Snapshot{Stream: stream, Version: f.Version(), Schema: schema, State: state, TakenAt: l.Now()}), nil
}
