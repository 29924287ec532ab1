package checkpoint_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

var ctx = context.Background()

// A write changes, creates and deletes files and a mode; restoring its
// checkpoint brings the project back, and restoring the restore's
// checkpoint brings the write back.
func TestApplyRestoreRoundTrip(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"a.go": "package a\n", "b.go": "package b\n", "dir/c.sh": "echo c\n", "same.go": "same\n"})
	initial := e.tree()

	res, err := e.cs.Apply(ctx, []checkpoint.Change{
		edit("a.go", "package a\n\nfunc A() {}\n"),
		edit("sub/deep/new.go", "package deep\n"),
		remove("b.go"),
		{Path: "dir/c.sh", Data: []byte("echo c\n"), Mode: 0o755},
		edit("same.go", "same\n"),
	}, checkpoint.Meta{Session: "5e5510", Turn: 3, Reason: "refactor", Label: "add A"})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Checkpoint
	after := e.tree()
	want := map[string]string{"a.go": "package a\n\nfunc A() {}\n", "sub/deep/new.go": "package deep\n",
		"dir/c.sh": "echo c\n [755]", "same.go": "same\n"}
	if d := cmp.Diff(want, after); d != "" {
		t.Fatalf("tree after apply (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"same.go"}, res.Unchanged); d != "" {
		t.Errorf("unchanged: %s", d)
	}
	if c.Status != db.CheckpointApplied || c.Session != "5e5510" || c.Turn != 3 || c.Reason != "refactor" || c.NFiles != 4 {
		t.Errorf("checkpoint %+v", c)
	}
	kinds := map[string]string{}
	for _, f := range c.Files {
		kinds[f.Path] = f.Kind()
	}
	if d := cmp.Diff(map[string]string{"a.go": "modified", "b.go": "deleted", "dir/c.sh": "mode", "sub/deep/new.go": "added"}, kinds); d != "" {
		t.Errorf("file kinds (-want +got):\n%s", d)
	}

	r, err := e.cs.Restore(ctx, c.ID[:5], checkpoint.RestoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The files are as before, and the directories the write made are
	// gone; dir/ stays (it has c.sh).
	if d := cmp.Diff(initial, e.tree()); d != "" {
		t.Fatalf("tree after restore (-want +got):\n%s", d)
	}
	if _, err := os.Stat(filepath.Join(e.root, "sub")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("sub/ after restore: %v, want it gone", err)
	}
	if fi, err := os.Stat(filepath.Join(e.root, "dir")); err != nil || !fi.IsDir() {
		t.Errorf("dir/ after restore: %v", err)
	}
	if r.Checkpoint == nil || r.Checkpoint.Reason != "restore" || r.Checkpoint.RestoreOf != c.ID || len(r.Files) != 4 {
		t.Fatalf("restore result %+v", r)
	}
	actions := map[string]string{}
	for _, f := range r.Files {
		actions[f.Path] = f.Action
	}
	if d := cmp.Diff(map[string]string{"a.go": "write", "b.go": "create", "dir/c.sh": "write", "sub/deep/new.go": "delete"}, actions); d != "" {
		t.Errorf("restore actions (-want +got):\n%s", d)
	}

	// Undo the undo.
	if _, err := e.cs.Restore(ctx, r.Checkpoint.ID, checkpoint.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(after, e.tree()); d != "" {
		t.Fatalf("tree after restoring the restore (-want +got):\n%s", d)
	}

	// Restoring the first again: everything is as it left it again.
	if _, err := e.cs.Restore(ctx, c.ID, checkpoint.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(initial, e.tree()); d != "" {
		t.Fatalf("tree after the second restore (-want +got):\n%s", d)
	}
	list, err := e.cs.List(ctx, checkpoint.Filter{})
	if err != nil || len(list) != 4 {
		t.Fatalf("list: %d checkpoints, %v", len(list), err)
	}
	if list[0].Reason != "restore" || list[3].ID != c.ID {
		t.Errorf("list not newest first: %s %s", list[0].Reason, list[3].ID)
	}
	if only, err := e.cs.List(ctx, checkpoint.Filter{Session: "5e5510"}); err != nil || len(only) != 1 || only[0].ID != c.ID {
		t.Errorf("list --session: %v %v", only, err)
	}
}

func TestApplyNothingToChange(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"a.go": "a"})
	res, err := e.cs.Apply(ctx, []checkpoint.Change{edit("a.go", "a"), remove("gone.go")}, checkpoint.Meta{})
	if err != nil || res.Checkpoint != nil || len(res.Unchanged) != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	if n := e.count(`SELECT COUNT(*) FROM checkpoints`); n != 0 {
		t.Errorf("%d checkpoints for no change", n)
	}
}

func TestApplyRefusesBadPaths(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"../x", "/etc/passwd", "a/../../x", "", "a//b", "./a"} {
		if _, err := e.cs.Apply(ctx, []checkpoint.Change{edit(p, "x")}, checkpoint.Meta{}); err == nil {
			t.Errorf("path %q accepted", p)
		}
	}
	if _, err := e.cs.Apply(ctx, []checkpoint.Change{edit("a", "1"), edit("a", "2")}, checkpoint.Meta{}); err == nil {
		t.Error("the same path twice accepted")
	}
	if len(e.tree()) != 0 {
		t.Errorf("files written: %v", e.tree())
	}
}

// A restore refuses to overwrite what changed since the checkpoint, says
// which files and which later checkpoint left them so, and --force
// overwrites.
func TestRestoreRefusesChangedFiles(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"a.go": "a0", "b.go": "b0", "c.go": "c0"})
	first := e.apply(checkpoint.Meta{}, edit("a.go", "a1"), edit("b.go", "b1"), edit("c.go", "c1"))
	second := e.apply(checkpoint.Meta{}, edit("b.go", "b2"))
	e.write(map[string]string{"c.go": "edited by hand"})

	_, err := e.cs.Restore(ctx, first.ID, checkpoint.RestoreOptions{})
	var ce *checkpoint.ChangedError
	if !errors.As(err, &ce) || !errors.Is(err, checkpoint.ErrChanged) || usererr.As(err) == nil {
		t.Fatalf("restore over changes: %v", err)
	}
	want := []checkpoint.Changed{{Path: "b.go", By: second.ID}, {Path: "c.go"}}
	if d := cmp.Diff(want, ce.Files); d != "" {
		t.Errorf("changed files (-want +got):\n%s", d)
	}
	msg := usererr.As(err).Msg
	for _, w := range []string{"2 files have changed", "b.go (as checkpoint " + second.ID + " left it)", "c.go", "--force", "later checkpoints first"} {
		if !strings.Contains(msg, w) {
			t.Errorf("message lacks %q: %s", w, msg)
		}
	}
	if got := e.tree(); got["a.go"] != "a1" || got["b.go"] != "b2" {
		t.Fatalf("a refused restore wrote: %v", got)
	}

	// A dry run without force shows the plan, the changed files marked,
	// and why the restore would be refused.
	r, err := e.cs.Restore(ctx, first.ID, checkpoint.RestoreOptions{DryRun: true})
	if err != nil || r.Refused == nil || len(r.Files) != 3 || !r.Files[1].Overwritten || !r.Files[2].Overwritten {
		t.Fatalf("dry run without force: %+v %v", r, err)
	}
	if d := cmp.Diff(want, r.Refused.Files); d != "" {
		t.Errorf("dry run: refused files (-want +got):\n%s", d)
	}

	// Dry run with force says what would happen and writes nothing.
	r, err = e.cs.Restore(ctx, first.ID, checkpoint.RestoreOptions{Force: true, DryRun: true})
	if err != nil || r.Checkpoint != nil || r.Refused != nil || len(r.Files) != 3 || !r.Files[1].Overwritten || r.Files[0].Overwritten {
		t.Fatalf("dry run: %+v %v", r, err)
	}
	if got := e.tree(); got["a.go"] != "a1" {
		t.Fatalf("a dry run wrote: %v", got)
	}

	if _, err := e.cs.Restore(ctx, first.ID, checkpoint.RestoreOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]string{"a.go": "a0", "b.go": "b0", "c.go": "c0"}, e.tree()); d != "" {
		t.Fatalf("forced restore (-want +got):\n%s", d)
	}
	// The hand edit is not lost: the restore's checkpoint has it.
	if _, err := e.cs.Restore(ctx, checkpoint.RefLast, checkpoint.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := e.tree()["c.go"]; got != "edited by hand" {
		t.Errorf("undoing the forced restore gave c.go %q", got)
	}
}

// A file changed by hand only (no later checkpoint) gets a message that
// reads as one sentence.
func TestRestoreChangedByHandMessage(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"a.go": "a0"})
	first := e.apply(checkpoint.Meta{}, edit("a.go", "a1"))
	e.write(map[string]string{"a.go": "edited by hand"})
	_, err := e.cs.Restore(ctx, first.ID, checkpoint.RestoreOptions{})
	want := "not restoring checkpoint " + first.ID + ": 1 file has changed since (a.go); restore with --force to overwrite"
	if ue := usererr.As(err); ue == nil || ue.Msg != want {
		t.Fatalf("restore over a hand edit: %v\nwant: %s", err, want)
	}
}

// A directory where a checkpoint's file was is named as one when a restore
// would write over it.
func TestRestoreOverADirectory(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"a.go": "a0"})
	first := e.apply(checkpoint.Meta{}, edit("a.go", "a1"))
	p := filepath.Join(e.root, "a.go")
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(p, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := e.cs.Restore(ctx, first.ID, checkpoint.RestoreOptions{Force: true})
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, "a.go is not a regular file (a directory)") {
		t.Fatalf("restore over a directory: %v", err)
	}
}

// The same content in two checkpoints is one blob.
func TestBlobsStoredOnce(t *testing.T) {
	e := newEnv(t)
	big := strings.Repeat("func f() { return }\n", 100) // compressible
	e.write(map[string]string{"a.go": big, "b.go": "small"})
	e.apply(checkpoint.Meta{}, edit("a.go", big+"// more\n"), edit("b.go", big))
	e.apply(checkpoint.Meta{}, edit("a.go", big), edit("b.go", "small"))
	if n := e.count(`SELECT COUNT(*) FROM blobs`); n != 3 {
		t.Errorf("%d blobs for 3 distinct contents", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM blobs WHERE enc = 'zstd' AND length(data) < size / 4`); n != 2 {
		t.Errorf("%d of the 2 big blobs compressed well", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM blobs WHERE enc = '' AND data = CAST('small' AS BLOB)`); n != 1 {
		t.Errorf("the small blob is not stored as it is")
	}
	// And a restore reads them back.
	if _, err := e.cs.Restore(ctx, checkpoint.RefLast, checkpoint.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := e.tree(); got["a.go"] != big+"// more\n" || got["b.go"] != big {
		t.Errorf("restore from compressed blobs: %d %d bytes", len(got["a.go"]), len(got["b.go"]))
	}
}

// A write that fails on the third file puts the first two back: no file
// is changed, the checkpoint says rolled back and is intact.
func TestApplyFailureRollsBack(t *testing.T) {
	e := newEnv(t)
	ff := &failFS{failAt: 3, failN: 1, err: errNoSpace}
	e = newEnvOn(t, e.db, e.root, withFS(ff))
	ff.FS = e.dir
	files := map[string]string{"1.go": "one", "2.go": "two", "3.go": "three", "4.go": "four"}
	e.write(files)
	initial := e.tree()

	_, err := e.cs.Apply(ctx, []checkpoint.Change{edit("1.go", "1"), edit("2.go", "2"), edit("3.go", "3"), edit("4.go", "4"),
		edit("5.go", "new")}, checkpoint.Meta{Reason: "refactor"})
	var ae *checkpoint.ApplyError
	if !errors.As(err, &ae) || !errors.Is(err, errNoSpace) {
		t.Fatalf("apply with a failing disk: %v", err)
	}
	if ae.Path != "3.go" || ae.Restored != 2 || len(ae.Left) != 0 {
		t.Errorf("apply error %+v", ae)
	}
	if !strings.Contains(err.Error(), "no file was changed") || !strings.Contains(err.Error(), "no space left") {
		t.Errorf("message: %v", err)
	}
	if d := cmp.Diff(initial, e.tree()); d != "" {
		t.Fatalf("a failed apply changed files (-want +got):\n%s", d)
	}
	c, err := e.cs.Show(ctx, ae.Checkpoint)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != db.CheckpointRolledBack || c.NFiles != 5 || !strings.Contains(c.Error, "3.go") {
		t.Errorf("checkpoint after roll-back: %+v", c)
	}
	// Restoring it has nothing to do: every file is as before.
	ff.failAt = 0
	r, err := e.cs.Restore(ctx, c.ID, checkpoint.RestoreOptions{})
	if err != nil || r.Checkpoint != nil || len(r.Unchanged) != 5 {
		t.Fatalf("restore of a rolled-back checkpoint: %+v %v", r, err)
	}
}

// When the roll-back fails too, the error and the checkpoint say which
// files are left changed, and a forced restore of the checkpoint puts
// them back.
func TestApplyFailureRollBackFails(t *testing.T) {
	e := newEnv(t)
	ff := &failFS{failAt: 2, failN: 2, err: errNoSpace}
	e = newEnvOn(t, e.db, e.root, withFS(ff))
	ff.FS = e.dir
	e.write(map[string]string{"a.go": "a0", "b.go": "b0"})
	_, err := e.cs.Apply(ctx, []checkpoint.Change{edit("a.go", "a1"), edit("b.go", "b1")}, checkpoint.Meta{})
	var ae *checkpoint.ApplyError
	if !errors.As(err, &ae) || len(ae.Left) != 1 || ae.Left[0] != "a.go" {
		t.Fatalf("apply: %v", err)
	}
	if !strings.Contains(err.Error(), "aiex checkpoint restore "+ae.Checkpoint) {
		t.Errorf("message does not say how to recover: %v", err)
	}
	c, _ := e.cs.Show(ctx, ae.Checkpoint)
	if c.Status != db.CheckpointFailed || !strings.Contains(c.Error, "a.go") {
		t.Errorf("checkpoint %+v", c)
	}
	if _, err := e.cs.Restore(ctx, c.ID, checkpoint.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]string{"a.go": "a0", "b.go": "b0"}, e.tree()); d != "" {
		t.Fatalf("(-want +got):\n%s", d)
	}
}

// A checkpoint of another project (or of this one before it moved) is not
// this project's, and the error says whose it is.
func TestResolveOtherProjects(t *testing.T) {
	a := newEnv(t, withIDs("abcd01234567"))
	a.write(map[string]string{"a": "0"})
	a.apply(checkpoint.Meta{}, edit("a", "1"))
	b := newEnvOn(t, a.db, t.TempDir())
	_, err := b.cs.Show(ctx, "abcd01")
	if ue := usererr.As(err); ue == nil || !errors.Is(err, checkpoint.ErrNotFound) ||
		!strings.Contains(ue.Msg, `no checkpoint "abcd01" in this project; it is a checkpoint of the project at `+a.root+" (moved? aiex checkpoint list --all-projects") {
		t.Fatalf("another project's checkpoint: %v", err)
	}
}

func TestResolve(t *testing.T) {
	e := newEnv(t, withIDs("abcd01234567", "abcd09999999", "ef0123456789"))
	e.write(map[string]string{"a": "0"})
	e.apply(checkpoint.Meta{}, edit("a", "1"))
	e.apply(checkpoint.Meta{}, edit("a", "2"))
	e.apply(checkpoint.Meta{Label: "third"}, edit("a", "3"))
	if _, err := e.cs.Tag(ctx, "abcd01", "before-3"); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ ref, id, err string }{
		{"abcd01234567", "abcd01234567", ""},
		{"ef01", "ef0123456789", ""},
		{"last", "ef0123456789", ""},
		{"before-3", "abcd01234567", ""},
		{"abcd", "", "names several checkpoints"},
		// Too short for a prefix: the error says what is needed, and what there is.
		{"abc", "", `"abc" is too short to name a checkpoint: give its id or 4 or more of its first digits, a tag, or last; the most recent: ef0123456789 (edit, `},
		{"zzz", "", `no checkpoint "zzz" in this project; the most recent: ef0123456789 (edit, `},
		{"nope", "", "ef0123456789"},
		{"", "", "name a checkpoint"},
	}
	for _, c := range cases {
		got, err := e.cs.Show(ctx, c.ref)
		switch {
		case c.err == "" && (err != nil || got.ID != c.id):
			t.Errorf("%q: %v %v", c.ref, got, err)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err) || usererr.As(err) == nil || strings.Contains(err.Error(), "\n")):
			t.Errorf("%q: error %v, want one with %q", c.ref, err, c.err)
		}
	}
	if _, err := e.cs.Show(ctx, "abc"); usererr.As(err) == nil || usererr.As(err).ExitCode() != usererr.ExitUsage {
		t.Errorf("a prefix too short: %v; want a usage error", err)
	}
	// Another project's checkpoint is not restored here.
	other := newEnvOn(t, e.db, t.TempDir())
	if _, err := other.cs.Restore(ctx, "ef0123456789", checkpoint.RestoreOptions{}); err == nil || !strings.Contains(err.Error(), "another project") {
		t.Errorf("restore of another project's checkpoint: %v", err)
	} else if !strings.Contains(err.Error(), "(at "+e.root+")") || strings.Contains(err.Error(), "path:") {
		// The project is named as sessions name it: its root, not the
		// store's key for it.
		t.Errorf("restore of another project's checkpoint: %v; want the project named by its root, %s", err, e.root)
	}
}

func TestTags(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"a": "0"})
	one := e.apply(checkpoint.Meta{}, edit("a", "1"))
	two := e.apply(checkpoint.Meta{}, edit("a", "2"))
	if c, err := e.cs.Tag(ctx, one.ID, "good"); err != nil || len(c.Tags) != 1 {
		t.Fatalf("tag: %v %v", c, err)
	}
	if c, err := e.cs.Tag(ctx, one.ID, "good"); err != nil || len(c.Tags) != 1 {
		t.Fatalf("tag again: %v %v", c, err)
	}
	if _, err := e.cs.Tag(ctx, two.ID, "good"); err == nil || !strings.Contains(err.Error(), "is on checkpoint "+one.ID) {
		t.Errorf("a tag on two checkpoints: %v", err)
	}
	for _, bad := range []string{"-x", "abc123", "a b", "last", strings.Repeat("x", 65)} {
		if _, err := e.cs.Tag(ctx, one.ID, bad); err == nil {
			t.Errorf("tag %q accepted", bad)
		}
	}
	if c, err := e.cs.Untag(ctx, one.ID, "good"); err != nil || len(c.Tags) != 0 {
		t.Fatalf("untag: %v %v", c, err)
	}
	if _, err := e.cs.Untag(ctx, one.ID, "good"); err == nil {
		t.Error("untag of a tag it does not have")
	}
	if c, err := e.cs.Tag(ctx, two.ID, "good"); err != nil || c.Tags[0] != "good" {
		t.Fatalf("tag moved: %v %v", c, err)
	}
}

// Tagged checkpoints are kept besides the newest KeepLast of the others,
// not counted among them: tagging the latest checkpoint and pruning to
// the newest 2 keeps 2 more to undo with.
func TestPruneKeepLastCountsUntagged(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"a.go": "v0"})
	var ids []string
	for i := 1; i <= 4; i++ {
		ids = append(ids, e.apply(checkpoint.Meta{}, edit("a.go", "v"+string(rune('0'+i)))).ID)
		e.clock.Advance(time.Hour)
	}
	if _, err := e.cs.Tag(ctx, ids[3], "release"); err != nil {
		t.Fatal(err)
	}
	rep, err := e.cs.Prune(ctx, checkpoint.PruneOptions{Policy: checkpoint.Policy{KeepLast: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{ids[0]}, rep.Pruned); d != "" || rep.Kept != 2 || rep.KeptTagged != 1 {
		t.Errorf("pruned (-want +got):\n%s\nreport %+v", d, rep)
	}
}

// Prune deletes what the policy does not keep, never a tagged checkpoint,
// and the blobs only those referred to; what is left still restores.
func TestPruneKeepsTagged(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"a.go": "v0"})
	var ids []string
	for i := 1; i <= 5; i++ {
		ids = append(ids, e.apply(checkpoint.Meta{}, edit("a.go", "v"+string(rune('0'+i)))).ID)
		e.clock.Advance(24 * time.Hour)
	}
	if _, err := e.cs.Tag(ctx, ids[0], "keep-me"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cs.Prune(ctx, checkpoint.PruneOptions{}); err == nil || usererr.As(err).Code != usererr.ExitUsage {
		t.Errorf("prune with no policy: %v", err)
	}
	before := dump(t, e.db)
	rep, err := e.cs.Prune(ctx, checkpoint.PruneOptions{Policy: checkpoint.Policy{KeepLast: 2}, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{ids[2], ids[1]}, rep.Pruned); d != "" || rep.KeptTagged != 1 || rep.Kept != 2 {
		t.Errorf("dry run: %+v %s", rep, d)
	}
	// ids[1] is v1→v2, ids[2] v2→v3: v2 is freed; v1 is kept by ids[0]
	// (v0→v1), v3 by ids[3] (v3→v4).
	if rep.Blobs != 1 {
		t.Errorf("dry run frees %d blobs, want 1", rep.Blobs)
	}
	if after := dump(t, e.db); after != before {
		t.Fatalf("a dry run changed the store:\n%s", cmp.Diff(before, after))
	}
	rep, err = e.cs.Prune(ctx, checkpoint.PruneOptions{Policy: checkpoint.Policy{KeepLast: 2}})
	if err != nil || len(rep.Pruned) != 2 {
		t.Fatalf("prune: %+v %v", rep, err)
	}
	list, _ := e.cs.List(ctx, checkpoint.Filter{})
	var left []string
	for _, c := range list {
		left = append(left, c.ID)
	}
	if d := cmp.Diff([]string{ids[4], ids[3], ids[0]}, left); d != "" {
		t.Errorf("left after prune (-want +got):\n%s", d)
	}
	if n := e.count(`SELECT COUNT(*) FROM blobs`); n != 5 { // v0 v1 v3 v4 v5
		t.Errorf("%d blobs left, want 5", n)
	}
	if n := e.count(`SELECT COUNT(*) FROM checkpoint_files WHERE checkpoint_id IN (?, ?)`, ids[1], ids[2]); n != 0 {
		t.Errorf("pruned checkpoints' files remain")
	}
	// By age: those older than 1.5 days go, tagged or newest-2 or not.
	rep, err = e.cs.Prune(ctx, checkpoint.PruneOptions{Policy: checkpoint.Policy{OlderThan: 36 * time.Hour}})
	if err != nil || len(rep.Pruned) != 1 || rep.Pruned[0] != ids[3] {
		t.Fatalf("prune by age: %+v %v", rep, err)
	}
	// What is left restores, newest first.
	for _, id := range []string{ids[4], ids[0]} {
		if _, err := e.cs.Restore(ctx, id, checkpoint.RestoreOptions{Force: true}); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.tree()["a.go"]; got != "v0" {
		t.Errorf("a.go %q after restoring the tagged first checkpoint", got)
	}
	if _, err := e.cs.Show(ctx, ids[1]); !errors.Is(err, checkpoint.ErrNotFound) {
		t.Errorf("a pruned checkpoint shows: %v", err)
	}
}

// Removing a file removes the directories it leaves empty, up to the
// project root, and no others; a restore makes them again.
func TestRemoveLeavesNoEmptyDirs(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"gone/deep/x.go": "package deep\n", "half/y.go": "package half\n", "half/z.go": "package half\n"})
	if err := os.Mkdir(filepath.Join(e.root, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	exists := func(rel string) bool {
		_, err := os.Stat(filepath.Join(e.root, rel))
		return err == nil
	}
	res, err := e.cs.Apply(ctx, []checkpoint.Change{remove("gone/deep/x.go"), remove("half/y.go")}, checkpoint.Meta{Reason: "refactor"})
	if err != nil {
		t.Fatal(err)
	}
	for rel, want := range map[string]bool{"gone": false, "half": true, "half/z.go": true, "empty": true} {
		if exists(rel) != want {
			t.Errorf("after the removal, %s exists: %v, want %v", rel, !want, want)
		}
	}
	if _, err := e.cs.Restore(ctx, res.Checkpoint.ID, checkpoint.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"gone/deep/x.go", "half/y.go", "empty"} {
		if !exists(rel) {
			t.Errorf("after the restore, %s is missing", rel)
		}
	}
}

// Apply writes nothing when a file is not what its change expects: a
// proposal's file edited since, or a new file's path taken meanwhile.
func TestApplyExpect(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"a.go": "package a\n", "b.go": "package b\n"})
	sum := func(s string) string {
		h := sha256.Sum256([]byte(s))
		return hex.EncodeToString(h[:])
	}
	initial := e.tree()
	for _, c := range []struct {
		name    string
		changes []checkpoint.Change
		stale   []string
	}{
		{"a file edited since", []checkpoint.Change{
			{Path: "a.go", Data: []byte("package a // new\n"), Expect: sum("package a\n")},
			{Path: "b.go", Data: []byte("package b // new\n"), Expect: sum("package b // as it was\n")},
		}, []string{"b.go"}},
		{"a new file's path taken", []checkpoint.Change{
			{Path: "b.go", Data: []byte("package b // new\n"), Expect: checkpoint.Absent},
		}, []string{"b.go"}},
		{"a deleted file edited since", []checkpoint.Change{
			{Path: "a.go", Delete: true, Expect: sum("package a // as it was\n")},
		}, []string{"a.go"}},
	} {
		_, err := e.cs.Apply(ctx, c.changes, checkpoint.Meta{Reason: "refactor"})
		var se *checkpoint.StaleError
		if !errors.As(err, &se) || !slices.Equal(se.Paths, c.stale) || usererr.As(err) == nil {
			t.Errorf("%s: %v, want a user error naming %v", c.name, err, c.stale)
		}
		if d := cmp.Diff(initial, e.tree()); d != "" {
			t.Errorf("%s: the tree changed (-want +got):\n%s", c.name, d)
		}
	}
	// A file that is already as asked is no conflict, whatever it was.
	if res, err := e.cs.Apply(ctx, []checkpoint.Change{
		{Path: "b.go", Data: []byte("package b\n"), Expect: sum("package b // as it was\n")},
	}, checkpoint.Meta{Reason: "refactor"}); err != nil || res.Checkpoint != nil || !slices.Equal(res.Unchanged, []string{"b.go"}) {
		t.Errorf("a file already as asked: %v, %+v", err, res)
	}
	// As expected: written.
	res, err := e.cs.Apply(ctx, []checkpoint.Change{
		{Path: "a.go", Data: []byte("package a // new\n"), Expect: sum("package a\n")},
		{Path: "c.go", Data: []byte("package c\n"), Expect: checkpoint.Absent},
	}, checkpoint.Meta{Reason: "refactor"})
	if err != nil || res.Checkpoint == nil || e.tree()["c.go"] != "package c\n" {
		t.Fatalf("apply as expected: %v, %+v", err, e.tree())
	}
}

// A symlink is written through (its target changes, the link stays) and
// never removed: a checkpoint records contents, so undoing the removal
// would bring back a regular file, not the link.
func TestSymlinks(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"lib/real.ex": "defmodule Real do\nend\n"})
	link := filepath.Join(e.root, "lib/link.ex")
	if err := os.Symlink("real.ex", link); err != nil {
		t.Fatal(err)
	}
	isLink := func() bool {
		fi, err := os.Lstat(link)
		return err == nil && fi.Mode()&fs.ModeSymlink != 0
	}

	cp := e.apply(checkpoint.Meta{Reason: "refactor"}, edit("lib/link.ex", "defmodule Real do\n  def x, do: 1\nend\n"))
	if got := e.tree()["lib/real.ex"]; got != "defmodule Real do\n  def x, do: 1\nend\n" || !isLink() {
		t.Fatalf("after an edit through the link: real.ex = %q, link kept: %v", got, isLink())
	}
	if _, err := e.cs.Restore(ctx, cp.ID, checkpoint.RestoreOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := e.tree()["lib/real.ex"]; got != "defmodule Real do\nend\n" || !isLink() {
		t.Fatalf("after the restore: real.ex = %q, link kept: %v", got, isLink())
	}

	// One change editing the file under both its names would keep only
	// one of the edits: refused, nothing written.
	before := e.count("SELECT COUNT(*) FROM checkpoints")
	_, err := e.cs.Apply(ctx, []checkpoint.Change{edit("lib/real.ex", "defmodule Real do\n  def a, do: 1\nend\n"),
		edit("lib/link.ex", "defmodule Real do\n  def b, do: 2\nend\n")}, checkpoint.Meta{Reason: "refactor"})
	if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, "lib/real.ex and lib/link.ex are the same file") {
		t.Fatalf("editing a file and a link to it at once: %v", err)
	}
	if got := e.tree()["lib/real.ex"]; got != "defmodule Real do\nend\n" || e.count("SELECT COUNT(*) FROM checkpoints") != before {
		t.Fatalf("a refused change wrote: real.ex = %q", got)
	}

	_, err = e.cs.Apply(ctx, []checkpoint.Change{remove("lib/link.ex")}, checkpoint.Meta{Reason: "refactor"})
	var ue *usererr.Error
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "lib/link.ex is a symbolic link") {
		t.Fatalf("removing a link: %v; want a usage error naming it", err)
	}
	if !isLink() || e.count("SELECT COUNT(*) FROM checkpoints") != before {
		t.Fatalf("a refused removal changed something: link kept %v, checkpoints %d → %d",
			isLink(), before, e.count("SELECT COUNT(*) FROM checkpoints"))
	}

	// A restore that would remove a file the user has since made a link.
	cp = e.apply(checkpoint.Meta{Reason: "gen"}, edit("lib/new.ex", "defmodule Real do\nend\n"))
	if err := os.Remove(filepath.Join(e.root, "lib/new.ex")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.ex", filepath.Join(e.root, "lib/new.ex")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cs.Restore(ctx, cp.ID, checkpoint.RestoreOptions{}); !errors.As(err, &ue) || !strings.Contains(err.Error(), "lib/new.ex is a symbolic link") {
		t.Fatalf("a restore removing a link: %v; want a usage error naming it", err)
	}
	if fi, err := os.Lstat(filepath.Join(e.root, "lib/new.ex")); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("the refused restore changed lib/new.ex: %v, %v", fi, err)
	}
}
