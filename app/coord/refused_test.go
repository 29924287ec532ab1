package coord_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/openai"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// unreadableKey is a provider whose stored key cannot be read, as the app
// builds it (app/providers.go, unreadable): its model listing and every
// chat fail at once, without sending anything, with the key store's
// sentence to the user wrapped in a provider error of kind auth.
type unreadableKey struct {
	providers.Provider
	err *providers.Error
}

func newUnreadableKey(p providers.Provider, path string) unreadableKey {
	keyErr := usererr.Wrap(fs.ErrPermission, "key file %s is accessible to other users (mode 0644); restrict it with: chmod 600 %s", path, path)
	return unreadableKey{Provider: p, err: &providers.Error{Provider: p.Name(), Kind: providers.KindAuth, Message: keyErr.Msg, Err: keyErr}}
}

func (p unreadableKey) Chat(context.Context, providers.Request, func(providers.Chunk) error) (providers.Result, error) {
	return providers.Result{}, p.err
}

func (p unreadableKey) Models(context.Context) ([]providers.Model, error) { return nil, p.err }

// TestUnreadableKeyRecordedRefused: a provider whose key cannot be read
// (the key store refuses its key file) sends nothing; the request is
// recorded refused — in its route and as its error kind — not as a
// failed authentication, which no server said, nor as a spend cap's
// refusal. Whether the refusal comes from its model listing (no model
// configured) or from the chat (one configured), it reads the same.
func TestUnreadableKeyRecordedRefused(t *testing.T) {
	for _, model := range []string{"", "gpt-4o-mini"} {
		fake := pt.NewOpenAI(t)
		p, err := openai.New(openai.Config{Name: "openai", BaseURL: fake.URL(), APIKey: "k"})
		if err != nil {
			t.Fatal(err)
		}
		tg := coord.Target{Provider: newUnreadableKey(p, "/d/secret.key"), Model: model}
		e := newEnv(t, coord.Config{Targets: []coord.Target{tg}, MaxAttempts: 2})
		_, in, err := e.chat(t, coord.Request{})
		if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, "chmod 600 /d/secret.key") {
			t.Fatalf("model %q: err = %v; want the key file's refusal", model, err)
		}
		if n := len(fake.Requests()); n != 0 {
			t.Fatalf("model %q: %d requests reached the server; want none", model, n)
		}
		if in == nil {
			t.Fatalf("model %q: the request was not recorded", model)
		}
		rec, _, qerr := e.store.Interaction(context.Background(), in.ID)
		if qerr != nil {
			t.Fatal(qerr)
		}
		if rec.Status != db.StatusError || rec.ErrorKind != "refused" || outcomes(&rec) != "openai:refused" {
			t.Errorf("model %q: recorded status %q, error kind %q, route %q; want error, refused, openai:refused",
				model, rec.Status, rec.ErrorKind, outcomes(&rec))
		}
	}
}

// TestUnauthorizedStaysAuth: a key the server refuses (HTTP 401) was sent:
// the request is recorded as a failed authentication, not as refused.
func TestUnauthorizedStaysAuth(t *testing.T) {
	for _, model := range []string{"", "gpt-4o-mini"} {
		fake := pt.NewOpenAI(t, pt.WithOpenAIKey("right"))
		p, err := openai.New(openai.Config{Name: "openai", BaseURL: fake.URL(), APIKey: "wrong"})
		if err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, coord.Config{Targets: []coord.Target{{Provider: p, Model: model}}, MaxAttempts: 2})
		_, in, err := e.chat(t, coord.Request{})
		var pe *providers.Error
		if !errors.As(err, &pe) || pe.StatusCode != 401 {
			t.Fatalf("model %q: err = %v; want the server's 401", model, err)
		}
		if in == nil {
			t.Fatalf("model %q: the request was not recorded", model)
		}
		rec, _, qerr := e.store.Interaction(context.Background(), in.ID)
		if qerr != nil {
			t.Fatal(qerr)
		}
		if rec.ErrorKind != "auth" || outcomes(&rec) != "openai:auth" {
			t.Errorf("model %q: recorded error kind %q, route %q; want auth, openai:auth", model, rec.ErrorKind, outcomes(&rec))
		}
	}
}
