package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// CheckpointOptions configures the checkpoints of a project.
type CheckpointOptions struct {
	// Actor is recorded with the checkpoints made (cli, tui, lsp, web).
	Actor string
	// Retention is what Prune applies when it is given no policy (the
	// [checkpoints] keep and max_age settings).
	Retention checkpoint.Policy
}

// Checkpoints returns the checkpoints of the project rooted at root
// (absolute). fsys is what every read and write of the project's files
// goes through: the sandbox. nil means checkpoint.DirFS(root), confined
// to root but not sandboxed, held open until the App closes (a long-lived
// caller passes its FS, or uses Checkpoint, which closes what it opens).
//
// A command that writes files (refactor, gen) calls Apply with all of its
// changes at once, after the model has answered:
//
//	cs, err := a.Checkpoints(root, sandboxFS, app.CheckpointOptions{Actor: "cli"})
//	res, err := cs.Apply(ctx, changes, checkpoint.Meta{Session: id, Turn: n, Reason: "refactor"})
func (a *App) Checkpoints(root string, fsys checkpoint.FS, opts CheckpointOptions) (*checkpoint.Store, error) {
	cs, closeFS, err := a.openCheckpoints(root, fsys, opts)
	if err != nil {
		return nil, err
	}
	if closeFS != nil {
		a.cleanup = append(a.cleanup, func(context.Context) error { return closeFS() })
	}
	return cs, nil
}

// openCheckpoints is Checkpoints returning the close of the DirFS it
// opened (nil if it opened none).
func (a *App) openCheckpoints(root string, fsys checkpoint.FS, opts CheckpointOptions) (_ *checkpoint.Store, closeFS func() error, _ error) {
	log, err := a.Events()
	if err != nil {
		return nil, nil, err
	}
	if fsys == nil {
		dir, err := checkpoint.DirFS(root)
		if err != nil {
			return nil, nil, err
		}
		fsys, closeFS = dir, dir.Close
	}
	cs, err := checkpoint.New(checkpoint.Config{Log: log, Store: a.Store, FS: fsys, Project: checkpoint.ProjectOf(root),
		Actor: opts.Actor, Retention: opts.Retention, Logger: a.logger, NodeAlive: a.nodeAlive})
	if err != nil {
		if closeFS != nil {
			closeFS()
		}
		return nil, nil, err
	}
	return cs, closeFS, nil
}

// projectCheckpoints opens the checkpoints of the project at root, its
// files read and written through the project's sandbox; done closes both.
//
// Callers in this process take turns per project until done: two writes
// to one project at once (the TUI's and a CLI's, through a node) could
// each check a file before the other wrote it.
func (a *App) projectCheckpoints(ctx context.Context, root, actor string) (_ *checkpoint.Store, done func(), _ error) {
	unlock, err := a.projects.Lock(ctx, filepath.Clean(root))
	if err != nil {
		return nil, nil, err
	}
	sb, err := a.projectSandbox(root, actor, "")
	if err != nil {
		unlock()
		return nil, nil, err
	}
	cs, _, err := a.openCheckpoints(root, sb, CheckpointOptions{Actor: actor, Retention: a.CheckpointRetention()})
	if err != nil {
		sb.Close(context.WithoutCancel(ctx))
		unlock()
		return nil, nil, err
	}
	return cs, func() {
		cs.Close()
		sb.Close(context.WithoutCancel(ctx))
		unlock()
	}, nil
}

// CheckpointRetention is the [checkpoints] retention of the config.
func (a *App) CheckpointRetention() checkpoint.Policy {
	c := a.cfg.File.Checkpoints
	return checkpoint.Policy{KeepLast: c.Keep, OlderThan: time.Duration(c.MaxAge)}
}

// CheckpointRequest is a checkpoint command (aiex checkpoint …), for the
// project rooted at Root: run by the core itself, or by the node that
// holds the data dir.
type CheckpointRequest struct {
	Op          string        `json:"op"`   // list, show, diff, restore, tag, untag, prune
	Root        string        `json:"root"` // the project's root, absolute
	Ref         string        `json:"ref,omitempty"`
	Tag         string        `json:"tag,omitempty"`     // tag, untag
	Session     string        `json:"session,omitempty"` // list
	Limit       int           `json:"limit,omitempty"`   // list
	AllProjects bool          `json:"all_projects,omitempty"`
	Current     bool          `json:"current,omitempty"`    // diff
	Force       bool          `json:"force,omitempty"`      // restore
	DryRun      bool          `json:"dry_run,omitempty"`    // restore, prune
	Keep        int           `json:"keep,omitempty"`       // prune
	KeepNone    bool          `json:"keep_none,omitempty"`  // prune: Keep 0 as given, not the config's retention
	OlderThan   time.Duration `json:"older_than,omitempty"` // prune
	Actor       string        `json:"actor,omitempty"`
}

// CheckpointResult is what a checkpoint command returns; the field of its
// op is set.
type CheckpointResult struct {
	List       []*checkpoint.Checkpoint  `json:"list,omitempty"`
	Checkpoint *checkpoint.Checkpoint    `json:"checkpoint,omitempty"` // show, tag, untag
	Diff       *checkpoint.DiffResult    `json:"diff,omitempty"`
	Restore    *checkpoint.RestoreResult `json:"restore,omitempty"`
	Prune      *checkpoint.PruneReport   `json:"prune,omitempty"`
}

// Checkpoint ops.
const (
	CheckpointList    = "list"
	CheckpointShow    = "show"
	CheckpointDiff    = "diff"
	CheckpointRestore = "restore"
	CheckpointTag     = "tag"
	CheckpointUntag   = "untag"
	CheckpointPrune   = "prune"
)

// Checkpoint runs a checkpoint command, reading and writing the project's
// files through the sandbox (a restore's writes are audited like any
// other).
func (a *App) Checkpoint(ctx context.Context, req CheckpointRequest) (*CheckpointResult, error) {
	if req.Root == "" {
		return nil, usererr.Usage("checkpoint: no project root")
	}
	cs, done, err := a.projectCheckpoints(ctx, req.Root, req.Actor)
	if err != nil {
		return nil, err
	}
	defer done()
	switch req.Op {
	case CheckpointList:
		f := checkpoint.Filter{Session: req.Session, Limit: req.Limit, AllProjects: req.AllProjects}
		if f.Session != "" {
			if f.Session, err = a.checkpointSession(ctx, cs, req); err != nil {
				return nil, err
			}
		}
		list, err := cs.List(ctx, f)
		return &CheckpointResult{List: list}, err
	case CheckpointShow:
		c, err := cs.Show(ctx, req.Ref)
		return &CheckpointResult{Checkpoint: c}, err
	case CheckpointDiff:
		d, err := cs.Diff(ctx, req.Ref, checkpoint.DiffOptions{Current: req.Current})
		return &CheckpointResult{Diff: d}, err
	case CheckpointRestore:
		var before []*checkpoint.Checkpoint
		if !req.DryRun {
			// What the restore undoes or writes again is told from the
			// statuses before and after it.
			if before, err = cs.List(ctx, checkpoint.Filter{}); err != nil {
				return nil, err
			}
		}
		r, err := cs.Restore(ctx, req.Ref, checkpoint.RestoreOptions{Force: req.Force, DryRun: req.DryRun})
		if err == nil && r != nil && !r.DryRun && len(r.Files) > 0 {
			// As after any other write: what it put back can be named
			// at once, what it deleted no longer.
			changes := make([]parse.Change, len(r.Files))
			for i, f := range r.Files {
				changes[i] = parse.Change{Path: f.Path, Delete: f.Action == "delete"}
			}
			a.indexWritten(ctx, req.Root, changes)
		}
		if err == nil && r != nil && r.Checkpoint != nil && r.From != nil {
			a.recordRestore(ctx, cs, req, r, before)
		}
		return &CheckpointResult{Restore: r}, err
	case CheckpointTag:
		c, err := cs.Tag(ctx, req.Ref, req.Tag)
		return &CheckpointResult{Checkpoint: c}, err
	case CheckpointUntag:
		c, err := cs.Untag(ctx, req.Ref, req.Tag)
		return &CheckpointResult{Checkpoint: c}, err
	case CheckpointPrune:
		rep, err := cs.Prune(ctx, checkpoint.PruneOptions{Policy: checkpoint.Policy{KeepLast: req.Keep, OlderThan: req.OlderThan},
			KeepNone: req.KeepNone, DryRun: req.DryRun, AllProjects: req.AllProjects})
		return &CheckpointResult{Prune: rep}, err
	}
	return nil, usererr.Usage("unknown checkpoint operation %q", req.Op)
}

// maxRestoreChain is how many restores of restores recordRestore follows
// back: more are nothing anyone does by hand.
const maxRestoreChain = 32

// recordRestore records in the turns whose written changes the restore r
// undid, or wrote again, what became of them. A restore puts back the
// files of the checkpoint it restores as they were before it: that
// undoes its write and every later write of those files (--force); a
// restore of a restore writes them again. Which checkpoints it undid or
// wrote again is told by their statuses before it (before) and after it
// (checkpoint.StatusUndone); each one of a session's turn is recorded in
// that turn, undone with how to write it again, or written with its own
// checkpoint, as before the undo.
func (a *App) recordRestore(ctx context.Context, cs *checkpoint.Store, req CheckpointRequest, r *checkpoint.RestoreResult,
	before []*checkpoint.Checkpoint) {
	after, err := cs.List(ctx, checkpoint.Filter{})
	if err != nil {
		a.logger.Warn("app: could not tell which turns a restore undid", "checkpoint", r.Checkpoint.ID, "err", err)
		return
	}
	was := make(map[string]string, len(before))
	for _, c := range before {
		was[c.ID] = c.Status
	}
	// The checkpoint whose restore this is in effect: restoring the
	// restore of a restore of A restores A again.
	byID := make(map[string]*checkpoint.Checkpoint, len(after))
	for _, c := range after {
		byID[c.ID] = c
	}
	restored := r.From
	for range maxRestoreChain {
		back := byID[restored.RestoreOf]
		if back == nil || byID[back.RestoreOf] == nil {
			break
		}
		restored = byID[back.RestoreOf]
	}
	for _, c := range after {
		if c.RestoreOf != "" || c.Session == "" || c.Turn < 1 || was[c.ID] == c.Status {
			continue
		}
		switch {
		case c.Status == checkpoint.StatusUndone && c.UndoneBy == r.Checkpoint.ID:
			a.recordOutcome(ctx, req.Root, req.Actor, c.Session, c.Turn, session.Proposal{Status: session.ProposalUndone,
				Checkpoint: c.ID, RestoredCheckpoint: restored.ID,
				Reason: fmt.Sprintf("to write it again: aiex checkpoint restore %s", r.Checkpoint.ID)})
		case was[c.ID] == checkpoint.StatusUndone && c.Status == db.CheckpointApplied:
			// The turn's change is as its write left it: undone by
			// restoring its checkpoint, as before the undo.
			a.recordOutcome(ctx, req.Root, req.Actor, c.Session, c.Turn, session.Proposal{Status: session.ProposalWritten, Checkpoint: c.ID})
		}
	}
}

// checkpointSession is the id of the session a checkpoint listing names as
// the session commands take it: an id, a prefix of one, or last. A removed
// session's checkpoints stay, listed by its whole id.
func (a *App) checkpointSession(ctx context.Context, cs *checkpoint.Store, req CheckpointRequest) (string, error) {
	svc, err := a.Sessions()
	if err != nil {
		return "", err
	}
	id, err := svc.ID(ctx, session.Ref(req.Session), req.Root)
	if err == nil || !errors.Is(err, session.ErrNotFound) {
		return id, err
	}
	if list, lerr := cs.List(ctx, checkpoint.Filter{Session: req.Session, Limit: 1, AllProjects: true}); lerr == nil && len(list) > 0 {
		return req.Session, nil
	}
	return "", err
}
