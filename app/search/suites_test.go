package search

import (
	"testing"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// TestIsTestSuiteDirs: code in a directory named as a test suite
// (system_test, integration-tests, e2e) is test code though its files
// are no _test.go: rqlite's system_test is a package of helpers for its
// end-to-end tests. A directory named test or tests is a package like
// any other in Go (cmd/go/internal/test is go test, vet's tests analyzer
// is in passes/tests), and its file alone says nothing.
func TestIsTestSuiteDirs(t *testing.T) {
	for _, tt := range []struct {
		path string
		kind string
		want bool
	}{
		{"system_test/helpers.go", chunk.KindFunction, true},
		{"system_test/e2e/helpers.go", chunk.KindFunction, true},
		{"internal/integration_test/client.go", chunk.KindFunction, true},
		{"integration-tests/setup.go", chunk.KindFunction, true},
		{"internal/toml-test/json.go", chunk.KindFunction, true},
		{"cmd/k8s-operator/e2e/ingress.go", chunk.KindFunction, true},
		{"E2E/cluster.go", chunk.KindFunction, true},
		{"store/store_test.go", chunk.KindFunction, true},
		// Not suites: a package named test or tests, names that only
		// hold "test", the file's own name.
		{"store/store.go", chunk.KindFunction, false},
		{"cmd/go/internal/test/test.go", chunk.KindFunction, false},
		{"go/analysis/passes/tests/tests.go", chunk.KindFunction, false},
		{"net/http/httptest/server.go", chunk.KindFunction, false},
		{"testing/fstest/mapfs.go", chunk.KindFunction, false},
		{"internal/e2ee/box.go", chunk.KindFunction, false},
		{"latest/contest.go", chunk.KindFunction, false},
		{"cmd/test2json/main.go", chunk.KindFunction, false},
		// Other languages: test/ was already a suite; e2e too now.
		{"lib/my_file.ex", chunk.KindFunction, false},
		{"test/support/case.ex", chunk.KindModule, true},
		{"e2e/support/case.ex", chunk.KindModule, true},
		{"integration_test/cases/repo.ex", chunk.KindModule, true},
	} {
		lang := "go"
		if tt.path[len(tt.path)-3:] == ".ex" {
			lang = "elixir"
		}
		c := db.CodeChunk{Path: tt.path, Lang: lang, Kind: tt.kind}
		if got := isTest(c); got != tt.want {
			t.Errorf("isTest(%s) = %v, want %v", tt.path, got, tt.want)
		}
	}
}
