package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// writeAttempts bounds the retries of a write that lost a race with
// another writer of the same checkpoint (a version conflict).
const writeAttempts = 3

// Tag gives the checkpoint ref names the tag name: a name to restore it
// by, and a mark that keeps it from being pruned. A tag names one
// checkpoint of a project at a time.
func (s *Store) Tag(ctx context.Context, ref, name string) (*Checkpoint, error) {
	if err := CheckTag(name); err != nil {
		return nil, usererr.Usage("%v", err)
	}
	return s.retag(ctx, ref, name, true)
}

// Untag takes the tag name away from the checkpoint ref names.
func (s *Store) Untag(ctx context.Context, ref, name string) (*Checkpoint, error) {
	return s.retag(ctx, ref, name, false)
}

func (s *Store) retag(ctx context.Context, ref, name string, on bool) (*Checkpoint, error) {
	for attempt := 1; ; attempt++ {
		st, err := s.load(ctx, ref)
		if err != nil {
			return nil, err
		}
		has := slices.Contains(st.Tags, name)
		if on && !has {
			other, err := s.st.Checkpoints(ctx, db.CheckpointFilter{Project: s.cfg.Project.Key, Tag: name, Limit: 1})
			if err != nil {
				return nil, fmt.Errorf("checkpoint: %w", err)
			}
			if len(other) > 0 {
				return nil, usererr.New("tag %s is on checkpoint %s already; take it off there first: aiex checkpoint tag --remove %s %s",
					name, other[0].ID, other[0].ID, name)
			}
		}
		var p events.Payload
		switch {
		case on && !has:
			p = &Tagged{Tag: name}
		case !on && has:
			p = &Untagged{Tag: name}
		case !on:
			return nil, usererr.New("checkpoint %s has no tag %s", st.Row.ID, name)
		}
		if p != nil {
			err = s.append(ctx, st, p)
			if errors.Is(err, events.ErrConflict) && attempt < writeAttempts {
				continue
			}
			if err != nil {
				return nil, err
			}
		}
		return info(st.Row, st.Tags, st.Files), nil
	}
}

// Policy is a retention policy: which checkpoints Prune deletes. Tagged
// checkpoints are always kept; of the others, those among the newest
// KeepLast and those younger than OlderThan are kept, the rest go.
type Policy struct {
	KeepLast  int           `json:"keep_last"`     // 0: no limit by count
	OlderThan time.Duration `json:"older_than_ns"` // 0: any age; in nanoseconds, as every duration aiex prints in JSON names its unit
}

// IsZero reports whether p keeps nothing back (a Prune with it would
// delete every untagged checkpoint): Prune refuses it.
func (p Policy) IsZero() bool { return p.KeepLast <= 0 && p.OlderThan <= 0 }

// PruneOptions configures Prune.
type PruneOptions struct {
	Policy           // a zero policy means Config.Retention, unless KeepNone
	KeepNone    bool // the zero policy as given: every untagged checkpoint goes
	DryRun      bool // report what would go; delete nothing
	AllProjects bool // every project's checkpoints (KeepLast counts per project)
}

// PruneReport says what Prune deleted (or would).
type PruneReport struct {
	Policy     Policy   `json:"policy"`
	Pruned     []string `json:"pruned_checkpoint_ids"` // references, named as every reference to a checkpoint is
	Kept       int      `json:"kept"`
	KeptTagged int      `json:"kept_tagged"`
	Blobs      int64    `json:"blobs"`      // contents no checkpoint refers to any more
	BlobBytes  int64    `json:"blob_bytes"` // their stored size
	DryRun     bool     `json:"dry_run,omitempty"`
}

// pruneChunk is how many checkpoints one transaction prunes.
const pruneChunk = 200

// Prune deletes the checkpoints the policy does not keep: it ends their
// streams (checkpoint.pruned; app/events' retention deletes the events
// later), deletes their rows, and deletes the blobs no checkpoint refers
// to any more, in one transaction per 200 checkpoints.
func (s *Store) Prune(ctx context.Context, opts PruneOptions) (*PruneReport, error) {
	if opts.Policy.IsZero() && !opts.KeepNone {
		opts.Policy = s.cfg.Retention
	}
	if opts.Policy.IsZero() && !opts.KeepNone {
		return nil, usererr.Usage("say what to keep: --keep N (the newest N) and/or --older-than DURATION (only older ones go); tagged checkpoints are always kept")
	}
	for attempt := 1; ; attempt++ {
		rep, err := s.prune(ctx, opts)
		if errors.Is(err, events.ErrConflict) && attempt < writeAttempts {
			continue // one was tagged meanwhile: decide again
		}
		return rep, err
	}
}

func (s *Store) prune(ctx context.Context, opts PruneOptions) (*PruneReport, error) {
	rep := &PruneReport{Policy: opts.Policy, Pruned: []string{}, DryRun: opts.DryRun}
	f := db.CheckpointFilter{Project: s.cfg.Project.Key}
	if opts.AllProjects {
		f.Project = ""
	}
	rows, err := s.st.Checkpoints(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: prune: %w", err)
	}
	f.Untagged = true
	untagged, err := s.st.Checkpoints(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: prune: %w", err)
	}
	plain := make(map[string]bool, len(untagged))
	for _, r := range untagged {
		plain[r.ID] = true
	}
	now := s.log.Now()
	seen := map[string]int{} // untagged checkpoints looked at, by project (rows are newest first)
	var gone []db.CheckpointRow
	for _, r := range rows {
		if !plain[r.ID] {
			rep.KeptTagged++ // kept, and not one of the newest KeepLast
			continue
		}
		n := seen[r.Project]
		seen[r.Project]++
		switch {
		case opts.KeepLast > 0 && n < opts.KeepLast, opts.OlderThan > 0 && now.Sub(r.CreatedAt) < opts.OlderThan:
			rep.Kept++
		default:
			gone = append(gone, r)
			rep.Pruned = append(rep.Pruned, r.ID)
		}
	}
	if rep.Blobs, rep.BlobBytes, err = s.st.BlobsOnlyIn(ctx, rep.Pruned); err != nil {
		return nil, fmt.Errorf("checkpoint: prune: %w", err)
	}
	if opts.DryRun {
		return rep, nil
	}
	for chunk := range slices.Chunk(gone, pruneChunk) {
		var apps []events.StreamAppend
		var with []db.Statement
		for _, r := range chunk {
			st := newState(r.ID)
			st.Row = r
			ev, err := s.event(st, &Pruned{})
			if err != nil {
				return nil, err
			}
			apps = append(apps, events.StreamAppend{Stream: Stream(r.ID), Expected: r.Version, Events: []*events.Event{ev}})
			with = append(with, st.liveStmts(nil)...)
		}
		with = append(with, db.DeleteUnreferencedBlobsStmt())
		if err := s.log.AppendBatch(ctx, apps, with...); err != nil {
			return nil, fmt.Errorf("checkpoint: prune: %w", err)
		}
	}
	return rep, nil
}
