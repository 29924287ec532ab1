package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestRefusedKeyAdvice: the advice that follows a refused key names only
// what would change the key sent. While the config's api_key_env variable
// is set it wins over a stored key, so aiex keys set would change nothing;
// a stored key wins over the kind's standard variable, so setting that
// would change nothing either.
func TestRefusedKeyAdvice(t *testing.T) {
	const refused = "sk-refused-0123456789"
	tests := []struct {
		name   string
		pc     app.ProviderConfig
		env    map[string]string
		stored bool
		want   string
	}{
		{"api_key_env set", app.ProviderConfig{Kind: "openai", APIKeyEnv: "QA_OA_KEY"},
			map[string]string{"QA_OA_KEY": refused}, true,
			"to give another: change QA_OA_KEY (the config's api_key_env; while it is set, stored keys are not used))"},
		{"api_key_env unset, key stored", app.ProviderConfig{Kind: "openai", APIKeyEnv: "QA_OA_KEY"},
			nil, true,
			"to give another: set QA_OA_KEY (the config's api_key_env) or run aiex keys set oa)"},
		{"key stored before OPENAI_API_KEY", app.ProviderConfig{Kind: "openai"},
			map[string]string{"OPENAI_API_KEY": "sk-other-0123456789"}, true,
			"to give another: run aiex keys set oa (a stored key is used before OPENAI_API_KEY))"},
		{"OPENAI_API_KEY", app.ProviderConfig{Kind: "openai"},
			map[string]string{"OPENAI_API_KEY": refused}, false,
			"to give another: set OPENAI_API_KEY or run aiex keys set oa)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := providertest.NewOpenAI(t, providertest.WithReply("ok"), providertest.WithOpenAIKey("sk-accepted-0123456789"))
			tt.pc.BaseURL = fake.URL()
			// The openai package reads its standard variable itself.
			t.Setenv("OPENAI_API_KEY", tt.env["OPENAI_API_KEY"])
			ctx := context.Background()
			a, err := app.New(ctx, app.Config{DataDir: t.TempDir(), Getenv: func(k string) string { return tt.env[k] },
				File: app.File{Providers: map[string]app.ProviderConfig{"oa": tt.pc}}})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close(ctx)
			if tt.stored {
				if _, err := a.Keys.Set(ctx, "oa", refused); err != nil {
					t.Fatal(err)
				}
			}
			req := ask.Request{Prompt: "hi", Provider: "oa", Model: providertest.DefaultOpenAIModel}
			_, err = a.Ask(ctx, req, func(string) error { return nil })
			if err == nil || !strings.Contains(err.Error(), "the API key was refused") {
				t.Fatalf("err = %v; want the key refused", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant it to end %q", err, tt.want)
			}
		})
	}
}
