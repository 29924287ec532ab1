package cli

import (
	"fmt"

	"github.com/aiex-dev/aiex/app"
)

// costText is a cost as every view shows it: what is known, marked "+?"
// when part of it is unknown (requests of a model no price was known for),
// as usage marks its rows.
func costText(usd float64, unknown bool) string {
	s := fmt.Sprintf("$%.4f", usd)
	if unknown {
		s += "+?"
	}
	return s
}

// interactionJSON is an interaction as history --json prints it, and as
// ask and explain --json print theirs: the record, and whether its cost is
// unknown (cost_usd then leaves part of it out; see
// app.InteractionCostUnknown). f is the configuration that judges a
// request recorded before that was recorded.
type interactionJSON struct {
	app.Interaction
	CostUnknown bool `json:"cost_unknown"`
}

// newInteractionJSON is in as history --json prints it.
func newInteractionJSON(f app.File, in *app.Interaction) interactionJSON {
	return interactionJSON{*in, app.InteractionCostUnknown(f, in)}
}
