package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/english"
	"github.com/aiex-dev/aiex/app/node"
)

// StatusCmd shows the data dir, the store and the providers.
type StatusCmd struct{}

// Run prints the report.
func (s *StatusCmd) Run(c *Context) error {
	r, err := viaNodeRead(c, func(cl *node.Client) (*app.StatusReport, error) { return cl.Report(c) },
		func(core *app.App) (*app.StatusReport, error) {
			r, err := core.Status(c)
			return &r, err
		})
	if err != nil {
		return err
	}
	if err := c.Err(); err != nil {
		return err // Ctrl-C: see ProvidersCmd.Run
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(r)
	}
	now := time.Now()
	tw := newTable(c.Out.Out)
	fmt.Fprintf(tw, "%s\t%s\n", c.Out.Bold("Data dir"), r.DataDir)
	fmt.Fprintf(tw, "%s\tnode %s (%s), leader %s, applied index %d, schema v%d\n", c.Out.Bold("Store"),
		r.Store.NodeID, r.Store.State, r.Store.Leader, r.Store.AppliedIndex, r.SchemaVersion)
	for i, p := range r.Providers {
		label := ""
		if i == 0 {
			label = c.Out.Bold("Providers")
		}
		state := c.Out.Green("reachable")
		detail := english.Count(len(p.Models), "model")
		if len(p.Models) > 0 {
			detail += ": " + strings.Join(p.Models, ", ")
		}
		if !p.Reachable {
			state, detail = c.Out.Red(unreachable(p)), statusDetail(p)
		}
		fmt.Fprintf(tw, "%s\t%s (%s) %s\t%s\t%s\n", label, p.Name, p.Kind, p.Endpoint, state, detail)
		for _, b := range p.Breakers {
			// Its models listed, its chats failing: said under it.
			if b.Breaker != "closed" {
				fmt.Fprintf(tw, "\t\t%s\t%s\n", c.Out.Red("breaker "+b.Breaker), "for "+b.Model+" "+breakerWhy(b, now))
			}
		}
	}
	return tw.Flush()
}

// statusDetail is why p did not list its models, as its line says it after
// its name, kind, address and state: without the name and kind its error
// begins with ("srv: unavailable: …"), nor the address the line has named
// ("cannot reach Ollama at URL: …" is "cannot reach Ollama: …", "HTTP 500
// from URL: …" is "HTTP 500: …").
func statusDetail(p app.ProviderStatus) string {
	msg := strings.TrimPrefix(p.Error, p.Name+": ")
	if p.ErrorKind != "" {
		msg = strings.TrimPrefix(msg, p.ErrorKind+": ")
	}
	if p.Endpoint != "" {
		for _, by := range []string{" at ", " from "} {
			msg = strings.ReplaceAll(msg, by+p.Endpoint, "")
		}
	}
	return msg
}
