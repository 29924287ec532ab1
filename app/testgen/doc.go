// Package testgen judges a generated test file for `aiex gen tests
// TARGET`: it runs the file's tests against the project (go test, mix
// test) without writing into the project, then against a few mutants of
// the target (one operator or constant changed), and scores the tests:
// they compile, they pass, and they fail when the target is broken.
//
// TestPath says where the test file goes and Deps what the project depends
// on (for the prompt); Toolchain whether go or mix is here; Run does the
// work through a Runner the caller supplies (one that confines the child;
// Exec runs it plainly). Go tests run through go test -overlay, so the
// generated file and the mutants exist only in a scratch directory;
// Elixir tests run in a scratch copy of the project. See DESIGN.md.
package testgen
