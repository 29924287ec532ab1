package app

import (
	"bytes"
	"context"
	"path/filepath"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/app/workflow"
)

// definedAlready refuses a new Elixir module m that the project's index
// (up to date: startTask) already has as a module, protocol or protocol
// implementation — in a file of its own, or nested in another module's
// (Shop.Discounts.Flat in lib/shop/discounts.ex). A second definition
// would compile or not by the order mix takes the files in, and load
// one of the two; gen module writes new code only. read reads a project
// file, to say on which line the module is defined.
//
// A Go package that exists is not refused: gen module internal/cache
// then adds internal/cache/cache.go to it (ModuleFile refuses a file that
// exists, and NewModule.Check that the new file is of the package), which
// is how Go code is added to a package.
func (a *App) definedAlready(ctx context.Context, root string, m workflow.NewModule, read func(string) ([]byte, error)) error {
	if m.Lang != "elixir" {
		return nil
	}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	proj, ok, err := a.Store.FindCodeProject(ctx, root)
	if err != nil || !ok {
		return err
	}
	chunks, err := a.Store.CodeChunksNamed(ctx, proj.ID, m.Name)
	if err != nil {
		return err
	}
	for _, c := range chunks {
		if c.Lang != "elixir" || (c.Kind != chunk.KindModule && c.Kind != chunk.KindProtocol && c.Kind != chunk.KindImpl) {
			continue
		}
		return usererr.New("%s is already defined, at %s:%d; gen module writes new modules only (to change it: aiex refactor %s --goal \"…\")",
			m.Name, c.Path, defLine(read, c.Path, c.StartLine, c.EndLine), m.Name)
	}
	return nil
}

// defLine is the line of the defmodule (defprotocol, defimpl) of the
// module chunk at lines start..end of path: its first line that is not a
// comment or blank (a chunk takes in the comments above its unit); start
// when the file cannot be read.
func defLine(read func(string) ([]byte, error), path string, start, end int) int {
	src, err := read(path)
	if err != nil {
		return start
	}
	lines := bytes.Split(src, []byte("\n"))
	for n := start; n <= end && n <= len(lines); n++ {
		l := bytes.TrimSpace(lines[n-1])
		if len(l) > 0 && l[0] != '#' {
			return n
		}
	}
	return start
}
