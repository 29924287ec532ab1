package checkpoint

import (
	"context"
	"fmt"
	"io/fs"
	"strings"

	"github.com/aiex-dev/aiex/app/english"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// RestoreOptions configures Restore.
type RestoreOptions struct {
	// Force overwrites files changed since the checkpoint.
	Force bool
	// DryRun says what would be done and does nothing.
	DryRun bool
	// Meta of the checkpoint the restore makes (session and turn when a
	// turn asked for it); its Reason is "restore".
	Meta Meta
}

// Restored is one file of a restore.
type Restored struct {
	Path   string `json:"path"`
	Action string `json:"action"` // write, create or delete
	// Overwritten: the file had changed since the checkpoint (Force).
	Overwritten bool `json:"overwritten,omitempty"`
}

// RestoreResult is what Restore did, or would do (DryRun).
type RestoreResult struct {
	From  *Checkpoint `json:"from"`  // the checkpoint restored
	Files []Restored  `json:"files"` // the files written back
	// Unchanged lists the files already as they were before the
	// checkpoint.
	Unchanged []string `json:"unchanged"`
	// Checkpoint is the checkpoint of the restore itself (restore it to
	// undo the restore); nil on a dry run or when nothing was written.
	Checkpoint *Checkpoint `json:"checkpoint"`
	// TempFiles, for a checkpoint whose write was interrupted, are the
	// temporary files it left beside its files, which the restore
	// removed (or, on a dry run, would remove). The directories the
	// write made go too when they are left empty.
	TempFiles []string `json:"temp_files,omitempty"`
	// Notes say what else the restore did: the temporary files other
	// interrupted writes of the project had left, which it removed once
	// done, as every write does.
	Notes  []string `json:"notes,omitempty"`
	DryRun bool     `json:"dry_run,omitempty"`
	// Refused, on a dry run, is why the restore itself would be refused:
	// files changed since the checkpoint (without Force; marked
	// Overwritten in Files), or files it cannot restore at all (Blocked,
	// left out of Files). Restore returns the error it gives.
	Refused *Refusal `json:"refused,omitempty"`
}

// Refusal is why a restore is refused, as a dry run reports it.
type Refusal struct {
	Checkpoint string `json:"checkpoint_id"`
	// Files changed since the checkpoint: Force overwrites them.
	Files []Changed `json:"files"`
	// Blocked are files no restore writes, whatever Force says: a link
	// it would have to remove, a file that is no longer a regular one, a
	// path the sandbox refuses.
	Blocked []Blocked `json:"blocked,omitempty"`
}

// Blocked is a file a restore cannot write back, and why.
type Blocked struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

// Error is what the restore itself says: the files it cannot write first,
// as it stops there, then those changed since.
func (r *Refusal) Error() string {
	var msgs []string
	if len(r.Blocked) == 1 {
		msgs = append(msgs, r.Blocked[0].Error)
	} else if len(r.Blocked) > 1 {
		why := make([]string, 0, len(r.Blocked))
		for _, b := range r.Blocked {
			why = append(why, b.Error)
		}
		msgs = append(msgs, fmt.Sprintf("not restoring checkpoint %s: %s", r.Checkpoint, strings.Join(why, "; ")))
	}
	if len(r.Files) > 0 {
		msgs = append(msgs, (&ChangedError{Checkpoint: r.Checkpoint, Files: r.Files}).Error())
	}
	return strings.Join(msgs, "; and ")
}

// Is makes errors.Is(r, ErrChanged) true when files changed since.
func (r *Refusal) Is(target error) bool { return target == ErrChanged && len(r.Files) > 0 }

// ChangedError refuses a restore that would overwrite changes made since
// the checkpoint; errors.Is(err, ErrChanged) matches it.
type ChangedError struct {
	Checkpoint string    `json:"checkpoint_id"`
	Files      []Changed `json:"files"`
}

// Changed is a file that changed since a checkpoint; By, if set, is the
// newest later checkpoint that left it as it is: by_checkpoint_id, since
// the refusal it is part of names the checkpoint restored checkpoint_id.
type Changed struct {
	Path string `json:"path"`
	By   string `json:"by_checkpoint_id,omitempty"`
}

func (e *ChangedError) Error() string {
	names := make([]string, 0, len(e.Files))
	later := false
	for _, f := range e.Files {
		if f.By != "" {
			names = append(names, fmt.Sprintf("%s (as checkpoint %s left it)", f.Path, f.By))
			later = true
		} else {
			names = append(names, f.Path)
		}
	}
	msg := fmt.Sprintf("not restoring checkpoint %s: %s changed since (%s)", e.Checkpoint, english.CountAs(len(e.Files), "file has", "files have"),
		strings.Join(names, ", "))
	if later {
		return msg + "; restore the later checkpoints first, newest first, or restore with --force to overwrite"
	}
	return msg + "; restore with --force to overwrite"
}

func (e *ChangedError) Is(target error) bool { return target == ErrChanged }

// Restore writes back the files of the checkpoint ref names as they were
// before it: each file still as the checkpoint left it gets its previous
// content (or is deleted, if the checkpoint created it); a file already
// as it was before is left alone; a file changed since is a *ChangedError
// (in a usererr.Error), unless Force. The restore is itself a checkpoint
// (reason "restore"): restoring that one undoes the restore. Of a
// checkpoint whose write was interrupted it also removes the temporary
// files that write left and the directories it made, once empty; of one
// whose write failed (rolled back, or failed), those directories too.
func (s *Store) Restore(ctx context.Context, ref string, opts RestoreOptions) (*RestoreResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.load(ctx, ref)
	if err != nil {
		return nil, err
	}
	res := &RestoreResult{From: info(st.Row, st.Tags, st.Files), Files: []Restored{}, Unchanged: []string{}, DryRun: opts.DryRun}
	// A write cut short (its process killed) left what only it would
	// have removed: a temporary file, directories it made. A write that
	// failed and was rolled back by an older aiex left the directories
	// its failed file's write made (rollback now removes them).
	var temps, dirs []string
	_, interrupted := s.markInterrupted(ctx, res.From)
	if interrupted {
		temps = s.leftovers(ctx, res.From.Files)
	}
	if interrupted || res.From.Status == db.CheckpointRolledBack || res.From.Status == db.CheckpointFailed {
		if c, ok := s.created(ctx, st.Row.ID); ok {
			dirs = c.Dirs
		}
	}
	var ops []*op
	var changed []Changed
	var blocked []Blocked
	var blockedErr error              // the first file's: what the restore returns
	modes := map[string]fs.FileMode{} // directories' modes (writable)
	for _, f := range res.From.Files {
		data, cur, err := s.current(ctx, f.Path)
		if err == nil && cur != nil && f.Before == nil {
			err = s.removable(ctx, f.Path)
		}
		var before, after bool
		if err == nil {
			if before, after = matches(cur, f); !before {
				err = s.restorable(ctx, st.Row.ID, f, cur, modes)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			// A dry run goes on, to show the whole plan with what
			// refuses it.
			blocked = append(blocked, Blocked{Path: f.Path, Error: userMessage(err)})
			if blockedErr == nil {
				blockedErr = err
			}
			continue
		}
		o := &op{path: f.Path, before: data, bst: cur, ast: f.Before}
		switch {
		case before:
			res.Unchanged = append(res.Unchanged, f.Path)
			continue
		case after:
		default:
			c := Changed{Path: f.Path}
			if cur != nil {
				if by, ok, err := s.st.LastCheckpointLeaving(ctx, s.cfg.Project.Key, f.Path, cur.Hash); err == nil && ok && by.ID != st.Row.ID {
					c.By = by.ID
				}
			}
			changed = append(changed, c)
		}
		ops = append(ops, o)
	}
	if blockedErr != nil && !opts.DryRun {
		return nil, blockedErr
	}
	if len(changed) > 0 && !opts.Force && !opts.DryRun {
		ce := &ChangedError{Checkpoint: st.Row.ID, Files: changed}
		return nil, &usererr.Error{Msg: ce.Error(), Err: ce}
	}
	if len(blocked) > 0 || len(changed) > 0 && !opts.Force {
		// The plan is still shown.
		res.Refused = &Refusal{Checkpoint: st.Row.ID, Files: []Changed{}, Blocked: blocked}
		if !opts.Force {
			res.Refused.Files = append(res.Refused.Files, changed...)
		}
	}
	overwritten := map[string]bool{}
	for _, c := range changed {
		overwritten[c.Path] = true
	}
	if err := s.fill(ctx, ops); err != nil {
		return nil, err
	}
	for _, o := range ops {
		r := Restored{Path: o.path, Action: "write", Overwritten: overwritten[o.path]}
		switch {
		case o.ast == nil:
			r.Action = "delete"
		case o.bst == nil:
			r.Action = "create"
		}
		res.Files = append(res.Files, r)
	}
	if opts.DryRun {
		if len(temps) > 0 {
			res.TempFiles = temps
		}
		return res, nil
	}
	// The temporary files first: a directory the write made is empty
	// only without them.
	if removed := s.removeTemps(ctx, temps); len(removed) > 0 {
		res.TempFiles = removed
	}
	if len(ops) > 0 {
		meta := opts.Meta
		meta.Reason = "restore"
		if meta.Label == "" {
			meta.Label = "restore of " + st.Row.ID
		}
		applied, err := s.apply(ctx, ops, meta, st.Row.ID)
		if err != nil {
			return nil, err
		}
		res.Checkpoint = applied.Checkpoint
		// The write is done: what other writes, killed midway, left is
		// removed now, as after any write (Apply).
		if removed, of := s.sweepInterrupted(context.WithoutCancel(ctx), applied.Checkpoint.ID); len(removed) > 0 {
			res.Notes = append(res.Notes, sweptNote(removed, of))
		}
	}
	s.removeMadeDirs(ctx, dirs)
	return res, nil
}

// restorable refuses the restore of f, which is cur now, when that
// changes what the user made read-only since the checkpoint (see
// ReadOnlyError): the file, or the directory it is in. A file the
// checkpoint itself left read-only (a Change's Mode), as it left it, is
// no obstacle: undoing the checkpoint undoes that too.
func (s *Store) restorable(ctx context.Context, id string, f FileChanged, cur *FileState, modes map[string]fs.FileMode) error {
	ro, ok := s.writable(ctx, f.Path, cur, modes)
	if ok && ro.File && sameState(cur, f.After, false) {
		ro.File, ok = false, ro.Dir != ""
	}
	if !ok {
		return nil
	}
	return (&ReadOnlyError{Files: []ReadOnly{ro}, Checkpoint: id}).userError()
}

// userMessage is err as a user reads it: a user error's own message,
// else the error.
func userMessage(err error) string {
	if ue := usererr.As(err); ue != nil && ue.Msg != "" {
		return ue.Msg
	}
	return err.Error()
}

// matches reports whether a file, as it is now (cur), is as the checkpoint
// found it (before) or as it left it (after). It is so only if its mode is
// too: a chmod since (a script made executable, a secret made private) is
// a change a restore must not undo unasked, and a restore puts back the
// mode it recorded. Exact matches first: under a umask of 077 a file that
// went from 0644 to 0600 matches its before state once the umask is
// allowed for, yet is as the checkpoint left it.
func matches(cur *FileState, f FileChanged) (before, after bool) {
	before, after = sameState(cur, f.Before, false), sameState(cur, f.After, false)
	if !before && !after {
		before, after = sameState(cur, f.Before, true), sameState(cur, f.After, true)
	}
	return before, after
}

// sameState reports whether a file's state cur (as read now) is what
// rec records: its content (or absence) and its mode. With umask, a mode
// the umask made of rec's counts as rec's: a file the checkpoint (or a
// restore) created gets the mode recorded for it less the umask (the
// sandbox does not chmod a file it creates), which is no change made
// since.
func sameState(cur, rec *FileState, umask bool) bool {
	if cur == nil || rec == nil {
		return cur == rec
	}
	if cur.Hash != rec.Hash {
		return false
	}
	return cur.Mode == rec.Mode || umask && cur.Mode == rec.Mode&^processUmask()
}

// fill reads the contents ops are to write (their after states) from the
// blobs.
func (s *Store) fill(ctx context.Context, ops []*op) error {
	var hashes []string
	for _, o := range ops {
		if o.ast != nil {
			hashes = append(hashes, o.ast.Hash)
		}
	}
	contents, err := s.contents(ctx, hashes)
	if err != nil {
		return err
	}
	for _, o := range ops {
		if o.ast != nil {
			o.after = contents[o.ast.Hash]
		}
	}
	return nil
}

// contents returns the contents of blobs by hash; a blob missing from the
// store is an error.
func (s *Store) contents(ctx context.Context, hashes []string) (map[string][]byte, error) {
	blobs, err := s.st.Blobs(ctx, hashes)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	out := make(map[string][]byte, len(hashes))
	for _, h := range hashes {
		b, ok := blobs[h]
		if !ok {
			return nil, fmt.Errorf("checkpoint: the content %s is missing from the store", short(h))
		}
		if out[h], err = s.codec.content(b); err != nil {
			return nil, err
		}
	}
	return out, nil
}
