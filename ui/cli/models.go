package cli

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
)

// ModelsCmd lists every model of every provider.
type ModelsCmd struct{}

// Run prints the table or, with --json, an array.
func (m *ModelsCmd) Run(c *Context) error {
	models, errs, err := m.models(c)
	if err != nil {
		return err
	}
	if err := c.Err(); err != nil {
		return err // Ctrl-C: see ProvidersCmd.Run
	}
	if models == nil {
		models = []app.ModelInfo{}
	}
	if err := warnIgnoredPrices(c, models); err != nil {
		return err
	}
	names := make([]string, 0, len(errs))
	for n := range errs {
		names = append(names, n)
	}
	sort.Strings(names)
	said := make([]string, len(names))
	for i, n := range names {
		// A provider's error names it ("an: auth: no API key …").
		said[i] = session.Printable(errs[n])
		if !strings.HasPrefix(said[i], n+": ") {
			said[i] = n + ": " + said[i]
		}
	}
	// With no model listed and providers failing, the command failed:
	// exit 1, with what the providers said in its one line.
	none := len(models) == 0 && len(errs) > 0
	noneErr := usererr.New("%s; no provider listed any model; start one or fix its configuration (aiex providers shows each)",
		strings.Join(said, "; "))
	if c.Out.JSON {
		if err := c.Out.PrintJSON(struct {
			Models []app.ModelInfo   `json:"models"`
			Errors map[string]string `json:"errors"`
		}{models, errs}); err != nil || !none {
			return err
		}
		return noneErr
	}
	tw := newTable(c.Out.Out)
	if none {
		tw = newTable(io.Discard)
	}
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
		name := mi.Model
		if mi.NoChat {
			name += " (no chat)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", mi.Provider, name, window, where, price)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if none {
		return noneErr
	}
	for _, msg := range said {
		fmt.Fprintf(c.Out.Err, "aiex: %s\n", msg)
	}
	return nil
}

// models asks the node running on the data dir (which knows the other
// nodes' models) or, without one, this process's own providers.
func (m *ModelsCmd) models(c *Context) ([]app.ModelInfo, map[string]string, error) {
	cfg, err := c.appConfig()
	if err != nil {
		return nil, nil, err
	}
	cl, err := connect(c, cfg.DataDir)
	switch {
	case err == nil:
		mr, err := cl.Models(c)
		if err != nil {
			return nil, nil, err
		}
		return mr.Models, mr.Errors, nil
	case !errors.Is(err, node.ErrNoNode):
		return nil, nil, err
	}
	core, err := c.App()
	if err != nil {
		return nil, nil, err
	}
	return core.Models(c)
}

// warnIgnoredPrices says, on stderr, which prices of the config have no
// effect because they price local models, which are never charged (see
// app.IgnoredPrices): the table shows those models at $0.00 whatever the
// config says.
func warnIgnoredPrices(c *Context, models []app.ModelInfo) error {
	cfg, err := c.appConfig()
	if err != nil {
		return err
	}
	for _, key := range app.IgnoredPrices(cfg.File, models) {
		fmt.Fprintf(c.Out.Err, "aiex: warning: [prices.%q] in the config is ignored: local models are never charged\n", key)
	}
	return nil
}
