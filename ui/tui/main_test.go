package tui

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the tests if a goroutine outlives them: every command's
// goroutine ends with the model's context (see tasks). regexp2 (chroma's
// regular expressions, for highlighting) keeps a clock goroutine of its
// own for a while after a match.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/dlclark/regexp2.runClock"))
}
