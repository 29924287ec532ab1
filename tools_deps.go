//go:build tools

// Modules the code-understanding work needs before its packages import
// them; pinned here so that go.mod is edited in one place. Remove each line
// once a real import exists.
package main

import (
	_ "github.com/sabhiram/go-gitignore"
	_ "github.com/tiktoken-go/tokenizer"
	_ "github.com/tree-sitter/go-tree-sitter"
	_ "github.com/tree-sitter/tree-sitter-elixir/bindings/go"
)
