package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// Projection folds the events of the streams whose names start with
// Prefix into tables. Live writers and Replay go through the same Fold,
// and a Fold's rows are a function of the events it was given alone: that
// is what makes a replay write exactly what live appends wrote.
type Projection interface {
	// Name names the projection (projection_state, reports).
	Name() string
	// Prefix is the prefix of the streams it owns, e.g. "session/".
	Prefix() string
	// Reset returns the statements that empty its tables.
	Reset() []db.Statement
	// NewFold starts the fold of one stream: from snap's state if snap is
	// not nil, else empty (version 0).
	NewFold(stream string, snap *db.Snapshot) (Fold, error)
	// Write returns the statements that write the rows of folds (its own
	// Folds), in bulk, into tables Reset emptied.
	Write(folds []Fold) ([]db.Statement, error)
}

// Fold is the state of one stream as a projection sees it.
type Fold interface {
	// Version is the version of the last event folded (or skipped).
	Version() int64
	// Apply folds ev, whose decoded payload is p. It returns an error,
	// and leaves the fold as it was, if ev cannot follow what came before
	// (a turn that never started, a stream that has ended).
	Apply(ev *Event, p Payload) error
	// Skip records that ev was skipped (Replay with Skip): the version
	// moves on, nothing else changes.
	Skip(ev *Event)
	// Snapshot returns the state to store, and its schema version.
	Snapshot() (schema int, state json.RawMessage, err error)
	// Ended reports that the stream was closed for good (a removed
	// session): it has no rows, and retention may delete it whole.
	Ended() bool
}

// More sentinel errors for events that decode but do not fit.
var (
	// ErrGap: an event's version is not the next of its stream.
	ErrGap = errors.New("version gap")
	// ErrInvalid: the event cannot follow the events before it.
	ErrInvalid = errors.New("invalid event")
)

// ReplayOptions configures Replay.
type ReplayOptions struct {
	// Skip skips events that cannot be decoded or applied, and lists them
	// in the report; without it Replay stops at the first and changes
	// nothing.
	Skip bool
}

// BadEvent is an event Replay could not fold.
type BadEvent struct {
	ID      int64  `json:"id"`
	Stream  string `json:"stream"`
	Version int64  `json:"version"`
	Type    string `json:"type"`
	Schema  int    `json:"schema"`
	Reason  string `json:"reason"`
	Err     error  `json:"-"`
}

// BadEventError stops a Replay without Skip. Nothing was written.
type BadEventError struct{ BadEvent }

func (e *BadEventError) Error() string {
	return fmt.Sprintf("event %d (%s v%d, %s schema %d) cannot be replayed: %s; replay stopped and changed nothing",
		e.ID, e.Stream, e.Version, e.Type, e.Schema, e.Reason)
}

func (e *BadEventError) Unwrap() error { return e.Err }

// ReplayReport says what a Replay did.
type ReplayReport struct {
	Events  int           `json:"events"`  // events folded
	Streams int           `json:"streams"` // streams with rows or snapshots rebuilt
	Skipped []BadEvent    `json:"skipped"` // with Skip
	LastID  int64         `json:"last_id"` // the last event replayed
	Took    time.Duration `json:"took_ns"`
}

// replayAttempts bounds the replays started again because events were
// appended while one ran.
const replayAttempts = 5

// Replay rebuilds the projections ps from the log: it folds every event
// of their streams (from a stream's snapshot where retention pruned the
// events before it), then, in one Raft transaction, empties their tables
// and writes the rows the folds give, and rewrites the other snapshots at
// the versions they had. An event that cannot be decoded (unknown type,
// corrupt payload, unknown schema version) or applied stops the replay with
// a *BadEventError naming it — or, with Skip, is skipped and listed. If
// events of those streams are appended while it runs, the transaction is
// refused and the replay starts again.
func (l *Log) Replay(ctx context.Context, opts ReplayOptions, ps ...Projection) (*ReplayReport, error) {
	start := time.Now()
	for attempt := 1; ; attempt++ {
		rep, err := l.replayOnce(ctx, opts, ps)
		if db.IsReplayRace(err) && attempt < replayAttempts {
			l.logger.Info("events appended during replay; replaying again", "attempt", attempt)
			continue
		}
		if err != nil {
			return rep, err
		}
		rep.Took = time.Since(start)
		return rep, nil
	}
}

// streamFold is one stream during a replay.
type streamFold struct {
	fold    Fold
	snap    *db.Snapshot // its snapshot (without state unless pruned)
	capture *db.Snapshot // the snapshot rewritten at the same version
}

func (l *Log) replayOnce(ctx context.Context, opts ReplayOptions, ps []Projection) (*ReplayReport, error) {
	rep := &ReplayReport{Skipped: []BadEvent{}}
	var stmts []db.Statement
	for _, p := range ps {
		folds, last, err := l.fold(ctx, opts, p, rep)
		if err != nil {
			return rep, err
		}
		streams := make([]string, 0, len(folds))
		for s := range folds {
			streams = append(streams, s)
		}
		sort.Strings(streams)
		list := make([]Fold, 0, len(folds))
		var snaps []db.Statement
		for _, s := range streams {
			sf := folds[s]
			list = append(list, sf.fold)
			if sf.capture != nil {
				snaps = append(snaps, db.ReplaceSnapshotStmt(sf.capture))
			}
		}
		rows, err := p.Write(list)
		if err != nil {
			return rep, fmt.Errorf("events: replay %s: %w", p.Name(), err)
		}
		lo, hi := db.PrefixRange(p.Prefix())
		// The mark first: if events were appended meanwhile it fails the
		// transaction before the big statements run.
		stmts = append(stmts, db.ProjectionMarkStmt(p.Name(), lo, hi, last, l.Now()))
		stmts = append(stmts, p.Reset()...)
		stmts = append(stmts, rows...)
		stmts = append(stmts, snaps...)
		rep.Streams += len(folds)
		rep.LastID = max(rep.LastID, last)
	}
	if _, err := l.st.Execute(ctx, stmts...); err != nil {
		if db.IsReplayRace(err) {
			return rep, err
		}
		return rep, fmt.Errorf("events: replay: write projections: %w", err)
	}
	return rep, nil
}

// fold folds every event of p's streams, returning the folds by stream
// and the highest event id seen.
func (l *Log) fold(ctx context.Context, opts ReplayOptions, p Projection, rep *ReplayReport) (map[string]*streamFold, int64, error) {
	snaps, err := l.st.Snapshots(ctx, p.Prefix())
	if err != nil {
		return nil, 0, fmt.Errorf("events: replay %s: %w", p.Name(), err)
	}
	folds := map[string]*streamFold{}
	for i := range snaps {
		sn := &snaps[i]
		sf := &streamFold{snap: sn}
		if sn.Pruned > 0 {
			// Events before it are gone: the stream starts from its
			// snapshot, which must be readable.
			full, ok, err := l.st.Snapshot(ctx, sn.Stream)
			if err != nil || !ok {
				return nil, 0, fmt.Errorf("events: replay %s: snapshot of %s: %v", p.Name(), sn.Stream, cmpErr(err, "gone"))
			}
			if sf.fold, err = p.NewFold(sn.Stream, &full); err != nil {
				return nil, 0, fmt.Errorf("events: replay %s: %s was pruned up to version %d and its snapshot is unreadable: %w",
					p.Name(), sn.Stream, sn.Pruned, err)
			}
		}
		folds[sn.Stream] = sf
	}
	var last int64
	pages, stop := l.readDecoded(ctx, p.Prefix())
	defer stop()
	for pg := range pages {
		if pg.err != nil {
			return nil, 0, fmt.Errorf("events: replay %s: %w", p.Name(), pg.err)
		}
		for i := range pg.evs {
			ev := &pg.evs[i]
			last = ev.ID
			sf := folds[ev.Stream]
			if sf == nil {
				sf = &streamFold{}
				folds[ev.Stream] = sf
			}
			if sf.fold == nil {
				var err error
				if sf.fold, err = p.NewFold(ev.Stream, nil); err != nil {
					return nil, 0, fmt.Errorf("events: replay %s: %w", p.Name(), err)
				}
			}
			if sf.snap != nil && sf.snap.Pruned > 0 && ev.Version <= sf.fold.Version() {
				continue // folded into the snapshot it starts from
			}
			if err := applyDecoded(sf.fold, ev, pg.ps[i], pg.errs[i]); err != nil {
				bad := badEvent(ev, err)
				if !opts.Skip {
					return nil, 0, &BadEventError{bad}
				}
				rep.Skipped = append(rep.Skipped, bad)
				if ev.Version > sf.fold.Version() {
					sf.fold.Skip(ev)
				}
				l.logger.Warn("replay skipped an event", "id", ev.ID, "stream", ev.Stream, "reason", bad.Reason)
			} else {
				rep.Events++
			}
			if sn := sf.snap; sn != nil && sn.Pruned == 0 && sf.fold.Version() == sn.Version {
				schema, state, err := sf.fold.Snapshot()
				if err != nil {
					return nil, 0, fmt.Errorf("events: replay %s: snapshot %s: %w", p.Name(), ev.Stream, err)
				}
				sf.capture = &db.Snapshot{Stream: sn.Stream, Version: sn.Version, Schema: schema, State: state, TakenAt: sn.TakenAt}
			}
		}
	}
	// A stream whose snapshot outlived all its events (cannot happen:
	// retention keeps the last) is folded from the snapshot alone.
	for s, sf := range folds {
		if sf.fold == nil {
			delete(folds, s) // an unpruned snapshot of a stream with no events: nothing to write
		}
	}
	return folds, last, nil
}

// page is a page of events read for a replay, decoded.
type page struct {
	evs  []Event
	ps   []Payload
	errs []error // decoding errors, by event
	err  error   // reading error
}

// readDecoded reads the events of the streams starting with prefix in id
// order, a page at a time, and decodes them, ahead of the fold: a reader
// goroutine reads the next page while a decoder decodes the one before
// (its events split over the cores) and the caller folds the one before
// that. stop ends both and waits for them.
func (l *Log) readDecoded(ctx context.Context, prefix string) (pages <-chan page, stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	read := make(chan page, 1)
	decoded := make(chan page, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(read)
		var after int64
		for {
			evs, err := l.st.PrefixEvents(ctx, prefix, after, readPage)
			select {
			case read <- page{evs: evs, err: err}:
			case <-ctx.Done():
				return
			}
			if err != nil || len(evs) < readPage {
				return
			}
			after = evs[len(evs)-1].ID
		}
	})
	wg.Go(func() {
		defer close(decoded)
		for pg := range read {
			l.decodePage(&pg)
			select {
			case decoded <- pg:
			case <-ctx.Done():
				return
			}
		}
	})
	return decoded, func() {
		cancel()
		for range decoded { // unblock the decoder, which unblocks the reader
		}
		wg.Wait()
	}
}

// decodeChunk is how many events a decoding worker takes at a time.
const decodeChunk = 256

// decodePage decodes a page's events over the cores, a chunk at a time
// to whichever worker is free: on cores shared with other work, a worker
// that is descheduled holds the page up by one chunk, not by its half.
func (l *Log) decodePage(pg *page) {
	n := len(pg.evs)
	pg.ps, pg.errs = make([]Payload, n), make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(1, n/decodeChunk)) {
		wg.Go(func() {
			for {
				lo := int(next.Add(decodeChunk)) - decodeChunk
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+decodeChunk, n); i++ {
					pg.ps[i], pg.errs[i] = l.reg.Decode(&pg.evs[i])
				}
			}
		})
	}
	wg.Wait()
}

func badEvent(ev *Event, err error) BadEvent {
	reason := err.Error()
	var de *DecodeError
	if errors.As(err, &de) {
		reason = de.Err.Error()
	}
	return BadEvent{ID: ev.ID, Stream: ev.Stream, Version: ev.Version, Type: ev.Type, Schema: ev.Schema, Reason: reason, Err: err}
}

func cmpErr(err error, otherwise string) string {
	if err != nil {
		return err.Error()
	}
	return otherwise
}
