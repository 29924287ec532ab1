package db

import (
	"context"
	"path/filepath"
	"time"

	"github.com/rqlite/rqlite/v8/store"
)

// Crash closes s the way a crash would leave its peers: no stepdown, no
// snapshot. Cut the node's network first so that nothing more goes out.
func Crash(s *Store) error { return s.closeWith(context.Background(), false) }

// PendWrite makes s take idx for this process's latest write, as if it had
// made a write it has not applied yet.
func PendWrite(s *Store, idx uint64) { raiseTo(&s.lastWrite, idx) }

// OpenUnbootstrapped leaves dir as a process killed between opening the
// store and bootstrapping it would: Raft's files, with no configuration.
func OpenUnbootstrapped(dir string) error {
	id, err := loadNodeID(dir)
	if err != nil {
		return err
	}
	str := store.New(newSoloLayer(id), &store.Config{
		DBConf: store.NewDBConfig(),
		Dir:    filepath.Join(dir, storeDirName),
		ID:     id,
	})
	if err := str.Open(); err != nil {
		return err
	}
	return str.Close(false)
}

// SetSchemaEvery sets how often Execute reads the schema's version again,
// for the test's duration.
func SetSchemaEvery(t interface{ Cleanup(func()) }, d time.Duration) {
	old := schemaEvery
	schemaEvery = d
	t.Cleanup(func() { schemaEvery = old })
}
