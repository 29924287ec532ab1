package db

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The checkpoint projections and the blob store (migration 0010).
// app/checkpoint folds each checkpoint's event stream into a row of
// checkpoints, its files and its tags; the same statements write them live
// (one checkpoint's rows, in the transaction of its events) and on replay
// (every checkpoint's, in bulk). Blobs are file contents by hash, written
// with the event that first refers to them and never rewritten.

// Checkpoint statuses.
const (
	CheckpointApplying   = "applying"    // recorded; its writes have not all been confirmed
	CheckpointApplied    = "applied"     // every write done
	CheckpointRolledBack = "rolled_back" // a write failed and the files were put back
	CheckpointFailed     = "failed"      // a write failed and some files could not be put back
)

// CheckpointRow is one row of checkpoints.
type CheckpointRow struct {
	ID        string    `json:"id"`
	Version   int64     `json:"version"`
	Project   string    `json:"project"`
	Root      string    `json:"root"`
	SessionID string    `json:"session_id"`
	Turn      int64     `json:"turn"`
	Reason    string    `json:"reason"`
	Label     string    `json:"label"`
	RestoreOf string    `json:"restore_of"`
	Status    string    `json:"status"`
	Error     string    `json:"error"`
	Files     int64     `json:"files"`
	Node      string    `json:"node"`
	Actor     string    `json:"actor"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CheckpointFile is one row of checkpoint_files. A hash of "" means the
// file did not exist.
type CheckpointFile struct {
	CheckpointID string `json:"checkpoint_id"`
	Path         string `json:"path"`
	BeforeHash   string `json:"before_hash"`
	BeforeSize   int64  `json:"before_size"`
	BeforeMode   int64  `json:"before_mode"`
	AfterHash    string `json:"after_hash"`
	AfterSize    int64  `json:"after_size"`
	AfterMode    int64  `json:"after_mode"`
}

// CheckpointTag is one row of checkpoint_tags.
type CheckpointTag struct {
	CheckpointID string `json:"checkpoint_id"`
	Tag          string `json:"tag"`
}

// Blob is one row of blobs: content by its hash, as stored (Enc says how).
type Blob struct {
	Hash string
	Size int64 // of the content
	Enc  string
	Data []byte
}

// blobsChunk bounds the rows of one blob INSERT (4 parameters each; SQLite
// takes 32,766).
const blobsChunk = 500

// InsertBlobsStmts stores blobs, each unless a blob of its hash is there
// already: content is stored once. The data travel as bound parameters
// (bytes as they are, not text).
func InsertBlobsStmts(blobs []Blob, at time.Time) []Statement {
	var out []Statement
	for len(blobs) > 0 {
		n := min(len(blobs), blobsChunk)
		var b strings.Builder
		b.WriteString(`INSERT OR IGNORE INTO blobs (hash, size, enc, data, created_at) VALUES `)
		args := make([]any, 0, 5*n)
		for i, bl := range blobs[:n] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("(?,?,?,?,?)")
			args = append(args, bl.Hash, bl.Size, bl.Enc, bl.Data, at.UnixMilli())
		}
		out = append(out, Stmt(b.String(), args...))
		blobs = blobs[n:]
	}
	return out
}

// UpsertCheckpointsStmts writes rows (insert or replace).
func UpsertCheckpointsStmts(rows []CheckpointRow) []Statement {
	return valuesStmts(rows, `INSERT OR REPLACE INTO checkpoints (id, version, project, root, session_id, turn, reason,
		label, restore_of, status, error, files, node, actor, created_at, updated_at) VALUES `, checkpointValues)
}

func checkpointValues(b *sqlValues, r CheckpointRow) {
	b.str(r.ID).int(r.Version).str(r.Project).str(r.Root).str(r.SessionID).int(r.Turn).str(r.Reason).str(r.Label).
		str(r.RestoreOf).str(r.Status).str(r.Error).int(r.Files).str(r.Node).str(r.Actor).int(r.CreatedAt.UnixMilli()).
		int(r.UpdatedAt.UnixMilli())
}

// UpsertCheckpointCheckedStmt writes row, as UpsertCheckpointsStmts does,
// only if every blob of hashes is stored: otherwise its files column is
// NULL, the NOT NULL constraint fails and the whole transaction rolls back
// (IsMissingBlobs). A writer that left out blobs it saw stored uses it, in
// case pruning deleted them meanwhile.
func UpsertCheckpointCheckedStmt(row CheckpointRow, hashes []string) Statement {
	if len(hashes) == 0 {
		return UpsertCheckpointsStmts([]CheckpointRow{row})[0]
	}
	var list sqlValues
	list.first = true
	for _, h := range hashes {
		list.str(h)
	}
	var b sqlValues
	b.WriteString(`INSERT OR REPLACE INTO checkpoints (id, version, project, root, session_id, turn, reason, label,
		restore_of, status, error, files, node, actor, created_at, updated_at)
		SELECT column1, column2, column3, column4, column5, column6, column7, column8, column9, column10, column11,
			CASE WHEN (SELECT COUNT(*) FROM blobs WHERE hash IN (`)
	b.WriteString(list.String())
	fmt.Fprintf(&b.Builder, `)) = %d THEN column12 END, column13, column14, column15, column16 FROM (VALUES (`, len(hashes))
	b.first = true
	checkpointValues(&b, row)
	b.WriteString("))")
	return Stmt(b.String())
}

// IsMissingBlobs reports that a transaction failed because a checkpoint
// referred to blobs that are not stored (see UpsertCheckpointCheckedStmt).
func IsMissingBlobs(err error) bool {
	return err != nil && errorContains(err, "NOT NULL constraint failed: checkpoints.files")
}

// UpsertCheckpointFilesStmts writes rows (insert or replace).
func UpsertCheckpointFilesStmts(rows []CheckpointFile) []Statement {
	return valuesStmts(rows, `INSERT OR REPLACE INTO checkpoint_files (checkpoint_id, path, before_hash, before_size,
		before_mode, after_hash, after_size, after_mode) VALUES `,
		func(b *sqlValues, f CheckpointFile) {
			b.str(f.CheckpointID).str(f.Path).str(f.BeforeHash).int(f.BeforeSize).int(f.BeforeMode).str(f.AfterHash).
				int(f.AfterSize).int(f.AfterMode)
		})
}

// InsertCheckpointTagsStmts writes rows (ignoring those there already).
func InsertCheckpointTagsStmts(rows []CheckpointTag) []Statement {
	return valuesStmts(rows, `INSERT OR IGNORE INTO checkpoint_tags (checkpoint_id, tag) VALUES `,
		func(b *sqlValues, t CheckpointTag) { b.str(t.CheckpointID).str(t.Tag) })
}

// DeleteCheckpointTagsStmt removes a checkpoint's tags (a live write then
// inserts the ones it has).
func DeleteCheckpointTagsStmt(id string) Statement {
	return Stmt(`DELETE FROM checkpoint_tags WHERE checkpoint_id = ?`, id)
}

// DeleteCheckpointStmts remove every projection row of a checkpoint (it
// was pruned). Its blobs stay until DeleteUnreferencedBlobsStmt.
func DeleteCheckpointStmts(id string) []Statement {
	return []Statement{
		Stmt(`DELETE FROM checkpoints WHERE id = ?`, id),
		Stmt(`DELETE FROM checkpoint_files WHERE checkpoint_id = ?`, id),
		Stmt(`DELETE FROM checkpoint_tags WHERE checkpoint_id = ?`, id),
	}
}

// ClearCheckpointsStmts empty the checkpoint projections (replay). Blobs
// are not a projection and stay.
func ClearCheckpointsStmts() []Statement {
	return []Statement{Stmt(`DELETE FROM checkpoints`), Stmt(`DELETE FROM checkpoint_files`), Stmt(`DELETE FROM checkpoint_tags`)}
}

// DeleteUnreferencedBlobsStmt deletes the blobs no checkpoint file refers
// to, before or after. Its RowsAffected is how many went.
func DeleteUnreferencedBlobsStmt() Statement {
	return Stmt(`DELETE FROM blobs WHERE NOT EXISTS (SELECT 1 FROM checkpoint_files f WHERE f.before_hash = blobs.hash)
		AND NOT EXISTS (SELECT 1 FROM checkpoint_files f WHERE f.after_hash = blobs.hash)`)
}

const checkpointColumns = `id, version, project, root, session_id, turn, reason, label, restore_of, status, error, files,
	node, actor, created_at, updated_at`

func scanCheckpoint(r []any) CheckpointRow {
	return CheckpointRow{
		ID: asString(r[0]), Version: asInt(r[1]), Project: asString(r[2]), Root: asString(r[3]),
		SessionID: asString(r[4]), Turn: asInt(r[5]), Reason: asString(r[6]), Label: asString(r[7]),
		RestoreOf: asString(r[8]), Status: asString(r[9]), Error: asString(r[10]), Files: asInt(r[11]),
		Node: asString(r[12]), Actor: asString(r[13]), CreatedAt: utcMilli(r[14]), UpdatedAt: utcMilli(r[15]),
	}
}

// Checkpoint returns one checkpoint's row; ok is false if there is none.
func (s *Store) Checkpoint(ctx context.Context, id string) (row CheckpointRow, ok bool, err error) {
	rows, err := s.Query(ctx, `SELECT `+checkpointColumns+` FROM checkpoints WHERE id = ?`, id)
	if err != nil {
		return row, false, fmt.Errorf("db: checkpoint: %w", err)
	}
	if len(rows.Values) == 0 {
		return row, false, nil
	}
	return scanCheckpoint(rows.Values[0]), true, nil
}

// CheckpointFilter selects checkpoints for Checkpoints. Zero fields
// select everything.
type CheckpointFilter struct {
	Project   string
	IDPrefix  string
	SessionID string
	Tag       string
	Before    time.Time // created before
	Untagged  bool      // only checkpoints with no tag
	Offset    int
	Limit     int
}

// Checkpoints lists checkpoints, newest first.
func (s *Store) Checkpoints(ctx context.Context, f CheckpointFilter) ([]CheckpointRow, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	before := int64(1<<62 - 1)
	if !f.Before.IsZero() {
		before = f.Before.UnixMilli()
	}
	lo, hi := PrefixRange(f.IDPrefix)
	rows, err := s.Query(ctx, `SELECT `+checkpointColumns+` FROM checkpoints c
		WHERE (? = '' OR project = ?) AND id >= ? AND id < ? AND (? = '' OR session_id = ?) AND created_at < ?
			AND (? = '' OR EXISTS (SELECT 1 FROM checkpoint_tags t WHERE t.checkpoint_id = c.id AND t.tag = ?))
			AND (NOT ? OR NOT EXISTS (SELECT 1 FROM checkpoint_tags t WHERE t.checkpoint_id = c.id))
		ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
		f.Project, f.Project, lo, hi, f.SessionID, f.SessionID, before, f.Tag, f.Tag, f.Untagged, limit, max(f.Offset, 0))
	if err != nil {
		return nil, fmt.Errorf("db: checkpoints: %w", err)
	}
	out := make([]CheckpointRow, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, scanCheckpoint(r))
	}
	return out, nil
}

// CheckpointFiles returns a checkpoint's files, by path.
func (s *Store) CheckpointFiles(ctx context.Context, id string) ([]CheckpointFile, error) {
	rows, err := s.Query(ctx, `SELECT checkpoint_id, path, before_hash, before_size, before_mode, after_hash, after_size,
		after_mode FROM checkpoint_files WHERE checkpoint_id = ? ORDER BY path`, id)
	if err != nil {
		return nil, fmt.Errorf("db: checkpoint files: %w", err)
	}
	out := make([]CheckpointFile, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, CheckpointFile{CheckpointID: asString(r[0]), Path: asString(r[1]), BeforeHash: asString(r[2]),
			BeforeSize: asInt(r[3]), BeforeMode: asInt(r[4]), AfterHash: asString(r[5]), AfterSize: asInt(r[6]),
			AfterMode: asInt(r[7])})
	}
	return out, nil
}

// CheckpointTags returns the tags of the checkpoints ids, sorted, by id.
func (s *Store) CheckpointTags(ctx context.Context, ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.Query(ctx, `SELECT checkpoint_id, tag FROM checkpoint_tags WHERE checkpoint_id IN (`+inList(ids)+`)
		ORDER BY checkpoint_id, tag`)
	if err != nil {
		return nil, fmt.Errorf("db: checkpoint tags: %w", err)
	}
	for _, r := range rows.Values {
		id := asString(r[0])
		out[id] = append(out[id], asString(r[1]))
	}
	return out, nil
}

// LastCheckpointLeaving returns the newest checkpoint of project that left
// path with content hash (its after state); ok is false if none did.
func (s *Store) LastCheckpointLeaving(ctx context.Context, project, path, hash string) (row CheckpointRow, ok bool, err error) {
	rows, err := s.Query(ctx, `SELECT `+checkpointColumns+` FROM checkpoints WHERE project = ? AND id IN
		(SELECT checkpoint_id FROM checkpoint_files WHERE path = ? AND after_hash = ?)
		ORDER BY created_at DESC, id DESC LIMIT 1`, project, path, hash)
	if err != nil {
		return row, false, fmt.Errorf("db: checkpoint leaving %s: %w", path, err)
	}
	if len(rows.Values) == 0 {
		return row, false, nil
	}
	return scanCheckpoint(rows.Values[0]), true, nil
}

// HaveBlobs reports which of hashes are stored.
func (s *Store) HaveBlobs(ctx context.Context, hashes []string) (map[string]bool, error) {
	out := make(map[string]bool, len(hashes))
	for len(hashes) > 0 {
		n := min(len(hashes), blobsChunk)
		rows, err := s.Query(ctx, `SELECT hash FROM blobs WHERE hash IN (`+inList(hashes[:n])+`)`)
		if err != nil {
			return nil, fmt.Errorf("db: have blobs: %w", err)
		}
		for _, r := range rows.Values {
			out[asString(r[0])] = true
		}
		hashes = hashes[n:]
	}
	return out, nil
}

// Blobs returns the stored blobs of hashes, by hash; a hash not stored is
// missing from the map.
func (s *Store) Blobs(ctx context.Context, hashes []string) (map[string]Blob, error) {
	out := make(map[string]Blob, len(hashes))
	for len(hashes) > 0 {
		n := min(len(hashes), blobsChunk)
		rows, err := s.Query(ctx, `SELECT hash, size, enc, data FROM blobs WHERE hash IN (`+inList(hashes[:n])+`)`)
		if err != nil {
			return nil, fmt.Errorf("db: blobs: %w", err)
		}
		for _, r := range rows.Values {
			b := Blob{Hash: asString(r[0]), Size: asInt(r[1]), Enc: asString(r[2]), Data: asBytes(r[3])}
			out[b.Hash] = b
		}
		hashes = hashes[n:]
	}
	return out, nil
}

// BlobsOnlyIn counts the blobs (and their stored bytes) that only the
// checkpoints ids refer to: what pruning them would free.
func (s *Store) BlobsOnlyIn(ctx context.Context, ids []string) (n, bytes int64, err error) {
	if len(ids) == 0 {
		return 0, 0, nil
	}
	list := inList(ids)
	rows, err := s.Query(ctx, `WITH used AS (
			SELECT before_hash AS h FROM checkpoint_files WHERE checkpoint_id IN (`+list+`) AND before_hash <> ''
			UNION SELECT after_hash FROM checkpoint_files WHERE checkpoint_id IN (`+list+`) AND after_hash <> '')
		SELECT COUNT(*), COALESCE(SUM(LENGTH(b.data)), 0) FROM used JOIN blobs b ON b.hash = used.h
		WHERE NOT EXISTS (SELECT 1 FROM checkpoint_files f WHERE f.before_hash = used.h AND f.checkpoint_id NOT IN (`+list+`))
			AND NOT EXISTS (SELECT 1 FROM checkpoint_files f WHERE f.after_hash = used.h AND f.checkpoint_id NOT IN (`+list+`))`)
	if err != nil {
		return 0, 0, fmt.Errorf("db: blobs only in: %w", err)
	}
	return asInt(rows.Values[0][0]), asInt(rows.Values[0][1]), nil
}

// inList is strs as a list of SQL string literals.
func inList(strs []string) string {
	var b sqlValues
	b.first = true
	for _, s := range strs {
		b.str(s)
	}
	return b.String()
}

// CheckpointWrite is one file a checkpoint wrote, with what tells whose
// content the file holds after it: the checkpoint's time and the
// checkpoint it restored, if it is a restore.
type CheckpointWrite struct {
	CheckpointID string
	Path         string
	RestoreOf    string
	CreatedAt    time.Time
	// RestoredAt is when the checkpoint RestoreOf was made; zero if it
	// is not a restore, or the one it restored was pruned.
	RestoredAt time.Time
}

// CheckpointWrites returns the writes to the files the checkpoints ids
// wrote, by every checkpoint of project whose write was done (applied, or
// still applying), oldest first (created_at, then id, as Checkpoints
// orders them newest first).
func (s *Store) CheckpointWrites(ctx context.Context, project string, ids []string) ([]CheckpointWrite, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := s.Query(ctx, `SELECT c.id, f.path, c.restore_of, c.created_at, t.created_at FROM checkpoint_files f
		JOIN checkpoints c ON c.id = f.checkpoint_id LEFT JOIN checkpoints t ON t.id = c.restore_of AND c.restore_of <> ''
		WHERE c.project = ? AND c.status IN (?, ?)
			AND f.path IN (SELECT path FROM checkpoint_files WHERE checkpoint_id IN (`+inList(ids)+`))
		ORDER BY c.created_at, c.id, f.path`, project, CheckpointApplied, CheckpointApplying)
	if err != nil {
		return nil, fmt.Errorf("db: checkpoint writes: %w", err)
	}
	out := make([]CheckpointWrite, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, CheckpointWrite{CheckpointID: asString(r[0]), Path: asString(r[1]), RestoreOf: asString(r[2]),
			CreatedAt: utcMilli(r[3])})
		if r[4] != nil {
			out[len(out)-1].RestoredAt = utcMilli(r[4])
		}
	}
	return out, nil
}

// PrunedCheckpoints returns the ids, starting with prefix, of the
// checkpoints whose stream (under streamPrefix) ended with a prune event
// of type pruned that the log still holds (retention deletes the events of
// pruned streams later), at most limit of them.
func (s *Store) PrunedCheckpoints(ctx context.Context, streamPrefix, pruned, prefix string, limit int) ([]string, error) {
	lo, hi := PrefixRange(streamPrefix + prefix)
	rows, err := s.Query(ctx, `SELECT DISTINCT stream FROM events WHERE stream >= ? AND stream < ? AND type = ?
		ORDER BY stream LIMIT ?`, lo, hi, pruned, limit)
	if err != nil {
		return nil, fmt.Errorf("db: pruned checkpoints: %w", err)
	}
	out := make([]string, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, strings.TrimPrefix(asString(r[0]), streamPrefix))
	}
	return out, nil
}
