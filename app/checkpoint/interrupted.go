package checkpoint

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aiex-dev/aiex/db"
)

// StatusInterrupted is the status a checkpoint reads with (List, Show)
// when it is still applying in the log but the process writing it has
// ended: killed between recording it and marking it applied. Its rows
// stay "applying" (a replay gives them as they are); what the reader
// knows is whether that process lives, as for a session turn.
const StatusInterrupted = "interrupted"

// Interruption is how far the write of an interrupted checkpoint got,
// told by its files as they are now against what it recorded.
type Interruption struct {
	// Owner is the process that was writing it, "node/instance" ("" when
	// an older aiex recorded none).
	Owner string `json:"owner"`
	// Written are the files as the checkpoint left them: written before
	// the process ended. Restoring the checkpoint puts them back.
	Written []string `json:"written"`
	// NotWritten are the files still as they were before it.
	NotWritten []string `json:"not_written"`
	// Changed are the files that are neither (changed since, or not
	// readable now): a restore refuses them without --force.
	Changed []string `json:"changed"`
	// TempFiles are the temporary files the write left beside its files
	// (relative to the root), which a restore removes; the next write in
	// the project removes them too, unless they may be in use.
	TempFiles []string `json:"temp_files,omitempty"`
}

// processInstance names this process in the checkpoints it writes, one
// name for every Store it opens (the app opens one per request), so that a
// Store reading a checkpoint another Store of the process is writing does
// not take its writer for gone. It is drawn once and never changes.
var processInstance = sync.OnceValue(func() string { return randomHex(4) })

// owner is this process as checkpoints record their writer.
func (s *Store) owner() string { return s.log.Node() + "/" + s.cfg.Instance }

// markInterrupted gives c, if it is applying and its writer has ended, the
// status interrupted and says why in its Error. It reports whether it did,
// and the writer.
func (s *Store) markInterrupted(ctx context.Context, c *Checkpoint) (owner string, marked bool) {
	if c.Status != db.CheckpointApplying {
		return "", false
	}
	owner, ok := s.writer(ctx, c.ID)
	if !ok || s.writerAlive(ctx, c, owner) {
		return "", false
	}
	c.Status = StatusInterrupted
	who := owner
	if who == "" {
		who = "on " + c.Node
	}
	c.Error = fmt.Sprintf("the process writing it (%s) ended before it finished", who)
	return owner, true
}

// writer is the owner the checkpoint's first event records; ok is false
// if that event cannot be read (the checkpoint then reads as recorded).
func (s *Store) writer(ctx context.Context, id string) (owner string, ok bool) {
	c, ok := s.created(ctx, id)
	if !ok {
		return "", false
	}
	return c.Owner, true
}

// writerAlive reports whether the process that recorded an applying
// checkpoint may still be writing it, by the rule app/session applies to a
// turn's owner. This process knows its own writes. Another process of this
// node has ended: a node's store is open in one process at a time (the data
// dir's lock), and that process makes every write of the node (one made
// by an older aiex, which recorded no owner, is of such a process).
// Another node's write lives while that node is up (NodeAlive) and for
// MaxApply at most.
func (s *Store) writerAlive(ctx context.Context, c *Checkpoint, owner string) bool {
	node, inst, _ := strings.Cut(owner, "/")
	if owner == "" {
		node = c.Node
	}
	if node == s.log.Node() {
		return owner != "" && inst == s.cfg.Instance
	}
	if s.cfg.NodeAlive != nil && !s.cfg.NodeAlive(ctx, node) {
		return false
	}
	return s.log.Now().Sub(c.CreatedAt) < s.cfg.MaxApply
}

// howFar compares each file of an interrupted checkpoint as it is now with
// what the checkpoint recorded, as a restore would.
func (s *Store) howFar(ctx context.Context, c *Checkpoint, owner string) (*Interruption, error) {
	in := &Interruption{Owner: owner, Written: []string{}, NotWritten: []string{}, Changed: []string{}}
	for _, f := range c.Files {
		_, cur, err := s.current(ctx, f.Path)
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			in.Changed = append(in.Changed, f.Path)
			continue
		}
		switch before, after := matches(cur, f); {
		case before:
			in.NotWritten = append(in.NotWritten, f.Path)
		case after:
			in.Written = append(in.Written, f.Path)
		default:
			in.Changed = append(in.Changed, f.Path)
		}
	}
	in.TempFiles = s.leftovers(ctx, c.Files)
	return in, nil
}
