package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rqlite/rqlite/v8/command/proto"
)

// Tailing the events table. Every node applies the same log in the same
// order, so events.id (AUTOINCREMENT, assigned as each entry applies) is
// the same on every node and grows in log order: a reader that has seen id
// N has seen every event before it, whichever node appended it. A tail
// reads by that high-water mark. rqlite's change data capture (CDC) wakes it
// when a transaction touching events commits here; CDC drops groups when
// its channel is full and goes silent after a snapshot is restored (the
// hooks stay on the replaced SQLite connection), so a slow ticker backs it
// up, and a tick that finds events CDC did not announce re-arms it.

const (
	tailFallback = time.Second // the ticker behind CDC
	tailBatch    = 1000        // events read per query
)

// tailer owns the CDC wake-ups of one store, started by the first tail.
type tailer struct {
	mu      sync.Mutex
	started bool
	ch      chan *proto.CDCIndexedEventGroup
	stop    chan struct{}
	done    chan struct{}
	wake    Signal
	seen    atomic.Bool // CDC announced events since a tail last looked
}

// startTail enables CDC and its reader, once.
func (s *Store) startTail() error {
	t := &s.tail
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.started {
		return nil
	}
	if s.closing() {
		return ErrClosed
	}
	t.ch = make(chan *proto.CDCIndexedEventGroup, 64)
	if err := s.str.EnableCDC(t.ch, true); err != nil {
		return err
	}
	t.stop, t.done = make(chan struct{}), make(chan struct{})
	t.started = true
	go func() {
		defer close(t.done)
		for {
			select {
			case g := <-t.ch:
				for _, ev := range g.GetEvents() {
					if ev.GetTable() == "events" {
						// CDC speaks from inside SQLite's commit, before the
						// row is visible to readers: wait until it is.
						s.str.WaitForFSMIndex(g.GetIndex(), tailFallback)
						t.seen.Store(true)
						t.wake.Fire()
						break
					}
				}
			case <-t.stop:
				return
			}
		}
	}()
	return nil
}

// rearmTail registers CDC's hooks again, on the SQLite connection in use now.
func (s *Store) rearmTail() {
	t := &s.tail
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.started || s.closing() {
		return
	}
	if err := s.str.DisableCDC(); err == nil {
		if err := s.str.EnableCDC(t.ch, true); err != nil {
			s.logger.Warn("re-arm CDC failed", "err", err)
		}
	}
}

// stopTail disables CDC and stops its reader; the store is closing.
func (s *Store) stopTail() {
	t := &s.tail
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.started {
		return
	}
	s.str.DisableCDC() // no more sends once it returns
	close(t.stop)
	<-t.done
	t.started = false
}

// TailEvents calls fn with every event whose id is above afterID, oldest
// first, in batches: first those already stored, then each new one as this
// node applies it, whichever node appended it. It returns when ctx ends
// (ctx.Err()), when fn fails (its error) or when the store closes
// (ErrClosed). fn runs on the caller's goroutine; while it runs, new events
// wait for the next batch. A negative afterID starts that many events
// before the newest (-10: the last ten, then new ones).
func (s *Store) TailEvents(ctx context.Context, afterID int64, fn func([]Event) error) error {
	if err := s.startTail(); err != nil {
		return fmt.Errorf("db.TailEvents: %w", err)
	}
	if afterID < 0 {
		rows, err := s.Query(ctx, `SELECT COALESCE(MAX(id), 0) FROM events`)
		if err != nil {
			return fmt.Errorf("db.TailEvents: %w", err)
		}
		afterID = max(0, asInt(rows.Values[0][0])+afterID)
	}
	t := &s.tail
	tick := time.NewTicker(tailFallback)
	defer tick.Stop()
	for {
		woken := t.wake.Wait()
		t.seen.Store(false)
		evs, err := s.Events(ctx, "", afterID, tailBatch)
		if err != nil {
			if s.closing() {
				return ErrClosed
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("db.TailEvents: %w", err)
		}
		if len(evs) > 0 {
			if err := fn(evs); err != nil {
				return err
			}
			afterID = evs[len(evs)-1].ID
			if len(evs) == tailBatch {
				continue // more are waiting
			}
		}
		select {
		case <-woken:
		case <-tick.C:
			if n, _ := s.Events(ctx, "", afterID, 1); len(n) > 0 && !t.seen.Load() {
				s.rearmTail() // events arrived unannounced: CDC went silent
			}
		case <-ctx.Done():
			return ctx.Err()
		case <-s.closed:
			return ErrClosed
		}
	}
}

// AppendEvents appends evs in one Raft transaction (all or none), each at
// the next version of its stream, in order, and sets each event's ID.
// Batching is what makes appends fast: one Raft round trip, and one SQL
// statement per appendChunk events instead of one per event (SQLite spends
// most of a small insert preparing it).
func (s *Store) AppendEvents(ctx context.Context, evs []*Event) error {
	if len(evs) == 0 {
		return nil
	}
	var stmts []Statement
	for chunk := range slices.Chunk(evs, appendChunk) {
		stmts = append(stmts, appendEventsStmt(chunk))
	}
	res, err := s.Execute(ctx, stmts...)
	if err != nil {
		var nq *NoQuorumError
		if errors.As(err, &nq) {
			return nq
		}
		return fmt.Errorf("db.AppendEvents: %w", err)
	}
	// One INSERT gives its rows consecutive ids in the order of its SELECT
	// (AUTOINCREMENT, one writer): the last id and the count place them all.
	for i, chunk := range slices.Collect(slices.Chunk(evs, appendChunk)) {
		r := res[i]
		if r.RowsAffected != int64(len(chunk)) {
			return fmt.Errorf("db.AppendEvents: %d of %d events inserted", r.RowsAffected, len(chunk))
		}
		for j, ev := range chunk {
			ev.ID = r.LastInsertID - int64(len(chunk)-1-j)
		}
	}
	return nil
}

// appendChunk is how many events one INSERT carries at most (~200 bytes
// of JSON each).
const appendChunk = 5000

// appendEventsStmt is one INSERT of evs. The events travel as one JSON
// argument that SQLite unpacks with json_each: a parameter per field costs
// more (each is a protobuf message that every node decodes) than the rows'
// insertion itself. Each event's version is its stream's highest version
// before the statement plus its rank among this statement's events of the
// stream (SQLite reads the table before it inserts into it, so the rows
// inserted are not counted twice). Payloads travel as JSON strings, so
// their bytes are stored as given.
func appendEventsStmt(evs []*Event) Statement {
	rows := make([][7]any, len(evs))
	for i, ev := range evs {
		schema := ev.Schema
		if schema == 0 {
			schema = 1
		}
		rows[i] = [7]any{ev.Stream, ev.Type, schema, string(ev.Payload), ev.Node, ev.Actor, ev.Time.UnixMilli()}
	}
	js, _ := json.Marshal(rows) // strings and integers only: cannot fail
	return Stmt(`INSERT INTO events (stream, version, type, schema, payload, node, actor, ts)
		SELECT j.value ->> 0,
			COALESCE((SELECT MAX(e.version) FROM events e WHERE e.stream = j.value ->> 0), 0)
				+ ROW_NUMBER() OVER (PARTITION BY j.value ->> 0 ORDER BY j.key),
			j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5, j.value ->> 6
		FROM json_each(?) AS j ORDER BY j.key`, string(js))
}
