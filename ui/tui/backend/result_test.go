package backend

import (
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/db"
)

// TestResultCostUnknown: an answer whose request was recorded of unknown
// cost (a model with no known price) says so to the TUI, which shows its
// cost "+?"; one of known cost, or recorded before the mark existed, does
// not.
func TestResultCostUnknown(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		unknown *bool
		want    bool
	}{{&yes, true}, {&no, false}, {nil, false}} {
		res := result(&app.Answer{Interaction: &db.Interaction{Provider: "fake", Model: "fake-a", PromptTokens: 100, CompletionTokens: 1,
			CostUnknown: tc.unknown, Status: "ok"}})
		if res.CostUnknown != tc.want {
			t.Errorf("recorded cost_unknown %v: CostUnknown %v; want %v", tc.unknown, res.CostUnknown, tc.want)
		}
	}
}

// TestResultFailover: an answer that another provider gave after the
// first failed tells the TUI which failed and why, as the CLI's note
// says it; one the first provider gave has no such note.
func TestResultFailover(t *testing.T) {
	route := []db.Attempt{
		{Provider: "bad", Model: "m", Outcome: "server_error", Error: "HTTP 500 from http://h:1: boom", Millis: 12},
		{Provider: "good", Model: "tiny:latest", Outcome: "ok", Millis: 30},
	}
	res := result(&app.Answer{Interaction: &db.Interaction{Provider: "good", Model: "tiny:latest", Status: "ok", Route: route}})
	if want := "bad failed: HTTP 500 from http://h:1: boom; good (tiny:latest) answered instead"; res.Failover != want {
		t.Errorf("Failover %q; want %q", res.Failover, want)
	}
	res = result(&app.Answer{Interaction: &db.Interaction{Provider: "good", Model: "tiny:latest", Status: "ok", Route: route[1:]}})
	if res.Failover != "" {
		t.Errorf("answered by the first tried: Failover %q; want none", res.Failover)
	}
}
