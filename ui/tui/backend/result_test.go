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
