// Package parse reads what a model answered: the fenced code blocks of a
// Markdown answer (CodeBlocks), the unified diffs in it (Diffs), and whether
// those diffs apply to the project's current files (Check).
//
// Nothing here writes files: Check reads through a callback and returns the
// new contents for a sandbox to write. DESIGN.md explains how tolerant the
// diff reader is, and why.
package parse
