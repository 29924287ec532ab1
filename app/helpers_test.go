package app_test

import (
	"context"
	"testing"

	"github.com/aiex-dev/aiex/app"
)

// providerApp is an App on a fresh data dir with these providers alone:
// no environment (OLLAMA_HOST, keys) reaches it. It is closed when the
// test ends.
func providerApp(t *testing.T, providers map[string]app.ProviderConfig) *app.App {
	t.Helper()
	a, err := app.New(context.Background(), app.Config{DataDir: t.TempDir(), Getenv: func(string) string { return "" },
		File: app.File{Providers: providers}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	return a
}
