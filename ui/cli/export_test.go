package cli

import "context"

// NewTestContext is a Context with the given global flags, for tests of
// what commands print.
func NewTestContext(g *Globals) *Context {
	return newContext(context.Background(), Env{Getenv: func(string) string { return "" }}, g)
}

// TailResume is EventsTailCmd.resume.
func TailResume(c *Context, streams []string, after int64) string {
	return (&EventsTailCmd{Stream: streams}).resume(c, after)
}

// LockedBuffer is lockedBuffer (output_progress_test.go), for the
// package's outside tests.
type LockedBuffer = lockedBuffer
