package coord_test

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/ollama"
	"github.com/aiex-dev/aiex/providers/openai"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestOnlyServerFailingNamesItsStatus: the one provider there is, its
// server failing every chat with HTTP 500 and an error body, is said with
// its status and address before the server's message — "HTTP 500 from
// URL: llama runner process has terminated" — not with the message alone,
// which did not say that a server answered, nor which: an Ollama server
// and an OpenAI-compatible one, whether the request names the provider
// or not, and on the requests after, once the failures have opened its
// breaker, in this process and in the next.
func TestOnlyServerFailingNamesItsStatus(t *testing.T) {
	const why = "llama runner process has terminated: exit status 2"
	servers := map[string]func(t *testing.T) providers.Provider{
		"ollama": func(t *testing.T) providers.Provider {
			p, err := ollama.New(ollama.Config{Name: "srv", BaseURL: pt.NewOllama(t, pt.WithStatus(500, why)).URL()})
			if err != nil {
				t.Fatal(err)
			}
			return p
		},
		"openai-compatible": func(t *testing.T) providers.Provider {
			p, err := openai.New(openai.Config{Name: "srv", Kind: openai.KindCompatible, BaseURL: pt.NewOpenAI(t, pt.WithStatus(500, why)).URL()})
			if err != nil {
				t.Fatal(err)
			}
			return p
		},
	}
	for kind, newServer := range servers {
		for _, pinned := range []string{"", "srv"} {
			t.Run(kind+"/pinned="+pinned, func(t *testing.T) {
				srv := newServer(t)
				ps := newProcesses(t, coord.Config{Targets: []coord.Target{{Provider: srv, Model: "tiny", Local: true}}})
				want := "HTTP 500 from " + srv.Endpoint() + ": " + why
				e := ps.next()
				for i := range 4 {
					if i >= 2 {
						e = ps.next() // as aiex ask is, one process a request: its breaker restored from the records
					}
					_, _, err := e.chat(t, coord.Request{Provider: pinned})
					t.Logf("request %d: %v", i+1, err)
					ue := usererr.As(err)
					if ue == nil || strings.Contains(ue.Msg, "\n") {
						t.Fatalf("request %d: err = %v; want one line for the user", i+1, err)
					}
					if !strings.Contains(ue.Msg, want) {
						t.Errorf("request %d: %q\nwant it to say %q", i+1, ue.Msg, want)
					}
				}
			})
		}
	}
}
