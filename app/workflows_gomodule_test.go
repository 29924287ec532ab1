package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestGenModuleGoImportPath: gen module of a Go package tells the model
// the package's import path — go.mod's module path and its directory — so
// that it imports the project's other packages by paths that build, and
// the package clause the check wants (main for a file at a command's
// root).
func TestGenModuleGoImportPath(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"internal/report", "Write the Go package example.com/shop/internal/report (package report) in internal/report/report.go."},
		{"internal/report/", "Write the Go package example.com/shop/internal/report (package report) in internal/report/report.go."},
		{"tool.go", "Write the Go package example.com/shop (package main) in tool.go."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := providertest.NewOllama(t, providertest.WithReply("```go\npackage report\n```\n"))
			a := taskApp(t, fake.URL())
			root := writeProject(t, map[string]string{"go.mod": "module example.com/shop\n\ngo 1.22\n",
				"inventory/store.go": "package inventory\n\n// Store holds stock.\ntype Store struct{}\n"})
			_, _ = a.GenModule(context.Background(), app.TaskRequest{Root: root, Name: tc.name, Description: "a stock report using inventory.Store", Actor: "test"},
				func(string) error { return nil })
			reqs := fake.Requests()
			if len(reqs) == 0 {
				t.Fatal("the model was not asked")
			}
			msgs := reqs[len(reqs)-1].Messages
			if user := msgs[len(msgs)-1].Content; !strings.Contains(user, tc.want) {
				t.Errorf("the prompt lacks %q:\n%s", tc.want, user)
			}
		})
	}
}
