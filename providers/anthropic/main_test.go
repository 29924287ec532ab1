package anthropic

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testKey is the API key the tests' providers send; no error may show it.
const testKey = "sk-ant-api03-SECRET-test-key-0123456789"

// testModel is a model the fake has.
const testModel = providertest.AnthropicDefaultModel

// newProvider returns a Provider for the fake at url, sending testKey.
func newProvider(t testing.TB, url string) *Provider {
	t.Helper()
	p, err := New(Config{BaseURL: url, APIKey: testKey})
	if err != nil {
		t.Fatalf("New(%q): %v", url, err)
	}
	return p
}

// startFake starts a fake Anthropic that requires testKey, scripted by opts,
// and a Provider for it.
func startFake(t testing.TB, opts ...providertest.Option) (*providertest.Anthropic, *Provider) {
	t.Helper()
	a := providertest.NewAnthropic(t, append([]providertest.Option{providertest.WithAnthropicKey(testKey)}, opts...)...)
	return a, newProvider(t, a.URL())
}

// chat runs req to the end and returns the chunks.
func chat(ctx context.Context, p *Provider, req providers.Request) ([]providers.Chunk, providers.Result, error) {
	var got []providers.Chunk
	res, err := p.Chat(ctx, req, func(c providers.Chunk) error {
		got = append(got, c)
		return nil
	})
	return got, res, err
}

// texts returns the text of the chunks that have some.
func texts(cs []providers.Chunk) []string {
	var ts []string
	for _, c := range cs {
		if c.Text != "" {
			ts = append(ts, c.Text)
		}
	}
	return ts
}

// userRequest asks model one question.
func userRequest(model string) providers.Request {
	return providers.Request{
		Model:    model,
		Messages: []providers.Message{{Role: providers.RoleUser, Content: "why is the sky blue"}},
	}
}

// asProviderError returns err as a *providers.Error or fails the test. It
// also checks that the error shows no API key, however it is printed.
func asProviderError(t *testing.T, err error) *providers.Error {
	t.Helper()
	assertNoKey(t, err)
	pe, ok := err.(*providers.Error)
	if !ok {
		t.Fatalf("err = %#v (%v), want *providers.Error", err, err)
	}
	return pe
}

// assertNoKey fails the test if testKey shows in err or anything it wraps.
func assertNoKey(t *testing.T, err error) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range []string{e.Error(), fmt.Sprintf("%v", e), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
			if strings.Contains(s, testKey) || strings.Contains(s, "SECRET") {
				t.Errorf("the API key shows in the error %T: %s", e, s)
			}
		}
	}
}
