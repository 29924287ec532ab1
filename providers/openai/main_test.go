package openai

import (
	"context"
	"testing"

	"go.uber.org/goleak"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testKey is the API key the fakes of startFake require.
const testKey = "sk-test-0123456789abcdef"

// newProvider returns a Provider for cfg or fails the test.
func newProvider(t testing.TB, cfg Config) *Provider {
	t.Helper()
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return p
}

// startFake starts a fake OpenAI that requires testKey, scripted by opts,
// and a Provider of kind openai for it.
func startFake(t testing.TB, opts ...providertest.Option) (*providertest.OpenAI, *Provider) {
	t.Helper()
	o := providertest.NewOpenAI(t, append([]providertest.Option{providertest.WithOpenAIKey(testKey)}, opts...)...)
	return o, newProvider(t, Config{BaseURL: o.URL(), APIKey: testKey})
}

// chat runs req to the end and returns the text of each text chunk and the
// tool-call fragments.
func chat(ctx context.Context, p *Provider, req providers.Request) ([]string, []providers.ToolCallDelta, providers.Result, error) {
	var (
		text  []string
		calls []providers.ToolCallDelta
	)
	res, err := p.Chat(ctx, req, func(c providers.Chunk) error {
		if c.ToolCall != nil {
			calls = append(calls, *c.ToolCall)
		} else {
			text = append(text, c.Text)
		}
		return nil
	})
	return text, calls, res, err
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
