package main

import (
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestUsageEmpty: with no requests recorded, usage says so for the period
// asked, in English.
func TestUsageEmpty(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	for days, want := range map[string]string{"1": "No requests in the last day.\n", "7": "No requests in the last 7 days.\n"} {
		if out := s.mustRun("usage", "--days", days).stdout; out != want {
			t.Errorf("usage --days %s: %q, want %q", days, out, want)
		}
	}
}
