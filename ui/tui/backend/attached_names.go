package backend

import (
	"context"
	"errors"
	"strings"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/ui/tui"
)

// The models an attached TUI lists and picks are the node attached to's,
// named as that node names them: its own providers plainly ("alpha"),
// other nodes' as NODE/PROVIDER in its labels ("laptop/mine"). The node
// on the data dir, which builds a question's context and runs the tasks,
// names the same providers its own way: the node attached to's local ones
// under its label for that node ("gpu/alpha"), its own plainly ("mine").
// A node's cloud providers are not shared with the others (each node
// publishes only the models its local servers host: an API key and the
// spending on it stay with their node), so the node attached to's cloud
// models have no name here at all.

// errNotHere is a model of the node attached to's cloud providers: the
// node on the data dir cannot use it, only the node attached to can.
var errNotHere = errors.New("a cloud model of the node attached to")

// pickModel is the model of the node attached to's list that a request
// naming provider and model goes to; with none named, the one it would
// plan (its first local model, else what its plan names, which is a
// cloud model when it has no local one). It is nil when the list has no
// such model.
func (a *attached) pickModel(ctx context.Context, ms []app.ModelInfo, provider, model string) *app.ModelInfo {
	if model != "" {
		for i, m := range ms {
			if m.Model == model && (provider == "" || m.Provider == provider) {
				return &ms[i]
			}
		}
		return nil
	}
	for i, m := range ms {
		if m.Local && m.Node == "" {
			return &ms[i]
		}
	}
	// No local model there: a question goes where its plan says. Its
	// context must be fitted to that model too, not left out.
	cs, err := a.via.StatusWithPlan(ctx)
	if err != nil || cs.Model == "" {
		return nil
	}
	for i, m := range ms {
		if m.Model == cs.Model && m.Provider == cs.Provider {
			return &ms[i]
		}
	}
	return nil
}

// localProvider is the name the node on the data dir gives m's provider,
// m being a model of the node attached to's list; errNotHere when it has
// none (a cloud model of the node attached to).
func (a *attached) localProvider(ctx context.Context, m app.ModelInfo) (string, error) {
	if m.Node == "" {
		if !m.Local {
			return "", errNotHere
		}
		label, err := a.nodeLabel(ctx)
		if err != nil {
			return "", err
		}
		return label + "/" + m.Provider, nil
	}
	// Another node's provider, under the node attached to's label for
	// that node (its name, or its ID): the node on the data dir itself,
	// whose provider has its plain name here, or a third node, which the
	// node on the data dir labels its own way.
	provider := strings.TrimPrefix(m.Provider, m.Node+"/")
	cs, err := a.local.cl.Status(ctx)
	if err != nil {
		return "", err
	}
	id, name := m.Node, m.Node
	for _, nd := range cs.Nodes {
		if nd.ID == m.Node || nd.Name == m.Node {
			id, name = nd.ID, nd.Name
			break
		}
	}
	if id == cs.Self {
		return provider, nil
	}
	mr, err := a.local.cl.Models(ctx)
	if err != nil {
		return "", err
	}
	for _, lm := range mr.Models {
		if (lm.Node == id || lm.Node == name) && lm.Provider == lm.Node+"/"+provider {
			return lm.Provider, nil
		}
	}
	return "", usererr.New("this node does not list node %s's models yet; ask again in a moment "+
		"(aiex models lists them once node %s's heartbeat carried them)", m.Node, m.Node)
}

// nodeLabel is the name the node on the data dir gives the node attached
// to in its targets' names (NODE/PROVIDER): the node's name, or its ID
// when another node has the same name. It is read from that node's own
// model list, where the attached node's models are listed under it, and
// kept until that node no longer knows the provider by it.
func (a *attached) nodeLabel(ctx context.Context) (string, error) {
	a.mu.Lock()
	label := a.label
	a.mu.Unlock()
	if label != "" {
		return label, nil
	}
	info, err := a.local.cl.Attach(ctx, a.name)
	if err != nil {
		return "", err
	}
	mr, err := a.local.cl.Models(ctx)
	if err != nil {
		return "", err
	}
	for _, m := range mr.Models {
		if m.Node != "" && (m.Node == info.ID || m.Node == info.Name) && strings.HasPrefix(m.Provider, m.Node+"/") {
			label = m.Node
			break
		}
	}
	if label == "" {
		return "", usererr.New("this node does not list node %s's models yet, so the project's code cannot be fitted to them; "+
			"ask again in a moment (aiex models lists them once node %s's heartbeat carried them)", a.name, a.name)
	}
	a.mu.Lock()
	a.label = label
	a.mu.Unlock()
	return label, nil
}

// forgetLabel drops the node's label: a node of the same name joining
// the cluster changes it to the ID.
func (a *attached) forgetLabel() {
	a.mu.Lock()
	a.label = ""
	a.mu.Unlock()
}

// taskModel names the model picked for a task (tasks run on the node on
// the data dir) as that node knows it. A cloud model of the node attached
// to cannot run one: the node on the data dir has no access to it.
func (a *attached) taskModel(ctx context.Context, req tui.TaskRequest) (tui.TaskRequest, error) {
	if req.Model == "" {
		return req, nil // the node on the data dir plans it
	}
	mr, err := a.via.Models(ctx)
	if err != nil {
		return req, err
	}
	pick := a.pickModel(ctx, mr.Models, req.Provider, req.Model)
	if pick == nil {
		// Not one of its models (AIEX_MODEL may name one of this node's
		// cloud models): the node on the data dir may know it, or says it
		// does not.
		return req, nil
	}
	provider, err := a.localProvider(ctx, *pick)
	if errors.Is(err, errNotHere) {
		return req, usererr.New("%s is node %s's cloud model, which tasks cannot use: they run on this node, and a node's cloud providers "+
			"are its own; pick a local model with /model", modelLabel(pick.Provider, pick.Model), a.name)
	}
	if err != nil {
		return req, err
	}
	req.Provider, req.Model = provider, pick.Model
	return req, nil
}

// modelLabel is PROVIDER/MODEL, or MODEL alone.
func modelLabel(provider, model string) string {
	if provider == "" {
		return model
	}
	return provider + "/" + model
}
