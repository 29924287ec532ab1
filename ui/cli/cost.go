package cli

import (
	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/providers/pricing"
)

// costText is a cost as every view shows it (pricing.Text): "+?" when
// part of it is unknown, as usage marks its rows; "<$0.0001" for a paid
// amount four decimals would show as free.
func costText(usd float64, unknown bool) string { return pricing.Text(usd, unknown) }

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
