// Package ctxbuild assembles the code a prompt shows the model, within the
// model's context window: the target first, then what it leans on in its
// file (its module's header, a test's setup blocks, a Go unit's imports),
// for a gen-tests task its existing tests and the types they build, what
// it refers to (the functions it calls before the types it names), a
// protocol function's or a Go interface's implementations and what refers
// to it, then search hits for the question — each in full if it fits, else
// reduced to its signature, else dropped. The question is never cut, nor
// is the target of a task that changes it; a file or module too large to
// explain whole is shown in outline, its units as signatures and as many
// in full as fit. The result says what went in, in what form, what was
// left out and how many tokens it all takes. DESIGN.md has the rules.
package ctxbuild

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/index"
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
	// Private are absolute paths (aiex's data dir and config file) that
	// may lie inside the project but are never read into a prompt: a
	// target there is refused, whatever the index holds.
	Private []string
}

// Builder builds contexts.
type Builder struct{ cfg Config }

// New returns a Builder.
func New(cfg Config) *Builder { return &Builder{cfg: cfg} }

// Request is what to build a context for.
type Request struct {
	Task string // prompt template: "ask", "explain", …
	Root string // the project's root (absolute)
	// Target is PATH (the whole file), PATH:LINE or a symbol name; "" for
	// none.
	Target string
	// Question is the user's words, sent to the model as given; with
	// Data.Goal, also the search query. A task without any (a
	// refactoring, whose goal is in Data.Goal; gen tests) leaves it
	// empty: app records such a task as its command (refactor TARGET:
	// GOAL) apart from its question.
	Question string
	Data     prompt.Data
	// Window is the model's context window in tokens.
	Window int
	// Reserve is the tokens kept for the answer; nil means
	// DefaultReserve(Window).
	Reserve *int
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

// words are what the search looks for and the outline brings back first
// of a request: its goal (a refactoring's), then the question.
func (r Request) words() string {
	return strings.TrimSpace(r.Data.Goal + " " + r.Question)
}

// DefaultReserve is the tokens kept for the answer in a window when the
// request does not say: a quarter of it, at most 4,096.
func DefaultReserve(window int) int { return min(window/4, 4096) }

// Roles of the items.
const (
	RoleTarget = "target"
	// RoleHeader is the header of the target's module (Elixir: its
	// @moduledoc, use, alias, import and attributes), or its Go file's
	// package clause with the imports the target uses.
	RoleHeader = "header"
	// RoleSetup is a setup or setup_all block of an ExUnit test's module
	// or describe block: it makes the test's context.
	RoleSetup  = "setup"
	RoleCallee = "callee" // the target refers to it
	RoleCaller = "caller" // it refers to the target
	RoleHit    = "hit"    // a search hit for the question
	// RoleImpl is an implementation of the target, a protocol's function
	// (defimpl): what the function does, for each type.
	RoleImpl = "impl"
	// RoleTest, RoleType and RoleConstructor are, for a gen-tests task,
	// the existing tests of the target's module or package (with their
	// module's header, setup blocks and helpers), the structs and types
	// the tests will build, and the constructors of the target's module
	// or types (testCode).
	RoleTest        = "test"
	RoleType        = "type"
	RoleConstructor = "constructor"
)

// Forms an item takes.
const (
	FormFull      = "full"
	FormSignature = "signature"
	FormTruncated = "truncated"
	// FormOutline is a target (a file, a module) too large to show whole
	// for a task that only reads it: its units as signatures, as many in
	// full as fit (Item.Units says which).
	FormOutline = "outline"
	// FormNoDoc is a target unit too large to show whole for a task that
	// only reads it, shown without its doc text; or the header of the
	// target's module whose @moduledoc would take more than a small share
	// of the budget, shown with its first paragraph or without it
	// (fitModuledoc).
	FormNoDoc = "no-doc"
	// FormMember is a target named by one name of a Go const or var group
	// (http.StatusOK) whose group is too large to show whole, for a task
	// that only reads it: the group cut to its opening line, the lines
	// declaring the name with its doc comment, and its closing
	// parenthesis.
	FormMember = "member"
)

// Item is one piece of code considered for the context.
type Item struct {
	Role      string `json:"role"`
	Form      string `json:"form,omitempty"` // "" when dropped
	Path      string `json:"path"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	// Tokens are what the item takes as shown in the prompt (its form),
	// or in full if dropped: for an item included, counted with the
	// request's counter (as the prompt's total is, which they add up to
	// less the prompt's own text); for one dropped and the units of an
	// outline, by the estimate the context was planned with.
	Tokens int     `json:"tokens"`
	Score  float64 `json:"score,omitempty"`
	Reason string  `json:"reason,omitempty"` // why it was reduced or dropped
	// Units are the units of a target in outline, in file order, each in
	// the form it went in ("" when even its signature was left out).
	Units []Item `json:"units,omitempty"`
	Code  string `json:"-"`

	id         int64  // the chunk's id
	hash       string // its content's (the index's), to carry it once
	full       string // the chunk's whole text
	sig        string // its signature; "" when it has nothing to leave out
	cost       int    // tokens in full, by the estimate
	sigCost    int    // tokens as its signature, by the estimate
	start, end int    // full's bytes in its file
	units      []unit // a file's or a module's units, for an outline
	member     string // the name of a Go const or var group the target named
	line       int    // the file's line a PATH:LINE target named (FormLines)
	lineEnd    int    // and the last of a PATH:START-END's, else line
	cut        string // a header cut to what the target uses of it (elixirHeaderCut)
	cutWhy     string // why cut is its reduced form, for an item of no header's role
	// keepGaps keeps the text between an outline's units as it is: a
	// package target's is its doc and the comments naming its files.
	keepGaps bool
	noDoc    string // why full is a header without all its @moduledoc (fitModuledoc)
	docCut   bool   // full keeps its @moduledoc's first paragraph: a cut, not no-doc
	// unitRanks looks up the ranks of units in the symbol graph, for an
	// outline to keep the most important (asked only if one is made).
	unitRanks func() (map[string]float64, error)
	ranked    float64
	// sigOnly keeps a candidate to its signature at most: a language
	// built-in (place.isBuiltin), whose doc says nothing of the target.
	sigOnly bool
	// bounded says why a candidate may not go in full (Item.bound): data,
	// or too large; noCut, that it is data, not cut to fit either.
	bounded string
	noCut   bool
	// cutCode is the code cutToFit cut it to, cutEnd the last line of it
	// kept: while Code is cutCode, its range ends there.
	cutCode string
	cutEnd  int
	// further says which of a protocol function's implementations it is,
	// one past those that could fit (lateImpls): it is never fitted,
	// only listed among those left out, unless it goes in otherwise (a
	// search hit of the same chunk).
	further string
	// implN is which of the target's implementations it is, from 1, of
	// implOf ("12", "64 or more"): splitImpls, noteImpls.
	implN  int
	implOf string
	// wholeLast marks a Go group cut to the members the target uses
	// (cutGroupFor): it goes as that cut, and whole only with room no other
	// candidate can use (wholeLastFits, refill).
	wholeLast bool
}

// Context is a built context.
type Context struct {
	Window  int `json:"window"`
	Reserve int `json:"reserve"`
	// Budget is Window − Reserve: what the prompt may take. Tokens is what
	// the rendered prompt takes, counted with the request's counter.
	Budget int   `json:"budget"`
	Tokens int   `json:"tokens"`
	Target *Item `json:"target,omitempty"`
	// TargetRef is the request's target as a later request may name it
	// from any directory of the project (a path relative to the root, a
	// symbol as typed; AbsPath, FromRoot, takes it back): a session's next
	// question, asked without a target, is about the same code.
	TargetRef string `json:"target_ref,omitempty"`
	// TargetName is the name of the unit the target resolved to ("" for a
	// file or a package, or no target): a later request may take the same
	// code by it when TargetRef, a PATH or PATH:LINE, no longer leads to
	// it (the file renamed, lines added above it).
	TargetName string `json:"target_name,omitempty"`
	Included   []Item `json:"included"` // in prompt order, the target first
	Dropped    []Item `json:"dropped"`
	// Stale lists files that changed since they were indexed: their code
	// is read as it is now.
	Stale []string `json:"stale,omitempty"`
	// Incomplete reports that no index run over the whole project has
	// finished (the first was interrupted, or only a part was indexed):
	// what no run reached is neither a target nor a neighbour.
	// IncompleteWarning says so to the user.
	Incomplete bool `json:"incomplete,omitempty"`
	// OtherVersion reports that the last index run over the whole project
	// was another version of aiex's (index.ByOtherVersion): its chunks'
	// boundaries, names and references may not be those this one makes
	// until aiex index runs. OtherVersionWarning says so to the user.
	OtherVersion bool `json:"other_version,omitempty"`
	// EmbedError says why the search for hits ranked them without
	// embeddings (search.Result.EmbedError); search.EmbedWarning says so.
	EmbedError string `json:"embed_error,omitempty"`
	// Also lists other units the target's name named ("NAME (PATH:LINE)")
	// when it named several: the first was taken (Target).
	Also []string `json:"also,omitempty"`
	// AlsoHint, with Also, says how to take one of them instead: "name
	// one in full to take it", or, when names are the same (two Go init
	// functions of a file, main.main of two commands), the PATH:LINE
	// targets that take them.
	AlsoHint string `json:"also_hint,omitempty"`
	// AlsoMore counts the units the name named that Also leaves out (it
	// lists at most maxAlso): AlsoHint says it in words, and where to see
	// them all.
	AlsoMore int `json:"also_more,omitempty"`
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

// ReserveError is the cause of the error Build returns when the tokens
// kept for the answer leave none for the prompt: a usage error (exit code
// usererr.ExitUsage), as the reserve is the caller's to choose.
type ReserveError struct {
	Reserve, Window int
}

func (e *ReserveError) Error() string {
	return fmt.Sprintf("a reserve of %d tokens leaves no room in a %d-token window", e.Reserve, e.Window)
}

// NoRoom is the usage error for a reserve that leaves the prompt no room.
func NoRoom(reserve, window int) error {
	return &usererr.Error{
		Msg:  fmt.Sprintf("--reserve %d leaves no room for the prompt in the model's %d-token window; pass --reserve below %d", reserve, window, window),
		Code: usererr.ExitUsage,
		Err:  &ReserveError{Reserve: reserve, Window: window},
	}
}

// Build assembles the context for req.
func (b *Builder) Build(ctx context.Context, req Request) (*Context, error) {
	if req.Window <= 0 {
		return nil, fmt.Errorf("ctxbuild: no context window")
	}
	if req.Count == nil {
		return nil, fmt.Errorf("ctxbuild: no token counter")
	}
	reserve := DefaultReserve(req.Window)
	if req.Reserve != nil {
		reserve = max(*req.Reserve, 0)
	}
	if reserve >= req.Window {
		return nil, NoRoom(reserve, req.Window)
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
	out.Incomplete = ok && proj.IndexedAt.IsZero()
	out.OtherVersion = ok && index.ByOtherVersion(proj)
	files := newFileCache(req.Root, b.cfg.Chunk, b.cfg.Private)

	// The target, its neighbours in the symbol graph, then search hits.
	// The neighbours and the hits are looked up once the target's form is
	// chosen, and only if it leaves room (fit).
	var target *Item
	var own map[int64]bool         // the target's chunk, or all its pieces
	ownHash := map[string]bool{}   // their contents
	var from, to []db.CodeChunk    // whose callees and callers are the neighbours
	var unit db.CodeChunk          // the target's unit, when it is one
	var method string              // a method of the interface unit asked about (ifaceTargetMethod)
	var implNotes map[string]*Item // the target's implementations (implNoteMap)
	if req.Target != "" {
		tc, also, unlisted, err := b.resolve(ctx, proj, req.Target, files)
		out.TargetRef = targetRef(proj.Root, req.Target)
		// A Go package, by its name or its directory: its doc and its
		// exported API, in outline if they do not fit whole.
		pkg, err := b.packageTarget(ctx, proj, req, tc, err, files, out)
		if err != nil {
			return nil, err
		}
		if pkg == nil {
			out.Also, out.AlsoHint, out.AlsoMore = alsoNamed(proj.Root, tc, also, unlisted)
		}
		switch {
		case pkg != nil:
			target, own, ownHash = pkg.item, pkg.own, pkg.ownHash
			from = unitsFirst(pkg.from, req.words())
			to = from
		case tc.Kind == KindFile || container(tc.Kind):
			// A file or a module: its units, in outline if they do not
			// fit whole; the neighbours are theirs.
			if target, err = files.item(tc, RoleTarget); err != nil {
				return nil, err
			}
			indexed, err := b.cfg.Store.CodeChunks(ctx, proj.ID, tc.Path)
			if err != nil {
				return nil, err
			}
			target.units = files.units(tc.Path, target.start, target.end, indexed)
			target.unitRanks = func() (map[string]float64, error) {
				names := make([]string, len(target.units))
				for i, u := range target.units {
					names[i] = u.name
				}
				return b.cfg.Store.CodeRanks(ctx, proj.ID, names)
			}
			own = map[int64]bool{tc.ID: true}
			end := tc.EndByte
			if tc.Kind == KindFile {
				end = int(^uint(0) >> 1) // the file as indexed, whatever its length now
			}
			for _, c := range indexed {
				if c.StartByte >= tc.StartByte && c.EndByte <= end {
					own[c.ID] = true
					ownHash[c.Hash] = true
					if !container(c.Kind) {
						from = append(from, c)
					}
				}
			}
			from = unitsFirst(from, req.words())
			to = from
		default:
			tc, pieces, err := b.whole(ctx, proj, tc)
			if err != nil {
				return nil, err
			}
			if target, err = files.item(tc, RoleTarget, pieces...); err != nil {
				return nil, err
			}
			unit = tc
			target.member = groupMember(tc, req.Target, pieces...)
			target.line, target.lineEnd = targetLines(proj.Root, req.Target)
			if method = ifaceTargetMethod(tc, target, req.Target); method != "" {
				// A method of an interface is the interface's unit, asked
				// about as the method: the prompt names it, the search
				// looks for its name.
				target.Name = tc.Name + "." + method
			}
			own = map[int64]bool{tc.ID: true}
			ownHash[tc.Hash] = true
			for _, p := range pieces {
				own[p.ID] = true
				ownHash[p.Hash] = true
			}
			// A unit in pieces refers to what each piece does; it is
			// referred to by its first piece (tc's id).
			from, to = pieces, []db.CodeChunk{tc}
			if len(pieces) == 0 {
				from = to
			}
		}
	}
	candidates := func(conventions []string) ([]*Item, error) {
		if proj.ID == 0 {
			return nil, nil // no index: the question alone
		}
		hits := b.search(ctx, proj, req, target, files, out)
		var cands, late []*Item
		if target != nil {
			// What the target's code leans on in its own file (its
			// module's header, a test's setup) comes first: it is not in
			// the symbol graph, and it is short.
			pre, shown, err := b.preamble(ctx, proj, target, diffs(req.Task), files)
			if err != nil {
				hits()
				return nil, err
			}
			for _, id := range shown {
				own[id] = true // a piece of a header going whole
			}
			if req.Task == TaskGenTests {
				// The target's existing tests and what they build, after
				// its header: what the tests to write follow.
				tests, err := b.testCode(ctx, proj, target, from, files)
				if err != nil {
					hits()
					return nil, err
				}
				pre = append(pre, tests...)
			}
			near, builtins, err := b.neighbours(ctx, proj, from, to, setupSources(target, pre), methodRef(unit, method), own, files)
			if err != nil {
				hits()
				return nil, err
			}
			for _, it := range near {
				if it.Role == RoleCallee {
					it.cutGroupFor(target)
				}
			}
			if method != "" {
				near = callingFirst(near, method)
			}
			impls, further, err := b.implementations(ctx, proj, unit, target, req.Target, own, files)
			if err != nil {
				hits()
				return nil, err
			}
			implNotes = implNoteMap(impls, further)
			near = beforeCallers(near, impls)
			cands = append(pre, near...)
			late = slices.Concat(lateImpls(further, out.Budget-len(target.full)/bytesPerToken), builtins)
		}
		found, err := hits()
		if err != nil {
			return nil, err
		}
		cands = append(cands, found...)
		cands = append(cands, late...) // the language's built-ins, after everything else
		if len(cands) > 0 && cands[0].id == goHeaderID {
			// A Go target's header, read from its file, is no chunk of
			// the index's: the header chunk found again would carry its
			// imports twice.
			cands = slices.DeleteFunc(cands, func(it *Item) bool {
				return it.Kind == chunk.KindHeader && it.Path == target.Path && it.id != goHeaderID
			})
		}
		return notConventions(distinct(cands, target, own, ownHash, files), conventions, files), nil
	}
	err = b.fit(req, out, target, files, candidates)
	out.Stale = files.staleList()
	if err != nil {
		return nil, err
	}
	noteImpls(out, implNotes)
	if t := out.Target; t != nil && t.Kind != KindFile && t.Kind != KindPackage {
		out.TargetName = t.Name
	}
	return out, nil
}

// distinct returns items, each chunk once, without the target's own
// chunks (own) nor any whose content the target (ownHash) or an item
// before it already carries: a symlink to a file of the project is indexed
// under both paths, and the same code twice would only spend the budget.
// Of two items alike, the one at a real path, not a link, is kept, in the
// first's place and role. Nor does an item go whose lines lie within the
// target's or an item's before it: a chunk may hold another unit — a
// function whose clauses a defp splits is one chunk from its first clause
// to its last, the defp in it —, and that unit's code is already there.
// An item holding one before it takes that one's place (the first of
// them's, the others going). A header (its lines run over what it leaves
// out) is neither held nor holds. A run of lines overlapping the target
// or an item before it goes without the lines they hold (trimOverlap).
//
// A protocol's further implementations, only listed (Item.further), take
// no part: the chunk may still go in as a hit, which is then not taken
// for a copy of one. Each stays after the item it followed, or the
// nearest before that is kept.
func distinct(items []*Item, target *Item, own map[int64]bool, ownHash map[string]bool, files *fileCache) []*Item {
	var fitted []*Item
	after := map[*Item][]*Item{} // the listed items after each fitted one; nil: first
	for _, it := range items {
		if it.further == "" {
			fitted = append(fitted, it)
			continue
		}
		if own[it.id] {
			continue
		}
		var anchor *Item
		if len(fitted) > 0 {
			anchor = fitted[len(fitted)-1]
		}
		after[anchor] = append(after[anchor], it)
	}
	out := distinctFitted(fitted, target, own, ownHash, files)
	if len(after) == 0 {
		return out
	}
	// An anchor left out (a copy, or held by another item) hands its
	// listed items to the fitted item before it.
	kept := make(map[*Item]bool, len(out))
	for _, it := range out {
		kept[it] = true
	}
	for i := len(fitted) - 1; i >= 0; i-- {
		if it := fitted[i]; !kept[it] && len(after[it]) > 0 {
			var to *Item
			if i > 0 {
				to = fitted[i-1]
			}
			after[to] = append(after[to], after[it]...)
			delete(after, it)
		}
	}
	merged := slices.Clone(after[nil])
	for _, it := range out {
		merged = append(merged, it)
		merged = append(merged, after[it]...)
	}
	return merged
}

// distinctFitted is distinct for items that are fitted: none only listed.
func distinctFitted(items []*Item, target *Item, own map[int64]bool, ownHash map[string]bool, files *fileCache) []*Item {
	seen := map[int64]bool{}
	byHash := map[string]int{}
	var out []*Item
	for _, it := range items {
		if own[it.id] || seen[it.id] || (it.hash != "" && ownHash[it.hash]) {
			continue
		}
		seen[it.id] = true
		if i, ok := byHash[it.hash]; ok && it.hash != "" {
			if files.isLink(out[i].Path) && !files.isLink(it.Path) {
				it.Role, it.Score, it.ranked = out[i].Role, out[i].Score, out[i].ranked
				out[i] = it
			}
			continue
		}
		if it.Role != RoleHeader {
			if target != nil && holds(target, it) || slices.ContainsFunc(out, func(o *Item) bool { return o.Role != RoleHeader && holds(o, it) }) {
				continue
			}
			if i := slices.IndexFunc(out, func(o *Item) bool { return o.Role != RoleHeader && holds(it, o) }); i >= 0 {
				// It holds an item before it: it goes in the first's
				// place, and those it holds go.
				at := out[i]
				out = slices.DeleteFunc(out, func(o *Item) bool { return o != at && o.Role != RoleHeader && holds(it, o) })
				i = slices.Index(out, at)
				out[i] = it
				byHash = map[string]int{}
				for j, o := range out {
					if o.hash != "" {
						byHash[o.hash] = j
					}
				}
				continue
			}
			// A run of lines (the size strategy's chunks overlap by
			// design) goes without the lines an item before it or the
			// target already carries.
			if it.Kind == chunk.KindText && !trimOverlap(it, target, out) {
				continue
			}
		}
		byHash[it.hash] = len(out)
		out = append(out, it)
	}
	return out
}

// holds reports whether a's lines, in its file, hold all of b's.
func holds(a, b *Item) bool {
	return a.Path == b.Path && a.StartLine > 0 && a.StartLine <= b.StartLine && b.EndLine <= a.EndLine
}

// search starts looking for hits for the question (and the target's
// name) and returns a function that waits for them, as items, best first,
// without the target. The search, an FTS query ranked over the whole
// project, takes most of a context's time: it runs while the caller reads
// the target's neighbours (the store reads on several connections). The
// items are made in wait, on the caller's goroutine (files is not safe for
// concurrent use).
func (b *Builder) search(ctx context.Context, proj db.CodeProject, req Request, target *Item, files *fileCache, out *Context) (wait func() ([]*Item, error)) {
	q := req.words()
	if target != nil {
		// The target's own name (its last part): code named alike.
		name := target.Name
		if target.Kind == KindFile {
			name = strings.TrimSuffix(path.Base(name), path.Ext(name)) // server.go: server
		} else if i := strings.LastIndexAny(name, ".)"); i >= 0 {
			name = name[i+1:]
		}
		q = strings.TrimSpace(q + " " + name)
	}
	if proj.ID == 0 || strings.TrimSpace(q) == "" || b.cfg.Search == nil {
		return func() ([]*Item, error) { return nil, nil }
	}
	n := req.Hits
	if n == 0 {
		n = 12
	}
	var (
		res  *search.Result
		err  error
		done = make(chan struct{})
	)
	go func() {
		defer close(done)
		res, err = b.cfg.Search.Search(ctx, proj.ID, q, n)
	}()
	return func() ([]*Item, error) {
		<-done
		if err != nil {
			return nil, err
		}
		out.EmbedError = res.EmbedError
		var items []*Item
		for _, h := range res.Hits {
			c := h.CodeChunk
			if container(c.Kind) {
				// A module's text is its children's; its header, which
				// search shows with it as one hit, is text of its own.
				if h.Header == nil {
					continue
				}
				c = *h.Header
			}
			if target != nil && c.Path == target.Path && c.StartLine >= target.StartLine && c.EndLine <= target.EndLine {
				continue
			}
			if isConventionsFile(c.Path) {
				continue // an agent's rules, not code to read
			}
			it, err := files.item(c, RoleHit)
			if err != nil {
				continue
			}
			it.Score = h.Score
			items = append(items, it)
		}
		return items, nil
	}
}

// maxNeighbours is how many callees, and how many callers, are considered:
// more would not fit a window of any size worth having, and each costs a
// file read.
const maxNeighbours = 16

// maxNeighbourUnits is how many units of a file or module target are
// asked for their neighbours: those the question names first, then in
// file order.
const maxNeighbourUnits = 24

// container reports chunk kinds whose text is their children's.
func container(kind string) bool {
	switch kind {
	case chunk.KindModule, chunk.KindProtocol, chunk.KindImpl, chunk.KindDescribe:
		return true
	}
	return false
}

// wholeChunks reads the chunks cs names by ID whole, in cs's order; one
// gone since (a concurrent index run) is left out.
func wholeChunks(ctx context.Context, st *db.Store, cs []db.CodeChunk) ([]db.CodeChunk, error) {
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	got, err := st.CodeChunksByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]db.CodeChunk, len(got))
	for _, c := range got {
		byID[c.ID] = c
	}
	out := make([]db.CodeChunk, 0, len(cs))
	for _, c := range cs {
		if w, ok := byID[c.ID]; ok {
			out = append(out, w)
		}
	}
	return out, nil
}
