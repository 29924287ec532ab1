package openai

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	sdk "github.com/openai/openai-go/v3"

	"github.com/aiex-dev/aiex/providers"
)

// Models lists the models the server offers (GET /models). For KindOpenAI
// the context window comes from a built-in table of well-known models (see
// contextWindows) and models are not Local; for KindCompatible the window
// is unknown (0) and models are Local when the server's host is loopback or
// on a private network.
func (p *Provider) Models(ctx context.Context) ([]providers.Model, error) {
	page, err := p.models.List(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("openai: list models: %w", ctx.Err())
		}
		return nil, p.providerError(ctx, "", err)
	}
	if !page.JSON.Data.Valid() {
		return nil, p.scrub(badAnswer(p.name, p.server, p.endpoint, http.StatusOK, "a model list", []byte(page.RawJSON())))
	}
	return toModels(page.Data, p.kind == KindOpenAI, p.local), nil
}

// toModels converts the server's model list. known looks context windows up
// in the built-in table (only for OpenAI itself: a local model named
// "gpt-4o" is not OpenAI's); local marks every model Local.
func toModels(data []sdk.Model, known, local bool) []providers.Model {
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
// floats, the encoding every compatible server knows).
func (p *Provider) Embed(ctx context.Context, model string, input []string) ([][]float32, error) {
	if len(input) == 0 {
		return nil, nil
	}
	resp, err := p.embeddings.New(ctx, sdk.EmbeddingNewParams{
		Model:          model,
		Input:          sdk.EmbeddingNewParamsInputUnion{OfArrayOfStrings: input},
		EncodingFormat: sdk.EmbeddingNewParamsEncodingFormatFloat,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("openai: embed with %s: %w", model, ctx.Err())
		}
		return nil, p.providerError(ctx, model, err)
	}
	vecs, err := toEmbeddings(resp.Data, len(input))
	if err != nil {
		return nil, p.scrub(&providers.Error{Provider: p.name, Kind: providers.KindUnavailable, Err: err,
			Message: fmt.Sprintf("unexpected answer from %s at %s: %v", p.server, p.endpoint, err)})
	}
	return vecs, nil
}

// toEmbeddings converts the server's embeddings to float32, placed by their
// index; if the indexes are not 0 to n-1 (some servers leave them all 0) the
// server's order is kept. It fails unless there is one per input.
func toEmbeddings(data []sdk.Embedding, n int) ([][]float32, error) {
	if len(data) != n {
		return nil, fmt.Errorf("got %d embeddings for %d inputs", len(data), n)
	}
	out := make([][]float32, n)
	byIndex := true
	for _, e := range data {
		if e.Index < 0 || int(e.Index) >= n || out[e.Index] != nil {
			byIndex = false
			break
		}
		out[e.Index] = []float32{} // taken
	}
	for i, e := range data {
		v := make([]float32, len(e.Embedding))
		for j, x := range e.Embedding {
			v[j] = float32(x)
		}
		if byIndex {
			i = int(e.Index)
		}
		out[i] = v
	}
	return out, nil
}
