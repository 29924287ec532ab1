package coord_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/ollama"
	"github.com/aiex-dev/aiex/providers/openai"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestClientErrorNamesItsStatus: a server answering a chat with an error
// status below 500 (404, 429 with Retry-After) and its own error body is
// said with the status and the address it came from, as a 500 is — "srv:
// something went wrong" alone did not say that a server answered, nor
// which — in the line said and in the record; a 429 says that it is rate
// limited and when to retry, in both.
func TestClientErrorNamesItsStatus(t *testing.T) {
	const why = "something went wrong"
	kinds := map[string]func(t *testing.T, opts ...pt.Option) providers.Provider{
		"ollama": func(t *testing.T, opts ...pt.Option) providers.Provider {
			p, err := ollama.New(ollama.Config{Name: "srv", BaseURL: pt.NewOllama(t, opts...).URL()})
			if err != nil {
				t.Fatal(err)
			}
			return p
		},
		"openai-compatible": func(t *testing.T, opts ...pt.Option) providers.Provider {
			p, err := openai.New(openai.Config{Name: "srv", Kind: openai.KindCompatible, BaseURL: pt.NewOpenAI(t, opts...).URL()})
			if err != nil {
				t.Fatal(err)
			}
			return p
		},
	}
	for kind, newServer := range kinds {
		for _, status := range []int{404, 429} {
			t.Run(kind+"/"+httpStatus(status), func(t *testing.T) {
				opts := []pt.Option{pt.WithStatus(status, why)}
				if status == 429 {
					opts = append(opts, pt.WithRetryAfter(7))
				}
				srv := newServer(t, opts...)
				model := pt.DefaultModel
				if kind != "ollama" {
					model = pt.DefaultOpenAIModel
				}
				e := newEnv(t, coord.Config{Targets: []coord.Target{{Provider: srv, Model: model, Local: true}}})
				_, in, err := e.chat(t, coord.Request{})
				ue := usererr.As(err)
				if in == nil {
					t.Fatalf("err = %v; nothing recorded", err)
				}
				if ue == nil || strings.Contains(ue.Msg, "\n") {
					t.Fatalf("err = %v; want one line for the user", err)
				}
				want := []string{httpStatus(status) + " from " + srv.Endpoint(), why}
				if status == 429 {
					want = append(want, "rate limited", "7s")
				}
				for _, w := range want {
					if !strings.Contains(ue.Msg, w) {
						t.Errorf("said %q\nwant it to say %q", ue.Msg, w)
					}
					if in == nil || !strings.Contains(in.Error, w) {
						t.Errorf("recorded %q\nwant its error to say %q", in.Error, w)
					}
				}
			})
		}
	}
}

// httpStatus is "HTTP 404".
func httpStatus(code int) string { return fmt.Sprintf("HTTP %d", code) }
