package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestAskTimeCountsPlanning: a request's recorded total time counts from
// when the app began on it, so a model list it waited on while choosing
// the model (no model named) is in it, not only the chat.
func TestAskTimeCountsPlanning(t *testing.T) {
	const wait = 300 * time.Millisecond
	fake := providertest.NewOpenAI(t, providertest.WithReply("ok"), providertest.WithListLatency(wait))
	ctx := context.Background()
	a := providerApp(t, map[string]app.ProviderConfig{"local": {Kind: "openai-compatible", BaseURL: fake.URL()}})
	ans, err := a.AskCode(ctx, app.CodeAsk{Request: ask.Request{Prompt: "hi", Actor: "test"}, NoContext: true}, func(string) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if in := ans.Interaction; in == nil || in.TotalMillis == nil || *in.TotalMillis < float64(wait.Milliseconds()) {
		t.Fatalf("interaction %+v; want a total time of %v or more, the listing included", in, wait)
	}
}
