package cli

import (
	"fmt"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/english"
	"github.com/aiex-dev/aiex/app/node"
)

// usageJSON is a row of usage --json: every row has every field, uncharged
// too when it is 0 (the stored row leaves it out then). CostUnknown says,
// as history and sessions do, that cost_usd leaves out what some of the
// row's requests cost (Unpriced of them).
type usageJSON struct {
	app.UsageRow
	Uncharged   int  `json:"uncharged"`
	CostUnknown bool `json:"cost_unknown"`
}

// UsageCmd sums tokens and cost by day, provider, model and kind.
type UsageCmd struct {
	Days int `default:"30" min:"1" help:"How many days back to cover (today included). Days are UTC days, as the daily spend cap's, while history shows local time."`
}

// Run prints the table or, with --json, an array.
//
// Days are UTC days: the daily spend cap (app/coord) resets at midnight
// UTC, and a day of usage is what that cap counts. The table's header says
// so, as history shows times in local time.
func (u *UsageCmd) Run(c *Context) error {
	cfg, err := c.appConfig()
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	// More days than there are since 1970 ask for everything recorded (no
	// request is older): they are capped there, since AddDate would wrap
	// around a number that large to a date in the future, and show none.
	since := time.Unix(0, 0).UTC()
	if epochDays := int(today.Sub(since) / (24 * time.Hour)); u.Days <= epochDays {
		since = today.AddDate(0, 0, -(u.Days - 1))
	}
	rows, err := viaNodeRead(c, func(cl *node.Client) ([]app.UsageRow, error) { return cl.Usage(c, since) },
		func(core *app.App) ([]app.UsageRow, error) { return core.Usage(c, since) })
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []app.UsageRow{}
	}
	// The store cannot tell a free request from one of unknown price;
	// the configuration can (app.CostUnknown).
	app.MarkUnpriced(cfg.File, rows)
	if c.Out.JSON {
		out := make([]usageJSON, len(rows))
		for i, r := range rows {
			out[i] = usageJSON{r, r.Uncharged, r.Unpriced > 0}
		}
		return c.Out.PrintJSON(out)
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
	// KIND tells a provider's embedding requests (aiex index, search)
	// from its chats: their tokens are all input, and a model may do both.
	fmt.Fprintln(tw, c.Out.Bold("DAY (UTC)\tPROVIDER\tMODEL\tKIND\tREQUESTS\tERRORS\tTOKENS IN\tTOKENS OUT\tCOST"))
	var sum app.UsageRow
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", r.Day, orDash(r.Provider), r.Model, r.Kind, r.Requests, r.Errors,
			r.PromptTokens, r.CompletionTokens, costText(r.CostUSD, r.Unpriced > 0))
		sum.Requests += r.Requests
		sum.Errors += r.Errors
		sum.PromptTokens += r.PromptTokens
		sum.CompletionTokens += r.CompletionTokens
		sum.CostUSD += r.CostUSD
		sum.Unpriced += r.Unpriced
	}
	fmt.Fprintf(tw, "%s\t\t\t\t%d\t%d\t%d\t%d\t%s\n", c.Out.Bold("total"), sum.Requests, sum.Errors,
		sum.PromptTokens, sum.CompletionTokens, costText(sum.CostUSD, sum.Unpriced > 0))
	if err := tw.Flush(); err != nil {
		return err
	}
	if sum.Unpriced > 0 {
		verb := "are"
		if sum.Unpriced == 1 {
			verb = "is"
		}
		// A request's cost is recorded when it is made: a price given
		// later does not change it, so the note does not suggest so.
		_, err := fmt.Fprintf(c.Out.Out, "+? %s of unknown price %s not in the cost; for later requests, give a model its price in the config: [prices.\"PROVIDER/MODEL\"] input and output, USD per 1M tokens\n",
			english.Count(sum.Unpriced, "request"), verb)
		return err
	}
	return nil
}

// orDash shows an empty cell as "-": a request that reached no provider
// is recorded under none.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
