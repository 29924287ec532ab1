package openai

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/providers"
)

// Models lists the models the server offers (GET /models). For KindOpenAI
// the context window comes from a built-in table of well-known models (see
// contextWindows) and models are not Local; for KindCompatible the window
// is unknown (0) and models are Local when the server's host is loopback or
// on a private network.
func (p *Provider) Models(ctx context.Context) ([]providers.Model, error) {
	if p.refuse {
		return nil, providers.NoKeyError(p.name, p.noKey)
	}
	body, list, err := p.listModels(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("openai: list models: %w", ctx.Err())
		}
		return nil, p.providerError(ctx, "", err)
	}
	if list.Data == nil {
		return nil, p.scrub(badAnswer(p.name, p.server, p.endpoint, http.StatusOK, "a model list", body))
	}
	return toModels(*list.Data, p.kind == KindOpenAI, p.local), nil
}

// listModels gets the model list and returns the answer's body and what
// it holds. A successful answer that is JSON but not a model list (an
// array, an object without "data") gives a list with nil Data; a value of
// the wrong type in a model's field is left out. The error is the
// request's: see mapError.
func (p *Provider) listModels(ctx context.Context) (json.RawMessage, modelList, error) {
	var (
		body json.RawMessage
		list modelList
	)
	if _, err := p.api.JSON(ctx, http.MethodGet, "models", nil, &body); err != nil {
		return nil, list, err
	}
	// body is valid JSON: what fails is a type, and the rest is decoded.
	_ = json.Unmarshal(body, &list)
	return body, list, nil
}

// toModels converts the server's model list. known looks context windows up
// in the built-in table (only for OpenAI itself: a local model named
// "gpt-4o" is not OpenAI's); local marks every model Local.
func toModels(data []modelInfo, known, local bool) []providers.Model {
	ms := make([]providers.Model, 0, len(data))
	for _, m := range data {
		pm := providers.Model{Name: m.ID, Local: local, NoChat: noChat(m.ID, known)}
		if m.Created > 0 {
			pm.ModifiedAt = time.Unix(m.Created, 0).UTC()
		}
		if known {
			pm.ContextWindow = KnownContextWindow(m.ID)
		}
		ms = append(ms, pm)
	}
	return ms
}

// noChat tells a model of the list that Chat Completions does not serve:
// for OpenAI itself (known), its embedding, image, speech, transcription,
// moderation, realtime and legacy completion models; for another server,
// a model named as an embedding model (nomic-embed-text, bge-m3 are not
// told apart there). OpenAI's list holds them all, in no useful order.
func noChat(id string, known bool) bool {
	id = strings.ToLower(id)
	if strings.Contains(id, "embed") {
		return true
	}
	if !known {
		return false
	}
	for _, p := range []string{"text-embedding-", "whisper-", "tts-", "dall-e-", "gpt-image-", "omni-moderation-",
		"text-moderation-", "davinci-", "babbage-", "sora-"} {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	for _, part := range []string{"-realtime", "-transcribe", "-tts"} {
		if strings.Contains(id, part) {
			return true
		}
	}
	return false
}

// contextWindows is the context length in tokens of well-known OpenAI models
// by name prefix. The figures are approximate, from OpenAI's model pages when
// written; configuration may override them later. A name matches a prefix
// when it equals it or continues with "-" or "." (dated snapshots like
// "gpt-4o-2024-08-06", variants like "gpt-4.1-mini", "gpt-5.1").
var contextWindows = []struct {
	prefix string
	tokens int
}{
	// Longest prefixes first: the first match wins.
	{"gpt-4o-mini", 128_000},
	{"gpt-4o", 128_000},
	{"gpt-4.1", 1_047_576}, // also -mini and -nano
	{"o4-mini", 200_000},
	{"o3", 200_000}, // also o3-mini, o3-pro
	{"gpt-5", 400_000},
}

// KnownContextWindow returns the approximate context window in tokens of a
// well-known OpenAI model, or 0 if the model is not in the built-in table.
func KnownContextWindow(model string) int {
	for _, w := range contextWindows {
		rest, ok := strings.CutPrefix(model, w.prefix)
		if ok && (rest == "" || rest[0] == '-' || rest[0] == '.') {
			return w.tokens
		}
	}
	return 0
}

// Embed returns one vector per input, in order (POST /embeddings, asking for
// floats, the encoding every compatible server knows): EmbedUsage without
// the count.
func (p *Provider) Embed(ctx context.Context, model string, input []string) ([][]float32, error) {
	vecs, _, err := p.EmbedUsage(ctx, model, input)
	return vecs, err
}

// toEmbeddings places the server's embeddings by their index; if the
// indexes are not 0 to n-1 (some servers leave them all 0) the server's
// order is kept. It fails unless there is one per input.
func toEmbeddings(data []embedding, n int) ([][]float32, error) {
	if len(data) != n {
		return nil, fmt.Errorf("got %d embeddings for %d inputs", len(data), n)
	}
	out := make([][]float32, n)
	byIndex := true
	for _, e := range data {
		if e.Index < 0 || e.Index >= n || out[e.Index] != nil {
			byIndex = false
			break
		}
		out[e.Index] = []float32{} // taken
	}
	for i, e := range data {
		v := e.Embedding
		if v == nil {
			v = []float32{}
		}
		if byIndex {
			i = e.Index
		}
		out[i] = v
	}
	return out, nil
}
