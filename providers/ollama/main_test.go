package ollama

import (
	"context"
	"testing"

	"go.uber.org/goleak"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// newProvider returns a Provider for the server at url.
func newProvider(t testing.TB, url string) *Provider {
	t.Helper()
	p, err := New(Config{BaseURL: url})
	if err != nil {
		t.Fatalf("New(%q): %v", url, err)
	}
	return p
}

// startFake starts a fake Ollama scripted by opts and a Provider for it.
func startFake(t testing.TB, opts ...providertest.Option) (*providertest.Ollama, *Provider) {
	t.Helper()
	o := providertest.NewOllama(t, opts...)
	return o, newProvider(t, o.URL())
}

// chat runs req to the end and returns the text of each chunk.
func chat(ctx context.Context, p *Provider, req providers.Request) ([]string, providers.Result, error) {
	var got []string
	res, err := p.Chat(ctx, req, func(c providers.Chunk) error {
		got = append(got, c.Text)
		return nil
	})
	return got, res, err
}

// generate runs a completion to the end and returns the text of each chunk.
func generate(ctx context.Context, p *Provider, model, prompt, system string) ([]string, providers.Result, error) {
	var got []string
	res, err := p.Generate(ctx, model, prompt, system, func(c providers.Chunk) error {
		got = append(got, c.Text)
		return nil
	})
	return got, res, err
}

// streamOp is a streaming call; Chat and Generate stream, fail and stop alike.
type streamOp struct {
	name string
	run  func(ctx context.Context, p *Provider, model string, fn func(providers.Chunk) error) (providers.Result, error)
}

// streamOps returns Chat (asking one question) and Generate (completing
// some code).
func streamOps() []streamOp {
	return []streamOp{
		{"chat", func(ctx context.Context, p *Provider, model string, fn func(providers.Chunk) error) (providers.Result, error) {
			return p.Chat(ctx, userRequest(model), fn)
		}},
		{"generate", func(ctx context.Context, p *Provider, model string, fn func(providers.Chunk) error) (providers.Result, error) {
			return p.Generate(ctx, model, "func main() {", "", fn)
		}},
	}
}

// userRequest asks model one question.
func userRequest(model string) providers.Request {
	return providers.Request{
		Model:    model,
		Messages: []providers.Message{{Role: providers.RoleUser, Content: "why is the sky blue"}},
	}
}

// asProviderError returns err as a *providers.Error or fails the test.
func asProviderError(t *testing.T, err error) *providers.Error {
	t.Helper()
	pe, ok := err.(*providers.Error)
	if !ok {
		t.Fatalf("err = %#v (%v), want *providers.Error", err, err)
	}
	return pe
}
