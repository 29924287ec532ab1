package checkpoint

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// A write killed midway (kill -9, a crash) leaves what only the writer
// would have cleaned up: the temporary file of the write it was in (the
// atomic write's, beside its target) and the directories it made for new
// files, empty once a restore has taken those files back. Restoring an
// interrupted checkpoint removes both; nothing else is touched. The
// directories are the ones the checkpoint records it made (Created.Dirs):
// a directory that was there before the write, empty or not, stays.

// Temporary file names, as the FSs' WriteFile make them beside the
// target NAME: the sandbox's ".aiex-NAME-<16 hex>.tmp" (app/sandbox
// tempName; NAME is cut short when the whole would exceed NAME_MAX, 255
// bytes) and DirFS's ".NAME.aiex-<12 hex>".
const (
	sandboxTempPrefix = ".aiex-"
	sandboxTempSuffix = ".tmp"
	sandboxTempHex    = 16
	dirTempHex        = 12
	maxNameLen        = 255
)

// isTempOf reports whether entry, a name in the directory of the file
// name, is a temporary file of a write of name.
func isTempOf(entry, name string) bool {
	if rest, ok := strings.CutPrefix(entry, "."+name+".aiex-"); ok {
		return len(rest) == dirTempHex && isHex(rest)
	}
	rest, ok := strings.CutPrefix(entry, sandboxTempPrefix)
	if !ok {
		return false
	}
	rest, ok = strings.CutSuffix(rest, sandboxTempSuffix)
	n := len(rest) - sandboxTempHex - 1
	if !ok || n < 1 || rest[n] != '-' || !isHex(rest[n+1:]) {
		return false
	}
	return rest[:n] == name || len(entry) == maxNameLen && strings.HasPrefix(name, rest[:n])
}

// createdDirs lists the directories a write of ops makes: those above its
// new files that do not exist now, sorted.
func (s *Store) createdDirs(ctx context.Context, ops []*op) []string {
	missing := map[string]bool{}
	for _, o := range ops {
		if o.bst != nil || o.ast == nil {
			continue
		}
		for dir := path.Dir(o.path); dir != "." && dir != "/"; dir = path.Dir(dir) {
			known, seen := missing[dir]
			if seen {
				if !known {
					break // exists, and so do its parents
				}
				continue
			}
			_, err := s.fs.Stat(ctx, dir)
			missing[dir] = errors.Is(err, fs.ErrNotExist)
			if !missing[dir] {
				break
			}
		}
	}
	var dirs []string
	for d, m := range missing {
		if m {
			dirs = append(dirs, d)
		}
	}
	slices.Sort(dirs)
	return dirs
}

// leftovers are what an interrupted write of the checkpoint's files left
// behind: temporary files beside them, as paths relative to the root.
func (s *Store) leftovers(ctx context.Context, files []FileChanged) []string {
	names := map[string][]string{} // directory → the checkpoint's files in it
	for _, f := range files {
		dir := path.Dir(f.Path)
		names[dir] = append(names[dir], path.Base(f.Path))
	}
	var out []string
	for dir, ns := range names {
		ents, err := s.fs.ReadDir(ctx, dir)
		if err != nil {
			continue // gone, or not readable: nothing left there to remove
		}
		for _, e := range ents {
			if !e.Type().IsRegular() {
				continue
			}
			if slices.ContainsFunc(ns, func(n string) bool { return isTempOf(e.Name(), n) }) {
				out = append(out, path.Join(dir, e.Name()))
			}
		}
	}
	slices.Sort(out)
	return out
}

// created is the checkpoint's first event: what its write was to do, who
// made it, the directories it made. ok is false if it cannot be read.
func (s *Store) created(ctx context.Context, id string) (*Created, bool) {
	evs, err := s.st.StreamEvents(ctx, Stream(id), 0, 1)
	if err != nil || len(evs) == 0 {
		s.logger.Debug("checkpoint: its first event is not readable", "id", id, "err", err)
		return nil, false
	}
	p, err := s.log.Registry().Decode(&evs[0])
	c, ok := p.(*Created)
	if err != nil || !ok {
		s.logger.Debug("checkpoint: its first event is not readable", "id", id, "err", err)
		return nil, false
	}
	return c, true
}

// removeTemps removes the temporary files an interrupted write left and
// returns those it removed. One that cannot be removed is only a stray
// file: it is logged, not an error.
func (s *Store) removeTemps(ctx context.Context, temps []string) []string {
	removed := []string{}
	for _, t := range temps {
		if err := s.fs.Remove(ctx, t); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.logger.Warn("checkpoint: temporary file left", "path", t, "err", err)
			continue
		}
		removed = append(removed, t)
	}
	return removed
}

// removeMadeDirs removes the directories of dirs (those a write made) that
// are empty now, deepest first: reversed, the sorted list puts a directory
// before its parent ("gen/a" sorts after "gen"). One that cannot be
// removed is only an empty directory: it is logged. One in a directory
// the user made read-only since (owner-write bit clear) stays.
func (s *Store) removeMadeDirs(ctx context.Context, dirs []string) {
	for _, d := range slices.Backward(dirs) {
		ents, err := s.fs.ReadDir(ctx, d)
		if err != nil || len(ents) > 0 || !s.dirWritable(ctx, path.Dir(d)) {
			continue // not empty, or in a directory the user made read-only
		}
		if err := s.fs.Remove(ctx, d); err != nil {
			s.logger.Debug("checkpoint: empty directory left", "dir", d, "err", err)
		}
	}
}
