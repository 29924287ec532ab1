package search

import (
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
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
)

// roleShare is the weight of a chunk's lexical score for what it is: 1
// for the project's own code, less for tests (unless aboutTests) and for
// code the build leaves out; both for a test the build leaves out.
func roleShare(c db.CodeChunk, aboutTests bool) float64 {
	share := 1.0
	if !aboutTests && isTest(c) {
		share *= testShare
	}
	if leftOut(c.Path) {
		share *= leftOutShare
	}
	return share
}

// isTest reports whether a chunk is test code: in Go, a _test.go file
// (its tests, benchmarks, examples and helpers; a directory named test
// holds a package like any other, cmd/go/internal/test is `go test`);
// in Elixir, an ExUnit test or describe block, or anything under a test
// directory or in a _test.exs file (their fixtures and helpers); in other
// files, anything under a test directory.
func isTest(c db.CodeChunk) bool {
	if c.Lang == "go" || strings.HasSuffix(c.Path, ".go") {
		return strings.HasSuffix(c.Path, "_test.go")
	}
	if c.Kind == chunk.KindTest || c.Kind == chunk.KindDescribe || strings.HasSuffix(c.Path, "_test.exs") {
		return true
	}
	return strings.HasPrefix(c.Path, "test/") || strings.Contains(c.Path, "/test/")
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
