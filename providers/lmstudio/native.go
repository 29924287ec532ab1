package lmstudio

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/providers"
)

// nativeModel is a model as GET /api/v0/models describes it.
type nativeModel struct {
	ID               string `json:"id"`
	Type             string `json:"type"` // "llm", "vlm", "embeddings"
	State            string `json:"state"`
	MaxContextLength int    `json:"max_context_length"`
}

// Models lists the models LM Studio has downloaded, from its native API:
// Loaded from their state, ContextWindow the window a prompt to each must
// fit, as PromptWindow says (what a node publishes for its peers, which
// size their prompts by it), all Local; loaded chat models first,
// embedding models last (see toModels). Without the native API it lists
// /v1/models, which says neither, in the server's order.
func (p *Provider) Models(ctx context.Context) ([]providers.Model, error) {
	ms, native, err := p.nativeModels(ctx)
	if err != nil || !native {
		return ms, err
	}
	p.promptWindows(ctx, ms)
	return ms, nil
}

// promptWindows replaces each model's maximum context length in ms by the
// window a prompt to it must fit: from the v1 list (the context length of
// a loaded instance), else the maximum bounded by DefaultLoadContext, as
// PromptWindow does. A server without the v1 list, or failing to give it,
// gets the bound: the listing stands, erring small.
func (p *Provider) promptWindows(ctx context.Context, ms []providers.Model) {
	var list struct {
		Models []restModel `json:"models"`
	}
	if status, _, body, err := p.getNative(ctx, apiV1, "models"); err == nil && status == http.StatusOK && !noNativeAPI(status, body) {
		if json.Unmarshal(body, &list) != nil {
			list.Models = nil
		}
	}
	for i, m := range ms {
		if m.NoChat {
			continue // an embedding model's input is one text, within its maximum
		}
		if n, ok := restWindow(list.Models, m.Name); ok {
			ms[i].ContextWindow = n
		} else if m.ContextWindow > 0 {
			ms[i].ContextWindow = min(m.ContextWindow, DefaultLoadContext)
		}
	}
}

// nativeModels is Models with each model's maximum context length, and
// whether the list came from the native API.
func (p *Provider) nativeModels(ctx context.Context) ([]providers.Model, bool, error) {
	status, header, body, err := p.getNative(ctx, apiV0, "models")
	if err != nil {
		return nil, false, p.requestError(ctx, "list models", err)
	}
	switch {
	case noNativeAPI(status, body):
		ms, err := p.api.Models(ctx)
		err = p.advise(err)
		for i := range ms {
			ms[i].Local = true // LM Studio runs its models itself, wherever it is
		}
		return ms, false, err
	case status != http.StatusOK:
		return nil, false, p.scrub(nativeError(p.name, p.endpoint, status, header, body))
	}
	var list struct {
		Data []nativeModel `json:"data"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, false, p.unexpected(err)
	}
	return toModels(list.Data), true, nil
}

// ContextWindow returns the maximum context length in tokens of model, from
// GET /api/v0/models/{model}; 0 when the server does not say (no native
// API). A model the server does not have is KindNotFound, listing the ones
// it has. LM Studio runs a model with a shorter context unless its load
// settings say otherwise: PromptWindow says what a prompt must fit.
func (p *Provider) ContextWindow(ctx context.Context, model string) (int, error) {
	status, header, body, err := p.getNative(ctx, apiV0, "models", model)
	if err != nil {
		return 0, p.requestError(ctx, "show "+model, err)
	}
	if status == http.StatusOK && !noNativeAPI(status, body) {
		var m nativeModel
		if err := json.Unmarshal(body, &m); err != nil {
			return 0, p.unexpected(err)
		}
		return m.MaxContextLength, nil
	}
	if status != http.StatusNotFound && !noNativeAPI(status, body) {
		return 0, p.scrub(nativeError(p.name, p.endpoint, status, header, body))
	}
	// Not found, or no native API: the list says which.
	ms, _, err := p.nativeModels(ctx)
	if err != nil {
		return 0, err
	}
	pe := &providers.Error{Provider: p.name, Kind: providers.KindNotFound, StatusCode: status}
	for _, m := range ms {
		if m.Name == model {
			return m.ContextWindow, nil
		}
		pe.Models = append(pe.Models, m.Name)
	}
	pe.Message = fmt.Sprintf("model %q not found; available: %s", model, strings.Join(pe.Models, ", "))
	if len(pe.Models) == 0 {
		pe.Message = fmt.Sprintf("model %q not found; no models downloaded", model)
	}
	return 0, p.scrub(pe)
}

// toModels converts the native model list, ordered so that the first
// model is the one to chat with when a request names none: loaded chat
// models first, then the other chat models (LM Studio would load one for
// the request), embedding models last (they cannot chat; LM Studio lists
// its bundled one first). Each group keeps the server's order.
func toModels(data []nativeModel) []providers.Model {
	ms := make([]providers.Model, 0, len(data))
	for _, m := range data {
		ms = append(ms, providers.Model{
			Name:          m.ID,
			ContextWindow: m.MaxContextLength,
			Local:         true,
			Loaded:        m.State == "loaded",
			NoChat:        m.Type == "embeddings",
		})
	}
	rank := make(map[string]int, len(data))
	for _, m := range data {
		switch {
		case m.Type == "embeddings":
			rank[m.ID] = 2
		case m.State != "loaded":
			rank[m.ID] = 1
		}
	}
	slices.SortStableFunc(ms, func(a, b providers.Model) int { return cmp.Compare(rank[a.Name], rank[b.Name]) })
	return ms
}

// maxNativeBody bounds how much of a native API answer is read.
const maxNativeBody = 16 << 20

// The versions of the native REST API: v0 since LM Studio 0.3.6, v1 since
// 0.4 (where v0 is deprecated but still served).
const (
	apiV0 = "api/v0"
	apiV1 = "api/v1"
)

// getNative GETs api (apiV0 or apiV1) followed by the path elements (each
// escaped) and returns the status, headers and body.
func (p *Provider) getNative(ctx context.Context, api string, elem ...string) (int, http.Header, []byte, error) {
	esc := make([]string, len(elem))
	for i, e := range elem {
		esc[i] = url.PathEscape(e) // model IDs have slashes: "qwen/qwen3-4b"
	}
	u := p.base.String() + "/" + api + "/" + strings.Join(esc, "/")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	if p.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+p.apiKey)
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxNativeBody))
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, resp.Header, body, nil
}

// noNativeAPI reports whether an answer from /api/v0 or /api/v1 says the
// server lacks that API: a 404 that is not LM Studio's JSON error, or LM
// Studio's 200 with {"error": "Unexpected endpoint or method. …"}
// (versions before 0.3.6 for v0, before 0.4 for v1).
func noNativeAPI(status int, body []byte) bool {
	var v struct {
		Error json.RawMessage `json:"error"`
		Data  json.RawMessage `json:"data"`
		ID    string          `json:"id"`
	}
	isJSON := json.Unmarshal(body, &v) == nil
	switch status {
	case http.StatusNotFound:
		return !isJSON || v.Error == nil
	case http.StatusOK:
		return isJSON && v.Error != nil && v.Data == nil && v.ID == ""
	}
	return false
}

// nativeError converts a failed native API answer, with the wait its
// Retry-After header asks for. An answer that is not LM Studio's JSON
// error (a proxy's page, plain text, nothing) is described by its status,
// endpoint, the server's address, and a note on who sent it and why.
func nativeError(provider, endpoint string, status int, header http.Header, body []byte) *providers.Error {
	msg, ok := errorMessage(body)
	pe := &providers.Error{Provider: provider, StatusCode: status, Message: msg,
		RetryAfter: providers.ParseRetryAfter(header.Get("Retry-After"), time.Now())}
	switch {
	case !ok:
		pe.Message = providers.ErrorAnswerMessage(fmt.Sprintf("%d %s", status, http.StatusText(status)), endpoint, providers.AnswerNote(header, body))
	case pe.Message == "":
		pe.Message = fmt.Sprintf("%d %s", status, http.StatusText(status))
	}
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		pe.Kind = providers.KindAuth
	case status == http.StatusPaymentRequired:
		// A proxy that bills says the account cannot pay.
		pe.Kind = providers.KindAuth
		pe.Message = providers.WithBillingAdvice(pe.Message)
	case status == http.StatusNotFound:
		pe.Kind = providers.KindNotFound
	case status == http.StatusTooManyRequests:
		pe.Kind = providers.KindRateLimited
	case status == http.StatusServiceUnavailable:
		pe.Kind = providers.KindOverloaded
	case status >= 500, providers.TransientStatus(status):
		pe.Kind = providers.KindUnavailable
	default:
		pe.Kind = providers.KindBadRequest
	}
	return pe
}

// errorMessage reads {"error": "…"} or {"error": {"message": "…"}}; ok
// is false for a body that is neither.
func errorMessage(body []byte) (msg string, ok bool) {
	var v struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &v) != nil || v.Error == nil {
		return "", false
	}
	var s string
	if json.Unmarshal(v.Error, &s) == nil {
		return s, true
	}
	var obj struct {
		Message string `json:"message"`
	}
	json.Unmarshal(v.Error, &obj)
	return obj.Message, true
}

// requestError converts a native request that got no answer.
func (p *Provider) requestError(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("lmstudio: %s: %w", op, ctx.Err())
	}
	return p.scrub(&providers.Error{Provider: p.name, Kind: providers.KindUnavailable, Err: err,
		Message: fmt.Sprintf("cannot reach LM Studio at %s: %s", p.endpoint, providers.DescribeNetError(err))})
}

// unexpected describes a native answer that could not be decoded.
func (p *Provider) unexpected(err error) *providers.Error {
	return p.scrub(&providers.Error{Provider: p.name, Kind: providers.KindUnavailable, Err: err,
		Message: fmt.Sprintf("unexpected answer from LM Studio at %s: %v", p.endpoint, err)})
}

// scrub takes the API key and the base URL's credentials out of pe, an
// error of the native API about to leave the provider, wherever the server
// quoted them back (see providers.Redactor).
func (p *Provider) scrub(pe *providers.Error) *providers.Error {
	return p.adviseKey(p.secrets.RedactProviderError(pe))
}
