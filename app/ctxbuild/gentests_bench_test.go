package ctxbuild

import (
	"slices"
	"testing"
)

// genTestsTargets are functions and methods of the standard library to
// write tests for: each context also reads the package's test file named
// after the code, the tests calling it, their helpers, and its types.
var genTestsTargets = []string{
	"strconv.ParseInt", "strconv.Quote", "sort.Slice", "time.Parse", "json.Unmarshal",
	"bufio.(*Scanner).Scan", "strings.(*Builder).WriteString", "http.(*Server).Serve",
}

// BenchmarkContext4kGoStdGenTests times gen-tests contexts for a
// 4,096-token model and reports how many existing tests (and their
// headers and helpers) they carry.
func BenchmarkContext4kGoStdGenTests(b *testing.B) {
	tests := 0
	n := benchTaskContexts(b, TaskGenTests, genTestsTargets, func(tg string, c *Context) {
		if c.Target == nil {
			b.Fatalf("%s: no target", tg)
		}
		for _, it := range c.Included {
			if it.Role == RoleTest {
				tests++
			}
		}
	})
	b.ReportMetric(float64(tests)/float64(n), "tests/context")
}

// BenchmarkContext4kGoStdGenTestsParseInt times the gen-tests context of
// strconv.ParseInt alone: its test file's table tests and their tables.
func BenchmarkContext4kGoStdGenTestsParseInt(b *testing.B) {
	benchTaskContexts(b, TaskGenTests, []string{"strconv.ParseInt"}, func(tg string, c *Context) {
		if c.Target == nil || !slices.ContainsFunc(c.Included, func(it Item) bool { return it.Name == "strconv_test.TestParseInt" }) {
			b.Fatalf("%s: no TestParseInt in %+v", tg, c.Included)
		}
	})
}
