package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// auditRows makes n rows after (tipID, tipHash) starting at id next, with
// stand-in hashes (db stores hashes; app/audit computes them).
func auditRows(tipHash string, next int64, n int) []db.AuditRow {
	out := make([]db.AuditRow, n)
	prev := tipHash
	for i := range out {
		id := next + int64(i)
		h := fmt.Sprintf("h%d", id)
		out[i] = db.AuditRow{ID: id, Time: time.UnixMilli(1_700_000_000_000 + id).UTC(), Node: "n1", Actor: "cli",
			Op: "write", Path: fmt.Sprintf("/p/f%d", id), Result: "ok", Detail: "4 bytes", PrevHash: prev, Hash: h}
		prev = h
	}
	return out
}

func TestAuditAppend(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)

	tip, err := s.AuditTip(ctx)
	if err != nil || tip != (db.AuditTip{}) || tip.Next() != 1 {
		t.Fatalf("empty tip = %+v, %v", tip, err)
	}
	first := auditRows("", 1, 3)
	if err := s.AppendAudit(ctx, 0, first); err != nil {
		t.Fatal(err)
	}
	tip, err = s.AuditTip(ctx)
	if err != nil || tip != (db.AuditTip{ID: 3, Hash: "h3", Seq: 3}) {
		t.Fatalf("tip = %+v, %v", tip, err)
	}
	got, err := s.AuditRows(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i].Time = got[i].Time.UTC()
	}
	if diff := cmp.Diff(first, got); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}

	// Appends that do not chain onto the real tip change nothing.
	stale := []struct {
		name  string
		tipID int64
		rows  []db.AuditRow
	}{
		{"stale tip id", 2, auditRows("h2", 3, 1)},
		{"wrong previous hash", 3, auditRows("hX", 4, 1)},
		{"empty-table claim", 0, auditRows("", 1, 1)},
		{"id taken", 3, auditRows("h3", 3, 1)},
	}
	for _, c := range stale {
		err := s.AppendAudit(ctx, c.tipID, c.rows)
		if !errors.Is(err, db.ErrAuditConflict) {
			t.Errorf("%s: err = %v, want ErrAuditConflict", c.name, err)
		}
	}
	if n, _ := s.AuditRows(ctx, 0, 0); len(n) != 3 {
		t.Fatalf("%d rows after refused appends, want 3", len(n))
	}

	// A batch bigger than one INSERT: each chunk checks the one before.
	big := auditRows("h3", 4, 2500)
	if err := s.AppendAudit(ctx, 3, big); err != nil {
		t.Fatal(err)
	}
	if tip, _ := s.AuditTip(ctx); tip.ID != 2503 || tip.Hash != "h2503" {
		t.Fatalf("tip after big batch = %+v", tip)
	}

	// Recent: the last rows at or after a time, oldest first.
	recent, err := s.AuditRecent(ctx, time.UnixMilli(1_700_000_000_000+2500), 2)
	if err != nil || len(recent) != 2 || recent[0].ID != 2502 || recent[1].ID != 2503 {
		t.Fatalf("recent = %+v, %v", recent, err)
	}
	if recent, _ := s.AuditRecent(ctx, time.UnixMilli(1_700_000_000_000+2500), 0); len(recent) != 4 {
		t.Fatalf("recent since, all: %d rows, want 4", len(recent))
	}

	// Deleting the last rows leaves the sequence above the tip.
	if _, err := s.Execute(ctx, db.Stmt(`DELETE FROM audit WHERE id > 2500`)); err != nil {
		t.Fatal(err)
	}
	tip, _ = s.AuditTip(ctx)
	if tip.ID != 2500 || tip.Seq != 2503 || tip.Next() != 2504 {
		t.Fatalf("tip after deleting the end = %+v, next %d", tip, tip.Next())
	}
}

// TestAuditClusterRace: two nodes chaining onto the same tip at once; the
// leader's Raft log orders them and exactly one wins.
func TestAuditClusterRace(t *testing.T) {
	ctx := context.Background()
	nodes := dbtest.OpenCluster(t, 2)
	errs := make(chan error, 2)
	for i, s := range nodes {
		go func() {
			rows := auditRows("", 1, 2)
			rows[0].Node = fmt.Sprint("node", i)
			errs <- s.AppendAudit(ctx, 0, rows)
		}()
	}
	var won, lost int
	for range nodes {
		switch err := <-errs; {
		case err == nil:
			won++
		case errors.Is(err, db.ErrAuditConflict):
			lost++
		default:
			t.Fatal(err)
		}
	}
	if won != 1 || lost != 1 {
		t.Fatalf("won %d, lost %d; want 1 and 1", won, lost)
	}
	for _, s := range nodes {
		if err := s.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		// The winner's two rows, both of them, on every node.
		rows, _ := s.AuditRows(ctx, 0, 0)
		if len(rows) != 2 || (rows[0].Node != "node0" && rows[0].Node != "node1") || rows[1].PrevHash != rows[0].Hash {
			t.Fatalf("%s: rows %+v", s.NodeID(), rows)
		}
	}
}
