package ctxbuild

import "testing"

// bareTargets are names many units of the standard library have: each
// takes one, lists five others and counts the rest.
var bareTargets = []string{"Run", "String", "Close", "Write", "Serve", "Read", "Error", "Len", "Reset", "Next"}

// BenchmarkContext4kGoStdBare times contexts whose target is a bare name
// of many units (the lookup, the choice among them and the count of those
// not listed), for a 4,096-token model.
func BenchmarkContext4kGoStdBare(b *testing.B) {
	also := 0
	n := benchContexts(b, bareTargets, func(tg string, c *Context) {
		if c.Target == nil {
			b.Fatalf("%s: no target", tg)
		}
		also += len(c.Also) + c.AlsoMore
	})
	b.ReportMetric(float64(also)/float64(n), "others/context")
}
