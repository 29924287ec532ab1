package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestModelsListFailureNamesItsStatus: a server answering its model list
// with HTTP 500 and its own error body is said, by Models, with the status
// and the address it came from, not with its message alone ("ollama:
// unavailable: something went wrong").
func TestModelsListFailureNamesItsStatus(t *testing.T) {
	jsonHeader := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	srv := providertest.NewRaw(t, http.StatusInternalServerError, jsonHeader, `{"error":"something went wrong"}`, 0)
	a := providerApp(t, map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: srv.URL}})
	_, errs, err := a.Models(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := "HTTP 500 from " + srv.URL + ": something went wrong"
	if got := errs["ollama"]; !strings.Contains(got, want) {
		t.Errorf("ollama's error %q\nwant it to say %q", got, want)
	}
}

// TestProviderReportOpenBreaker: a provider whose chats failed with HTTP
// 500 until its breaker opened, while its model list answers, is reported
// with the breaker's last failure, its status and when it is tried again —
// "open, 5 failures in a row" alone did not say what failed nor until when
// — for an Ollama server and an OpenAI-compatible one.
func TestProviderReportOpenBreaker(t *testing.T) {
	const why = "llama runner process has terminated"
	for kind, url := range map[string]func(t *testing.T) string{
		"ollama":            func(t *testing.T) string { return providertest.NewOllama(t, providertest.WithStatus(500, why)).URL() },
		"openai-compatible": func(t *testing.T) string { return providertest.NewOpenAI(t, providertest.WithStatus(500, why)).URL() },
	} {
		t.Run(kind, func(t *testing.T) {
			a := providerApp(t, map[string]app.ProviderConfig{"srv": {Kind: kind, BaseURL: url(t)}})
			ctx := context.Background()
			c, err := a.Coord(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for range 5 {
				req := coord.Request{Messages: []providers.Message{{Role: providers.RoleUser, Content: "q"}}}
				if _, err := c.Chat(ctx, req, func(providers.Chunk) error { return nil }); err == nil {
					t.Fatal("a chat succeeded; want the server's 500")
				}
			}
			rep, err := a.ProviderReport(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep) != 1 || !rep[0].Reachable || len(rep[0].Breakers) != 1 {
				t.Fatalf("report %+v; want srv reachable with one breaker", rep)
			}
			b := rep[0].Breakers[0]
			end := rep[0].Endpoint
			if b.Breaker != "open" || b.HTTPStatus != 500 || !strings.Contains(b.LastError, "HTTP 500 from "+end) ||
				!strings.Contains(b.LastError, why) || b.RetryAt == nil {
				t.Errorf("breaker %+v; want open, HTTP status 500, its last error, and when it is tried again", b)
			}
			js, err := json.Marshal(rep[0])
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{`"breaker":"open"`, `"consecutive_failures":5`, `"http_status":500`, `"last_error":"HTTP 500 from `, `"retry_at":"`} {
				if !strings.Contains(string(js), want) {
					t.Errorf("JSON %s\nlacks %s", js, want)
				}
			}
		})
	}
}
