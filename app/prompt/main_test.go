package prompt

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any leave goroutines behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
