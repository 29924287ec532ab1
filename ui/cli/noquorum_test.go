package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/db"
)

// TestReportNoQuorum: a write the cluster could not take, for want of a
// quorum, says so in one line with what to do, without the prefixes of
// what was being written.
func TestReportNoQuorum(t *testing.T) {
	var out bytes.Buffer
	code := report(&out, fmt.Errorf("events: append: %w", &db.NoQuorumError{Reachable: 1, Voters: 3}), false)
	got := out.String()
	if code != 1 || strings.Contains(got, "events: append") || !strings.Contains(got, "no quorum: 1 of 3 nodes reachable") ||
		!strings.Contains(got, "aiex cluster recover") || strings.Count(got, "\n") != 1 {
		t.Errorf("report = %d %q; want one line saying the cluster cannot write and what to do", code, got)
	}
}
