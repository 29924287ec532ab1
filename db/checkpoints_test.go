package db_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// Blobs are stored once, bytes as they are (NUL, invalid UTF-8), and go
// when no checkpoint file refers to them.
func TestBlobs(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	bin := db.Blob{Hash: strings.Repeat("b", 64), Size: 4, Data: []byte{0, 0xff, '\'', 0}}
	txt := db.Blob{Hash: strings.Repeat("c", 64), Size: 3, Enc: "zstd", Data: []byte("abc")}
	at := time.UnixMilli(1748768400123)
	for range 2 {
		if _, err := s.Execute(ctx, db.InsertBlobsStmts([]db.Blob{bin, txt}, at)...); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Blobs(ctx, []string{bin.Hash, txt.Hash, strings.Repeat("d", 64)})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !bytes.Equal(got[bin.Hash].Data, bin.Data) || got[txt.Hash].Enc != "zstd" || got[txt.Hash].Size != 3 {
		t.Fatalf("blobs read back: %+v", got)
	}
	have, err := s.HaveBlobs(ctx, []string{bin.Hash, strings.Repeat("d", 64)})
	if err != nil || !have[bin.Hash] || len(have) != 1 {
		t.Fatalf("have: %v %v", have, err)
	}

	// A checkpoint that refers to bin keeps it; txt goes.
	row := db.CheckpointRow{ID: "c1", Version: 1, Project: "p", Root: "/r", Reason: "edit", Status: db.CheckpointApplied,
		Files: 1, Node: "n", Actor: "a", CreatedAt: at.UTC(), UpdatedAt: at.UTC()}
	file := db.CheckpointFile{CheckpointID: "c1", Path: "it's/a.go", BeforeHash: bin.Hash, BeforeSize: 4, BeforeMode: 0o644}
	stmts := append(db.UpsertCheckpointsStmts([]db.CheckpointRow{row}), db.UpsertCheckpointFilesStmts([]db.CheckpointFile{file})...)
	if _, err := s.Execute(ctx, stmts...); err != nil {
		t.Fatal(err)
	}
	if n, size, err := s.BlobsOnlyIn(ctx, []string{"c1"}); err != nil || n != 1 || size != 4 {
		t.Errorf("blobs only in c1: %d %d %v", n, size, err)
	}
	res, err := s.Execute(ctx, db.DeleteUnreferencedBlobsStmt())
	if err != nil || res[0].RowsAffected != 1 {
		t.Fatalf("gc: %+v %v", res, err)
	}
	if have, _ := s.HaveBlobs(ctx, []string{bin.Hash, txt.Hash}); !have[bin.Hash] || have[txt.Hash] {
		t.Errorf("after gc: %v", have)
	}
	files, err := s.CheckpointFiles(ctx, "c1")
	if err != nil || len(files) != 1 || files[0] != file {
		t.Errorf("files: %+v %v", files, err)
	}
	back, ok, err := s.Checkpoint(ctx, "c1")
	if err != nil || !ok || back != row {
		t.Errorf("row read back: %v\n%s", err, cmp.Diff(row, back))
	}
}

// The checked row insert fails its transaction when a blob it relies on
// is not stored, and only then.
func TestCheckpointCheckedInsert(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	b := db.Blob{Hash: strings.Repeat("a", 64), Size: 1, Data: []byte("x")}
	if _, err := s.Execute(ctx, db.InsertBlobsStmts([]db.Blob{b}, time.Now())...); err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(1748768400123).UTC()
	row := db.CheckpointRow{ID: "c1", Version: 1, Project: "p", Root: "/r", Reason: "edit", Status: db.CheckpointApplying,
		Files: 2, Node: "n", Actor: "a", Label: "it's", CreatedAt: at, UpdatedAt: at}
	missing := strings.Repeat("e", 64)
	_, err := s.Execute(ctx, db.Stmt(`INSERT INTO checkpoint_tags (checkpoint_id, tag) VALUES ('c1', 't')`),
		db.UpsertCheckpointCheckedStmt(row, []string{b.Hash, missing}))
	if !db.IsMissingBlobs(err) {
		t.Fatalf("insert relying on a missing blob: %v", err)
	}
	if tags, _ := s.CheckpointTags(ctx, []string{"c1"}); len(tags) != 0 {
		t.Errorf("the failed transaction left %v", tags)
	}
	if _, err := s.Execute(ctx, db.UpsertCheckpointCheckedStmt(row, []string{b.Hash})); err != nil {
		t.Fatal(err)
	}
	back, ok, err := s.Checkpoint(ctx, "c1")
	if err != nil || !ok || back != row {
		t.Errorf("checked row read back: %v\n%s", err, cmp.Diff(row, back))
	}
}

func TestCheckpointsFilter(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	at := time.UnixMilli(1748768400000).UTC()
	var rows []db.CheckpointRow
	for i, id := range []string{"aa01", "aa02", "bb01", "cc01"} {
		t0 := at.Add(time.Duration(i) * time.Minute)
		r := db.CheckpointRow{ID: id, Version: 1, Project: "p", Reason: "edit", Status: db.CheckpointApplied, Node: "n",
			Actor: "a", CreatedAt: t0, UpdatedAt: t0}
		if id == "cc01" {
			r.Project = "q"
		}
		if id == "aa02" {
			r.SessionID = "s"
		}
		rows = append(rows, r)
	}
	stmts := append(db.UpsertCheckpointsStmts(rows), db.InsertCheckpointTagsStmts([]db.CheckpointTag{{CheckpointID: "bb01", Tag: "good"}})...)
	if _, err := s.Execute(ctx, stmts...); err != nil {
		t.Fatal(err)
	}
	ids := func(f db.CheckpointFilter) string {
		got, err := s.Checkpoints(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range got {
			out = append(out, r.ID)
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		f    db.CheckpointFilter
		want string
	}{
		{db.CheckpointFilter{}, "cc01 bb01 aa02 aa01"},
		{db.CheckpointFilter{Project: "p"}, "bb01 aa02 aa01"},
		{db.CheckpointFilter{Project: "p", IDPrefix: "aa"}, "aa02 aa01"},
		{db.CheckpointFilter{SessionID: "s"}, "aa02"},
		{db.CheckpointFilter{Tag: "good"}, "bb01"},
		{db.CheckpointFilter{Project: "p", Untagged: true}, "aa02 aa01"},
		{db.CheckpointFilter{Before: at.Add(time.Minute)}, "aa01"},
		{db.CheckpointFilter{Limit: 1, Offset: 1}, "bb01"},
	}
	for _, c := range cases {
		if got := ids(c.f); got != c.want {
			t.Errorf("%+v: %q, want %q", c.f, got, c.want)
		}
	}
}
