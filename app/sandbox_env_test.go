package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/sandbox"
)

// TestSandboxHidesKeyEnv: the variable a provider's api_key_env names is
// kept from confined commands whatever its name (model-written code runs
// there), as variables named like keys are.
func TestSandboxHidesKeyEnv(t *testing.T) {
	t.Setenv("COMPANY_LLM", "sk-company-secret")
	t.Setenv("HARMLESS_SETTING", "kept")
	ctx := context.Background()
	a := providerApp(t, map[string]app.ProviderConfig{"work": {Kind: "openai", APIKeyEnv: "COMPANY_LLM"}})
	sb, err := a.Sandbox(t.TempDir(), sandbox.Options{Mode: sandbox.ModeOff})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close(ctx)
	out, err := sb.Command(ctx, "sh", "-c", "env").Output()
	if err != nil {
		t.Fatal(err)
	}
	if env := string(out); strings.Contains(env, "sk-company-secret") || !strings.Contains(env, "HARMLESS_SETTING=kept") {
		t.Errorf("confined environment:\n%s", env)
	}
}
