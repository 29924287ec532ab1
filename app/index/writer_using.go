package index

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// Templates' imports across files (DESIGN.md, "Templates' imports"). The
// chunk holding a template's using quote records the imports of modules
// its file does not define ("T:import M", with the import's only: or
// except: list) and the aliases the quote declares ("T:alias A", with the
// module A names) in its Imports (app/chunk/elixir_using.go); a module
// that uses T refers to T:f/N for a local call it does not settle, and to
// T:A.f/N for a call A.f(…) whose head no alias of its own expands. The
// writer lists, in code_promoted, each such name that a public function of
// an imported or aliased module answers to, with that function's chunk:
// T:f/N for M.f/N (each arity its defaults give, as only:/except: allow),
// T:A.f/N for Full.f/N. The rows are kept under one key (usingDir), and
// every batch that changes an Elixir file replaces them all, computed from
// what the store holds once the batch is applied: the specs are the
// code_shapes rows of the templates' files (read when the run starts, then
// each file's as it goes into a batch), the functions those of the run's
// files and, for a module no file of the run defines, the store's (read
// when first wanted: the chunks of the files holding a chunk named as the
// module).

// usingDir is the code_promoted key of the rows: no directory's (those
// end with a slash, or are "").
const usingDir = "elixir:using"

// usingSpec is an import or alias a template's quote declares: kind
// "import" (name the module, value its filter) or "alias" (name the alias,
// value the module).
type usingSpec struct {
	template, kind, name, value string
}

// exFunc is a public Elixir function: its chunk (the first piece), its
// name and arities.
type exFunc struct {
	path, target, fun string
	arities           []int
}

// usingState is the writer's part in keeping the rows.
type usingState struct {
	// specs are the templates' specs by path: the store's when the run
	// starts, then each file's as it goes into a batch.
	specs map[string][]usingSpec
	// run are the public functions of the run's Elixir files, by module
	// and path; runPaths the run's Elixir paths (rewritten or dropped),
	// whose store rows are stale.
	run      map[string]map[string][]exFunc
	runPaths map[string]bool
	// mods are the modules of run each path has functions of.
	mods map[string][]string
	// stored are the store's functions of the modules looked up, by
	// module; nil for a module not looked up yet.
	stored map[string][]exFunc
	// touched: the batch changes an Elixir file.
	touched bool
}

// loadUsing reads the specs of the project's Elixir files, if the run
// may change one: one query.
func (w *writer) loadUsing(ctx context.Context) error {
	s := &w.using
	s.specs, s.run, s.runPaths, s.stored = map[string][]usingSpec{}, map[string]map[string][]exFunc{}, map[string]bool{}, map[string][]exFunc{}
	s.mods = map[string][]string{}
	changes := false
	for _, e := range w.p.jobs {
		changes = changes || chunk.Lang(e.rel) == "elixir"
	}
	for _, r := range w.p.skips {
		changes = changes || chunk.Lang(r.e.rel) == "elixir"
	}
	for _, f := range w.p.gone {
		changes = changes || chunk.Lang(f.Path) == "elixir"
	}
	dirs := map[string]bool{}
	for p, f := range w.p.prev {
		if f.Lang == "elixir" {
			dirs[pathDir(p)] = true
		}
	}
	if !changes || len(dirs) == 0 {
		return nil
	}
	files, err := w.st.CodeShapesIn(ctx, w.p.project.ID, slices.Sorted(maps.Keys(dirs)))
	if err != nil {
		return err
	}
	for _, f := range files {
		if chunk.Lang(f.Path) == "elixir" {
			s.specs[f.Path] = decodeSpecs(f.Shapes)
		}
	}
	return nil
}

// encodeSpecs is specs as code_shapes holds them: [template, kind, name,
// value] each.
func encodeSpecs(specs []usingSpec) string {
	rows := make([][4]string, len(specs))
	for i, s := range specs {
		rows[i] = [4]string{s.template, s.kind, s.name, s.value}
	}
	b, _ := json.Marshal(rows) // strings only: it cannot fail
	return string(b)
}

// decodeSpecs reads what encodeSpecs wrote; a malformed row reads as
// nothing.
func decodeSpecs(s string) []usingSpec {
	var rows [][4]string
	if json.Unmarshal([]byte(s), &rows) != nil {
		return nil
	}
	out := make([]usingSpec, len(rows))
	for i, r := range rows {
		out[i] = usingSpec{r[0], r[1], r[2], r[3]}
	}
	return out
}

// fileSpecs returns the specs the Imports of an Elixir file's chunks
// record (a split chunk's pieces repeat them), sorted.
func fileSpecs(chunks []db.CodeChunk) []usingSpec {
	seen := map[usingSpec]bool{}
	for _, c := range chunks {
		for k, v := range c.Imports {
			t, rest, ok := strings.Cut(k, ":")
			kind, name, ok2 := strings.Cut(rest, " ")
			if ok && ok2 && (kind == "import" || kind == "alias") {
				seen[usingSpec{t, kind, name, v}] = true
			}
		}
	}
	if len(seen) == 0 {
		return nil
	}
	return slices.SortedFunc(maps.Keys(seen), func(a, b usingSpec) int {
		return strings.Compare(a.template+"\x00"+a.kind+"\x00"+a.name, b.template+"\x00"+b.kind+"\x00"+b.name)
	})
}

// fileFuncs returns the public functions of an Elixir file's chunks, by
// module.
func fileFuncs(rel string, chunks []db.CodeChunk) map[string][]exFunc {
	var out map[string][]exFunc
	for _, c := range chunks {
		if f, ok := publicFunc(rel, c); ok {
			if out == nil {
				out = map[string][]exFunc{}
			}
			out[c.Parent] = append(out[c.Parent], f)
		}
	}
	return out
}

// publicFunc reads a chunk as a public function of its module (Parent):
// Parent.f/N, or a split one's first piece; names that start with an
// underscore (__using__) are not imported.
func publicFunc(rel string, c db.CodeChunk) (exFunc, bool) {
	if c.Private || c.Parent == "" {
		return exFunc{}, false
	}
	rest, ok := strings.CutPrefix(c.Name, c.Parent+".")
	if !ok {
		return exFunc{}, false
	}
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		if rest[i:] != "#1" {
			return exFunc{}, false
		}
		rest = rest[:i]
	}
	j := strings.LastIndexByte(rest, '/')
	if j <= 0 || strings.HasPrefix(rest, "_") {
		return exFunc{}, false
	}
	k, err := strconv.Atoi(rest[j+1:])
	if err != nil {
		return exFunc{}, false
	}
	f := exFunc{path: rel, target: c.Name, fun: rest[:j]}
	for n := max(k-c.Defaults, 0); n <= k; n++ {
		f.arities = append(f.arities, n)
	}
	return f, true
}

// setUsing records what an Elixir file the batch changes declares (nil
// chunks: its rows go), and puts its code_shapes row in the batch.
func (w *writer) setUsing(rel string, chunks []db.CodeChunk, write bool) {
	if chunk.Lang(rel) != "elixir" {
		return
	}
	s := &w.using
	s.touched, s.runPaths[rel] = true, true
	for _, m := range s.mods[rel] {
		delete(s.run[m], rel)
		if len(s.run[m]) == 0 {
			delete(s.run, m)
		}
	}
	delete(s.mods, rel)
	delete(s.specs, rel)
	if chunks == nil {
		return
	}
	for m, fs := range fileFuncs(rel, chunks) {
		if s.run[m] == nil {
			s.run[m] = map[string][]exFunc{}
		}
		s.run[m][rel] = fs
		s.mods[rel] = append(s.mods[rel], m)
	}
	if specs := fileSpecs(chunks); len(specs) > 0 {
		s.specs[rel] = specs
		if write {
			row := db.CodeShapes{Path: rel, Shapes: encodeSpecs(specs)}
			w.batch.Shapes = append(w.batch.Shapes, row)
			w.size += len(row.Shapes)
		}
	}
}

// funcsOf returns the public functions of module mod as the store holds
// them once the batch is applied: the run's files', and the store's of
// the others.
func (w *writer) funcsOf(ctx context.Context, mod string) ([]exFunc, error) {
	s := &w.using
	var out []exFunc
	for _, p := range slices.Sorted(maps.Keys(s.run[mod])) {
		out = append(out, s.run[mod][p]...)
	}
	if len(w.p.prev) == 0 {
		return out, nil // a new project: the store holds none of it
	}
	stored, ok := s.stored[mod]
	if !ok {
		named, err := w.st.CodeChunksNamed(ctx, w.p.project.ID, mod)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, c := range named {
			if seen[c.Path] || s.runPaths[c.Path] {
				continue
			}
			seen[c.Path] = true
			chunks, err := w.st.CodeChunks(ctx, w.p.project.ID, c.Path)
			if err != nil {
				return nil, err
			}
			stored = append(stored, fileFuncs(c.Path, chunks)[mod]...)
		}
		s.stored[mod] = stored
	}
	for _, f := range stored {
		if !s.runPaths[f.path] {
			out = append(out, f)
		}
	}
	return out, nil
}

// addUsing puts into the batch, if it changes an Elixir file, the rows
// of every template, replacing those the store holds.
func (w *writer) addUsing(ctx context.Context) error {
	s := &w.using
	if !s.touched {
		return nil
	}
	s.touched = false
	var rows []db.CodePromoted
	seen := map[db.CodePromoted]bool{}
	add := func(name string, f exFunc) {
		r := db.CodePromoted{Dir: usingDir, Name: name, Path: f.path, Target: f.target}
		if !seen[r] {
			seen[r] = true
			rows = append(rows, r)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(s.specs)) {
		for _, sp := range s.specs[p] {
			mod := sp.name
			if sp.kind == "alias" {
				mod = sp.value
			}
			fs, err := w.funcsOf(ctx, mod)
			if err != nil {
				return err
			}
			only, except := specFilter(sp)
			for _, f := range fs {
				for _, n := range f.arities {
					key := f.fun + "/" + strconv.Itoa(n)
					switch {
					case sp.kind == "alias":
						add(sp.template+":"+sp.name+"."+key, f)
					case (only == nil || only[key]) && !except[key]:
						add(sp.template+":"+key, f)
					}
				}
			}
		}
	}
	w.batch.PromotedDirs = append(w.batch.PromotedDirs, usingDir)
	w.batch.Promoted = append(w.batch.Promoted, rows...)
	w.promo.rows[usingDir] = rows
	return nil
}

// specFilter reads an import's filter: the names/arities of its only:
// list (nil: every one) and of its except: list.
func specFilter(sp usingSpec) (only, except map[string]bool) {
	kind, list, _ := strings.Cut(sp.value, " ")
	set := map[string]bool{}
	for _, k := range strings.Fields(list) {
		set[k] = true
	}
	switch kind {
	case "only":
		return set, nil
	case "except":
		return nil, set
	}
	return nil, nil
}
