package cli_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestRefusedKeySaysItsStatus: a request the server refuses for its key
// (401, in OpenAI's error body) is said by aiex ask and aiex providers
// with the status and address, then the server's message and what to do
// about the key.
func TestRefusedKeySaysItsStatus(t *testing.T) {
	t.Setenv("AIEX_MODEL", "")
	fake := providertest.NewOpenAI(t, providertest.WithOpenAIKey("right"))
	config := fmt.Sprintf("[providers.oa]\nkind = \"openai\"\nbase_url = %q\n", fake.URL())
	env := map[string]string{}
	dir := t.TempDir()
	want := "HTTP 401 from " + fake.URL() + ": "
	r := runConfigured(t, config, env, "--data-dir", dir, "ask", "--no-code", "hello")
	if r.code == 0 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "set OPENAI_API_KEY") {
		t.Errorf("ask: exit %d, stderr %q; want %q and the advice on the key", r.code, r.stderr, want)
	}
	p := runConfigured(t, config, env, "--data-dir", dir, "providers")
	if !strings.Contains(p.stdout, "oa: ") || !strings.Contains(p.stdout, want) || !strings.Contains(p.stdout, "set OPENAI_API_KEY") {
		t.Errorf("providers: exit %d, stdout %q; want %q and the advice on the key", p.code, p.stdout, want)
	}
}
