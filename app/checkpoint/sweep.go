package checkpoint

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// A write killed midway leaves its temporary file beside the file it was
// writing, and nothing but a restore of its checkpoint used to remove it:
// it stayed through later writes, a re-run of the same task and indexing.
// So each write, once done, removes the temporary files earlier
// interrupted writes of the project left (sweepInterrupted). The
// interrupted checkpoints stay as they are, and restore as before: their
// rows are not touched, and a restore finds their files as it would have.
//
// What is removed is narrow: a regular file named as a temporary file of
// one of an interrupted checkpoint's files (isTempOf), beside it, in the
// root that checkpoint was written in, and not in use:
//   - its writer has ended (the checkpoint reads as interrupted);
//   - it was last written before this process started. The writer that
//     left it ended before this process took the data dir (one process of
//     a node writes at a time), so its file can be no newer; a file
//     written since is some live writer's, of another store, at work;
//   - no live write of the project (a checkpoint still applying whose
//     writer is up, on another node) is writing a file of that name.
// Nothing else is: not the directories the interrupted write made (they
// may hold the user's files by now; a restore removes them once empty),
// not a file of any other name.

// processStart is when this process started, as near as the package
// knows: the time its variables were initialised. It never changes.
var processStart = time.Now()

// sweptCheckpoints bounds the interrupted checkpoints a write looks at:
// the newest of them. Each costs a few reads (its row, files, first event
// and directories), and older ones were looked at by the writes made
// after them.
const sweptCheckpoints = 16

// sweepInterrupted removes the temporary files earlier interrupted writes
// of the project left, as said above, and returns those it removed (paths
// relative to the root, sorted) and the checkpoints they were of. It
// never fails: a file it cannot remove stays, and is logged.
func (s *Store) sweepInterrupted(ctx context.Context, exclude string) (removed, of []string) {
	rows, err := s.st.Query(ctx, `SELECT id FROM checkpoints WHERE project = ? AND status = ? AND id != ?
		ORDER BY created_at DESC, id DESC LIMIT ?`, s.cfg.Project.Key, db.CheckpointApplying, exclude, sweptCheckpoints)
	if err != nil {
		s.logger.Debug("checkpoint: interrupted writes not looked for", "err", err)
		return nil, nil
	}
	var dead []*Checkpoint
	live := map[string]bool{} // paths live writes are writing
	for _, r := range rows.Values {
		id, _ := r[0].(string)
		c, ok := s.applying(ctx, id)
		if !ok {
			continue
		}
		if _, interrupted := s.markInterrupted(ctx, c); !interrupted {
			for _, f := range c.Files {
				live[f.Path] = true
			}
			continue
		}
		if sameRoot(c.Root, s.cfg.Project.Root) {
			dead = append(dead, c)
		}
	}
	seen := map[string]bool{}
	var temps []string
	for _, c := range dead {
		found := false
		for _, t := range s.leftovers(ctx, c.Files) {
			if seen[t] || !s.unused(ctx, t, live) {
				continue
			}
			seen[t], found = true, true
			temps = append(temps, t)
		}
		if found {
			of = append(of, c.ID)
		}
	}
	removed = s.removeTemps(ctx, temps)
	if len(removed) == 0 {
		return nil, nil
	}
	slices.Sort(removed)
	s.logger.Info("checkpoint: removed the temporary files interrupted writes left", "files", removed, "checkpoints", of)
	return removed, of
}

// applying reads the checkpoint id, with its files, if it is still
// applying.
func (s *Store) applying(ctx context.Context, id string) (*Checkpoint, bool) {
	row, ok, err := s.st.Checkpoint(ctx, id)
	if err != nil || !ok || row.Status != db.CheckpointApplying {
		return nil, false
	}
	st, err := s.loadRow(ctx, row)
	if err != nil {
		return nil, false
	}
	return info(st.Row, st.Tags, st.Files), true
}

// unused reports whether the temporary file t is no live writer's: a
// regular file last written before this process started, beside no file
// a live write is writing.
func (s *Store) unused(ctx context.Context, t string, live map[string]bool) bool {
	fi, err := s.fs.Lstat(ctx, t)
	if err != nil || !fi.Mode().IsRegular() || !fi.ModTime().Before(processStart) {
		return false
	}
	dir, entry := path.Split(t)
	for p := range live {
		if d, name := path.Split(p); d == dir && isTempOf(entry, name) {
			return false
		}
	}
	return true
}

// sameRoot reports whether two roots, as checkpoints record them, are the
// same directory's name.
func sameRoot(a, b string) bool {
	clean := func(r string) string { return strings.TrimSuffix(path.Clean(strings.ReplaceAll(r, `\`, "/")), "/") }
	return clean(a) == clean(b)
}

// sweptNote is the line that tells the user what a write removed.
func sweptNote(removed, of []string) string {
	what := "the temporary file"
	if len(removed) > 1 {
		what = fmt.Sprintf("the %d temporary files", len(removed))
	}
	by := "an interrupted write left (checkpoint "
	if len(of) > 1 {
		by = "interrupted writes left (checkpoints "
	}
	return fmt.Sprintf("removed %s %s%s): %s", what, by, strings.Join(of, ", "), strings.Join(removed, ", "))
}
