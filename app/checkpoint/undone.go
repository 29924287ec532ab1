package checkpoint

import (
	"context"
	"fmt"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// StatusUndone is the status List and Show give a checkpoint whose write
// a restore has put back since: its own restore, or the restore of an
// earlier checkpoint of the same files (with --force). UndoneBy names
// that restore's checkpoint. The rows keep "applied": it is read from the
// files' later writes, as they are when read, so that restoring the
// restore makes it applied again.
const StatusUndone = "undone"

// markUndone marks those of cs whose write was done and that a later
// restore put back (see StatusUndone).
//
// Whose content a file holds is found from its writes, newest first: a
// write that is no restore left its own content; a restore of T left
// what the file held before T, which is what the newest write of it
// before T left, and so on back. The writes met on the way hold; the
// others made since the one reached were undone (by the newest write).
// A checkpoint is undone if any of its files is.
func (s *Store) markUndone(ctx context.Context, cs []*Checkpoint) error {
	var ids []string
	for _, c := range cs {
		if c.Status == db.CheckpointApplied {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	writes, err := s.st.CheckpointWrites(ctx, s.cfg.Project.Key, ids)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	byPath := map[string][]db.CheckpointWrite{}
	for _, w := range writes {
		byPath[w.Path] = append(byPath[w.Path], w)
	}
	undoneBy := map[string]string{}
	for _, ws := range byPath {
		for id, by := range undoneOn(ws) {
			if undoneBy[id] == "" {
				undoneBy[id] = by
			}
		}
	}
	for _, c := range cs {
		if by := undoneBy[c.ID]; by != "" && c.Status == db.CheckpointApplied {
			c.Status, c.UndoneBy = StatusUndone, by
		}
	}
	return nil
}

// undoneOn returns, of the writes ws of one file (oldest first), those a
// restore undid, with the newest write (the restore that did).
func undoneOn(ws []db.CheckpointWrite) map[string]string {
	held := map[int]bool{}
	origin := -1 // the write whose content the file holds; -1: none (as before them all)
	for i, steps := len(ws)-1, 0; i >= 0 && steps <= len(ws); steps++ {
		held[i] = true
		w := ws[i]
		if w.RestoreOf == "" || w.RestoredAt.IsZero() {
			origin = i // a restore of a pruned checkpoint: taken as its own
			break
		}
		i = lastBefore(ws, w.RestoredAt, w.RestoreOf)
	}
	out := map[string]string{}
	newest := ws[len(ws)-1].CheckpointID
	for i := origin + 1; i < len(ws); i++ {
		if !held[i] {
			out[ws[i].CheckpointID] = newest
		}
	}
	return out
}

// lastBefore is the index of the newest of ws made before the checkpoint
// id made at t; -1 if none was.
func lastBefore(ws []db.CheckpointWrite, t time.Time, id string) int {
	for i := len(ws) - 1; i >= 0; i-- {
		w := ws[i]
		if w.CreatedAt.Before(t) || w.CreatedAt.Equal(t) && w.CheckpointID < id {
			return i
		}
	}
	return -1
}
