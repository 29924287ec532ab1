package cli

import (
	"fmt"
	"sort"
	"text/tabwriter"

	"github.com/aiex-dev/aiex/app"
)

// ModelsCmd lists every model of every provider.
type ModelsCmd struct{}

// Run prints the table or, with --json, an array.
func (m *ModelsCmd) Run(c *Context) error {
	core, err := c.App()
	if err != nil {
		return err
	}
	models, errs, err := core.Models(c)
	if err != nil {
		return err
	}
	if models == nil {
		models = []app.ModelInfo{}
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(struct {
			Models []app.ModelInfo   `json:"models"`
			Errors map[string]string `json:"errors"`
		}{models, errs})
	}
	tw := tabwriter.NewWriter(c.Out.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, c.Out.Bold("PROVIDER\tMODEL\tCONTEXT\tWHERE\tPRICE IN/OUT PER 1M"))
	for _, mi := range models {
		where, price := "cloud", "unknown"
		switch {
		case mi.Node != "":
			where = "node " + mi.Node
		case mi.Local:
			where = "local"
		}
		if mi.Price != nil {
			price = fmt.Sprintf("$%.2f / $%.2f", mi.Price.Input, mi.Price.Output)
		}
		window := "-"
		if mi.ContextWindow > 0 {
			window = fmt.Sprintf("%d", mi.ContextWindow)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", mi.Provider, mi.Model, window, where, price)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	names := make([]string, 0, len(errs))
	for n := range errs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(c.Out.Err, "aiex: %s unreachable: %s\n", n, errs[n])
	}
	return nil
}
