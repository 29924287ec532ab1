package ctxbuild

import (
	"path/filepath"
	"testing"

	"github.com/aiex-dev/aiex/app/internal/corpora"
)

// popularTargets are code of the standard library that thousands of
// chunks call: each unit's callers are many to read and weigh.
var popularTargets = []string{
	"fmt/print.go", "fmt.Sprintf", "errors.New", "strings/strings.go", "fmt.Errorf",
}

// BenchmarkContext4kGoStdPopular times contexts of popular code (a whole
// file, or a function called everywhere), for a 4,096-token model.
func BenchmarkContext4kGoStdPopular(b *testing.B) {
	root, _ := corpora.GoStd()
	targets := make([]string, len(popularTargets))
	for i, t := range popularTargets {
		targets[i] = t
		if filepath.Ext(t) == ".go" {
			targets[i] = filepath.Join(root, t)
		}
	}
	benchContexts(b, targets, func(tg string, c *Context) {
		if c.Target == nil {
			b.Fatalf("%s: no target", tg)
		}
	})
}
