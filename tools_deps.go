//go:build tools

// Modules the providers/coordinator work needs before its packages import
// them; pinned here so that go.mod is edited in one place. Remove each line
// once a real import exists.
package main

import (
	_ "filippo.io/age"
	_ "github.com/anthropics/anthropic-sdk-go/v2"
	_ "github.com/bluekeyes/go-gitdiff/gitdiff"
	_ "github.com/openai/openai-go/v3"
	_ "github.com/sony/gobreaker/v2"
	_ "github.com/tiktoken-go/tokenizer"
	_ "github.com/tree-sitter/go-tree-sitter"
	_ "github.com/tree-sitter/tree-sitter-elixir/bindings/go"
	_ "github.com/yuin/goldmark"
	_ "golang.org/x/time/rate"
)
