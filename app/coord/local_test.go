package coord_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/providers/openai"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestIsLocalKind: a URL-configured server is local by the same rule the
// provider marks its models local with (providers.IsLocalHost), so that
// what `aiex models` shows as local and free is what the spend cap and
// local_affinity treat as local.
func TestIsLocalKind(t *testing.T) {
	tests := []struct {
		kind, endpoint string
		want           bool
	}{
		{"ollama", "http://gpu-box:11434", true},
		{"lmstudio", "http://gpu-box:1234", true},
		{"openai-compatible", "http://localhost:8080/v1", true},
		{"openai-compatible", "http://LOCALHOST.:8080/v1", true},
		{"openai-compatible", "http://llm.localhost:8080/v1", true},
		{"openai-compatible", "http://127.0.0.1:8080/v1", true},
		{"openai-compatible", "http://0.0.0.0:8080/v1", true},
		{"openai-compatible", "http://[::]:8080/v1", true},
		{"openai-compatible", "http://169.254.10.1:8080/v1", true},
		{"openai-compatible", "http://[fe80::1]:8080/v1", true},
		{"openai-compatible", "http://192.168.1.5:8080/v1", true},
		{"openai-compatible", "https://api.example.com/v1", false},
		{"openai-compatible", "http://gpu-box:8080/v1", false}, // names are not resolved
		{"openai", "http://127.0.0.1:8080/v1", false},          // OpenAI's own API is billed wherever it is
		{"anthropic", "http://localhost:8080", false},
	}
	for _, tt := range tests {
		if got := coord.IsLocalKind(tt.kind, tt.endpoint); got != tt.want {
			t.Errorf("IsLocalKind(%q, %q) = %v, want %v", tt.kind, tt.endpoint, got, tt.want)
		}
	}
}

// TestUnspecifiedAddressIsLocal: an OpenAI-compatible server configured at
// http://0.0.0.0:PORT/v1 lists its models as local, and the coordinator
// treats it as local too: under a spend cap, with no price configured for
// its model, it answers instead of being refused as a paid model whose
// spending cannot be counted.
func TestUnspecifiedAddressIsLocal(t *testing.T) {
	fake := pt.NewOpenAI(t, pt.WithReply("free"))
	u, err := url.Parse(fake.URL())
	if err != nil {
		t.Fatal(err)
	}
	u.Host = strings.Replace(u.Host, "127.0.0.1", "0.0.0.0", 1)
	p, err := openai.New(openai.Config{Name: "gw", Kind: openai.KindCompatible, BaseURL: u.String()})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := p.Models(context.Background())
	if err != nil || len(ms) == 0 || !ms[0].Local {
		t.Fatalf("models %+v, %v; want them listed as local", ms, err)
	}
	tg := coord.Target{Provider: p, Model: ms[0].Name, Local: coord.IsLocalKind(p.Kind(), p.Endpoint())}
	e := newEnv(t, coord.Config{Targets: []coord.Target{tg}, Caps: coord.SpendCaps{DailyUSD: 1}})
	if out, in, err := e.chat(t, coord.Request{}); err != nil || out != "free" || in.CostUSD != 0 {
		t.Fatalf("%q, %v; want the local server to answer under the spend cap", out, err)
	}
}
