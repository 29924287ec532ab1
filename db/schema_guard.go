package db

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
)

// A store a newer aiex has migrated holds tables and columns this binary
// does not know, and the rows it writes would not keep them right: an
// older index run, say, rewrites a project's chunks without the rows a
// later migration keyed on their ids, which then point at other chunks.
// So this binary writes only to a schema it knows all of.
//
// Open refuses a store whose schema is newer (the data dir was used by a
// newer aiex). A node of a cluster that a newer node migrated while this
// one ran stays a voter, so that upgrading the nodes one at a time keeps
// the cluster's quorum, but its writes are refused, with what to do
// (ErrSchemaNewer): Execute reads the schema's version again at most every
// schemaEvery. A write in flight while another node migrates can still
// land after the migration; that window is the migrating node's Raft round
// trip plus schemaEvery.

// schemaEvery is how often Execute reads the schema's version again.
var schemaEvery = time.Second

// ErrSchemaNewer is the cause of the error of a store a newer aiex has
// migrated (SchemaNewerError).
var ErrSchemaNewer = errors.New("db: store schema newer than this aiex")

// SchemaNewerError says which schema the store holds and which this
// binary knows.
type SchemaNewerError struct {
	Dir          string
	Store, Known int
}

func (e *SchemaNewerError) Error() string {
	return fmt.Sprintf("data dir %s holds store schema v%d, newer than this aiex knows (v%d)", e.Dir, e.Store, e.Known)
}

func (e *SchemaNewerError) Unwrap() error { return ErrSchemaNewer }

// KnownSchema is the newest schema version this binary knows: that of its
// last embedded migration.
func KnownSchema() int {
	all, err := knownMigrations()
	if err != nil || len(all) == 0 {
		return 0
	}
	return all[len(all)-1].version
}

// knownMigrations parses the embedded migrations once.
var knownMigrations = sync.OnceValues(migrations)

// schemaGuard is the state of the check of Execute.
type schemaGuard struct {
	mu     sync.Mutex
	next   time.Time    // when to read the version again
	newer  atomic.Value // error (*usererr.Error) once the store is found newer
	warned sync.Once
}

// newerSchema returns the error to give when the store's schema, read as
// it is now, is newer than this binary's; nil otherwise.
func (s *Store) newerSchema(ctx context.Context, opening bool) error {
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	known := KnownSchema()
	if v <= known {
		return nil
	}
	cause := &SchemaNewerError{Dir: s.dir, Store: v, Known: known}
	if opening {
		return &usererr.Error{Msg: cause.Error() + ": a newer aiex used it; run that one, or upgrade this one (aiex version shows its schema)", Err: cause}
	}
	return &usererr.Error{Msg: fmt.Sprintf("a newer aiex upgraded this cluster's store to schema v%d (this aiex knows v%d): this node only reads until it runs the newer aiex; upgrade it and restart it",
		v, known), Err: cause}
}

// checkSchema is Execute's check: nil while the store's schema is one this
// binary knows. It reads the version at most every schemaEvery; once the
// store is found newer it stays so (schemas only move forward).
func (s *Store) checkSchema(ctx context.Context) error {
	g := &s.schema
	if err, _ := g.newer.Load().(error); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	if now.Before(g.next) {
		return nil
	}
	err := s.newerSchema(ctx, false)
	if err == nil || !errors.Is(err, ErrSchemaNewer) {
		// A read that failed is Execute's to meet, not a reason to refuse.
		g.next = now.Add(schemaEvery)
		return nil
	}
	g.newer.Store(err)
	g.warned.Do(func() {
		s.logger.Warn("store: schema upgraded by a newer aiex; this node's writes are refused", "err", err)
	})
	return err
}
