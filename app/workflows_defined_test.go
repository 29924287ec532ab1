package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// writeProject writes files (relative path → content) under a new temp
// dir, its root.
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// taskApp is an App whose model is the fake Ollama at url.
func taskApp(t *testing.T, url string) *app.App {
	t.Helper()
	t.Setenv("OLLAMA_HOST", url)
	a, err := app.New(context.Background(), app.Config{DataDir: t.TempDir(), File: app.File{Model: "tiny"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	return a
}

const shopMix = "defmodule Shop.MixProject do\n  use Mix.Project\n  def project, do: [app: :shop, version: \"0.1.0\", elixir: \"~> 1.14\"]\nend\n"

// TestGenModuleDefinedAlready: gen module of an Elixir module the project
// already defines — nested in another file's module, so that no file is
// in the way — is refused before the model is asked, naming the line of
// its defmodule and what to do instead. A Go package that exists is not
// refused: the new file is added to it.
func TestGenModuleDefinedAlready(t *testing.T) {
	ctx := context.Background()
	fake := providertest.NewOllama(t, providertest.WithReply("```elixir\ndefmodule Shop.Discounts.Flat do\nend\n```\n"))
	a := taskApp(t, fake.URL())
	root := writeProject(t, map[string]string{"mix.exs": shopMix,
		"lib/shop/discounts.ex": "defmodule Shop.Discounts do\n  def all, do: []\n\n  # A fixed amount off.\n  defmodule Flat do\n    def apply(x), do: x - 1\n  end\nend\n"})
	_, err := a.GenModule(ctx, app.TaskRequest{Root: root, Name: "Shop.Discounts.Flat", Description: "x", Actor: "test"}, func(string) error { return nil })
	ue := usererr.As(err)
	if ue == nil || strings.Contains(ue.Msg, "\n") ||
		!strings.Contains(ue.Msg, "Shop.Discounts.Flat is already defined, at lib/shop/discounts.ex:5") ||
		!strings.Contains(ue.Msg, "aiex refactor Shop.Discounts.Flat") {
		t.Fatalf("gen module of a module defined already: %v", err)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("the model was asked %d times", n)
	}
	if _, err := os.Stat(filepath.Join(root, "lib/shop/discounts/flat.ex")); err == nil {
		t.Fatal("a file was written")
	}

	// A new module beside it is asked for.
	fake = providertest.NewOllama(t, providertest.WithReply("```elixir\ndefmodule Shop.Discounts.Percent do\nend\n```\n"))
	a = taskApp(t, fake.URL())
	res, err := a.GenModule(ctx, app.TaskRequest{Root: root, Name: "Shop.Discounts.Percent", Description: "x", Actor: "test"}, func(string) error { return nil })
	if err != nil || res.Proposal == nil || !res.Proposal.OK() {
		t.Fatalf("gen module of a new module: %v %+v", err, res)
	}

	// Go: a package that exists gets a new file.
	fake = providertest.NewOllama(t, providertest.WithReply("```go\n// Package cache keeps values.\npackage cache\n\n// Get finds nothing yet.\nfunc Get(string) bool { return false }\n```\n"))
	a = taskApp(t, fake.URL())
	groot := writeProject(t, map[string]string{"go.mod": "module example.com/c\n\ngo 1.22\n",
		"internal/cache/store.go": "package cache\n\n// Put stores nothing yet.\nfunc Put(string) {}\n"})
	res, err = a.GenModule(ctx, app.TaskRequest{Root: groot, Name: "internal/cache", Description: "x", Actor: "test"}, func(string) error { return nil })
	if err != nil || res.Proposal == nil || !res.Proposal.OK() || res.Proposal.Files[0].Path != "internal/cache/cache.go" {
		t.Fatalf("gen module of a Go package that exists: %v %+v", err, res)
	}
}
