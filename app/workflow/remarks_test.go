package workflow

import "testing"

// TestRemarks: the model's closing remarks are the prose after its last
// code block (gen module's design choices, gen tests' what is left
// untested, refactor's notes after the diff); none when nothing follows
// the block, when the answer has no closed block, or when what follows is
// a diff written outside a fence.
func TestRemarks(t *testing.T) {
	for _, tc := range []struct{ name, answer, want string }{
		{"after the code", "```go cache/cache.go\npackage cache\n```\n\nIt keeps entries in a map.  It needs no lock:\nthe caller owns it.\n",
			"It keeps entries in a map.  It needs no lock:\nthe caller owns it."},
		{"after the last of two blocks", "Here:\n```go a.go\npackage a\n```\nUse it so:\n```go\na.X()\n```\nX is new.\n", "X is new."},
		{"before the block only", "Here is the change:\n\n```diff\n--- a/a.go\n+++ b/a.go\n@@ -1 +1 @@\n-a\n+b\n```\n", ""},
		{"blank after", "```go\npackage a\n```\n\n \n", ""},
		{"no block", "I cannot do that safely: the function is generated.", ""},
		{"unclosed block", "```go\npackage a\nfunc A() {}\n", ""},
		{"a bare diff after", "```go\npackage a\n```\n--- a/a.go\n+++ b/a.go\n@@ -1 +1 @@\n-a\n+b\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Remarks(tc.answer); got != tc.want {
				t.Errorf("Remarks = %q; want %q", got, tc.want)
			}
		})
	}
}
