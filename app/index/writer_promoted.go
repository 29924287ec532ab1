package index

import (
	"context"
	"maps"
	"slices"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// promotedState is the writer's part in keeping the promoted names
// (promoted.go): what each directory the run may change declares, and
// which directories the batch being filled changes.
type promotedState struct {
	// decls holds, by directory and path, the decls of the Go files of
	// the directories the run may change: the store's when the run
	// starts, then each file's as it goes into a batch. After a batch,
	// they are what the store holds once it is applied.
	decls map[string]map[string][]decl
	// touched are the directories the batch changes a Go file of.
	touched map[string]bool
	// rows are the promoted names last computed for each directory: after
	// the last batch, those the store holds, which a run that wrote every
	// chunk ranks with.
	rows map[string][]db.CodePromoted
}

// loadDecls reads the shapes of the directories the plan may change a Go
// file of: one query.
func (w *writer) loadDecls(ctx context.Context) error {
	s := &w.promo
	s.decls, s.touched, s.rows = map[string]map[string][]decl{}, map[string]bool{}, map[string][]db.CodePromoted{}
	dirs := map[string]bool{}
	for _, e := range w.p.jobs {
		if chunk.Lang(e.rel) == "go" {
			dirs[pathDir(e.rel)] = true
		}
	}
	for _, r := range w.p.skips {
		if chunk.Lang(r.e.rel) == "go" {
			dirs[pathDir(r.e.rel)] = true
		}
	}
	for _, f := range w.p.gone {
		if chunk.Lang(f.Path) == "go" {
			dirs[pathDir(f.Path)] = true
		}
	}
	if len(dirs) == 0 {
		return nil
	}
	files, err := w.st.CodeShapesIn(ctx, w.p.project.ID, slices.Sorted(maps.Keys(dirs)))
	if err != nil {
		return err
	}
	for _, f := range files {
		if chunk.Lang(f.Path) == "go" { // a directory holds Elixir files' rows too (writer_using.go)
			s.set(f.Path, decodeDecls(f.Shapes), false)
		}
	}
	return nil
}

// set records the decls of a Go file (nil: it has none, or its rows go),
// marking its directory changed when touch is set and the file declares
// or declared something the rule reads: the ids of its chunks change.
func (s *promotedState) set(rel string, ds []decl, touch bool) {
	d := pathDir(rel)
	files := s.decls[d]
	if files == nil {
		files = map[string][]decl{}
		s.decls[d] = files
	}
	if touch && (len(ds) > 0 || len(files[rel]) > 0) {
		s.touched[d] = true
	}
	if len(ds) == 0 {
		delete(files, rel)
	} else {
		files[rel] = ds
	}
}

// dropDecls records that the rows of a file go.
func (w *writer) dropDecls(rel string) {
	if chunk.Lang(rel) == "go" {
		w.promo.set(rel, nil, true)
	}
	w.setUsing(rel, nil, false)
}

// addDecls records the decls of a Go file whose chunks go into the
// batch, and puts its code_shapes row there.
func (w *writer) addDecls(rel string, an *analysis) {
	w.setUsing(rel, an.chunks, true)
	if an.lang != "go" {
		return
	}
	ds := fileDecls(an.chunks)
	if len(ds) > 0 {
		row := db.CodeShapes{Path: rel, Shapes: encodeDecls(ds)}
		w.batch.Shapes = append(w.batch.Shapes, row)
		w.size += len(row.Shapes)
	}
	w.promo.set(rel, ds, true)
}

// addPromoted puts into the batch the promoted names and settled field
// refs of the directories it changes, computed from what they will hold
// once it is applied.
func (w *writer) addPromoted() {
	s := &w.promo
	for _, d := range slices.Sorted(maps.Keys(s.touched)) {
		rows := dirRows(d, s.decls[d])
		w.batch.PromotedDirs = append(w.batch.PromotedDirs, d)
		w.batch.Promoted = append(w.batch.Promoted, rows...)
		s.rows[d] = rows
	}
	clear(s.touched)
}

// promotedMembers returns the promoted names of the run as Members of
// its graph, by the index of each target chunk in w.graph.
func (w *writer) promotedMembers() []Member {
	want := map[target]int32{}
	for _, rows := range w.promo.rows {
		for _, r := range rows {
			want[target{r.Path, r.Target}] = -1
		}
	}
	if len(want) == 0 {
		return nil
	}
	for i, c := range w.graph {
		if at, ok := want[target{c.Path, c.Name}]; ok && at < 0 {
			want[target{c.Path, c.Name}] = int32(i)
		}
	}
	var out []Member
	for _, d := range slices.Sorted(maps.Keys(w.promo.rows)) {
		for _, r := range w.promo.rows[d] {
			if i := want[target{r.Path, r.Target}]; i >= 0 {
				out = append(out, Member{Name: r.Name, Chunk: i})
			}
		}
	}
	return out
}
