package ctxbuild

import (
	"path/filepath"
	"testing"

	"github.com/aiex-dev/aiex/app/internal/corpora"
)

// lineTargets are lines inside units of the standard library (PATH:LINE):
// each takes the innermost chunk holding the line, in the file as it is.
var lineTargets = []string{
	"net/http/server.go:3410", "net/http/server.go:1900", "encoding/json/decode.go:105", "encoding/json/encode.go:340",
	"bufio/scan.go:150", "time/format.go:1030", "sort/slice.go:26", "os/file.go:866",
}

// BenchmarkContext4kGoStdLine times contexts whose target is PATH:LINE, for
// a 4,096-token model.
func BenchmarkContext4kGoStdLine(b *testing.B) {
	root, _ := corpora.GoStd()
	paths := make([]string, len(lineTargets))
	for i, t := range lineTargets {
		paths[i] = filepath.Join(root, t)
	}
	benchContexts(b, paths, func(tg string, c *Context) {
		if c.Target == nil || c.Target.Kind == KindFile {
			b.Fatalf("%s: target %+v", tg, c.Target)
		}
	})
}
