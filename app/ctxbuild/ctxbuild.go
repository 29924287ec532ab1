// Package ctxbuild assembles the code a prompt shows the model, within the
// model's context window: the target first, then what it refers to and
// what refers to it, then search hits for the question — each in full if
// it fits, else reduced to its signature, else dropped; the target and the
// question are never cut. The result says what went in, in what form, what
// was left out and how many tokens it all takes. DESIGN.md has the rules.
package ctxbuild

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/prompt"
	"github.com/aiex-dev/aiex/app/search"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
)

// Counter counts tokens as the model does (app/tokens).
type Counter interface {
	Count(text string) int
}

// Renderer renders a task's prompt from its data (app/prompt).
type Renderer interface {
	Render(task string, d prompt.Data) ([]providers.Message, error)
}

// Searcher ranks chunks for a query (app/search).
type Searcher interface {
	Search(ctx context.Context, project int64, query string, limit int) (*search.Result, error)
}

// Config configures a Builder; Store, Search and Prompts are required.
type Config struct {
	Store   *db.Store
	Search  Searcher
	Prompts Renderer
	// Chunk are the options to chunk a file whose content changed since it
	// was indexed (app/index.ChunkOptions).
	Chunk chunk.Options
}

// Builder builds contexts.
type Builder struct{ cfg Config }

// New returns a Builder.
func New(cfg Config) *Builder { return &Builder{cfg: cfg} }

// Request is what to build a context for.
type Request struct {
	Task     string // prompt template: "ask", "explain", …
	Root     string // the project's root (absolute)
	Target   string // PATH, PATH:LINE or a symbol name; "" for none
	Question string // the user's words; also the search query
	Data     prompt.Data
	// Window is the model's context window in tokens; Reserve the tokens
	// kept for the answer (0 means a quarter of the window, at most 4,096).
	Window, Reserve int
	// Count counts as the model does; the whole prompt is checked with it.
	// Estimate, if set, is a faster counter that errs high, used to plan
	// each piece (an exact BPE counts ~2 MB/s: planning a context with it
	// takes longer than the rest of the work together).
	Count, Estimate Counter
	// Hits is how many search hits to consider; 0 means 12.
	Hits int
	// Conventions, when set and Data has none, gives the project's
	// conventions for the code in dir (slash-separated, relative to Root;
	// "" for the root): the target's directory, or the root without one.
	// They are left out when with them the question and the target would
	// not fit; Context.Data says whether they went in.
	Conventions func(dir string) []string
}

// Roles of the items.
const (
	RoleTarget = "target"
	RoleCallee = "callee" // the target refers to it
	RoleCaller = "caller" // it refers to the target
	RoleHit    = "hit"    // a search hit for the question
)

// Forms an item takes.
const (
	FormFull      = "full"
	FormSignature = "signature"
	FormTruncated = "truncated"
)

// Item is one piece of code considered for the context.
type Item struct {
	Role      string  `json:"role"`
	Form      string  `json:"form,omitempty"` // "" when dropped
	Path      string  `json:"path"`
	Name      string  `json:"name"`
	Kind      string  `json:"kind"`
	StartLine int     `json:"start_line"`
	EndLine   int     `json:"end_line"`
	Tokens    int     `json:"tokens"` // as shown in the prompt (its form), or in full if dropped
	Score     float64 `json:"score,omitempty"`
	Reason    string  `json:"reason,omitempty"` // why it was reduced or dropped
	Code      string  `json:"-"`

	id     int64  // the chunk's id
	full   string // the chunk's whole text
	ranked float64
}

// Context is a built context.
type Context struct {
	Window  int `json:"window"`
	Reserve int `json:"reserve"`
	// Budget is Window − Reserve: what the prompt may take. Tokens is what
	// the rendered prompt takes, counted with the request's counter.
	Budget   int    `json:"budget"`
	Tokens   int    `json:"tokens"`
	Target   *Item  `json:"target,omitempty"`
	Included []Item `json:"included"` // in prompt order, the target first
	Dropped  []Item `json:"dropped"`
	// Stale lists files that changed since they were indexed: their code
	// is read as it is now.
	Stale []string `json:"stale,omitempty"`
	// Data is the prompt data with Target and Context filled in.
	Data prompt.Data `json:"-"`
	// Prompt is the rendered prompt.
	Prompt []providers.Message `json:"-"`
}

// messageOverhead is what a chat format adds per message (role markers),
// counted as tokens on top of the text: 4 for OpenAI's, similar elsewhere.
const messageOverhead = 4

// ErrNoIndex is returned when the project was never indexed.
var ErrNoIndex = errors.New("project not indexed")

// Build assembles the context for req.
func (b *Builder) Build(ctx context.Context, req Request) (*Context, error) {
	if req.Window <= 0 {
		return nil, fmt.Errorf("ctxbuild: no context window")
	}
	if req.Count == nil {
		return nil, fmt.Errorf("ctxbuild: no token counter")
	}
	reserve := req.Reserve
	if reserve <= 0 {
		reserve = min(req.Window/4, 4096)
	}
	out := &Context{Window: req.Window, Reserve: reserve, Budget: req.Window - reserve, Included: []Item{}, Dropped: []Item{}}
	proj, ok, err := b.cfg.Store.FindCodeProject(ctx, req.Root)
	if err != nil {
		return nil, err
	}
	if !ok {
		if req.Target != "" {
			return nil, usererr.New("%s has no code index yet; run aiex index there first", req.Root)
		}
		proj = db.CodeProject{Root: req.Root} // no code to add: the question alone
	}
	files := &fileCache{root: req.Root, real: req.Root, opt: b.cfg.Chunk, stale: map[string]bool{}}
	if r, err := filepath.EvalSymlinks(req.Root); err == nil {
		files.real = r
	}

	// The target, its neighbours in the symbol graph, then search hits.
	var target *Item
	var cands []*Item
	var own map[int64]bool // the target's chunk, or all its pieces
	if req.Target != "" {
		tc, err := b.resolve(ctx, proj, req.Target)
		if err != nil {
			return nil, err
		}
		tc, pieces, err := b.whole(ctx, proj, tc)
		if err != nil {
			return nil, err
		}
		if target, err = files.item(tc, RoleTarget, pieces...); err != nil {
			return nil, err
		}
		own = map[int64]bool{tc.ID: true}
		for _, p := range pieces {
			own[p.ID] = true
		}
		if cands, err = b.neighbours(ctx, proj, tc, pieces, own, files); err != nil {
			return nil, err
		}
	}
	if proj.ID != 0 {
		hits, err := b.hits(ctx, proj, req, target, files)
		if err != nil {
			return nil, err
		}
		seen := maps.Clone(own)
		if seen == nil {
			seen = map[int64]bool{}
		}
		for _, it := range cands {
			seen[it.id] = true
		}
		for _, it := range hits {
			if !seen[it.id] {
				cands = append(cands, it)
			}
		}
	}
	out.Stale = files.staleList()

	if err := b.fit(req, out, target, cands); err != nil {
		return nil, err
	}
	return out, nil
}

// Resolve finds the chunk a target names in the index of the project at
// root (see Build); a target that names nothing is a *usererr.Error
// offering the index's similar names.
func (b *Builder) Resolve(ctx context.Context, root, target string) (db.CodeChunk, error) {
	proj, ok, err := b.cfg.Store.FindCodeProject(ctx, root)
	if err != nil {
		return db.CodeChunk{}, err
	}
	if !ok {
		return db.CodeChunk{}, usererr.New("%s has no code index yet; run aiex index there first", root)
	}
	return b.resolve(ctx, proj, target)
}

// resolve finds the target's chunk: PATH:LINE, PATH (its first chunk, or
// the one named after it), or a symbol name, exact or by its last parts.
func (b *Builder) resolve(ctx context.Context, proj db.CodeProject, target string) (db.CodeChunk, error) {
	st := b.cfg.Store
	path, line := splitTarget(target)
	if rel, ok := relPath(proj.Root, path); ok {
		if line > 0 {
			c, found, err := st.CodeChunkAt(ctx, proj.ID, rel, line)
			if err != nil || found {
				return c, err
			}
		}
		// A whole file, or a line between units (a blank line, a comment
		// of no unit's): the first unit from there on, else the last one.
		cs, err := st.CodeChunks(ctx, proj.ID, rel)
		if err != nil {
			return db.CodeChunk{}, err
		}
		if len(cs) == 0 {
			return db.CodeChunk{}, usererr.New("%s has no chunks in the index; run aiex index, or check that its language is indexed", rel)
		}
		if last := cs[len(cs)-1]; line > last.EndLine {
			return db.CodeChunk{}, usererr.New("%s has no code at line %d in the index (its last unit ends at line %d); run aiex index if it changed", rel, line, last.EndLine)
		}
		for _, c := range cs {
			if c.StartLine >= line {
				return c, nil
			}
		}
		return cs[len(cs)-1], nil
	}
	cs, err := st.CodeChunksNamed(ctx, proj.ID, target)
	if err == nil && len(cs) == 0 {
		cs, err = st.CodeChunksNamed(ctx, proj.ID, chunk.PieceName(target, 1)) // a unit split in pieces
	}
	if err == nil && len(cs) == 0 {
		cs, err = st.CodeChunksNamedLike(ctx, proj.ID, target, 1)
	}
	if err != nil {
		return db.CodeChunk{}, err
	}
	if len(cs) == 0 {
		return db.CodeChunk{}, b.notFound(ctx, proj, target, "no file or symbol")
	}
	return cs[0], nil
}

// splitTarget splits PATH:LINE; line is 0 when target has no line.
func splitTarget(target string) (path string, line int) {
	if i := strings.LastIndexByte(target, ':'); i > 0 {
		if n, err := strconv.Atoi(target[i+1:]); err == nil && n > 0 {
			return target[:i], n
		}
	}
	return target, 0
}

// AbsTarget is target with its path, if it names a file relative to the
// current directory, made absolute: the target as another process (a node
// serving this one, whose working directory is its own) must read it.
// Symbols and paths of no file are left as they are.
func AbsTarget(target string) string {
	path, line := splitTarget(target)
	if filepath.IsAbs(path) {
		return target
	}
	if fi, err := os.Stat(path); err != nil || fi.IsDir() {
		return target
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return target
	}
	if line > 0 {
		return abs + ":" + strconv.Itoa(line)
	}
	return abs
}

// notFound is the error for a target that names nothing: with the names
// and paths of the index that look like it, if any. Paths are offered as
// the user would type them — relative to the current directory when it
// is in the project — and only those of files that still exist; what was
// typed is never offered back.
func (b *Builder) notFound(ctx context.Context, proj db.CodeProject, target, what string) error {
	names, paths, err := b.cfg.Store.CodeNames(ctx, proj.ID)
	if err != nil {
		return err
	}
	// PATH:LINE looks for PATH, and offers paths with the line.
	typedPath, line := splitTarget(target)
	at := ""
	if line > 0 {
		at = ":" + strconv.Itoa(line)
	}
	query := typedPath
	if rel, err := filepath.Rel(proj.Root, typedPath); err == nil && filepath.IsAbs(typedPath) && !strings.HasPrefix(rel, "..") {
		query = filepath.ToSlash(rel) // a path of the project, as the index names it
	}
	typed, _ := projectPath(proj.Root, typedPath) // target as a path of the project, if it can be one
	cwd := workDir(proj.Root)
	shown := map[string]string{} // a candidate path → as the user would type it
	var symbols, files []string
	for _, n := range names {
		if n != target {
			symbols = append(symbols, n)
		}
	}
	pathLike := strings.Contains(query, "/")
	for _, p := range paths {
		if p == typed || p == query {
			continue
		}
		abs := filepath.Join(proj.Root, filepath.FromSlash(p))
		if fi, err := os.Stat(abs); err != nil || fi.IsDir() {
			continue // deleted (or replaced) since it was indexed
		}
		show := p
		if cwd != "" {
			if r, err := filepath.Rel(cwd, abs); err == nil {
				show = filepath.ToSlash(r)
			}
		}
		if show == typedPath {
			continue
		}
		show += at
		// Paths are compared as paths, by their file names: a leading
		// slash keeps Suggest from reading "main.go" as a symbol "go".
		shown["/"+p] = show
		files = append(files, "/"+p)
		pathLike = pathLike || (path.Ext(query) != "" && path.Ext(query) == path.Ext(p))
	}
	bySymbol, byPath := Suggest(query, symbols), Suggest("/"+strings.TrimPrefix(query, "/"), files)
	for i, l := range byPath {
		byPath[i] = shown[l]
	}
	like := append(bySymbol, byPath...)
	if pathLike {
		like = append(byPath, bySymbol...)
	}
	like = like[:min(len(like), maxSuggestions)]
	if len(like) > 0 {
		return usererr.New("%s %q in the index of %s; did you mean %s?", what, target, proj.Root, strings.Join(like, ", "))
	}
	return usererr.New("%s %q in the index of %s; give PATH, PATH:LINE or a name such as MyApp.Accounts.get_user/1 or http.(*Server).Serve", what, target, proj.Root)
}

// projectPath is p, a path given on the command line (relative to the
// current directory, or absolute), as a slash-separated path of the
// project at root, whether or not the file exists; ok is false when p is
// outside the project.
func projectPath(root, p string) (string, bool) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", false
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(dir, filepath.Base(abs)) // root has its symlinks resolved
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// workDir is the current directory if it is inside the project at root
// (with symlinks resolved, as root is), else "".
func workDir(root string) string {
	cwd, err := os.Getwd()
	if err != nil {
		return ""
	}
	if r, err := filepath.EvalSymlinks(cwd); err == nil {
		cwd = r
	}
	if rel, err := filepath.Rel(root, cwd); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return ""
	}
	return cwd
}

// whole returns the unit that c is a piece of, when the chunker split a
// unit too large for one chunk (its pieces are named NAME#1, NAME#2, …):
// a target is never cut, so it spans all of them. The result keeps the
// first piece's id (the symbol graph's edges start and end there); its
// text is checked against the index piece by piece.
func (b *Builder) whole(ctx context.Context, proj db.CodeProject, c db.CodeChunk) (db.CodeChunk, []db.CodeChunk, error) {
	base, ok := chunk.PieceOf(c.Name)
	if !ok || (c.Lang != "go" && c.Lang != "elixir") {
		return c, nil, nil
	}
	pieces, err := b.cfg.Store.CodeUnitPieces(ctx, proj.ID, c.Path, base)
	if err != nil || len(pieces) < 2 {
		return c, nil, err
	}
	w := pieces[0]
	w.Name, w.Hash = base, ""
	last := pieces[len(pieces)-1]
	w.EndByte, w.EndLine = last.EndByte, last.EndLine
	return w, pieces, nil
}

// relPath turns a path given on the command line (relative to the current
// directory, or absolute) into the project's slash-separated form, if the
// file exists inside the project.
func relPath(root, p string) (string, bool) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", false
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	fi, err := os.Stat(abs)
	if err != nil || fi.IsDir() {
		return "", false
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// neighbours returns the target's callees, then its callers, each group
// most central first.
func (b *Builder) neighbours(ctx context.Context, proj db.CodeProject, tc db.CodeChunk, pieces []db.CodeChunk, own map[int64]bool, files *fileCache) ([]*Item, error) {
	st := b.cfg.Store
	// A unit in pieces refers to what each piece does; it is referred to
	// by its first piece (tc's id).
	var callees []db.CodeChunk
	if len(pieces) == 0 {
		pieces = []db.CodeChunk{tc}
	}
	seen := map[int64]bool{}
	for _, p := range pieces {
		cs, err := st.CodeCallees(ctx, p.ID)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if !seen[c.ID] {
				seen[c.ID] = true
				callees = append(callees, c)
			}
		}
	}
	callers, err := st.CodeCallers(ctx, tc.ID)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, c := range append(append([]db.CodeChunk(nil), callees...), callers...) {
		names = append(names, c.Name)
	}
	ranks, err := st.CodeRanks(ctx, proj.ID, names)
	if err != nil {
		return nil, err
	}
	var out []*Item
	for _, group := range []struct {
		role string
		cs   []db.CodeChunk
	}{{RoleCallee, callees}, {RoleCaller, callers}} {
		// Most central first, and only as many as could help: a popular
		// function has hundreds of callers, each in a file to read.
		cs := slices.DeleteFunc(slices.Clone(group.cs), func(c db.CodeChunk) bool { return own[c.ID] || container(c.Kind) })
		slices.SortStableFunc(cs, func(a, b db.CodeChunk) int { return cmp.Compare(ranks[b.Name], ranks[a.Name]) })
		for _, c := range cs[:min(len(cs), maxNeighbours)] {
			it, err := files.item(c, group.role)
			if err != nil {
				continue // unreadable now: leave it out
			}
			it.ranked = ranks[c.Name]
			out = append(out, it)
		}
	}
	return out, nil
}

// hits returns search hits for the question (and the target's name),
// best first, without the target.
func (b *Builder) hits(ctx context.Context, proj db.CodeProject, req Request, target *Item, files *fileCache) ([]*Item, error) {
	q := req.Question
	if target != nil {
		// The target's own name (its last part): code named alike.
		name := target.Name
		if i := strings.LastIndexAny(name, ".)"); i >= 0 {
			name = name[i+1:]
		}
		q = strings.TrimSpace(q + " " + name)
	}
	if strings.TrimSpace(q) == "" || b.cfg.Search == nil {
		return nil, nil
	}
	n := req.Hits
	if n == 0 {
		n = 12
	}
	res, err := b.cfg.Search.Search(ctx, proj.ID, q, n)
	if err != nil {
		return nil, err
	}
	var out []*Item
	for _, h := range res.Hits {
		if (target != nil && h.Path == target.Path && h.StartLine >= target.StartLine && h.EndLine <= target.EndLine) || container(h.Kind) {
			continue
		}
		it, err := files.item(h.CodeChunk, RoleHit)
		if err != nil {
			continue
		}
		it.Score = h.Score
		out = append(out, it)
	}
	return out, nil
}

// maxNeighbours is how many callees, and how many callers, are considered:
// more would not fit a window of any size worth having, and each costs a
// file read.
const maxNeighbours = 16

// container reports chunk kinds whose text is their children's.
func container(kind string) bool {
	switch kind {
	case "module", "protocol", "impl":
		return true
	}
	return false
}
