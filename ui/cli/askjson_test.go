package cli

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/usererr"
)

func TestFailedAskJSON(t *testing.T) {
	recorded := &app.Interaction{ID: "i1", Prompt: "q", Response: "part", Status: "interrupted", Error: "EOF"}
	tests := []struct {
		name    string
		ans     *app.Answer
		arrived string
		err     error
		want    app.Interaction
	}{
		{"recorded interaction", &app.Answer{Interaction: recorded, Session: "s1", Turn: 2}, "part",
			usererr.New("the answer broke off"), app.Interaction{ID: "i1", SessionID: "s1", Prompt: "q", Response: "part", Status: "interrupted", Error: "EOF"}},
		{"cancelled, through a node that sent no record", nil, "fir",
			fmt.Errorf("node: %w", context.Canceled), app.Interaction{Prompt: "q", Response: "fir", Status: "cancelled", Error: "cancelled"}},
		{"cut off, no record", nil, "fir",
			errors.New("node: the answer stopped before its end"), app.Interaction{Prompt: "q", Response: "fir", Status: "interrupted", Error: "node: the answer stopped before its end"}},
	}
	for _, tt := range tests {
		got := failedAskJSON(app.File{}, "q", tt.ans, tt.arrived, tt.err, func(in *app.Interaction) *app.Interaction { return in })
		if diff := cmp.Diff(tt.want, got.Interaction); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
		if tt.ans != nil && got.Turn != tt.ans.Turn {
			t.Errorf("%s: turn %d", tt.name, got.Turn)
		}
	}
}
