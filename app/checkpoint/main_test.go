package checkpoint_test

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// rqlite's package-level worker outlives any one store.
		goleak.IgnoreTopFunction("github.com/rqlite/rqlite/v8/internal/rsync.(*PollTrue).Run"),
	)
}
