package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/keys"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/anthropic"
	"github.com/aiex-dev/aiex/providers/lmstudio"
	"github.com/aiex-dev/aiex/providers/ollama"
	"github.com/aiex-dev/aiex/providers/openai"
)

// keyLookup finds a stored API key for a provider name.
type keyLookup interface {
	Get(ctx context.Context, provider string) (string, bool, error)
}

// buildTargets makes the configured providers, the default one first. With
// none configured, it makes what the user's environment already sets up:
// Ollama at OLLAMA_HOST (or its default address) always, OpenAI and
// Anthropic when their standard API key variables (or stored keys) exist.
func buildTargets(ctx context.Context, f File, keys keyLookup, getenv func(string) string) ([]coord.Target, error) {
	type spec struct {
		name string
		pc   ProviderConfig
	}
	var specs []spec
	names := sortedKeys(f.Providers)
	if i := slices.Index(names, f.Provider); i > 0 {
		names = append([]string{f.Provider}, slices.Delete(names, i, i+1)...)
	}
	for _, n := range names {
		specs = append(specs, spec{n, f.Providers[n]})
	}
	if len(specs) == 0 {
		specs = append(specs, spec{"ollama", ProviderConfig{Kind: "ollama"}})
		for _, k := range envKeyed {
			stored, err := hasStoredKey(ctx, keys, k.name)
			if err != nil && !unreadableKey(err) {
				return nil, err
			}
			// A key stored but unreadable (its key file gone or
			// damaged) must not make the provider vanish unexplained:
			// it is made, and fails saying why (unreadable).
			stored = stored || err != nil
			if getenv(k.env) != "" || stored {
				specs = append(specs, spec{k.name, ProviderConfig{Kind: k.name}})
			} else if f.Provider == k.name {
				// The default provider named in the config would be left
				// out without a word: say what it lacks.
				return nil, usererr.Usage("the config's default provider %q has no API key; set %s or run aiex keys set %s",
					k.name, k.env, k.name)
			}
		}
	}

	if e := f.Index.Embed; e != "" {
		// LoadFile checked the name against the tables, or against the
		// defaults; whether a default that needs a key has one is known
		// only here.
		p, _, _ := strings.Cut(e, "/")
		var made []string
		for _, s := range specs {
			made = append(made, s.name)
		}
		if !slices.Contains(made, p) {
			for _, k := range envKeyed {
				if k.name == p {
					return nil, f.Index.embedError("%q names provider %q, which has no API key; set %s or run aiex keys set %s (configured providers: %s)",
						e, p, k.env, p, strings.Join(made, ", "))
				}
			}
			return nil, f.Index.notConfiguredEmbed(p, made)
		}
	}

	out := make([]coord.Target, 0, len(specs))
	for _, s := range specs {
		kind := s.pc.Kind
		if kind == "" {
			kind = s.name
		}
		key, from, keyErr := apiKey(ctx, s.name, kind, s.pc, keys, getenv)
		if keyErr != nil && !unreadableKey(keyErr) {
			return nil, keyErr
		}
		p, err := newProvider(s.name, kind, s.pc, key, from)
		if err != nil {
			return nil, fmt.Errorf("app: provider %s: %w", s.name, err)
		}
		if keyErr != nil {
			// Only this provider fails, saying why, in every request
			// and in aiex providers and status: one key file lost must
			// not stop the providers that need none of its keys.
			p = unreadable{Provider: p, err: &providers.Error{Provider: s.name, Kind: providers.KindAuth,
				Message: usererr.As(keyErr).Msg, Err: keyErr}}
		}
		// The top-level model is asked for where the provider lists it,
		// as --model is; a provider that does not list it is tried after
		// those that do, with its own default (coord.Target.Wanted).
		var wanted string
		if s.pc.Model == "" {
			wanted = f.Model
		}
		out = append(out, coord.Target{
			Provider: p,
			Model:    s.pc.Model,
			Wanted:   wanted,
			Local:    isLocal(kind, s.pc, p.Endpoint()),
			// Where its address came from, for the advice on reaching it.
			AddressFrom: addressFrom(kind, s.pc, getenv),
			Limits:      coord.Limits{RequestsPerMinute: s.pc.RequestsPerMinute, TokensPerMinute: s.pc.TokensPerMinute},
		})
	}
	return out, nil
}

// addressEnv is the variable a provider of each kind takes its address
// from when the config gives it no base_url (the provider packages read
// it themselves).
var addressEnv = map[string]string{
	openai.KindOpenAI: "OPENAI_BASE_URL",
	"anthropic":       "ANTHROPIC_BASE_URL",
	"ollama":          "OLLAMA_HOST",
}

// addressFrom says where the address of a provider of kind, configured as
// pc, comes from (coord.Target.AddressFrom): "" its base_url in the
// config, else the variable that sets it, else its default address.
func addressFrom(kind string, pc ProviderConfig, getenv func(string) string) string {
	switch env := addressEnv[kind]; {
	case pc.BaseURL != "" || kind == openai.KindCompatible:
		return ""
	case env != "" && getenv(env) != "":
		return env
	}
	return coord.AddressDefault
}

// envKeyed are the providers made without configuration when their
// standard API key variable (or a stored key) exists.
var envKeyed = []struct{ name, env string }{{"openai", "OPENAI_API_KEY"}, {"anthropic", "ANTHROPIC_API_KEY"}}

// envConfigured are the providers made without configuration as far as
// the environment tells: Ollama, and those whose standard API key variable
// is set (a stored key makes one too, which only the store knows).
func envConfigured(getenv func(string) string) []string {
	out := []string{"ollama"}
	for _, k := range envKeyed {
		if getenv(k.env) != "" {
			out = append(out, k.name)
		}
	}
	return out
}

// KeyedProviders are the names of the providers that read a stored key
// (aiex keys set), sorted: the configured ones of a kind other than
// Ollama's, or, with none configured, those made from the environment.
func KeyedProviders(f File) []string {
	var out []string
	if len(f.Providers) == 0 {
		for _, k := range envKeyed {
			out = append(out, k.name)
		}
	}
	for name, pc := range f.Providers {
		if cmp.Or(pc.Kind, name) != "ollama" {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// keySource is where the key a provider sends came from.
type keySource int

const (
	keyNone   keySource = iota // none: the provider package reads its standard variable, if any
	keyEnv                     // the variable named by api_key_env
	keyStored                  // aiex keys set
)

// apiKey resolves a provider's key: the variable named by api_key_env, then
// a key stored with `aiex keys set`, then (in the provider package) the
// provider's standard variable (OPENAI_API_KEY, ANTHROPIC_API_KEY). Local kinds need none.
func apiKey(ctx context.Context, name, kind string, pc ProviderConfig, keys keyLookup, getenv func(string) string) (string, keySource, error) {
	if v := KeyEnvSet(pc, getenv); v != "" {
		return getenv(v), keyEnv, nil
	}
	if kind == "ollama" || keys == nil {
		return "", keyNone, nil
	}
	v, ok, err := keys.Get(ctx, name)
	if err != nil {
		return "", keyNone, err
	}
	if ok {
		return v, keyStored, nil
	}
	return "", keyNone, nil
}

// unreadableKey reports whether err says that a stored key cannot be
// read with this node's key file (missing, replaced or unusable), rather
// than that the store could not be asked.
func unreadableKey(err error) bool {
	return usererr.As(err) != nil && (errors.Is(err, keys.ErrUndecryptable) || errors.Is(err, keys.ErrKeyFile))
}

// unreadable is a provider whose stored key cannot be read: every request
// to it, and its model listing, fails with why, and sends nothing. Sent
// without the key, or with the one from the standard variable, a request
// would go out with a key the user did not choose.
type unreadable struct {
	providers.Provider
	err *providers.Error
}

func (p unreadable) Chat(context.Context, providers.Request, func(providers.Chunk) error) (providers.Result, error) {
	return providers.Result{}, p.err
}

func (p unreadable) Models(context.Context) ([]providers.Model, error) { return nil, p.err }

// Secrets are those of the provider (its base URL's password), which
// requests must not record either.
func (p unreadable) Secrets() *providers.Redactor {
	if sh, ok := p.Provider.(coord.SecretHolder); ok {
		return sh.Secrets()
	}
	return nil
}

// KeyEnvSet returns the name of the variable the provider's api_key_env
// names when it is set in the environment, and "" otherwise. While it is
// set, its value is the key sent and a stored key is not used.
func KeyEnvSet(pc ProviderConfig, getenv func(string) string) string {
	if pc.APIKeyEnv != "" && getenv(pc.APIKeyEnv) != "" {
		return pc.APIKeyEnv
	}
	return ""
}

// hasStoredKey reports whether a key for name is stored and readable; a
// key stored but not readable is an error.
func hasStoredKey(ctx context.Context, keys keyLookup, name string) (bool, error) {
	if keys == nil {
		return false, nil
	}
	_, ok, err := keys.Get(ctx, name)
	return ok, err
}

// keyAdvice says how to give provider name a key, for the errors of
// requests made without one or with one refused: the variable the config
// names, else the kind's standard one, or a stored key. It names only what
// would change the key sent, given where that key came from: while the
// api_key_env variable is set a stored key is not read, and a stored key
// is sent in preference to the standard variable. env is "" for a kind
// that reads no standard variable (openai-compatible): naming
// OPENAI_API_KEY sent the user to set a key it never reads.
func keyAdvice(name, env string, pc ProviderConfig, from keySource) string {
	switch {
	case from == keyEnv:
		return fmt.Sprintf("change %s (the config's api_key_env; while it is set, stored keys are not used)", pc.APIKeyEnv)
	case pc.APIKeyEnv != "":
		env = pc.APIKeyEnv + " (the config's api_key_env)"
	case env == "":
		return "run aiex keys set " + name
	case from == keyStored:
		return fmt.Sprintf("run aiex keys set %s (a stored key is used before %s)", name, env)
	}
	return fmt.Sprintf("set %s or run aiex keys set %s", env, name)
}

// isLocal reports whether a provider of kind, configured as pc and
// reached at endpoint, is local (free, exempt from the spend caps,
// preferred by local_affinity): as its local setting says, else by its
// kind and address (coord.IsLocalKind).
func isLocal(kind string, pc ProviderConfig, endpoint string) bool {
	if pc.Local != nil {
		return *pc.Local
	}
	return coord.IsLocalKind(kind, endpoint)
}

// newProvider builds one provider of a kind.
func newProvider(name, kind string, pc ProviderConfig, key string, from keySource) (providers.Provider, error) {
	switch kind {
	case "ollama":
		p, err := ollama.New(ollama.Config{Name: name, BaseURL: pc.BaseURL})
		if errors.Is(err, ollama.ErrBadHost) {
			// A bad OLLAMA_HOST is the user's to fix, as a bad base_url
			// in the config is: one line, exit 2.
			return nil, &usererr.Error{Msg: err.Error(), Code: usererr.ExitUsage, Err: err}
		}
		if err != nil {
			return nil, err
		}
		return p, nil
	case openai.KindOpenAI, openai.KindCompatible:
		env := "OPENAI_API_KEY"
		if kind == openai.KindCompatible {
			env = "" // it reads no standard variable: its key is its own
		}
		advice := keyAdvice(name, env, pc, from)
		if kind == openai.KindCompatible && key == "" && !hasUserinfo(pc.BaseURL) {
			// Sent without a key (a local server needs none): a 401 asks
			// for one, none was refused (keyless).
			p, err := openai.New(openai.Config{Name: name, Kind: kind, BaseURL: pc.BaseURL, Local: pc.Local})
			if err != nil {
				return nil, err
			}
			return keyless{Provider: p, advice: advice}, nil
		}
		return openai.New(openai.Config{Name: name, Kind: kind, BaseURL: pc.BaseURL, APIKey: key,
			KeyAdvice: advice, Local: pc.Local})
	case "anthropic":
		return anthropic.New(anthropic.Config{Name: name, BaseURL: pc.BaseURL, APIKey: key,
			KeyAdvice: keyAdvice(name, "ANTHROPIC_API_KEY", pc, from)})
	case lmstudio.Kind:
		return lmstudio.New(lmstudio.Config{Name: name, BaseURL: pc.BaseURL, APIKey: key, KeyAdvice: keyAdvice(name, "", pc, from)})
	}
	return nil, fmt.Errorf("unsupported provider kind %q", kind)
}

// keyless is an openai-compatible provider with no key to send (none in
// its api_key_env, none stored): its requests go without one, and a server
// that refuses them with 401 is said to want a key, with how to give it
// (advice), as a provider that needs one says before sending. "The API
// key was refused" was said of a key never sent.
type keyless struct {
	*openai.Provider
	advice string
}

func (p keyless) Chat(ctx context.Context, req providers.Request, fn func(providers.Chunk) error) (providers.Result, error) {
	res, err := p.Provider.Chat(ctx, req, fn)
	return res, p.noKey(err)
}

func (p keyless) Models(ctx context.Context) ([]providers.Model, error) {
	ms, err := p.Provider.Models(ctx)
	return ms, p.noKey(err)
}

func (p keyless) Embed(ctx context.Context, model string, input []string) ([][]float32, error) {
	v, err := p.Provider.Embed(ctx, model, input)
	return v, p.noKey(err)
}

func (p keyless) EmbedUsage(ctx context.Context, model string, input []string) ([][]float32, providers.Usage, error) {
	v, u, err := p.Provider.EmbedUsage(ctx, model, input)
	return v, u, p.noKey(err)
}

// noKey is err, said as a key missing when the server refused the request
// with 401.
func (p keyless) noKey(err error) error {
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.StatusCode != http.StatusUnauthorized {
		return err
	}
	c := *pe
	c.Message = "no API key configured: " + p.advice + " (the server refused the request without one)"
	return &c
}

// hasUserinfo reports whether base carries a user name or password, which
// is sent (Basic authentication) when there is no key.
func hasUserinfo(base string) bool {
	u, err := url.Parse(base)
	return err == nil && u.User != nil
}
