package openai

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/providers/providertest"
)

func TestNew(t *testing.T) {
	// The zero Config must not depend on the caller's shell.
	t.Setenv("OPENAI_BASE_URL", "")
	t.Setenv("OPENAI_API_KEY", "")
	tests := []struct {
		name         string
		cfg          Config
		wantName     string
		wantKind     string
		wantEndpoint string
		wantErr      string // substring; "" means no error
	}{
		{name: "openai", cfg: Config{APIKey: "k"}, wantName: "openai", wantKind: "openai", wantEndpoint: "https://api.openai.com/v1"},
		{name: "named", cfg: Config{Name: "work", Kind: KindOpenAI, APIKey: "k", BaseURL: "https://proxy.example.test/openai/v1/"},
			wantName: "work", wantKind: "openai", wantEndpoint: "https://proxy.example.test/openai/v1"},
		{name: "compatible", cfg: Config{Kind: KindCompatible, BaseURL: "http://127.0.0.1:8080/v1"},
			wantName: "openai-compatible", wantKind: "openai-compatible", wantEndpoint: "http://127.0.0.1:8080/v1"},
		{name: "credentials hidden", cfg: Config{Kind: KindCompatible, BaseURL: "https://user:secret@example.test/v1"},
			wantName: "openai-compatible", wantKind: "openai-compatible", wantEndpoint: "https://example.test/v1"},
		{name: "compatible needs a URL", cfg: Config{Kind: KindCompatible}, wantErr: "kind openai-compatible needs BaseURL"},
		{name: "unknown kind", cfg: Config{Kind: "anthropic"}, wantErr: `unknown kind "anthropic"`},
		{name: "no scheme", cfg: Config{Kind: KindCompatible, BaseURL: "localhost:8080"}, wantErr: `invalid BaseURL "localhost:8080": want http:// or https://`},
		{name: "no host", cfg: Config{Kind: KindCompatible, BaseURL: "http://"}, wantErr: `invalid BaseURL "http://": no host`},
		{name: "unparsable", cfg: Config{Kind: KindCompatible, BaseURL: "http://[::1"}, wantErr: `invalid BaseURL "http://[::1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New: err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			got := [3]string{p.Name(), p.Kind(), p.Endpoint()}
			if diff := cmp.Diff([3]string{tt.wantName, tt.wantKind, tt.wantEndpoint}, got); diff != "" {
				t.Errorf("Name, Kind, Endpoint (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewFollowsEnvironment(t *testing.T) {
	o := providertest.NewOpenAI(t, providertest.WithOpenAIKey("sk-env"))
	t.Setenv("OPENAI_BASE_URL", o.URL())
	t.Setenv("OPENAI_API_KEY", "sk-env")
	p, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Endpoint() != o.URL() {
		t.Errorf("Endpoint = %q, want %q", p.Endpoint(), o.URL())
	}
	if _, err := p.Models(t.Context()); err != nil {
		t.Errorf("Models: %v", err)
	}

	// A compatible server gets neither the variables' URL nor their key.
	other := providertest.NewOpenAI(t)
	c, err := New(Config{Kind: KindCompatible, BaseURL: other.URL()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Models(t.Context()); err != nil {
		t.Fatalf("Models: %v", err)
	}
	if reqs := other.Requests(); len(reqs) != 1 || reqs[0].APIKey != "" {
		t.Errorf("compatible server got %+v, want one request without a key", reqs)
	}
}

// countingTransport counts the requests it carries.
type countingTransport struct {
	n    atomic.Int32
	base http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

func TestNewUsesHTTPClient(t *testing.T) {
	o, _ := startFake(t)
	ct := &countingTransport{base: http.DefaultTransport}
	hc := &http.Client{Transport: ct}
	p := newProvider(t, Config{BaseURL: o.URL(), APIKey: testKey, HTTPClient: hc})
	if _, _, _, err := chat(t.Context(), p, userRequest(model)); err != nil {
		t.Fatalf("Chat: %v", err)
	}
	if _, err := p.Models(t.Context()); err != nil {
		t.Fatalf("Models: %v", err)
	}
	if _, err := p.Embed(t.Context(), model, []string{"x"}); err != nil {
		t.Fatalf("Embed: %v", err)
	}
	if got := ct.n.Load(); got != 3 {
		t.Errorf("the given client carried %d requests, want 3", got)
	}
	if hc.Transport != ct {
		t.Error("New changed the caller's http.Client")
	}
}

func TestNoRetries(t *testing.T) {
	// Sent again, a 429 or 5xx may succeed, but the coordinator decides.
	for _, code := range []int{429, 500, 503} {
		o, p := startFake(t, providertest.WithStatus(code, "no"))
		if _, _, _, err := chat(t.Context(), p, userRequest(model)); err == nil {
			t.Fatalf("status %d: Chat succeeded", code)
		}
		if n := len(o.Requests()); n != 1 {
			t.Errorf("status %d: server got %d requests, want 1", code, n)
		}
	}
}

// TestRequestHeaders checks the headers of each call: the key as a bearer
// token only when there is one, and the media types sent and asked for.
func TestRequestHeaders(t *testing.T) {
	type sent struct{ Path, Auth, Agent, Accept, ContentType string }
	for _, key := range []string{"", "local-key-123"} {
		t.Run("key "+key, func(t *testing.T) {
			var (
				mu  sync.Mutex
				got []sent
			)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				got = append(got, sent{r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("User-Agent"), r.Header.Get("Accept"), r.Header.Get("Content-Type")})
				mu.Unlock()
				switch r.URL.Path {
				case "/v1/chat/completions":
					w.Header().Set("Content-Type", "text/event-stream")
					io.WriteString(w, `data: {"choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}`+"\n\ndata: [DONE]\n\n")
				case "/v1/models":
					io.WriteString(w, `{"object":"list","data":[]}`)
				case "/v1/embeddings":
					io.WriteString(w, `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.5]}]}`)
				}
			}))
			defer srv.Close()
			p := newProvider(t, Config{Kind: KindCompatible, BaseURL: srv.URL + "/v1", APIKey: key})
			if _, _, _, err := chat(t.Context(), p, userRequest("m")); err != nil {
				t.Fatalf("Chat: %v", err)
			}
			if _, err := p.Models(t.Context()); err != nil {
				t.Fatalf("Models: %v", err)
			}
			if _, err := p.Embed(t.Context(), "m", []string{"x"}); err != nil {
				t.Fatalf("Embed: %v", err)
			}
			auth := ""
			if key != "" {
				auth = "Bearer " + key
			}
			want := []sent{
				{"/v1/chat/completions", auth, "aiex", "text/event-stream", "application/json"},
				{"/v1/models", auth, "aiex", "application/json", ""},
				{"/v1/embeddings", auth, "aiex", "application/json", "application/json"},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
		})
	}
}
