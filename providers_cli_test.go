package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// writeFile writes a config or other file for a sandbox.
func (s *sandbox) writeConfig(body string) string {
	s.t.Helper()
	path := filepath.Join(s.home, "config", "aiex", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		s.t.Fatal(err)
	}
	return path
}

// TestEveryProviderKindStreams: each kind answers `aiex ask --provider` and
// the answer is recorded under that provider.
func TestEveryProviderKindStreams(t *testing.T) {
	reply := providertest.WithReply("Hel", "lo")
	oai := providertest.NewOpenAI(t, reply, providertest.WithOpenAIKey("sk-openai-test"))
	compat := providertest.NewOpenAI(t, reply)
	ant := providertest.NewAnthropic(t, reply, providertest.WithAnthropicKey("sk-ant-test"))
	lms := providertest.NewLMStudio(t, reply)
	oll := providertest.NewOllama(t, reply)

	s := newSandbox(t, oll.URL())
	s.env = append(s.env,
		"OPENAI_API_KEY=sk-openai-test", "OPENAI_BASE_URL="+oai.URL(),
		"ANTHROPIC_API_KEY=sk-ant-test", "ANTHROPIC_BASE_URL="+ant.URL(),
	)
	s.writeConfig(fmt.Sprintf(`
[providers.ollama]
[providers.openai]
[providers.anthropic]
[providers.lmstudio]
base_url = %q
[providers.vllm]
kind = "openai-compatible"
base_url = %q
`, lms.URL(), compat.URL()))

	for _, p := range []struct{ name, model string }{
		{"ollama", "tiny"},
		{"openai", providertest.DefaultOpenAIModel},
		{"anthropic", providertest.AnthropicDefaultModel},
		{"lmstudio", ""},
		{"vllm", providertest.DefaultOpenAIModel},
	} {
		args := []string{"ask", "--provider", p.name}
		if p.model != "" {
			args = append(args, "--model", p.model)
		}
		r := s.run("", append(args, "hi")...)
		if r.code != 0 || r.stdout != "Hello\n" {
			t.Errorf("ask --provider %s: exit %d, stdout %q, stderr %q", p.name, r.code, r.stdout, r.stderr)
		}
	}
	rows := s.history()
	seen := map[string]bool{}
	for _, h := range rows {
		if h.Status != "ok" || h.CompletionTokens == 0 {
			t.Errorf("row %+v", h)
		}
		seen[h.Provider] = true
	}
	if len(seen) != 5 {
		t.Fatalf("recorded providers %v; want all five", seen)
	}

	// aiex models lists every provider's models.
	out := s.mustRun("models", "--json").stdout
	for _, m := range []string{"tiny", providertest.DefaultOpenAIModel, providertest.AnthropicDefaultModel} {
		if !strings.Contains(out, m) {
			t.Errorf("models --json lacks %s", m)
		}
	}
}

// TestKeysNeverLeak: a stored key is used for requests and appears in no
// output, log line, record or file.
func TestKeysNeverLeak(t *testing.T) {
	const key = "sk-live-0123456789abcdefSECRET"
	oai := providertest.NewOpenAI(t, providertest.WithReply("ok"), providertest.WithOpenAIKey(key))
	s := newSandbox(t, providertest.Unreachable(t))
	s.writeConfig(fmt.Sprintf("[providers.openai]\nbase_url = %q\n", oai.URL()))

	var outputs []string
	r := s.run(key+"\n", "keys", "set", "openai")
	outputs = append(outputs, r.stdout, r.stderr)
	r = s.run("", "--verbose", "--json", "ask", "--provider", "openai", "-m", providertest.DefaultOpenAIModel, "hi")
	if r.code != 0 {
		t.Fatalf("ask with the stored key: exit %d: %s", r.code, r.stderr)
	}
	outputs = append(outputs, r.stdout, r.stderr)
	if got := oai.Requests(); len(got) == 0 {
		t.Fatal("the fake saw no request")
	}
	for _, args := range [][]string{{"history", "--json"}, {"providers", "--json"}, {"status", "--json"}, {"--verbose", "usage", "--json"}} {
		r := s.run("", args...)
		outputs = append(outputs, r.stdout, r.stderr)
	}

	// A wrong key: the 401's error must not echo the stored key either.
	s2 := newSandbox(t, providertest.Unreachable(t))
	s2.writeConfig(fmt.Sprintf("[providers.openai]\nbase_url = %q\n", oai.URL()))
	s2.run("sk-wrong-key-987654321\n", "keys", "set", "openai")
	r = s2.run("", "--verbose", "ask", "--provider", "openai", "-m", "gpt-4o-mini", "hi")
	if r.code == 0 || strings.Contains(r.stderr, "sk-wrong-key-987654321") {
		t.Fatalf("bad key: exit %d, stderr %q", r.code, r.stderr)
	}

	for i, o := range outputs {
		if strings.Contains(o, key) {
			t.Errorf("output %d contains the key: %q", i, o)
		}
	}
	noFileHolds(t, s.dataDir(), key)
}

// TestFailoverIsRecorded: a provider that keeps failing is retried, then the
// next one answers; the route shows every attempt.
func TestFailoverIsRecorded(t *testing.T) {
	down := providertest.NewOpenAI(t, providertest.WithStatus(503, "The server is overloaded"))
	up := providertest.NewOllama(t, providertest.WithReply("rescued"))
	s := newSandbox(t, up.URL())
	s.writeConfig(fmt.Sprintf(`
provider = "flaky"
strategy = "round_robin"
[limits]
max_attempts = 2
[providers.flaky]
kind = "openai-compatible"
base_url = %q
model = "m"
[providers.ollama]
model = "tiny"
`, down.URL()))
	r := s.mustRun("ask", "hi")
	if r.stdout != "rescued\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
	var rows []struct {
		Provider string `json:"provider"`
		Attempts int    `json:"attempts"`
		Route    []struct {
			Provider, Outcome string
		} `json:"route"`
	}
	if err := json.Unmarshal([]byte(s.mustRun("history", "--json").stdout), &rows); err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, a := range rows[0].Route {
		got += a.Provider + ":" + a.Outcome + " "
	}
	if rows[0].Provider != "ollama" || rows[0].Attempts != 3 || got != "flaky:overloaded flaky:overloaded ollama:ok " {
		t.Fatalf("recorded %+v (route %q)", rows[0], got)
	}
}

// TestSpendCap: once the day's spend reaches the cap, paid requests are
// refused with a clear message.
func TestSpendCap(t *testing.T) {
	paid := providertest.NewOpenAI(t, providertest.WithReply("$$"), providertest.WithUsage(1_000_000, 1000))
	s := newSandbox(t, providertest.Unreachable(t))
	// A loopback openai-compatible server would count as local (free): use
	// kind openai pointed at the fake, priced by the config.
	s.writeConfig(fmt.Sprintf(`
[limits]
daily_usd = 1
[providers.cloud]
kind = "openai"
base_url = %q
model = "gpt-4o-mini"
api_key_env = "CLOUD_KEY"
[prices."cloud/gpt-4o-mini"]
input = 2
output = 10
`, paid.URL()))
	s.env = append(s.env, "CLOUD_KEY=k")
	s.mustRun("ask", "first")
	u := s.mustRun("usage", "--json").stdout
	if !strings.Contains(u, `"cost_usd": 2.01`) {
		t.Fatalf("usage does not show the $2.01 spent: %s", u)
	}
	r := s.run("", "ask", "second")
	if r.code != 1 {
		t.Fatalf("over the cap: exit %d", r.code)
	}
	oneLine(t, r.stderr, "daily spend cap of $1.00", "daily_usd")
	// `aiex providers --json` says the cap refuses the paid provider.
	var ps []struct {
		Name     string `json:"name"`
		SpendCap string `json:"spend_cap"`
	}
	if err := json.Unmarshal([]byte(s.mustRun("providers", "--json").stdout), &ps); err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Name == "cloud" && p.SpendCap != "daily spend cap of $1.00 is reached ($2.01 spent)" {
			t.Errorf("providers --json: cloud's spend_cap = %q", p.SpendCap)
		}
	}
	// And the table, in cloud's row.
	for _, l := range strings.Split(s.mustRun("providers").stdout, "\n") {
		if strings.HasPrefix(l, "cloud ") && !strings.Contains(l, "spend cap reached") {
			t.Errorf("providers: cloud's row %q does not say the cap is reached", l)
		}
	}
}

// A configured cloud provider without a key neither stops the commands
// nor is sent requests: it is listed with what to do, and ask goes to the
// providers that can answer.
func TestProviderWithoutKey(t *testing.T) {
	oll := providertest.NewOllama(t, providertest.WithReply("Hel", "lo"))
	s := newSandbox(t, oll.URL())
	s.env = append(s.env, "OPENAI_API_KEY=", "OPENAI_BASE_URL=", "ANTHROPIC_API_KEY=", "ANTHROPIC_BASE_URL=", "WORK_OPENAI_KEY=")
	s.writeConfig(`
[providers.work]
kind = "openai"
api_key_env = "WORK_OPENAI_KEY"
[providers.claude]
kind = "anthropic"
[providers.ollama]
`)
	r := s.run("", "ask", "hi")
	if r.code != 0 || r.stdout != "Hello\n" {
		t.Fatalf("ask: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = s.run("", "providers")
	if r.code != 0 {
		t.Fatalf("providers: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{
		"auth failed",
		"work: auth: no API key configured: set WORK_OPENAI_KEY (the config's api_key_env) or run aiex keys set work",
		"claude: auth: no API key configured: set ANTHROPIC_API_KEY or run aiex keys set claude",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("providers output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = s.run("", "ask", "--provider", "work", "hi")
	if r.code == 0 || !strings.Contains(r.stderr, "set WORK_OPENAI_KEY (the config's api_key_env) or run aiex keys set work") {
		t.Errorf("ask --provider work: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestModelsNoneReachable: with every provider out of reach, aiex models
// says why for each, and that none listed a model, and fails; --json still
// prints the object, with the errors.
func TestModelsNoneReachable(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	r := s.run("", "models")
	if r.code != 1 || r.stdout != "" {
		t.Fatalf("models: exit %d, stdout %q; want 1 and no table", r.code, r.stdout)
	}
	if !strings.Contains(r.stderr, "aiex: ollama: ") || !strings.Contains(r.stderr, "no provider listed any model") {
		t.Errorf("models: stderr %q; want ollama's error and the summary", r.stderr)
	}
	r = s.run("", "models", "--json")
	var out struct {
		Models []any             `json:"models"`
		Errors map[string]string `json:"errors"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 1 || len(out.Models) != 0 || out.Errors["ollama"] == "" {
		t.Fatalf("models --json: exit %d, %+v, %v; want exit 1 and ollama's error", r.code, out, err)
	}
}
