package search

import (
	"path/filepath"
	"strings"
	"unicode"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/words"
)

// The lexical score says how well a chunk's words match the query's; what
// the chunk is says how likely it is to be what the query asks for. Both
// multiply (DESIGN.md, "Tests and code the build leaves out").
const (
	// testShare weighs test code, unless the query is about tests. A test
	// restates the code it exercises in more words (its name, its cases,
	// their messages and comments), so it holds a question's words more
	// often than the code does: on the Go standard library, "sort a slice
	// with a custom less function" is held whole by one chunk,
	// sort_test.Example, while sort.Slice lacks "custom". Weighed so, a
	// test holding every word counts half as much as the code holding
	// only some (relaxedShare): below it, unless its bm25 is more than
	// twice as good.
	testShare = relaxedShare / 2
	// leftOutShare weighs code the Go tool leaves out of every build: in
	// a directory or file whose name starts with _ or ., or under
	// testdata. It is no package's code: stubs a generator reads
	// (typecheck/_builtin/runtime.go declares runtime.KeepAlive without
	// its body), generators (ssa/_gen), fixtures. It weighs as a test
	// does, whatever the query.
	leftOutShare = relaxedShare / 2
	// groupShare weighs a Go const/var group of several names, unless
	// the query names one of them or asks about constants: its members'
	// names hold a question's words many times over (rqlite's
	// numSnapshots, numSnapshotsFailed, numUserSnapshots, … for "snapshot
	// restore", numRequests, numCompressedRequests, … for "compress
	// request"), and bm25 weighs names 8×, so the group of metric names
	// ranked above the code that restores or compresses. A list of names
	// says the words as a test does, and weighs as one.
	groupShare = relaxedShare / 2
	// proseShare weighs prose (Markdown, a CHANGELOG, a README), unless
	// the query asks about docs, changes or releases: a changelog says
	// the words of what changed in every entry ("a node restores its
	// database from a snapshot"), and its four chunks took 58 % of the
	// code sent with that question about how the code does it. Prose
	// restates what code does in more words, as a test does, and weighs
	// as one.
	proseShare = relaxedShare / 2
)

// roleQuery is what a query asks about, for the weights of roleShare.
type roleQuery struct {
	tests  bool // tests, examples, benchmarks (aboutTests)
	prose  bool // docs, changes, releases (aboutProse)
	consts bool // constants, variables, metrics (aboutConsts)
	config bool // configuration, flags, options (aboutConfig)
	// thin are the hits that are lists whose match is spread thin
	// (lists.go): big structs whose fields' comments hold the words.
	thin map[int64]bool
	// runs are the query's identifiers, folded and without underscores,
	// and the runs of up to maxRun of them written as one: a group's
	// member it names, typed (numSnapshots, num_snapshots) or in words
	// (num snapshots).
	runs map[string]bool
}

// maxRun is how many of a query's words a member's name can be.
const maxRun = 4

// queryRoles reads what query asks about; terms are its words looked
// for, exact the chunks named as the query.
func queryRoles(query string, terms []string, exact []db.CodeChunk) roleQuery {
	q := roleQuery{tests: aboutTests(terms, exact), runs: map[string]bool{}}
	ids := strings.FieldsFunc(query, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_'
	})
	for i := range ids {
		ids[i] = strings.ReplaceAll(words.Fold(ids[i]), "_", "")
	}
	for i := range ids {
		run := ""
		for j := i; j < min(len(ids), i+maxRun); j++ {
			run += ids[j]
			q.runs[run] = true
		}
		q.prose = q.prose || aboutProse(ids[i])
		q.consts = q.consts || aboutConsts(ids[i])
		q.config = q.config || aboutConfig(ids[i])
	}
	return q
}

// roleShare is the weight of a chunk's lexical score for what it is: 1
// for the project's own code, less for tests (unless the query is about
// tests), for code the build leaves out, for a group of names (unless
// the query names one or asks about constants) or a big struct whose
// match is spread thin over its fields (q.thin, lists.go) and for prose
// (unless the query asks about docs or changes); the product of those
// that apply.
func roleShare(c db.CodeChunk, q roleQuery) float64 {
	share := 1.0
	if !q.tests && isTest(c) {
		share *= testShare
	}
	if leftOut(c.Path) {
		share *= leftOutShare
	}
	if !q.consts && isGroup(c) && !q.namesMember(c) || q.thin[c.ID] {
		share *= groupShare
	}
	if !q.prose && isProse(c.Path) {
		share *= proseShare
	}
	return share
}

// isGroup reports whether a chunk is a Go const/var group of several
// names (named pkg.{A,B,…}).
func isGroup(c db.CodeChunk) bool {
	return (c.Kind == chunk.KindConst || c.Kind == chunk.KindVar) && len(c.Members) > 1
}

// namesMember reports whether the query names one of the group's members.
func (q roleQuery) namesMember(c db.CodeChunk) bool {
	for _, m := range c.Members {
		if q.runs[strings.ReplaceAll(words.Fold(m), "_", "")] {
			return true
		}
	}
	return false
}

// isProse reports whether the file at path is prose: Markdown and other
// text markup, or a README, CHANGELOG, NEWS, … without an extension.
func isProse(path string) bool {
	base := path[strings.LastIndexByte(path, '/')+1:]
	ext := strings.ToLower(filepath.Ext(base))
	switch ext {
	case ".md", ".markdown", ".mdx", ".rst", ".txt", ".adoc", ".asciidoc", ".org", ".textile":
		return true
	case "":
		switch strings.ToUpper(base) {
		case "README", "CHANGELOG", "CHANGES", "NEWS", "HISTORY", "AUTHORS", "CONTRIBUTING", "LICENSE", "NOTICE", "COPYING":
			return true
		}
	}
	return false
}

// aboutProse reports whether a word of a query (folded) asks about docs,
// changes or releases: doc, docs, documentation, readme, changelog,
// changed, release, version, upgrading, migration, guide, deprecated, …
func aboutProse(w string) bool {
	if w == "doc" || w == "docs" || w == "faq" || w == "news" {
		return true
	}
	for _, p := range []string{"document", "readme", "changelog", "chang", "releas", "version", "upgrad", "migrat",
		"guide", "tutorial", "deprecat", "licen", "install", "histor", "breaking"} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// aboutConsts reports whether a word of a query (folded) asks about
// constants or variables: const, constants, var, variables, enum, iota,
// metrics, stats, counters.
func aboutConsts(w string) bool {
	switch w {
	case "var", "vars", "iota", "stat", "stats", "counter", "counters":
		return true
	}
	for _, p := range []string{"const", "variable", "enum", "metric", "statistic"} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// aboutConfig reports whether a word of a query (folded) asks about
// configuration: config, configure, configuration, flags, options,
// settings, cfg, opts. A big struct listing them (lists.go) is then what
// is asked for.
func aboutConfig(w string) bool {
	switch w {
	case "cfg", "conf", "opts", "knob", "knobs", "tunable", "tunables":
		return true
	}
	for _, p := range []string{"config", "flag", "option", "setting"} {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

// isTest reports whether a chunk is test code: in any language, anything
// under a directory named as a test suite (inSuite: rqlite's system_test);
// in Go, a _test.go file (its tests, benchmarks, examples and helpers; a
// directory named test holds a package like any other, cmd/go/internal/test
// is `go test`); in Elixir, an ExUnit test or describe block, or anything
// under a test directory or in a _test.exs file (their fixtures and
// helpers); in other files, anything under a test directory.
func isTest(c db.CodeChunk) bool {
	if inSuite(c.Path) {
		return true
	}
	if c.Lang == "go" || strings.HasSuffix(c.Path, ".go") {
		return strings.HasSuffix(c.Path, "_test.go")
	}
	if c.Kind == chunk.KindTest || c.Kind == chunk.KindDescribe || strings.HasSuffix(c.Path, "_test.exs") {
		return true
	}
	return strings.HasPrefix(c.Path, "test/") || strings.Contains(c.Path, "/test/")
}

// inSuite reports whether the file at path (slash-separated, relative to
// the project's root) is under a directory named as a test suite: one
// whose name ends in _test, -test, _tests or -tests (system_test,
// integration_test, toml-test), as Go names a test file, or e2e. Go's
// tool builds such a directory as any package, and projects keep their
// end-to-end tests' helpers there: rqlite v8.43.4's system_test holds
// (*Node).QueryStrongConsistency and its kin, 64-token wrappers whose
// names say "consistency", first for "how are reads made consistent"
// above store.(*Store).Query, which implements the levels. A directory
// named test or tests alone is not one in Go (cmd/go/internal/test is
// go test, vet's tests analyzer is passes/tests; isTest takes test/ as
// a suite in other languages), nor is a name that only holds the word
// (httptest, fstest: packages for tests to import, not tests).
func inSuite(path string) bool {
	dir := path[:max(0, strings.LastIndexByte(path, '/'))]
	for part := range strings.SplitSeq(dir, "/") {
		if strings.EqualFold(part, "e2e") {
			return true
		}
		part = strings.TrimSuffix(strings.TrimSuffix(part, "s"), "S")
		if n := len(part) - len("_test"); n > 0 && (part[n] == '_' || part[n] == '-') && strings.EqualFold(part[n+1:], "test") {
			return true
		}
	}
	return false
}

// leftOut reports whether the file at path (slash-separated, relative to
// the project's root) is one the Go tool ignores: a directory on the way
// or the file itself named with a leading _ or ., or a directory testdata.
// Other languages' tools leave such directories out too (_build, .git,
// hidden ones), so the rule holds for every file.
func leftOut(path string) bool {
	for part := range strings.SplitSeq(path, "/") {
		if strings.HasPrefix(part, "_") || strings.HasPrefix(part, ".") || part == "testdata" {
			return true
		}
	}
	return false
}

// aboutTests reports whether a query asks about tests: one of its words
// begins with test, example or bench (tests, testing, examples,
// benchmark), or a symbol it names exactly is test code (TestServe,
// ExampleSlice).
func aboutTests(terms []string, exact []db.CodeChunk) bool {
	for _, t := range terms {
		if strings.HasPrefix(t, "test") || strings.HasPrefix(t, "example") || strings.HasPrefix(t, "bench") {
			return true
		}
	}
	for _, c := range exact {
		if isTest(c) {
			return true
		}
	}
	return false
}
