package backend

import (
	"context"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/ui/tui"
)

// planner keeps, for the status bar, the model a question without a model
// picked would go to now: node.Planner (as a node keeps it for its
// clients' status), planned again when the model list changes and after
// a question was sent.
type planner struct {
	node.Planner
}

// fill sets s's Provider, Model and ModelNode to the planned model; a plan
// that fails leaves them empty: the status is still worth showing.
func (p *planner) fill(ctx context.Context, c *coord.Coordinator, s *tui.Status) {
	next := p.Next(ctx, c)
	s.Provider, s.Model, s.ModelNode = next.Provider, next.Model, next.Node
}

// stale makes the next status plan again: a question was sent.
func (p *planner) stale() { p.Stale() }

// models notes the model list as listed now.
func (p *planner) models(ms []tui.ModelInfo) { p.Note(modelsKey(ms)) }

// modelsKey names a model list, in any order, as one string.
func modelsKey(ms []tui.ModelInfo) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.Node + "\x00" + m.Provider + "\x00" + m.Model
	}
	slices.Sort(names)
	return strings.Join(names, "\n")
}
