package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/keys"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db/dbtest"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/pricing"
	"github.com/aiex-dev/aiex/providers/providertest"
)

type keysFunc func(provider string) (string, bool, error)

func (f keysFunc) Get(_ context.Context, provider string) (string, bool, error) { return f(provider) }

// TestStoredKeyUnreadable: a stored key that cannot be read (its key file
// missing or replaced) makes only its own provider fail, saying so and how
// to store it again, in its model listing and its chats, without sending
// anything; the other providers are built as usual. With no providers
// configured, such a key's provider is not left out without a word either.
func TestStoredKeyUnreadable(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t)
	keyFile := filepath.Join(t.TempDir(), "secret.key")
	if _, err := keys.New(st, keyFile, "n1").Set(ctx, "lms", "sk-lms-0123456789"); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	ks := keys.New(st, keyFile, "n1")
	noEnv := func(string) string { return "" }
	lms := providertest.NewLMStudio(t)
	oll := providertest.NewOllama(t)

	f := File{Providers: map[string]ProviderConfig{
		"lms":    {Kind: "lmstudio", BaseURL: lms.URL()},
		"ollama": {Kind: "ollama", BaseURL: oll.URL()},
	}}
	targets, err := buildTargets(ctx, f, ks, noEnv)
	if err != nil {
		t.Fatalf("buildTargets: %v", err)
	}
	if len(targets) != 2 {
		t.Fatalf("%d targets; want 2", len(targets))
	}
	for _, tg := range targets {
		p := tg.Provider
		_, lerr := p.Models(ctx)
		if p.Name() != "lms" {
			if lerr != nil {
				t.Errorf("%s: Models: %v", p.Name(), lerr)
			}
			continue
		}
		_, cerr := p.Chat(ctx, providers.Request{Model: "m", Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}},
			func(providers.Chunk) error { return nil })
		for _, err := range []error{lerr, cerr} {
			if providers.KindOf(err) != providers.KindAuth || !errors.Is(err, keys.ErrUndecryptable) {
				t.Errorf("%s: err = %v; want an auth error wrapping ErrUndecryptable", p.Name(), err)
				continue
			}
			for _, w := range []string{"the key stored for lms cannot be decrypted", keyFile + " is missing", "aiex keys set lms"} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: %q does not mention %q", p.Name(), err, w)
				}
			}
		}
	}
	if n := len(lms.Requests()); n != 0 {
		t.Errorf("LM Studio got %d chat requests; want none", n)
	}
}

// TestStoredKeyUnreadableUnconfigured: with no providers configured, a
// stored key that cannot be read makes its provider (openai), which then
// fails saying why, rather than an error for every command or a provider
// left out without a word.
func TestStoredKeyUnreadableUnconfigured(t *testing.T) {
	broken := keys.ErrUndecryptable
	ks := keysFunc(func(p string) (string, bool, error) {
		if p == "openai" {
			return "", false, &usererr.Error{Msg: "the key stored for openai cannot be decrypted", Err: broken}
		}
		return "", false, nil
	})
	targets, err := buildTargets(context.Background(), File{}, ks, func(string) string { return "" })
	if err != nil {
		t.Fatalf("buildTargets: %v", err)
	}
	var names []string
	for _, tg := range targets {
		names = append(names, tg.Provider.Name())
		if tg.Provider.Name() == "openai" {
			if _, err := tg.Provider.Models(context.Background()); !errors.Is(err, broken) || !strings.Contains(err.Error(), "cannot be decrypted") {
				t.Errorf("openai: Models = %v; want the key's error", err)
			}
		}
	}
	if strings.Join(names, ",") != "ollama,openai" {
		t.Errorf("targets %v; want ollama,openai", names)
	}
}

// TestTopLevelModelFailsOver: the README's example — a preferred Ollama
// with its own model, down, and the top-level model served by none of the
// others — fails over to OpenAI, which is asked for its own first model
// rather than the top-level one it does not list; with a top-level model
// OpenAI lists, that is the one it is asked for, and a local Ollama,
// which local_affinity would try first but which does not list it, is not
// sent it.
func TestTopLevelModelFailsOver(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		top  string
		lab  bool
		want string
	}{{"llama3.2", false, "gpt-4o-mini"}, {"gpt-4o", true, "gpt-4o"}} {
		t.Run(tc.top, func(t *testing.T) {
			oai := providertest.NewOpenAI(t, providertest.WithReply("hi"), providertest.WithModels(
				providertest.Model{Name: "gpt-4o-mini"}, providertest.Model{Name: "gpt-4o"}))
			oll := providertest.NewOllama(t, providertest.WithReply("local"), providertest.WithModels(providertest.Model{Name: "tiny"}))
			f := File{Provider: "gpu", Model: tc.top, Providers: map[string]ProviderConfig{
				"gpu":    {Kind: "ollama", BaseURL: providertest.Unreachable(t), Model: "tiny"},
				"openai": {BaseURL: oai.URL(), APIKeyEnv: "QA_OPENAI_KEY"},
			}}
			if tc.lab {
				// Tried before OpenAI by local_affinity, were it not
				// for the model.
				f.Providers["lab"] = ProviderConfig{Kind: "ollama", BaseURL: oll.URL()}
			}
			getenv := func(k string) string {
				if k == "QA_OPENAI_KEY" {
					return "sk-test-0123456789"
				}
				return ""
			}
			targets, err := buildTargets(ctx, f, nil, getenv)
			if err != nil {
				t.Fatal(err)
			}
			st := dbtest.Open(t)
			c := coord.New(coord.Config{Targets: targets, Recorder: st, Node: st.NodeID(), Preferred: f.Provider,
				MaxAttempts: 1})
			t.Cleanup(c.Close)
			in, err := c.Chat(ctx, coord.Request{Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}},
				func(providers.Chunk) error { return nil })
			if err != nil {
				t.Fatalf("Chat: %v", err)
			}
			if in.Provider != "openai" || in.Model != tc.want {
				t.Errorf("answered by %s/%s; want openai/%s (route %+v)", in.Provider, in.Model, tc.want, in.Route)
			}
			for _, r := range oll.Requests() {
				t.Errorf("Ollama was sent %q", r.Model)
			}
		})
	}
}

// TestLocalFalse: an openai-compatible gateway on loopback (LiteLLM
// forwarding to a paid API) marked local = false is a cloud provider:
// local_affinity tries a local server before it, its models are not
// listed as local, and its requests are priced by [prices] and count
// against the spend caps.
func TestLocalFalse(t *testing.T) {
	ctx := context.Background()
	gw := providertest.NewOpenAI(t, providertest.WithReply("paid"), providertest.WithModels(providertest.Model{Name: "gpt-4o"}))
	oll := providertest.NewOllama(t, providertest.WithReply("free"), providertest.WithModels(providertest.Model{Name: "tiny"}))
	path := filepath.Join(t.TempDir(), "config.toml")
	conf := "[providers.gw]\nkind = \"openai-compatible\"\nbase_url = \"" + gw.URL() + "\"\nlocal = false\n" +
		"[providers.lab]\nkind = \"ollama\"\nbase_url = \"" + oll.URL() + "\"\n" +
		"[limits]\ndaily_usd = 5\n[prices.\"gw/gpt-4o\"]\ninput = 2.5\noutput = 10\n"
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := LoadFile(path, true)
	if err != nil {
		t.Fatalf("LoadFile: %v", err)
	}
	targets, err := buildTargets(ctx, f, nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets {
		if tg.Provider.Name() != "gw" {
			continue
		}
		if tg.Local {
			t.Error("gw is local")
		}
		ms, err := tg.Provider.Models(ctx)
		if err != nil || len(ms) == 0 || ms[0].Local {
			t.Errorf("gw models %+v, %v; want them listed as not local", ms, err)
		}
	}
	st := dbtest.Open(t)
	c := coord.New(coord.Config{Targets: targets, Recorder: st, Node: st.NodeID(),
		Prices: pricing.Table{Overrides: f.Prices}, Caps: coord.SpendCaps{DailyUSD: f.Limits.DailyUSD}, MaxAttempts: 1})
	t.Cleanup(c.Close)
	msgs := []providers.Message{{Role: providers.RoleUser, Content: "hi"}}
	none := func(providers.Chunk) error { return nil }
	in, err := c.Chat(ctx, coord.Request{Messages: msgs}, none)
	if err != nil || in.Provider != "lab" {
		t.Errorf("Chat answered by %v (err %v); want the local server lab first", in.Provider, err)
	}
	in, err = c.Chat(ctx, coord.Request{Messages: msgs, Provider: "gw"}, none)
	if err != nil || in.Provider != "gw" || in.CostUSD <= 0 {
		t.Errorf("Chat to gw: %+v, %v; want it priced", in, err)
	}
}
