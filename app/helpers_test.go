package app_test

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/providers/providertest"
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

// bigModelApp is an app whose one provider is a fake Ollama serving a
// model "big" of an 8,192-token window, answering "ok": room for a
// session's target and its neighbours.
func bigModelApp(t *testing.T) (*app.App, *providertest.Ollama) {
	t.Helper()
	fake := providertest.NewOllama(t, providertest.WithModels(providertest.Model{Name: "big", ContextLength: 8192, NumCtx: 8192}),
		providertest.WithReply("ok"))
	return providerApp(t, map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: fake.URL()}}), fake
}

// needGo skips a test that runs the go command where it is not
// installed, but fails it on CI, which has it.
func needGo(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("go is not installed: CI needs it to run this test")
		}
		t.Skip("go is not installed")
	}
}
