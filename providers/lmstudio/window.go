package lmstudio

import (
	"context"
	"encoding/json"
	"net/http"
)

// DefaultLoadContext is the context length LM Studio loads a model with
// unless its load settings say otherwise: a model loaded just in time for a
// request gets the default load settings, which the user may have changed
// but the API does not expose.
const DefaultLoadContext = 4096

// restModel is a model as GET /api/v1/models describes it.
type restModel struct {
	Key             string `json:"key"`
	LoadedInstances []struct {
		ID     string `json:"id"`
		Config struct {
			ContextLength int `json:"context_length"`
		} `json:"config"`
	} `json:"loaded_instances"`
	MaxContextLength int `json:"max_context_length"`
}

// PromptWindow returns the context window a prompt to model must fit: the
// context length the loaded model runs with (GET /api/v1/models, LM Studio
// 0.4 and later; the smallest of its instances if it is loaded more than
// once), else the smaller of its maximum context length and
// DefaultLoadContext, which LM Studio loads it with when a request needs
// it. A server with only the v0 API (LM Studio 0.3.x) does not say what a
// loaded model runs with, so the same bound applies to the maximum from
// ContextWindow. It is 0, with no error, when the server has no native API
// and so says nothing. It errs small where the server does not say, since
// a prompt over the window is cut by LM Studio without a word. A model the
// server does not have is KindNotFound, as from ContextWindow.
func (p *Provider) PromptWindow(ctx context.Context, model string) (int, error) {
	status, header, body, err := p.getNative(ctx, apiV1, "models")
	if err != nil {
		return 0, p.requestError(ctx, "show "+model, err)
	}
	switch {
	case status == http.StatusNotFound || noNativeAPI(status, body):
		return p.boundedWindow(ctx, model)
	case status != http.StatusOK:
		return 0, p.scrub(nativeError(p.name, p.endpoint, status, header, body))
	}
	var list struct {
		Models []restModel `json:"models"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return 0, p.unexpected(err)
	}
	if n, ok := restWindow(list.Models, model); ok {
		return n, nil
	}
	// The v0 API may know the model by a name the v1 list does not use;
	// if not, ContextWindow says which models there are.
	return p.boundedWindow(ctx, model)
}

// restWindow returns the window of model in the v1 model list, and whether
// the list has the model: the smallest context length of the instances
// model names (a loaded instance, or every instance of the model with that
// key), else the smaller of the model's maximum and DefaultLoadContext.
func restWindow(ms []restModel, model string) (int, bool) {
	loaded, found, limit := 0, false, 0
	for _, m := range ms {
		if m.Key == model {
			found = true
			if m.MaxContextLength > 0 && (limit == 0 || m.MaxContextLength < limit) {
				limit = m.MaxContextLength
			}
		}
		for _, in := range m.LoadedInstances {
			n := in.Config.ContextLength
			if (m.Key == model || in.ID == model) && n > 0 && (loaded == 0 || n < loaded) {
				loaded, found = n, true
			}
		}
	}
	switch {
	case loaded > 0:
		return loaded, true
	case !found:
		return 0, false
	case limit > 0 && limit < DefaultLoadContext:
		return limit, true
	}
	return DefaultLoadContext, true
}

// boundedWindow is the window of model where the v1 API does not say: the
// smaller of ContextWindow and DefaultLoadContext, or 0 when ContextWindow
// does not know (no native API). ContextWindow's error, KindNotFound for a
// model the server does not have, is passed on.
func (p *Provider) boundedWindow(ctx context.Context, model string) (int, error) {
	n, err := p.ContextWindow(ctx, model)
	if err != nil || n <= 0 {
		return 0, err
	}
	return min(n, DefaultLoadContext), nil
}
