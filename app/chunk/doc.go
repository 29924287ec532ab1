// Package chunk cuts source files into semantic units — Elixir modules and
// functions (with their @doc/@spec, all clauses together), ExUnit tests, Go
// declarations with their doc comments — with byte and line ranges, a
// content hash, a token count and the names each unit references, for the
// index and the context builder.
//
// File is the entry point. Elixir is parsed with tree-sitter, Go with the
// standard library's go/parser (the compiler's own view), other text is cut
// into runs of lines. Files that do not parse still yield chunks, with
// warnings. DESIGN.md describes the rules and how they were checked against
// the Elixir and Go compilers on their own sources.
package chunk
