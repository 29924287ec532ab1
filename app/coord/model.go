package coord

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
)

// errLater is resolveModel's answer for a target that does not list the
// configuration's model (Target.Wanted): it is tried after the others, on
// its own default model (run.late).
var errLater = errors.New("coord: tried after the targets that have the configured model")

// errNotListed is in the chain of resolveModel's error for a target whose
// model list answered without the model a request named, when the request
// is not pinned to it: only targets that list the model are asked, so it
// is left out of the route (leftOut) rather than recorded as an attempt.
var errNotListed = errors.New("coord: the provider does not list the model named")

// leftOut reports whether err leaves its target out of the request
// (errNotListed), and keeps it as the run's last error only if there is
// none yet: a failure of a target that lists the model says more.
func (r *run) leftOut(err error) bool {
	if !errors.Is(err, errNotListed) {
		return false
	}
	r.lacked++
	if r.lastErr == nil {
		r.failed(err)
	}
	return true
}

// failure is the one error a failed request (or Plan) reports: userError's,
// except that when targets were left out for not listing the model named
// and one that lists it could not take the request, it is the model's
// failure — "model "m" is on b, which could not take the request: …; the
// other providers do not have it (they have …)" — whatever the order they
// were tried in. Left out, those targets no longer break a route of
// unreachable ones (userError's "no LLM provider reachable"), which would
// hide that the others lack the model.
func (r *run) failure(ctx context.Context) error {
	var ue *usererr.Error
	if r.lacked > 0 && ctx.Err() == nil && !r.streamed && r.lastErr != nil && !errors.As(r.lastErr, &ue) {
		if r.couldNotServe() != "" {
			return r.modelNotFound(r.lastErr)
		}
		if msg := r.onlyUnlisted(); msg != "" {
			return usererr.Wrap(r.lastErr, "%s", msg)
		}
	}
	return r.userError(ctx)
}

// resolveModel picks the model to ask t for.
func (r *run) resolveModel(ctx context.Context, t *target) (string, error) {
	switch {
	case r.req.Model != "":
		// The model named is checked against the provider's list (cached),
		// pinned to the provider or not: one it lacks is reported with the
		// list, and one that does not chat (an embedding model) refused,
		// before anything is sent.
		names, err := t.listModels(ctx, r.c)
		if err != nil {
			if r.req.Provider != "" && ctx.Err() == nil {
				// Pinned: the provider is asked all the same, as the list
				// may be what is broken (a gateway without one); its
				// answer says whether it serves the model.
				return t.listedName(r.req.Model), nil
			}
			// Not known to have the model, nor to lack it: if it is the
			// only one that may, the failure says so (onlyUnlisted).
			r.noList = append(r.noList, t.name)
			return r.req.Model, err
		}
		m, ok := serves(names, r.req.Model)
		if !ok {
			// A model pulled since the list was made (the TUI's picker,
			// which lists afresh, offered it): the list is made again,
			// once, unless it is younger than catalogErrTTL.
			if again, ok2 := t.listAgain(ctx, r.c); ok2 {
				names = again
				m, ok = serves(names, r.req.Model)
			}
		}
		if !ok {
			chat := t.chatModels(names)
			r.notFound = append(r.notFound, chat...)
			err := &providers.Error{Provider: t.name, Kind: providers.KindNotFound,
				Message: fmt.Sprintf("model %q not served", r.req.Model), Models: chat}
			if r.req.Provider == "" {
				// Its list answered, without the model: it is not asked.
				return r.req.Model, fmt.Errorf("%w: %w", errNotListed, err)
			}
			return r.req.Model, err
		}
		if !t.chats(m) {
			chat := t.chatModels(names)
			r.notFound = append(r.notFound, chat...)
			r.noChat = append(r.noChat, fmt.Sprintf("model %q of %s does not chat (it is listed as an embedding or other model)", m, t.name))
			return m, &providers.Error{Provider: t.name, Kind: providers.KindNotFound, Models: chat,
				Message: fmt.Sprintf("model %q does not chat (it is listed as an embedding or other model)", m)}
		}
		return m, nil
	case t.Model != "":
		// No listing is needed, but a server whose listing found it
		// silent (one made for a lookup before the request: Models) is
		// held as out of reach, as it would be for a request that lists.
		// A request pinned to it asks it all the same, as when its list
		// fails (above).
		if err := t.heldListing(ctx, r.c); err != nil && r.req.Provider == "" {
			return t.listedName(t.Model), err
		}
		return t.listedName(t.Model), nil
	}
	names, err := t.listModels(ctx, r.c)
	if err != nil {
		return "", err
	}
	if t.Wanted != "" {
		if m, ok := serves(names, t.Wanted); ok && t.chats(m) {
			return m, nil
		}
		if !r.late && t.name != r.c.cfg.Preferred {
			return "", errLater
		}
	}
	if len(names) == 0 {
		return "", &providers.Error{Provider: t.name, Kind: providers.KindNotFound,
			Message: fmt.Sprintf("%s at %s has no models; install one (for Ollama: ollama pull NAME) or pass --model", t.name, t.Provider.Endpoint())}
	}
	if !t.chats(names[0]) {
		return "", &providers.Error{Provider: t.name, Kind: providers.KindNotFound, Models: names,
			Message: fmt.Sprintf("%s at %s has no chat model, only %s; install one (for Ollama: ollama pull NAME) or pass --model",
				t.name, t.Provider.Endpoint(), strings.Join(names[:min(len(names), 5)], ", "))}
	}
	return names[0], nil
}

// modelNamer is a provider whose server takes a model under several names
// but lists it under one (Ollama: "tiny" is "tiny:latest").
type modelNamer interface {
	// ModelName is the name the server lists model under.
	ModelName(model string) string
}

// listedName is model as t's provider lists it. A request is recorded
// under the name it was resolved to, and one naming a model goes through
// the list (serves), one taking the configured default does not: without
// this, usage and history would split one model into two rows by how it
// was chosen.
func (t *target) listedName(model string) string {
	if n, ok := t.Provider.(modelNamer); ok && model != "" {
		return n.ModelName(model)
	}
	return model
}

// serves reports whether the provider lists model, and returns the name to
// ask for. It accepts Ollama's implicit ":latest" tag and returns the name
// it lists: "tiny" asked for is recorded as "tiny:latest", as a request
// that names no model records it, so that usage and history show one
// model, not two. It accepts an alias of a dated model ID the provider
// lists, which the API resolves itself but does not list (Anthropic's
// "claude-sonnet-4-5" for "claude-sonnet-4-5-20250929", its
// "claude-3-5-sonnet-latest"; OpenAI's "gpt-4o" for "gpt-4o-2024-08-06"),
// and returns it as asked: the provider answers with the ID it chose.
func serves(names []string, model string) (string, bool) {
	for _, n := range names {
		if n == model || n == model+":latest" {
			return n, true
		}
	}
	base := strings.TrimSuffix(model, "-latest")
	for _, n := range names {
		if rest, ok := strings.CutPrefix(n, base+"-"); ok && isDate(rest) {
			return model, true
		}
	}
	return "", false
}

// isDate reports whether s is the date that ends a dated model ID:
// 20250929 (Anthropic) or 2024-08-06 (OpenAI).
func isDate(s string) bool {
	digits := strings.ReplaceAll(s, "-", "")
	if len(digits) != 8 || len(s) != 8 && (len(s) != 10 || s[4] != '-' || s[7] != '-') {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// chatModels returns those of names, of t's catalog, that chat.
func (t *target) chatModels(names []string) []string {
	t.catalogM.Lock()
	defer t.catalogM.Unlock()
	var out []string
	for _, n := range names {
		if !t.noChat[n] {
			out = append(out, n)
		}
	}
	return out
}
