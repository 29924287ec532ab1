package chunk

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any leave goroutines behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// invariantErrors checks what must hold for every chunk of every file:
// ranges in bounds and non-empty, lines matching bytes, hashes matching
// content, pieces of a split unit contiguous. It returns what is wrong.
func invariantErrors(src []byte, res Result) []string {
	var errs []string
	bad := func(c Chunk, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("%s %q [%d,%d) lines %d-%d: %s", c.Kind, c.Name, c.StartByte, c.EndByte, c.StartLine, c.EndLine, fmt.Sprintf(format, args...)))
	}
	if res.Skipped != "" && len(res.Chunks) > 0 {
		errs = append(errs, "skipped file has chunks")
	}
	for _, c := range res.Chunks {
		if c.StartByte < 0 || c.EndByte > len(src) || c.StartByte >= c.EndByte {
			bad(c, "byte range out of bounds (file has %d bytes)", len(src))
			continue
		}
		if c.StartLine < 1 || c.StartLine > c.EndLine {
			bad(c, "bad line range")
		}
		if want := 1 + bytes.Count(src[:c.StartByte], []byte{'\n'}); c.StartLine != want {
			bad(c, "start line should be %d", want)
		}
		if want := 1 + bytes.Count(src[:c.EndByte-1], []byte{'\n'}); c.EndLine != want {
			bad(c, "end line should be %d", want)
		}
		sum := sha256.Sum256(src[c.StartByte:c.EndByte])
		if c.Hash != hex.EncodeToString(sum[:16]) {
			bad(c, "hash does not match the bytes")
		}
		if c.Tokens <= 0 {
			bad(c, "tokens %d", c.Tokens)
		}
		if c.Name == "" || c.Kind == "" || c.Lang == "" {
			bad(c, "empty name, kind or lang")
		}
		if len(c.Refs) > MaxRefs {
			bad(c, "%d refs", len(c.Refs))
		}
	}
	return errs
}

func checkInvariants(t testing.TB, path string, src []byte, res Result) {
	t.Helper()
	for _, e := range invariantErrors(src, res) {
		t.Errorf("%s: %s", path, e)
	}
}
