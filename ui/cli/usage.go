package cli

import (
	"fmt"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/english"
	"github.com/aiex-dev/aiex/app/node"
)

// UsageCmd sums tokens and cost by day, provider and model.
type UsageCmd struct {
	Days int `default:"30" min:"1" help:"How many days back to cover (today included)."`
}

// Run prints the table or, with --json, an array.
func (u *UsageCmd) Run(c *Context) error {
	now := time.Now().UTC()
	since := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -(u.Days - 1))
	rows, err := viaNode(c, func(cl *node.Client) ([]app.UsageRow, error) { return cl.Usage(c, since) },
		func(core *app.App) ([]app.UsageRow, error) { return core.Usage(c, since) })
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []app.UsageRow{}
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(rows)
	}
	if len(rows) == 0 {
		period := "day"
		if u.Days != 1 {
			period = english.Count(u.Days, "day")
		}
		_, err := fmt.Fprintf(c.Out.Out, "No requests in the last %s.\n", period)
		return err
	}
	tw := newTable(c.Out.Out)
	fmt.Fprintln(tw, c.Out.Bold("DAY\tPROVIDER\tMODEL\tREQUESTS\tERRORS\tTOKENS IN\tTOKENS OUT\tCOST"))
	var sum app.UsageRow
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t$%.4f\n", r.Day, r.Provider, r.Model, r.Requests, r.Errors,
			r.PromptTokens, r.CompletionTokens, r.CostUSD)
		sum.Requests += r.Requests
		sum.Errors += r.Errors
		sum.PromptTokens += r.PromptTokens
		sum.CompletionTokens += r.CompletionTokens
		sum.CostUSD += r.CostUSD
	}
	fmt.Fprintf(tw, "%s\t\t\t%d\t%d\t%d\t%d\t$%.4f\n", c.Out.Bold("total"), sum.Requests, sum.Errors,
		sum.PromptTokens, sum.CompletionTokens, sum.CostUSD)
	return tw.Flush()
}
