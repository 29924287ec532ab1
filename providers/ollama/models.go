package ollama

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/ollama/ollama/api"

	"github.com/aiex-dev/aiex/providers"
)

// Models lists the models installed on the server, most recently modified
// first, marking those loaded in memory. It asks /api/tags and /api/ps at
// once; the second only sets Loaded, so its failure (a server too old to
// have it, a proxy that blocks it) leaves every model not loaded rather than
// failing the list. ContextWindow is the window a loaded model runs with
// (what a prompt to it must fit, as PromptWindow says; a node publishes it
// for its peers), and 0 for the others: finding it costs a Show call per
// model, so it is a separate method.
func (p *Provider) Models(ctx context.Context) ([]providers.Model, error) {
	psCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		running *api.ProcessResponse
		wg      sync.WaitGroup
	)
	wg.Go(func() {
		if r, err := p.client.ListRunning(psCtx); err == nil {
			running = r
		}
	})
	lctx, obs := observe(ctx)
	lr, err := p.client.List(lctx)
	if err != nil {
		cancel() // the list has failed; the running models no longer matter
	}
	wg.Wait()
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ollama: list models: %w", ctx.Err())
		}
		return nil, p.scrub(p.withNote(mapError(p.name, p.endpoint, err), obs))
	}
	return markLoaded(toModels(lr), running), nil
}

// toModels converts Ollama's model list.
func toModels(lr *api.ListResponse) []providers.Model {
	if lr == nil {
		return nil
	}
	ms := make([]providers.Model, 0, len(lr.Models))
	for _, m := range lr.Models {
		name := m.Name
		if name == "" {
			name = m.Model
		}
		ms = append(ms, providers.Model{Name: name, Local: true, ModifiedAt: m.ModifiedAt, NoChat: embeddingOnly(name, m.Details)})
	}
	return ms
}

// embeddingOnly tells, from the model list alone (its capabilities are
// one /api/show away per model), a model that only embeds: a BERT-family
// encoder (nomic-embed-text, all-minilm, bge-m3, snowflake-arctic-embed),
// or one whose name says so (mxbai-embed-large, granite-embedding).
func embeddingOnly(name string, d api.ModelDetails) bool {
	if strings.Contains(strings.ToLower(name), "embed") {
		return true
	}
	for _, f := range append([]string{d.Family}, d.Families...) {
		if f = strings.ToLower(f); strings.Contains(f, "bert") {
			return true
		}
	}
	return false
}

// markLoaded sets Loaded, and ContextWindow where running says it, on the
// models that running lists (by name, as both lists spell it, ignoring
// case); running may be nil.
func markLoaded(ms []providers.Model, running *api.ProcessResponse) []providers.Model {
	if running == nil {
		return ms
	}
	// The window each loaded model runs with; 0 where the server does not
	// say (versions before context_length was added to /api/ps).
	loaded := make(map[string]int, 2*len(running.Models))
	for _, r := range running.Models {
		for _, n := range []string{r.Name, r.Model} {
			if n != "" {
				loaded[strings.ToLower(n)] = r.ContextLength
			}
		}
	}
	for i := range ms {
		w, ok := loaded[strings.ToLower(ms[i].Name)]
		ms[i].Loaded = ok
		if w > 0 {
			ms[i].ContextWindow = w
		}
	}
	return ms
}

// ContextWindow returns the context length in tokens that model runs with:
// its num_ctx parameter if the model sets one (capped at what the model was
// trained for), else its trained <arch>.context_length; 0 when neither is
// known. A server started with OLLAMA_CONTEXT_LENGTH may run models with a
// smaller default window than the trained one; the API does not expose that.
func (p *Provider) ContextWindow(ctx context.Context, model string) (int, error) {
	sctx, obs := observe(ctx)
	resp, err := p.client.Show(sctx, &api.ShowRequest{Model: model})
	if err != nil {
		if ctx.Err() != nil {
			return 0, fmt.Errorf("ollama: show %s: %w", model, ctx.Err())
		}
		return 0, p.providerError(ctx, model, err, obs)
	}
	return contextWindow(resp), nil
}

// contextWindow reads the effective context window from a Show response.
func contextWindow(s *api.ShowResponse) int {
	trained := trainedContext(s.ModelInfo)
	numCtx := numCtxParam(s.Parameters)
	if numCtx > 0 && (trained == 0 || numCtx < trained) {
		return numCtx
	}
	return trained
}

// trainedContext returns <arch>.context_length from a model's GGUF metadata.
func trainedContext(info map[string]any) int {
	if arch, ok := info["general.architecture"].(string); ok {
		if n := toInt(info[arch+".context_length"]); n > 0 {
			return n
		}
	}
	// No or odd architecture key: take any *.context_length there is.
	for k, v := range info {
		if strings.HasSuffix(k, ".context_length") {
			if n := toInt(v); n > 0 {
				return n
			}
		}
	}
	return 0
}

// numCtxParam finds num_ctx in Show's parameters, which the server formats
// one per line as a name padded to 30 columns, a space and a Go value.
func numCtxParam(params string) int {
	for line := range strings.Lines(params) {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "num_ctx" {
			if v, err := strconv.ParseFloat(f[1], 64); err == nil && v > 0 {
				return int(v)
			}
		}
	}
	return 0
}

// toInt converts a JSON-decoded number to int; 0 if v is not a number.
func toInt(v any) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	case int64:
		return int(n)
	case interface{ Int64() (int64, error) }: // json.Number
		i, _ := n.Int64()
		return int(i)
	}
	return 0
}

// ModelName is the name the server lists model under: Ollama takes a name
// without a tag for the "latest" tag's, as its model.ParseName does, and
// lists it with the tag ("tiny" is "tiny:latest"). A tag is what follows
// the last colon after the last slash, so a registry's port is none.
func (p *Provider) ModelName(model string) string {
	if i := strings.LastIndexByte(model, '/'); strings.Contains(model[i+1:], ":") || strings.Contains(model, "@") {
		return model
	}
	return model + ":latest"
}
