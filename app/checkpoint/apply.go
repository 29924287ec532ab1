package checkpoint

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// Change is one file to write.
type Change struct {
	Path   string      // relative to the project root
	Data   []byte      // the new content
	Delete bool        // remove the file instead (Data is ignored)
	Mode   fs.FileMode // permission bits; 0 keeps the file's, or 0644 for a new file
	// From, for a new file, is the file it is renamed from (another
	// Change of the same Apply deletes it): with Mode 0 the new file gets
	// From's mode, as git keeps a renamed file's mode, so that a private
	// file (0600) does not become readable to all by being renamed.
	From string
	// Expect, if set, is what the file must be for the change to be
	// written: the hex SHA-256 of its content, or Absent. Apply writes
	// nothing if any file is not as expected (a proposal's file the user
	// edited since it was made).
	Expect string
}

// Absent is the Expect of a change to a file that must not exist.
const Absent = "absent"

// StaleError is returned by Apply when files are not what their changes
// expect: nothing was written.
type StaleError struct {
	Paths []string
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("%s changed since the change was proposed, so nothing was written; ask again to propose it against the files as they are now",
		strings.Join(e.Paths, ", "))
}

// Result is what Apply (or Restore) did.
type Result struct {
	// Checkpoint is the checkpoint made, with its files; nil when no
	// file needed changing.
	Checkpoint *Checkpoint `json:"checkpoint"`
	// Unchanged lists the files that already were as asked.
	Unchanged []string `json:"unchanged"`
	// TempFiles are the temporary files earlier writes of the project,
	// interrupted (their process killed), had left beside their files,
	// which Apply removed once it had written (see sweepInterrupted).
	// Notes says so in a line for the user.
	TempFiles []string `json:"temp_files,omitempty"`
	Notes     []string `json:"notes,omitempty"`
}

// defaultMode is the mode of a new file whose Change gives none.
const defaultMode fs.FileMode = 0o644

// op is one file of a write: what it is and what it becomes (nil data
// with a nil state: absent).
type op struct {
	path          string
	before, after []byte
	bst, ast      *FileState
}

func (o *op) noop() bool {
	if o.bst == nil || o.ast == nil {
		return o.bst == o.ast
	}
	return *o.bst == *o.ast
}

// Apply checkpoints the files changes touch, then writes them through the
// FS, each atomically. If a write fails, the files already written are put
// back as they were and the error (an *ApplyError) says so: the project is
// never left half-changed. Files already as asked are not written. A
// change to a file the user made read-only (its owner-write bit clear, or
// its directory's) is refused before anything is recorded or written: a
// *ReadOnlyError (in a usererr.Error) names them all.
//
// ctx can stop Apply until the checkpoint is recorded, and then nothing
// has been written. From then on a cancelled ctx changes nothing: every
// file is written and the checkpoint marked applied (or, if a write
// fails, rolled back), so that a Result or an *ApplyError always says
// what the project now is.
func (s *Store) Apply(ctx context.Context, changes []Change, meta Meta) (*Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ops, err := s.read(ctx, changes)
	if err != nil {
		return nil, err
	}
	res, err := s.apply(ctx, ops, meta, "")
	if err != nil || res.Checkpoint == nil {
		return res, err
	}
	// The write is done: what earlier writes, killed midway, left is
	// removed now, and said once (removed, it is not found again).
	if removed, of := s.sweepInterrupted(context.WithoutCancel(ctx), res.Checkpoint.ID); len(removed) > 0 {
		res.TempFiles = removed
		res.Notes = append(res.Notes, sweptNote(removed, of))
	}
	return res, nil
}

// read validates changes and reads what their files are now.
func (s *Store) read(ctx context.Context, changes []Change) ([]*op, error) {
	ops := make([]*op, 0, len(changes))
	seen := make(map[string]bool, len(changes))
	var files []fileOf // the existing files changed, to tell one reached by two names
	var stale []string
	var readOnly []ReadOnly
	dirs := map[string]fs.FileMode{} // directories' modes (writable)
	for _, c := range changes {
		p := filepath.ToSlash(c.Path)
		if err := validPath(p); err != nil {
			return nil, fmt.Errorf("checkpoint: %w", err)
		}
		if seen[p] {
			return nil, fmt.Errorf("checkpoint: %s is changed twice", p)
		}
		seen[p] = true
		// Two names of one file (a link and its target): the second
		// write would undo the first.
		if fi, err := s.fs.Stat(ctx, p); err == nil {
			for _, f := range files {
				if os.SameFile(f.fi, fi) {
					return nil, usererr.New("%s and %s are the same file (one is a link to the other); the change must edit it under one name", f.path, p)
				}
			}
			files = append(files, fileOf{p, fi})
		}
		o := &op{path: p}
		var err error
		if o.before, o.bst, err = s.current(ctx, p); err != nil {
			return nil, err
		}
		if c.Delete && o.bst != nil {
			if err := s.removable(ctx, p); err != nil {
				return nil, err
			}
		}
		if !c.Delete {
			mode := c.Mode.Perm()
			if mode == 0 {
				mode = defaultMode
				if o.bst != nil {
					mode = o.bst.Mode
				} else if c.From != "" {
					if fi, err := s.fs.Stat(ctx, filepath.ToSlash(c.From)); err == nil && fi.Mode().IsRegular() {
						mode = fi.Mode().Perm()
					}
				}
			}
			o.after = c.Data
			if o.after == nil {
				o.after = []byte{}
			}
			o.ast = &FileState{Hash: hashOf(o.after), Size: int64(len(o.after)), Mode: mode}
		}
		// A file already as asked is no conflict: it is left out below.
		if c.Expect != "" && c.Expect != stateHash(o.bst) && !o.noop() {
			stale = append(stale, p)
		}
		// Nor is a read-only one, which is then not written.
		if !o.noop() {
			if ro, ok := s.writable(ctx, p, o.bst, dirs); ok {
				readOnly = append(readOnly, ro)
			}
		}
		ops = append(ops, o)
	}
	if len(stale) > 0 {
		e := &StaleError{Paths: stale}
		return nil, usererr.Wrap(e, "%s", e.Error())
	}
	if len(readOnly) > 0 {
		return nil, (&ReadOnlyError{Files: readOnly}).userError()
	}
	return ops, nil
}

// fileOf is a file a change names, as it is on disk.
type fileOf struct {
	path string
	fi   fs.FileInfo
}

// stateHash is what Change.Expect compares with: the content's hash, or
// Absent.
func stateHash(st *FileState) string {
	if st == nil {
		return Absent
	}
	return st.Hash
}

// current reads a file through the FS: its content and state, or nil and
// nil when it does not exist.
func (s *Store) current(ctx context.Context, p string) ([]byte, *FileState, error) {
	fi, err := s.fs.Stat(ctx, p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, usererr.New("%s is not a regular file (%s); the assistant writes regular files only", p, kindOf(fi.Mode()))
	}
	data, err := s.fs.ReadFile(ctx, p)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %w", err)
	}
	return data, &FileState{Hash: hashOf(data), Size: int64(len(data)), Mode: fi.Mode().Perm()}, nil
}

// removable refuses the removal of p when p is a symbolic link. Removing
// deletes the link itself, and checkpoints record contents: undoing it
// would write back a regular file holding what the link pointed to, not
// the link.
func (s *Store) removable(ctx context.Context, p string) error {
	fi, err := s.fs.Lstat(ctx, p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return usererr.New("%s is a symbolic link, which the assistant does not remove (undoing it could not bring the link back); remove it yourself if you mean to", p)
	}
	return nil
}

// apply records ops as a new checkpoint, then writes them.
func (s *Store) apply(ctx context.Context, ops []*op, meta Meta, restoreOf string) (*Result, error) {
	res := &Result{Unchanged: []string{}}
	ops = slices.DeleteFunc(ops, func(o *op) bool {
		if o.noop() {
			res.Unchanged = append(res.Unchanged, o.path)
			return true
		}
		return false
	})
	if len(ops) == 0 {
		return res, nil
	}
	slices.SortFunc(ops, func(a, b *op) int { return strings.Compare(a.path, b.path) })
	// The last point at which a cancel stops the write. Past it, the
	// checkpoint is recorded and then the files are written: cut short,
	// that would leave some files written and the checkpoint "applying",
	// and the caller unsure which.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx)
	dirs := s.createdDirs(ctx, ops)
	st, err := s.record(ctx, ops, dirs, meta, restoreOf)
	if err != nil {
		return nil, err
	}
	// Nothing is written before the checkpoint is committed.
	for i, o := range ops {
		if err := s.write(ctx, o.path, o.after, o.ast, o.bst); err != nil {
			done := ops[:i]
			var me *modeError
			if errors.As(err, &me) {
				done = ops[:i+1] // its content was written
			}
			return nil, s.rollback(ctx, st, done, dirs, o.path, err)
		}
	}
	if err := s.append(ctx, st, &Applied{}); err != nil {
		// The files are written and the checkpoint holds what they were:
		// it stays "applying", which restores as well as "applied".
		s.logger.Warn("checkpoint written but not marked applied", "id", st.Row.ID, "err", err)
	}
	res.Checkpoint = info(st.Row, st.Tags, st.Files)
	return res, nil
}

// record appends the checkpoint's first event with its rows and the blobs
// the store does not have yet, in one transaction; dirs are the
// directories its write makes (createdDirs).
func (s *Store) record(ctx context.Context, ops []*op, dirs []string, meta Meta, restoreOf string) (*state, error) {
	contents := map[string][]byte{}
	p := &Created{Project: s.cfg.Project.Key, Root: s.cfg.Project.Root, Session: meta.Session, Turn: meta.Turn,
		Reason: meta.Reason, Label: s.label(meta.Label), RestoreOf: restoreOf, Owner: s.owner(), Dirs: dirs}
	if p.Reason == "" {
		p.Reason = "edit"
	}
	for _, o := range ops {
		p.Files = append(p.Files, FileChanged{Path: o.path, Before: o.bst, After: o.ast})
		if o.bst != nil {
			contents[o.bst.Hash] = o.before
		}
		if o.ast != nil {
			contents[o.ast.Hash] = o.after
		}
	}
	hashes := make([]string, 0, len(contents))
	for h := range contents {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	have, err := s.st.HaveBlobs(ctx, hashes)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	id := s.cfg.NewID()
	for attempt := 0; ; attempt++ {
		var blobs []db.Blob
		var need []string
		for _, h := range hashes {
			if have[h] && attempt == 0 {
				need = append(need, h) // stored: checked, not sent again
				continue
			}
			b, err := s.codec.blob(h, contents[h])
			if err != nil {
				return nil, err
			}
			blobs = append(blobs, b)
		}
		st := newState(id)
		ev, err := s.event(st, p)
		if err != nil {
			return nil, err
		}
		stmts := append(db.InsertBlobsStmts(blobs, s.log.Now()), st.liveStmts(need)...)
		err = s.log.AppendBatch(ctx, []events.StreamAppend{{Stream: Stream(id), Expected: 0, Events: []*events.Event{ev}}}, stmts...)
		if db.IsMissingBlobs(err) && attempt == 0 {
			continue // pruned since we looked: send them all
		}
		if err != nil {
			return nil, fmt.Errorf("checkpoint: record: %w", err)
		}
		return st, nil
	}
}

// label is a checkpoint's label as people read it: a path in the project
// relative to its root, as checkpoint paths are. Labels name the target
// of a task, which a client passes absolute to a node (whose working
// directory is not the client's): "/home/me/proj/main.go:12" is recorded
// as "main.go:12", as it is when the command runs without a node.
func (s *Store) label(l string) string {
	root := strings.TrimSuffix(filepath.ToSlash(s.cfg.Project.Root), "/") + "/"
	if rest, ok := strings.CutPrefix(l, root); ok && rest != "" {
		return rest
	}
	return l
}

// event makes the event of p for st's stream and folds it into st, as a
// replay would fold it: decoded from the bytes that go into the log.
func (s *Store) event(st *state, p events.Payload) (*events.Event, error) {
	ev, err := s.log.NewEvent(p, s.cfg.Actor)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	ev.Stream, ev.Version = Stream(st.Row.ID), st.Version()+1
	dp, err := s.log.Registry().Decode(ev)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	if err := st.Apply(ev, dp); err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %w", ev.Type, err)
	}
	return ev, nil
}

// append appends p to the checkpoint's stream with its rows, checked
// against the version st was at. On failure st is as it was.
func (s *Store) append(ctx context.Context, st *state, p events.Payload) error {
	next := *st
	next.Files, next.Tags = slices.Clone(st.Files), slices.Clone(st.Tags)
	ev, err := s.event(&next, p)
	if err != nil {
		return err
	}
	err = s.log.AppendBatch(ctx, []events.StreamAppend{{Stream: Stream(st.Row.ID), Expected: st.Version(), Events: []*events.Event{ev}}},
		next.liveStmts(nil)...)
	if err != nil {
		return fmt.Errorf("checkpoint: %s: %w", p.EventType(), err)
	}
	*st = next
	return nil
}

// write makes one file what st says (nil: absent); was is what it is
// now. Directories that removing a file leaves empty go too, as git does
// when it removes files: checkpoints record files, not directories, so a
// restore that takes back a new file in a new directory leaves no empty
// directory behind.
func (s *Store) write(ctx context.Context, p string, data []byte, st, was *FileState) error {
	if st == nil {
		if err := s.fs.Remove(ctx, p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		s.removeEmptyDirs(ctx, path.Dir(p))
		return nil
	}
	if err := s.fs.WriteFile(ctx, p, data, st.Mode); err != nil {
		return err
	}
	if was != nil && was.Mode != st.Mode {
		return s.setMode(ctx, p, data, st.Mode)
	}
	return nil
}

// removeEmptyDirs removes dir if it is empty, then its parent if that is
// empty then, and so on up to the project root (never removed) or a
// directory whose parent is read-only (its owner-write bit clear). A
// directory that cannot be listed or removed ends it: what is left is
// only an empty directory, so it is logged, not an error.
func (s *Store) removeEmptyDirs(ctx context.Context, dir string) {
	for ; dir != "." && dir != "/" && dir != ""; dir = path.Dir(dir) {
		entries, err := s.fs.ReadDir(ctx, dir)
		if err != nil || len(entries) > 0 {
			return
		}
		if !s.dirWritable(ctx, path.Dir(dir)) {
			return // the user's read-only directory is not changed
		}
		if err := s.fs.Remove(ctx, dir); err != nil {
			s.logger.Debug("checkpoint: empty directory left", "dir", dir, "err", err)
			return
		}
	}
}

// ApplyError reports a write that failed midway. The files written before
// it were put back, except those in Left.
type ApplyError struct {
	Checkpoint string   // the checkpoint, now rolled back (or failed)
	Path       string   // the file whose write failed
	Err        error    // why
	Restored   int      // files put back as they were
	Left       []string // files that could not be put back
}

func (e *ApplyError) Error() string {
	msg := fmt.Sprintf("could not write %s: %v", e.Path, unwrapPath(e.Err))
	if len(e.Left) == 0 {
		switch e.Restored {
		case 0:
			msg += "; no file was changed"
		case 1:
			msg += "; the file written before it was put back, so no file was changed"
		default:
			msg += fmt.Sprintf("; the %d files written before it were put back, so no file was changed", e.Restored)
		}
		return msg + fmt.Sprintf(" (checkpoint %s, rolled back)", e.Checkpoint)
	}
	return msg + fmt.Sprintf("; %s could not be put back: their previous contents are in checkpoint %s (aiex checkpoint restore %s --force)",
		strings.Join(e.Left, ", "), e.Checkpoint, e.Checkpoint)
}

func (e *ApplyError) Unwrap() error { return e.Err }

// rollback puts the files of done (written) back as they were, newest
// first, removes the directories the write made (dirs) that are empty
// then, records it, and returns the *ApplyError. Its ctx is apply's,
// which no cancel reaches: a half-changed project is what it prevents.
//
// The directories matter because the file whose write failed is not in
// done: its write may have made the directories above it (a new file in
// a new directory, on a full disk) before failing, and taking back the
// files written before it removes only the directories those leave empty.
func (s *Store) rollback(ctx context.Context, st *state, done []*op, dirs []string, failed string, cause error) error {
	e := &ApplyError{Checkpoint: st.Row.ID, Path: failed, Err: cause}
	for i := len(done) - 1; i >= 0; i-- {
		o := done[i]
		if err := s.write(ctx, o.path, o.before, o.bst, o.ast); err != nil {
			s.logger.Warn("roll-back failed", "checkpoint", st.Row.ID, "path", o.path, "err", err)
			e.Left = append(e.Left, o.path)
			continue
		}
		e.Restored++
	}
	s.removeMadeDirs(ctx, dirs)
	slices.Sort(e.Left)
	msg := fmt.Sprintf("could not write %s: %v", failed, unwrapPath(cause))
	if err := s.append(ctx, st, &RolledBack{Error: msg, Left: e.Left}); err != nil {
		return errors.Join(e, err)
	}
	return e
}

// kindOf names a file mode's type for people.
func kindOf(m fs.FileMode) string {
	switch t := m.Type(); {
	case t&fs.ModeDir != 0:
		return "a directory"
	case t&fs.ModeSymlink != 0:
		return "a symbolic link"
	case t&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}
