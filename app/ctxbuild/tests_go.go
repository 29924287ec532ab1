package ctxbuild

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// goTestCode is testCode for Go code. The tests of a package are in the
// _test.go files of its directory: the one named after the target's file
// (number.go's number_test.go), then those holding tests that call the
// target (the symbol graph). Of a test file, its header (the package
// clause and imports say whether the tests are an external package's,
// and how they import the code), a few test functions (Test…, Fuzz…),
// those calling the target first, then those calling the code of its
// file nearest it, and the helpers they use that the test files declare
// (a table's var and its case type, a helper function). The types are
// the method's receiver's and those its signature names, then those the
// tests use from the package; the constructors are the New functions of
// the package's types among them (NewServer for Server).
func (b *Builder) goTestCode(ctx context.Context, proj db.CodeProject, target *Item, from []db.CodeChunk, files *fileCache) ([]*Item, error) {
	st := b.cfg.Store
	dir := path.Dir(target.Path)
	pkg := "" // the package's name, as the index qualifies its units
	for _, c := range from {
		if p, _, ok := strings.Cut(c.Name, "."); ok {
			pkg = p
			break
		}
	}
	cs, err := st.CodeChunks(ctx, proj.ID, target.Path)
	if err != nil {
		return nil, err
	}
	units := newCodeUnits(target, from)
	for _, c := range cs {
		switch c.Kind {
		case chunk.KindFunction, chunk.KindMethod, chunk.KindType, chunk.KindConst, chunk.KindVar:
			units.add(c)
		}
	}
	// The index qualifies a name a test file uses unqualified by the
	// file's package: an external test package's dot import makes
	// strconv_test.ParseInt of strconv.ParseInt.
	refNames := func(r string) []string {
		switch rest, ok := strings.CutPrefix(r, pkg+"_test."); {
		case pkg == "" || strings.HasPrefix(r, pkg+"."):
			return []string{r}
		case ok:
			return []string{r, pkg + "." + rest}
		}
		return []string{r, pkg + "." + r}
	}

	// The test files: the one named after the target's file, then those
	// of the directory holding the most tests that call the target.
	var named []string
	if strings.HasSuffix(target.Path, ".go") {
		named = append(named, strings.TrimSuffix(target.Path, ".go")+"_test.go")
	}
	counts, err := goTestsNaming(ctx, st, proj.ID, dir, from)
	if err != nil {
		return nil, err
	}
	var cands []testCand
	headers := map[string]db.CodeChunk{}
	for fi, p := range rankFiles(named, counts) {
		fcs, err := st.CodeChunks(ctx, proj.ID, p)
		if err != nil {
			return nil, err
		}
		us := joinPieces(fcs)
		isTest := func(c db.CodeChunk) bool { return c.Kind == chunk.KindFunction && goTestFunc(c.Name) }
		helpers := units.helperDistances(us, isTest, refNames)
		for i, u := range us {
			switch {
			case u.c.Kind == chunk.KindHeader:
				headers[p] = u.c
			case isTest(u.c):
				d := units.testDistance(u.c.Refs, refNames, helpers)
				if d == noCall && fi >= len(named) {
					continue
				}
				cands = append(cands, testCand{u: u, dist: d, file: fi, order: i, name: units.goTestName(u.c.Name)})
			}
		}
	}
	picked := pickTests(cands)

	// Per file, in the order of its best test: its header, then its
	// tests; then the helpers the tests use.
	var out []*Item
	done := map[string]bool{}
	for _, t := range picked {
		p := t.u.c.Path
		if done[p] {
			continue
		}
		done[p] = true
		if h, ok := headers[p]; ok {
			if it, err := files.item(h, RoleTest); err == nil {
				out = append(out, it)
			}
		}
		for _, o := range picked {
			if o.u.c.Path != p {
				continue
			}
			if it, err := files.item(o.u.c, RoleTest, o.u.pieces...); err == nil {
				out = append(out, it)
			}
		}
	}
	var testIDs []int64
	for _, t := range picked {
		testIDs = append(testIDs, t.u.c.ID)
	}
	// The receiver's type, of a method: a test makes one.
	var recvType []db.CodeChunk
	if recv := goReceiver(from[0].Name); recv != "" && target.Kind != KindFile {
		rs, err := st.CodeChunksNamed(ctx, proj.ID, pkg+"."+recv)
		if err != nil {
			return nil, err
		}
		for _, c := range rs {
			if c.Kind == chunk.KindType && inDir(c.Path, dir) {
				recvType = append(recvType, c)
				break
			}
		}
	}
	// The target's callees, the tests' and the receiver type's at once:
	// the types its signature names are among the first; the types of
	// the receiver's fields are what the target reaches through it.
	var targetID, recvID int64
	if target.Kind != KindFile && from[0].ID > 0 {
		targetID = from[0].ID
	}
	if len(recvType) > 0 {
		recvID = recvType[0].ID
	}
	callees, err := st.CodeCalleesOf(ctx, slices.Concat([]int64{targetID}, testIDs, []int64{recvID}))
	if err != nil {
		return nil, err
	}
	recvUses := callees[len(callees)-1]
	callees = callees[:len(callees)-1]
	// What the tests use that their files declare (a table, its case
	// type, a helper function), and what those use in turn; the types of
	// the package they use.
	var helpers, tested []db.CodeChunk // tested: types of the package the tests use
	seen := map[int64]bool{}
	take := func(each [][]db.CodeChunk) {
		for _, cs := range each {
			for _, c := range cs {
				if seen[c.ID] || !inDir(c.Path, dir) {
					continue
				}
				seen[c.ID] = true
				switch {
				case strings.HasSuffix(c.Path, "_test.go"):
					if !goTestFunc(c.Name) && c.Kind != chunk.KindHeader && len(helpers) < maxTestHelpers {
						helpers = append(helpers, c)
					}
				case c.Kind == chunk.KindType:
					tested = append(tested, c)
				}
			}
		}
	}
	take(callees[1:])
	if len(helpers) > 0 && len(helpers) < maxTestHelpers {
		var ids []int64
		for _, c := range helpers {
			ids = append(ids, c.ID)
		}
		more, err := st.CodeCalleesOf(ctx, ids)
		if err != nil {
			return nil, err
		}
		take(more)
	}
	for _, c := range helpers {
		if it, err := b.typeItem(ctx, proj, c, RoleTest, files); err != nil {
			return nil, err
		} else if it != nil {
			out = append(out, it)
		}
	}

	// The types: the receiver's, those the signature names, those the
	// body names, those of the receiver's fields, those the tests use.
	types := slices.Clone(recvType)
	head := ""
	if target.Kind != KindFile {
		lines, _, _ := unitHead(strings.Split(dropDoc(target.full, true), "\n"))
		head = strings.Join(lines, "\n")
	}
	inHead := func(c db.CodeChunk) bool { return hasWord(head, c.Name[strings.LastIndexByte(c.Name, '.')+1:]) }
	for _, c := range callees[0] {
		if c.Kind == chunk.KindType && inHead(c) {
			types = append(types, c)
		}
	}
	for _, c := range slices.Concat(callees[0], recvUses) {
		if c.Kind == chunk.KindType && inDir(c.Path, dir) && !inHead(c) {
			types = append(types, c)
		}
	}
	types = append(types, tested...)
	var ctors []db.CodeChunk
	kept := map[int64]bool{}
	for _, c := range types {
		if kept[c.ID] || units.target[c.Name] {
			continue
		}
		if len(kept) == maxTestTypes {
			break
		}
		kept[c.ID] = true
		it, err := b.typeItem(ctx, proj, c, RoleType, files)
		if err != nil {
			return nil, err
		}
		if it == nil {
			continue
		}
		if cut := dropDoc(it.full, false); cut != it.full {
			it.cut, it.cutWhy = cut, "without its comments"
		}
		out = append(out, it)
		// Its constructor, when the package has one: NewServer.
		if p, name, ok := strings.Cut(c.Name, "."); ok && inDir(c.Path, dir) && len(ctors) < maxConstructors {
			ns, err := st.CodeChunksNamed(ctx, proj.ID, p+".New"+strings.ToUpper(name[:1])+name[1:])
			if err != nil {
				return nil, err
			}
			for _, n := range ns {
				if n.Kind == chunk.KindFunction && inDir(n.Path, dir) && !units.target[n.Name] {
					ctors = append(ctors, n)
					break
				}
			}
		}
	}
	for _, c := range ctors {
		if it, err := b.typeItem(ctx, proj, c, RoleConstructor, files); err != nil {
			return nil, err
		} else if it != nil {
			out = append(out, it)
		}
	}
	// The methods that put state into the receiver (Add, for a test of
	// Remove): of its type's file and the target's.
	if len(recvType) > 0 {
		muts, err := b.goMutators(ctx, proj, recvType[0], target, cs, files)
		if err != nil {
			return nil, err
		}
		out = append(out, muts...)
	}
	return out, nil
}

// goTestFunc reports whether name (pkg.TestX) is a Go test or fuzz
// function: Test or Fuzz, then nothing or a character no lower-case
// letter (TestParseInt, Test_x, not Testify).
func goTestFunc(name string) bool {
	_, short, ok := strings.Cut(name, ".")
	if !ok {
		return false
	}
	for _, p := range []string{"Test", "Fuzz"} {
		if rest, ok := strings.CutPrefix(short, p); ok && (rest == "" || rest[0] < 'a' || rest[0] > 'z') {
			return true
		}
	}
	return false
}

// goTestName is how a test's name (pkg.TestParseInt64) names the
// target's units after its Test or Fuzz prefix: by the longest name of
// the target's file's units it starts with, followed by nothing or a
// character no lower-case word's — as a whole (TestParseInt,
// TestParseInt_base), in part (TestParseInt64), or not at all when that
// name is another unit's (TestParseInLocation is ParseInLocation's, not
// Parse's).
func (u *codeUnits) goTestName(name string) int {
	_, rest, _ := strings.Cut(name, ".")
	rest = strings.TrimPrefix(strings.TrimPrefix(rest, "Test"), "Fuzz")
	rest = strings.TrimPrefix(rest, "_")
	best, target := "", false
	try := func(unit string, isTarget bool) {
		n := unit[strings.LastIndexAny(unit, ".)")+1:]
		// Of two units with the same short name (url.Parse and
		// (*URL).Parse), the target wins, whatever order the map gives.
		longer := len(n) > len(best) || len(n) == len(best) && isTarget && !target
		if tail, ok := strings.CutPrefix(rest, n); ok && n != "" && longer && (tail == "" || tail[0] < 'a' || tail[0] > 'z') {
			best, target = n, isTarget
		}
	}
	for n := range u.byName {
		try(n, u.target[n])
	}
	for n := range u.target {
		try(n, true)
	}
	switch {
	case !target:
		return nameNone
	case rest == best || strings.HasPrefix(rest, best+"_"):
		return nameExact
	}
	return namePart
}

// goReceiver is the receiver's type of a method's name (Server of
// http.(*Server).Serve and of http.Server.Serve); "" for a function.
func goReceiver(name string) string {
	_, rest, ok := strings.Cut(name, ".")
	if !ok {
		return ""
	}
	if r, ok := strings.CutPrefix(rest, "(*"); ok {
		t, _, _ := strings.Cut(r, ")")
		return t
	}
	t, _, ok := strings.Cut(rest, ".")
	if !ok {
		return ""
	}
	return t
}

// goTestsNaming counts, by file, the test functions of dir's _test.go
// files whose refs name one of the units of from: as the package's own
// tests and an external test package's qualified calls name them
// (sort.Slice), or as the index names what an external test package's
// dot import makes unqualified (sort_test.Slice), which the symbol graph
// does not resolve to the package's code; so code_refs is read by the
// names themselves.
func goTestsNaming(ctx context.Context, st *db.Store, project int64, dir string, from []db.CodeChunk) (map[string]int, error) {
	var syms []string
	for _, c := range from[:min(len(from), maxNeighbourUnits)] {
		if pkg, short, ok := strings.Cut(c.Name, "."); ok {
			syms = append(syms, c.Name, pkg+"_test."+short)
		}
	}
	counts := map[string]int{}
	if len(syms) == 0 {
		return counts, nil
	}
	list, err := json.Marshal(syms)
	if err != nil {
		return nil, err
	}
	// The paths of dir's files are those after dir/ and before dir0 ('0'
	// follows '/'), or those of no directory at the root; those of its
	// subdirectories are left out below.
	where, args := `c.path > ?3 AND c.path < ?4`, []any{project, string(list), dir + "/", dir + "0"}
	if dir == "." {
		where, args = `instr(c.path, '/') = 0`, args[:2]
	}
	rows, err := st.Query(ctx, `SELECT DISTINCT c.id, c.path, c.name FROM code_refs AS r
		JOIN code_chunks AS c ON c.id = r.from_id
		WHERE r.project = ?1 AND r.sym IN (SELECT value FROM json_each(?2)) AND `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("ctxbuild: tests naming %s: %w", from[0].Name, err)
	}
	for _, r := range rows.Values {
		p, _ := r[1].(string)
		name, _ := r[2].(string)
		if inDir(p, dir) && strings.HasSuffix(p, "_test.go") && goTestFunc(name) {
			counts[p]++
		}
	}
	return counts, nil
}
