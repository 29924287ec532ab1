package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The audit table (migration 0009) is a hash chain written by app/audit.
// This file stores and reads its rows; the hashing and the verification
// live in app/audit. An append names the tip it chains onto (the id and
// hash of the last row its writer read); the INSERT checks that tip inside
// the statement, which Raft applies in one order on every node, so two
// writers (two nodes, two processes) can never both chain onto the same
// row: the second fails with ErrAuditConflict, reads the new tip and
// tries again.

// AuditRow is one row of the audit chain.
type AuditRow struct {
	ID       int64     `json:"id"`
	Time     time.Time `json:"ts"`
	Node     string    `json:"node"`
	Actor    string    `json:"actor"`
	Op       string    `json:"op"`
	Path     string    `json:"path,omitempty"`
	Result   string    `json:"result"`
	Detail   string    `json:"detail,omitempty"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
}

// AuditTip is the end of the chain: the last row's id and hash (0 and ""
// when the table is empty), and Seq, the highest id ever written (SQLite's
// AUTOINCREMENT counter), which is above ID when the last rows were
// deleted.
type AuditTip struct {
	ID   int64
	Hash string
	Seq  int64
}

// Next is the id the next appended row takes: after the highest id ever
// written, so that deleted rows leave a gap a verification finds.
func (t AuditTip) Next() int64 { return max(t.ID, t.Seq) + 1 }

// ErrAuditConflict reports that the chain's tip was not the one an append
// expected: another writer appended first. Read the tip again and retry.
var ErrAuditConflict = errors.New("audit chain moved: another writer appended first")

// auditChunk is how many rows one INSERT carries.
const auditChunk = 1000

// AuditTip reads the end of the chain from this node's copy (call Sync
// first on a follower that must see the leader's latest rows).
func (s *Store) AuditTip(ctx context.Context) (AuditTip, error) {
	rows, err := s.Query(ctx, `SELECT (SELECT id FROM audit ORDER BY id DESC LIMIT 1),
		(SELECT hash FROM audit ORDER BY id DESC LIMIT 1),
		(SELECT seq FROM sqlite_sequence WHERE name = 'audit')`)
	if err != nil {
		return AuditTip{}, fmt.Errorf("db: audit tip: %w", err)
	}
	r := rows.Values[0]
	return AuditTip{ID: asInt(r[0]), Hash: asString(r[1]), Seq: asInt(r[2])}, nil
}

// AppendAudit appends rows, whose ids, prev_hashes and hashes the caller
// computed, all in one Raft transaction. It writes nothing and fails with
// ErrAuditConflict unless the chain's last row is still tipID with hash
// rows[0].PrevHash (tipID 0: the table is empty) and the rows' ids are
// free. The statement is safe to apply twice (the second application
// conflicts and changes nothing), so a write whose outcome is unknown
// after a leader change is sent again; a caller that gets ErrAuditConflict
// can tell whether its rows landed by reading them back.
func (s *Store) AppendAudit(ctx context.Context, tipID int64, rows []AuditRow) error {
	stmts, err := AppendAuditStmts(tipID, rows)
	if err != nil {
		return fmt.Errorf("db.AppendAudit: %w", err)
	}
	if len(stmts) == 0 {
		return nil
	}
	if _, err := s.ExecuteIdempotent(ctx, stmts...); err != nil {
		if errors.Is(err, ErrStatement) && (errorContains(err, "NOT NULL constraint failed: audit.hash") ||
			errorContains(err, "UNIQUE constraint failed: audit.id")) {
			return fmt.Errorf("db.AppendAudit: %w", ErrAuditConflict)
		}
		var nq *NoQuorumError
		if errors.As(err, &nq) {
			return nq
		}
		return fmt.Errorf("db.AppendAudit: %w", err)
	}
	return nil
}

// AppendAuditStmts returns the statements AppendAudit executes: one INSERT
// per auditChunk rows, each checking the tip the rows before it left. A
// row's hash is written only if the check passes; otherwise it is NULL,
// the NOT NULL constraint fails and the whole transaction rolls back.
func AppendAuditStmts(tipID int64, rows []AuditRow) ([]Statement, error) {
	var stmts []Statement
	for chunk := range slices.Chunk(rows, auditChunk) {
		vals := make([][10]any, len(chunk))
		for i, r := range chunk {
			if r.Hash == "" {
				return nil, fmt.Errorf("audit row %d has no hash", r.ID)
			}
			vals[i] = [10]any{r.ID, r.Time.UnixMilli(), r.Node, r.Actor, r.Op, r.Path, r.Result, r.Detail, r.PrevHash, r.Hash}
		}
		js, err := json.Marshal(vals)
		if err != nil {
			return nil, err
		}
		// SQLite reads the SELECT into a temporary table before inserting
		// (it reads the table it writes), so the subqueries see the table
		// as it was before this statement.
		stmts = append(stmts, Stmt(`INSERT INTO audit (id, ts, node, actor, op, path, result, detail, prev_hash, hash)
			SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3, j.value ->> 4, j.value ->> 5,
				j.value ->> 6, j.value ->> 7, j.value ->> 8,
				CASE WHEN (SELECT COALESCE(MAX(id), 0) FROM audit) = ?
					AND COALESCE((SELECT hash FROM audit WHERE id = ?), '') = ? THEN j.value ->> 9 END
			FROM json_each(?) AS j ORDER BY j.key`, tipID, tipID, chunk[0].PrevHash, string(js)))
		tipID = chunk[len(chunk)-1].ID
	}
	return stmts, nil
}

const auditColumns = `id, ts, node, actor, op, path, result, detail, prev_hash, hash`

// AuditRows returns the rows with id > after in id order; limit <= 0
// means all.
func (s *Store) AuditRows(ctx context.Context, after int64, limit int) ([]AuditRow, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.Query(ctx, `SELECT `+auditColumns+` FROM audit WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("db: audit rows: %w", err)
	}
	return scanAudit(rows), nil
}

// AuditRecent returns the last limit rows (all with limit <= 0) recorded
// at or after since (zero: any time), oldest first.
func (s *Store) AuditRecent(ctx context.Context, since time.Time, limit int) ([]AuditRow, error) {
	if limit <= 0 {
		limit = -1
	}
	var ms int64
	if !since.IsZero() {
		ms = since.UnixMilli()
	}
	rows, err := s.Query(ctx, `SELECT * FROM (SELECT `+auditColumns+` FROM audit WHERE ts >= ? ORDER BY id DESC LIMIT ?)
		ORDER BY id`, ms, limit)
	if err != nil {
		return nil, fmt.Errorf("db: audit recent: %w", err)
	}
	return scanAudit(rows), nil
}

func scanAudit(rows *Rows) []AuditRow {
	out := make([]AuditRow, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, AuditRow{
			ID:       asInt(r[0]),
			Time:     time.UnixMilli(asInt(r[1])),
			Node:     asString(r[2]),
			Actor:    asString(r[3]),
			Op:       asString(r[4]),
			Path:     asString(r[5]),
			Result:   asString(r[6]),
			Detail:   asString(r[7]),
			PrevHash: asString(r[8]),
			Hash:     asString(r[9]),
		})
	}
	return out
}
