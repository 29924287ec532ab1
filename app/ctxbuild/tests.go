package ctxbuild

import (
	"cmp"
	"context"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// TaskGenTests is the task that writes tests for its target: its context
// also carries the target's existing tests and what they build (testCode).
const TaskGenTests = "gen-tests"

// How much of a module's or package's tests a gen-tests context considers:
// a few tests show the project's fixtures and style, more would crowd out
// the target's neighbours in a small window.
const (
	maxTestFiles    = 2 // test files read, the one named after the code first
	maxTests        = 3 // tests taken from them
	maxTestHelpers  = 4 // Go test helpers (tables, their types) the tests use
	maxTestTypes    = 3 // struct or type definitions
	maxConstructors = 2 // constructors of the target's module or types
)

// testCode returns, for a gen-tests task, the code the tests to write
// will lean on besides the target and what it refers to: the existing
// tests of its module or package (RoleTest) — the test module's header
// and setup blocks, a few tests, those calling the target first, then
// those calling the code nearest it, and for Go the helpers they use —,
// then the types the tests will build (RoleType: the structs the
// target's spec or signature and the tests name) and the constructors of
// its module or types (RoleConstructor). A model that sees none of these
// makes up its own fixtures, and a struct's fields it has to guess. A
// target that is test code itself gets none; from are the target's
// chunks (its units, for a file or a module).
func (b *Builder) testCode(ctx context.Context, proj db.CodeProject, target *Item, from []db.CodeChunk, files *fileCache) ([]*Item, error) {
	if target == nil || target.Kind == KindPackage || len(from) == 0 || db.CodeAside(target.Path, chunk.Lang(target.Path)) {
		return nil, nil
	}
	switch chunk.Lang(target.Path) {
	case "elixir":
		return b.elixirTestCode(ctx, proj, target, from, files)
	case "go":
		return b.goTestCode(ctx, proj, target, from, files)
	}
	return nil, nil
}

// testCand is an existing test considered for the context.
type testCand struct {
	u     joined
	dist  int    // how near the target the code it calls is (testDistance)
	name  int    // how its name names the target: nameExact, namePart, nameNone
	group string // its describe block ("" for none): one of each is taken first
	file  int    // its file's rank (the file named after the code first)
	order int    // its place in its file
}

// How a test's name names the target: as a whole (TestParseInt,
// describe "remove_item/2"), in part (TestParseInt64, a test saying
// remove_item), or not at all.
const (
	nameExact = iota
	namePart
	nameNone
)

// maxTestLines is the length past which a test goes after the shorter
// ones alike: it would spend the room of a second example.
const maxTestLines = 30

// noCall is the distance of a test that calls none of the target's
// module or file: taken last, and only from a file named after the code.
const noCall = 1 << 20

// unitSpan is a unit of the target's module or file: its lines, to tell
// how near the target the code a test calls is.
type unitSpan struct{ start, end int }

// codeUnits indexes units by name, and by name without arity (an Elixir
// call of a function with default arguments names another arity).
type codeUnits struct {
	byName, byBase map[string]unitSpan
	target         map[string]bool // the target's own units, by name and base
	first, last    int             // the target's lines
}

func newCodeUnits(target *Item, from []db.CodeChunk) *codeUnits {
	u := &codeUnits{byName: map[string]unitSpan{}, byBase: map[string]unitSpan{}, target: map[string]bool{},
		first: target.StartLine, last: target.EndLine}
	for _, c := range from {
		u.target[c.Name] = true
		u.target[arityless(c.Name)] = true
	}
	return u
}

func (u *codeUnits) add(c db.CodeChunk) {
	s := unitSpan{c.StartLine, c.EndLine}
	u.byName[c.Name] = s
	if _, ok := u.byBase[arityless(c.Name)]; !ok {
		u.byBase[arityless(c.Name)] = s
	}
}

// distance is how near the target the code named by ref is: 0 for the
// target itself, 1 and more lines apart for another unit, noCall for
// none of the units.
func (u *codeUnits) distance(ref string) int {
	if u.target[ref] || u.target[arityless(ref)] {
		return 0
	}
	s, ok := u.byName[ref]
	if !ok {
		s, ok = u.byBase[arityless(ref)]
	}
	if !ok {
		return noCall
	}
	return 1 + max(0, s.start-u.last, u.first-s.end)
}

// testDistance is the distance of the nearest code refs names (each ref
// as name spells it: a Go test names its package's code unqualified),
// directly or through a helper of the test file (helpers: their
// distances, by name): a test calling a helper that calls the target is
// a test of the target.
func (u *codeUnits) testDistance(refs []string, name func(string) []string, helpers map[string]int) int {
	d := noCall
	for _, r := range refs {
		for _, n := range name(r) {
			d = min(d, u.distance(n))
			if h, ok := helpers[n]; ok {
				d = min(d, h)
			}
		}
	}
	return d
}

// helperDistances is testDistance of each unit of a test file that is no
// test (isTest) and no header, by name.
func (u *codeUnits) helperDistances(us []joined, isTest func(db.CodeChunk) bool, name func(string) []string) map[string]int {
	out := map[string]int{}
	for _, j := range us {
		if c := j.c; !isTest(c) && c.Kind != chunk.KindHeader && !container(c.Kind) {
			if d := u.testDistance(c.Refs, name, nil); d < noCall {
				out[c.Name] = d
			}
		}
	}
	return out
}

// arityless is an Elixir name without its arity (Shop.Cart.new/1:
// Shop.Cart.new); other names as they are.
func arityless(name string) string {
	if i := strings.LastIndexByte(name, '/'); i > 0 && !strings.ContainsAny(name[i:], ".)") {
		return name[:i]
	}
	return name
}

// pickTests takes up to maxTests of cands: those calling the target or
// named after it first (TestParse may call it through a helper), those
// named after it as a whole before those named in part; then those of
// at most maxTestLines lines, the nearest (calling the code nearest
// it), one of each describe block before a second of any, then by file
// and place in it.
func pickTests(cands []testCand) []testCand {
	var out []testCand
	groups := map[string]bool{}
	taken := make([]bool, len(cands))
	for len(out) < maxTests {
		best := -1
		key := func(i int) []int {
			c := cands[i]
			long := c.u.c.EndLine-c.u.c.StartLine >= maxTestLines
			return []int{boolInt(c.dist > 0 && c.name == nameNone), c.name, boolInt(long), c.dist, boolInt(c.group != "" && groups[c.group]), c.file, c.order}
		}
		for i := range cands {
			if !taken[i] && (best < 0 || slices.Compare(key(i), key(best)) < 0) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		taken[best] = true
		groups[cands[best].group] = true
		out = append(out, cands[best])
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// rankFiles orders the test files found: those named after the code
// first (named, in order), then those holding the most tests that call
// it (counts), at most maxTestFiles.
func rankFiles(named []string, counts map[string]int) []string {
	out := slices.Clone(named)
	var rest []string
	for p := range counts {
		if !slices.Contains(out, p) {
			rest = append(rest, p)
		}
	}
	slices.SortFunc(rest, func(a, b string) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b)) })
	out = append(out, rest...)
	return out[:min(len(out), maxTestFiles)]
}

// typeItem makes an item of c, in role, its pieces joined when the
// chunker split it; nil when it cannot be read now.
func (b *Builder) typeItem(ctx context.Context, proj db.CodeProject, c db.CodeChunk, role string, files *fileCache) (*Item, error) {
	w, pieces, err := b.whole(ctx, proj, c)
	if err != nil {
		return nil, err
	}
	it, err := files.item(w, role, pieces...)
	if err != nil {
		return nil, nil // unreadable now: leave it out
	}
	return it, nil
}

// inDir reports whether p, a slash-separated path, is a file of dir
// itself.
func inDir(p, dir string) bool { return path.Dir(p) == dir }

// hasWord reports whether s holds w as a word: after and before no
// letter, digit or underscore.
func hasWord(s, w string) bool {
	for i := 0; w != ""; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(w)
		if (j == 0 || !isIdent(s[j-1])) && (end == len(s) || !isIdent(s[end])) {
			return true
		}
		i = j + 1
	}
	return false
}

// fitTypeComments makes it, a Go type a gen-tests context carries
// (RoleType) whose cut is its code without comments, go without them
// when they would take more than 1/part of budget (by cost): its fields
// are what a test builds, and http.Server's comments are 1,200 of its
// 1,400 tokens. Its largest form is then FormNoDoc, with the reason.
func (it *Item) fitTypeComments(budget, part int, cost func(string) int) {
	if it.Role != RoleType || it.Kind != chunk.KindType || it.cut == "" || it.cut == it.full {
		return
	}
	if doc := cost(it.full) - cost(it.cut); doc > budget/part {
		it.full = it.cut
		it.noDoc = fmt.Sprintf("its comments (%d tokens, more than 1/%d of the budget) left out", doc, part)
	}
}
