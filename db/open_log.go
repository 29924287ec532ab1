package db

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/hashicorp/raft"
	raftboltdb "github.com/rqlite/raft-boltdb/v2"
	"github.com/rqlite/rqlite/v8/snapshot"
	"go.etcd.io/bbolt"
)

// The Raft log (store/raft.db, a Bolt file) is the store's record: SQLite
// is rebuilt from it, and from the latest snapshot, at every open. Two
// ways of losing it went unnoticed or crashed the process:
//
//   - An empty or missing raft.db in a store that held data: Raft took it
//     for a new store, rqlite deleted db.sqlite, and the dir started over
//     (or went back to its latest snapshot) without a word.
//   - A damaged raft.db: Bolt panics on a page that is not what it should
//     be, and Raft panics on an entry it cannot decode; the process died
//     with a stack trace.
//
// So before rqlite opens the log, checkLog looks at it: the file's size,
// and then what rqlite and Raft read while they open (Bolt's meta and
// freelist pages, the first and last entries, Raft's terms and every entry
// after the latest snapshot, which Raft replays), read-only and with
// panics and memory faults recovered. Everything it reads, the open reads
// anyway, so it costs about as much again as reading those entries
// (BenchmarkCheckLog); a damaged entry that only a later
// compaction would read goes unnoticed.

const raftDBFile = "raft.db" // rqlite's name for the Raft log in the store dir

// checkLog returns a *usererr.Error when the Raft log in raftDir is lost
// or damaged, nil when rqlite may open the store; and the bytes of the
// entries after the latest snapshot, which the open replays.
func checkLog(raftDir string) (replay int64, _ error) {
	path := filepath.Join(raftDir, raftDBFile)
	info, err := os.Stat(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("db.Open: %w", err)
	}
	if err != nil || info.Size() == 0 {
		state := "missing"
		if err == nil {
			state = "empty"
		}
		if storeHeld(raftDir) {
			return 0, &usererr.Error{Msg: fmt.Sprintf("the store's Raft log %s is %s, yet the store was in use: aiex will not start it over; %s",
				path, state, keepAdvice(raftDir))}
		}
		return 0, nil // a new store
	}
	replay, err = readLog(path, lastSnapshot(raftDir))
	if err != nil {
		if isNoSpace(err) {
			return 0, err
		}
		if !storeHeld(raftDir) && noEntries(path) {
			// The first open of a new store stopped (kill -9) before Raft
			// wrote its buckets: nothing was ever in it. It starts anew,
			// as a missing log does.
			if rerr := os.Remove(path); rerr == nil {
				return 0, nil
			}
		}
		return 0, &usererr.Error{Msg: fmt.Sprintf("the store's Raft log %s is damaged (%v): aiex cannot open it; %s",
			path, err, keepAdvice(raftDir)), Err: err}
	}
	return replay, nil
}

// storeHeld reports whether the store in raftDir was used: it has a
// snapshot, or the SQLite files rqlite makes after the log (a first open
// killed before its log was written leaves neither).
func storeHeld(raftDir string) bool {
	if lastSnapshot(raftDir) > 0 {
		return true
	}
	for _, name := range []string{"db.sqlite", "db.sqlite-wal"} {
		if info, err := os.Stat(filepath.Join(raftDir, name)); err == nil && info.Size() > 0 {
			return true
		}
	}
	return false
}

// noEntries reports whether the Bolt file at path holds no Raft log
// entry: it opens as Bolt, and its log bucket is missing or empty. A file
// that does not open as Bolt is damaged, not empty.
func noEntries(path string) (none bool) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if recover() != nil {
			none = false
		}
	}()
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return false
	}
	defer b.Close()
	err = b.View(func(tx *bbolt.Tx) error {
		if logs := tx.Bucket([]byte("logs")); logs != nil {
			if k, _ := logs.Cursor().First(); k != nil {
				return errors.New("has entries")
			}
		}
		return nil
	})
	return err == nil
}

// damagedSnapshot is the sentence for an open that failed because the
// store's snapshots cannot be read (a snapshot's file or its meta.json
// damaged): Raft says only "failed to load any existing snapshots", or a
// JSON error, naming no file and nothing to do. ok is false for any other
// failure, and when the disk is full or the file size limit reached
// (openDiskFull says those).
func damagedSnapshot(raftDir string, err error) (msg string, ok bool) {
	text := err.Error()
	if isNoSpace(err) || isTooLarge(err) ||
		!strings.Contains(text, "failed to load any existing snapshots") && !strings.Contains(text, "failed to create snapshot store") {
		return "", false
	}
	// Restoring a snapshot into SQLite on a full disk fails with the same
	// words: the disk is asked first (openDiskFull says it).
	dir := filepath.Dir(raftDir)
	if free, ok := freeSpace(dir); ok && free < fullBelow || fileLimitReached(dir) {
		return "", false
	}
	snaps := filepath.Join(raftDir, "rsnapshots")
	return fmt.Sprintf("the store's snapshot in %s cannot be read (%s): aiex cannot open the store; put back rsnapshots from a backup, or move %s aside to start a new, empty store",
		snaps, lastClause(text), raftDir), true
}

// lastClause is the part of an error's text after its last operation's
// prefix ("a: b: c" → "c"), for a sentence that names the file itself.
func lastClause(text string) string {
	if i := strings.LastIndex(text, ": "); i >= 0 && i+2 < len(text) {
		return text[i+2:]
	}
	return text
}

// keepAdvice says what survives a lost or damaged log and what to do.
func keepAdvice(raftDir string) string {
	snap := ""
	if idx := lastSnapshot(raftDir); idx > 0 {
		snap = fmt.Sprintf(", and its snapshot up to entry %d is in rsnapshots", idx)
	}
	sqlite := filepath.Join(raftDir, "db.sqlite")
	if _, err := os.Stat(sqlite); err != nil {
		if snap == "" {
			return fmt.Sprintf("nothing else of it is in %s; put back raft.db from a backup, or move %s aside to start a new, empty store", raftDir, raftDir)
		}
		return fmt.Sprintf("its snapshot up to entry %d is in rsnapshots; put back raft.db from a backup, or move %s aside to start a new, empty store",
			lastSnapshot(raftDir), raftDir)
	}
	return fmt.Sprintf("what it last held is still in %s (SQLite, with its -wal file)%s; put back raft.db from a backup, or move %s aside to start a new, empty store",
		sqlite, snap, raftDir)
}

// lastSnapshot is the log index of the latest snapshot in raftDir, 0 if
// there is none.
func lastSnapshot(raftDir string) uint64 {
	idx, _, err := snapshot.LatestIndexTerm(filepath.Join(raftDir, "rsnapshots"))
	if err != nil {
		return 0
	}
	return idx
}

// readLog reads the Raft log at path as rqlite and Raft read it when they
// open: Bolt's meta and freelist, the first and last entries, Raft's terms
// and vote, and every entry after index snap (Raft replays them). A page
// Bolt cannot read, an entry Raft cannot decode or a file cut short is an
// error, never a panic or a fault (a page past the end of a file cut
// short faults when read). replay is the size of the entries after snap.
func readLog(path string, snap uint64) (replay int64, err error) {
	// A file cut short leaves pages past its end in Bolt's memory map:
	// reading them faults, which this makes a panic for this goroutine.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	bs, err := raftboltdb.New(raftboltdb.Options{Path: path, BoltOptions: &bbolt.Options{
		ReadOnly:        true,
		PreLoadFreelist: true, // rqlite's open reads it
		Timeout:         time.Second,
	}})
	if err != nil {
		return 0, err
	}
	defer bs.Close()
	for _, key := range []string{"CurrentTerm", "LastVoteTerm", "LastVoteCand"} {
		if _, err := bs.Get([]byte(key)); err != nil && !errors.Is(err, raftboltdb.ErrKeyNotFound) {
			return 0, err
		}
	}
	first, err := bs.FirstIndex()
	if err != nil {
		return 0, err
	}
	last, err := bs.LastIndex()
	if err != nil {
		return 0, err
	}
	if first == 0 || last == 0 {
		return 0, nil
	}
	var l raft.Log
	for _, i := range []uint64{first, last} {
		if err := bs.GetLog(i, &l); err != nil {
			return 0, fmt.Errorf("entry %d: %w", i, err)
		}
	}
	for i := max(first, snap+1); i <= last; i++ {
		if err := bs.GetLog(i, &l); err != nil {
			return 0, fmt.Errorf("entry %d: %w", i, err)
		}
		replay += int64(len(l.Data))
	}
	return replay, nil
}
