package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/usererr"
)

// TestEmbedDefaultProviderWithoutKey: with no provider table, [index]
// embed naming a default that needs an API key, without one, is the
// config's mistake (file, line, key, exit 2) as soon as the providers are
// built, as for every command; and search still ranks, without
// embeddings, saying why.
func TestEmbedDefaultProviderWithoutKey(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	path := writeConfig(t, "model = \"x\"\n[index]\nembed = \"openai/text-embedding-3-small\"\n")
	f, err := app.LoadFile(path, true)
	if err != nil {
		// A key stored with aiex keys set would make it configured:
		// only the store knows, so LoadFile lets it through.
		t.Fatalf("LoadFile: %v", err)
	}
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DataDir: t.TempDir(), ConfigPath: path, File: f, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(ctx) })

	_, err = a.Coord(ctx)
	ue := usererr.As(err)
	if ue == nil || ue.ExitCode() != usererr.ExitUsage {
		t.Fatalf("Coord: err = %v; want a usage error", err)
	}
	for _, w := range []string{path + " line 3", `key "index.embed"`, `provider "openai"`, "OPENAI_API_KEY", "configured providers: ollama)"} {
		if !strings.Contains(ue.Msg, w) {
			t.Errorf("error %q does not contain %q", ue.Msg, w)
		}
	}

	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "calc.go"), []byte("package calc\n\n// Add adds.\nfunc Add(a, b int) int { return a + b }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); usererr.As(err) == nil {
		t.Errorf("IndexProject: err = %v; want the config's mistake", err)
	}
	res, err := a.Search(ctx, root, "Add", 5)
	if err != nil {
		t.Fatalf("Search failed because of embeddings: %v", err)
	}
	if len(res.Hits) == 0 {
		t.Error("Search: no hits for Add")
	}
	if !strings.Contains(res.EmbedError, "OPENAI_API_KEY") {
		t.Errorf("EmbedError = %q; want why embeddings were not used", res.EmbedError)
	}
}
