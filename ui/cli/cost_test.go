package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
	"github.com/aiex-dev/aiex/ui/cli"
)

// runConfigured runs the command line in-process with config as the
// configuration file and env as the environment.
func runConfigured(t *testing.T, config string, env map[string]string, args ...string) run {
	t.Helper()
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, "aiex"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "aiex", "config.toml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CONFIG_HOME", home)
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, cli.Env{
		Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] },
		Build:  cli.BuildInfo{Version: "test", Commit: "abc"},
	})
	return run{code, out.String(), errb.String()}
}

// TestUnknownCostIsNotZero: a cloud model with no known price costs an
// unknown amount, not $0 as a local model does: usage marks its cost and
// says how many requests it leaves out (and --json counts them), history
// marks it as usage does, "$0.0000+?" (and --json cost_unknown), while the
// local model's requests show as free.
func TestUnknownCostIsNotZero(t *testing.T) {
	config := paidAndLocal(t, "")
	var env map[string]string
	dir := t.TempDir()
	for _, args := range [][]string{{"--provider", "oa", "-m", "gpt-9"}, {"--provider", "local", "-m", "tiny"}} {
		args = append(append([]string{"--data-dir", dir, "ask"}, args...), "hello")
		if r := runConfigured(t, config, env, args...); r.code != 0 {
			t.Fatalf("ask %q: exit %d: %s", args, r.code, r.stderr)
		}
	}

	u := runConfigured(t, config, env, "--data-dir", dir, "usage")
	lines := strings.Split(strings.TrimSuffix(u.stdout, "\n"), "\n")
	if u.code != 0 || len(lines) != 5 {
		t.Fatalf("usage: exit %d, %q; want a header, 2 rows, the total and a note", u.code, lines)
	}
	// The model's name is left out: Ollama's may gain its tag (tiny:latest).
	for i, want := range [][2]string{{"local", "1 0 10 2 $0.0000"}, {"oa", "1 0 10 2 $0.0000+?"}, {"total", "2 0 20 4 $0.0000+?"}} {
		f := strings.Fields(lines[i+1])
		if f[0] == "total" {
			f = append([]string{"", "total"}, f[1:]...)
		}
		if len(f) < 7 || f[1] != want[0] || strings.Join(f[len(f)-5:], " ") != want[1] {
			t.Errorf("usage line %d: %q; want %s with %s", i+1, lines[i+1], want[0], want[1])
		}
	}
	if !strings.HasPrefix(lines[4], "+? 1 request of unknown price is not in the cost;") {
		t.Errorf("usage note %q", lines[4])
	}

	uj := runConfigured(t, config, env, "--data-dir", dir, "--json", "usage")
	var rows []struct {
		Provider string
		Unpriced int
	}
	if err := json.Unmarshal([]byte(uj.stdout), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("usage --json: %q (%v)", uj.stdout, err)
	}
	for _, r := range rows {
		if want := map[string]int{"oa": 1, "local": 0}[r.Provider]; r.Unpriced != want {
			t.Errorf("usage --json: %s unpriced %d; want %d", r.Provider, r.Unpriced, want)
		}
	}

	h := runConfigured(t, config, env, "--data-dir", dir, "history")
	hl := strings.Split(strings.TrimSuffix(h.stdout, "\n"), "\n")
	if h.code != 0 || len(hl) != 3 || !strings.Contains(hl[0], "COST") {
		t.Fatalf("history: exit %d, %q", h.code, hl)
	}
	for _, l := range hl[1:] {
		want := "$0.0000"
		if strings.Contains(l, "gpt-9") {
			want = "$0.0000+?"
		}
		if !strings.Contains(l, " "+want+" ") {
			t.Errorf("history line %q does not show the cost %s", l, want)
		}
	}
	hj := runConfigured(t, config, env, "--data-dir", dir, "--json", "history")
	var ins []struct {
		Provider    string
		CostUnknown bool `json:"cost_unknown"`
	}
	if err := json.Unmarshal([]byte(hj.stdout), &ins); err != nil || len(ins) != 2 {
		t.Fatalf("history --json: %q (%v)", hj.stdout, err)
	}
	for _, in := range ins {
		if in.CostUnknown != (in.Provider == "oa") {
			t.Errorf("history --json: %s cost_unknown %v", in.Provider, in.CostUnknown)
		}
	}
}

// TestUsageDaysAreUTC: usage groups by UTC day, as the daily spend cap
// counts, and says so in its help and its table, since history shows
// local time.
func TestUsageDaysAreUTC(t *testing.T) {
	help := runConfigured(t, "", nil, "usage", "--help")
	if help.code != 0 || !strings.Contains(help.stdout, "UTC") {
		t.Errorf("usage --help does not say days are UTC: %q", help.stdout)
	}
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	config := "[providers.local]\nkind = \"ollama\"\nbase_url = \"" + fake.URL() + "\"\n"
	dir := t.TempDir()
	if r := runConfigured(t, config, nil, "--data-dir", dir, "ask", "-m", "tiny", "hello"); r.code != 0 {
		t.Fatalf("ask: exit %d: %s", r.code, r.stderr)
	}
	u := runConfigured(t, config, nil, "--data-dir", dir, "usage")
	if !strings.HasPrefix(u.stdout, "DAY (UTC) ") {
		t.Errorf("usage table does not say days are UTC: %q", u.stdout)
	}
}

// TestModelsWarnsOfLocalPrice: a price the config gives a local model has
// no effect (local models are never charged); models says so, once.
func TestModelsWarnsOfLocalPrice(t *testing.T) {
	fake := providertest.NewOllama(t)
	config := "[providers.local]\nkind = \"ollama\"\nbase_url = \"" + fake.URL() + "\"\n" +
		"[prices.\"local/tiny:latest\"]\ninput = 1.0\noutput = 2.0\n"
	r := runConfigured(t, config, nil, "--data-dir", t.TempDir(), "models")
	want := "aiex: warning: [prices.\"local/tiny:latest\"] in the config is ignored: local models are never charged\n"
	if r.code != 0 || r.stderr != want {
		t.Errorf("models: exit %d, stderr %q; want %q", r.code, r.stderr, want)
	}
}

// paidAndLocal starts a fake cloud provider oa (model gpt-9, priced by
// prices, a [prices] table or "") and a fake local one, each answering
// "ok" with 10 tokens in and 2 out, and returns the config naming them.
func paidAndLocal(t *testing.T, prices string) string {
	t.Helper()
	const key = "sk-test-0123456789"
	oa := providertest.NewOpenAI(t, providertest.WithReply("ok"), providertest.WithUsage(10, 2), providertest.WithOpenAIKey(key),
		providertest.WithModels(providertest.Model{Name: "gpt-9"}))
	ol := providertest.NewOllama(t, providertest.WithReply("ok"), providertest.WithUsage(10, 2))
	// The core reads the process's environment (cli.Env.Getenv is the CLI's).
	t.Setenv("QA_OA_KEY", key)
	return `[providers.oa]
kind = "openai"
base_url = "` + oa.URL() + `"
api_key_env = "QA_OA_KEY"
[providers.local]
kind = "ollama"
base_url = "` + ol.URL() + `"
` + prices
}
