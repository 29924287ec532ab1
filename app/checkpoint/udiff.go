package checkpoint

import (
	"bytes"

	"github.com/aiex-dev/aiex/app/workflow/linediff"
)

// isBinary reports whether data looks binary, as git decides: a NUL byte
// in its first 8,000 bytes.
func isBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0
}

// unified is the diff from a to b with the header names aName and bName
// (a "/dev/null" side is an absent file), three lines of context, as git
// prints it; "" when a equals b.
func unified(a, b []byte, aName, bName string) string {
	if bytes.Equal(a, b) {
		return ""
	}
	return linediff.Unified(aName, bName, string(a), string(b))
}
