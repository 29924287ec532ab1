package cli

import (
	"fmt"
	"strings"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/usererr"
)

// dryAsk builds the prompt answer would send for req and prints it as aiex
// context does (with --json, as aiex context --json --prompt does: the
// messages included), sending nothing and recording nothing. The prompt
// is built by the core's own path up to the point of sending
// (app.DryAsk), so what it shows is what ask sends.
func dryAsk(c *Context, strategyName string, req app.CodeAsk) error {
	req, err := inProject(strategyName, req)
	if err != nil {
		return err
	}
	type dry struct {
		b    *app.BuiltContext
		note string
	}
	d, err := viaNodeRead(c, func(cl *node.Client) (dry, error) {
		ar, err := nodeAsk(req)
		if err != nil {
			return dry{}, err
		}
		r, err := cl.Code(c, node.CodeRequest{Op: "dry-ask", Ask: &ar})
		if err != nil {
			if strings.Contains(err.Error(), `unknown code op "dry-ask"`) {
				return dry{}, usererr.New("the aiex node running on this data dir is older and cannot show a prompt without sending it; restart it with this aiex")
			}
			return dry{}, err
		}
		return dry{r.Context, r.Note}, nil
	}, func(core *app.App) (dry, error) {
		b, note, err := core.DryAsk(c, req)
		return dry{b, note}, err
	})
	if err != nil {
		return err
	}
	if d.note != "" {
		fmt.Fprintf(c.Out.Err, "aiex: note: %s\n", textLine(d.note))
	}
	if c.Out.JSON {
		// The messages are what a dry run is for when no code goes with
		// the question: context --prompt needs a target to show them.
		return printContextPrompt(c, d.b)
	}
	return printContext(c, req.Project, d.b)
}
