package cli

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
)

// HistoryCmd lists recorded interactions.
type HistoryCmd struct {
	Limit int `short:"n" default:"20" help:"How many of the most recent interactions to show (0 for all)."`
}

// Run prints the table or, with --json, an array.
func (h *HistoryCmd) Run(c *Context) error {
	if h.Limit < 0 {
		return usererr.Usage("--limit must be 0 (all) or more, not %d", h.Limit)
	}
	cfg, err := c.appConfig()
	if err != nil {
		return err
	}
	rows, err := viaNodeRead(c, func(cl *node.Client) ([]app.Interaction, error) { return cl.History(c, h.Limit) },
		func(core *app.App) ([]app.Interaction, error) { return core.History(c, h.Limit) })
	if err != nil {
		return err
	}
	// Whether a cost is unknown is as recorded; a request recorded before
	// that was is judged by the configuration (app.InteractionCostUnknown).
	out := make([]interactionJSON, len(rows))
	for i := range rows {
		out[i] = newInteractionJSON(cfg.File, &rows[i])
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(out)
	}
	if len(rows) == 0 {
		_, err := fmt.Fprintln(c.Out.Out, "No interactions recorded yet; try: aiex ask \"hello\"")
		return err
	}
	tw := newTable(c.Out.Out)
	fmt.Fprintln(tw, c.Out.Bold("TIME\tPROVIDER\tMODEL\tSTATUS\tTOKENS\tCOST\tTTFT\tTOTAL\tPROMPT"))
	for i, r := range rows {
		status := r.Status
		switch status {
		case "ok":
			status = c.Out.Green(status)
		case "error", "interrupted", "cancelled":
			status = c.Out.Red(status)
		}
		cost := costText(r.CostUSD, out[i].CostUnknown)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d→%d\t%s\t%s\t%s\t%s\n",
			r.StartedAt.Local().Format("2006-01-02 15:04:05"), orDash(r.Provider), r.Model, status,
			r.PromptTokens, r.CompletionTokens, cost, fmtMillis(r.TTFTMillis), fmtMillis(r.TotalMillis),
			oneLine(r.Prompt, 40))
	}
	return tw.Flush()
}

// oneLine squeezes s, text from elsewhere (a prompt, a label), onto one
// line of at most n runes that a terminal shows as it is (see
// session.Printable).
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(session.Printable(s)), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
