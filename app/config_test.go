package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers/pricing"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadFileValid(t *testing.T) {
	path := writeConfig(t, `
data_dir = "/srv/aiex"
provider = "gpu"
model = "tiny"
strategy = "round_robin"

[limits]
daily_usd = 2.5
deadline = "90s"
max_attempts = 2

[prices."gpu/llama3"]
input = 0.1
output = 0.2

[providers.gpu]
kind = "ollama"
base_url = "http://gpu:11434"
model = "llama3"
requests_per_minute = 30

[providers.ollama]

[events]
retention = "90d"

[cluster]
allow_users = ["alice@example.com"]
allow_tags = ["tag:aiex"]
refuse_attach = true
`)
	got, err := app.LoadFile(path, true)
	if err != nil {
		t.Fatal(err)
	}
	want := app.File{
		DataDir: "/srv/aiex", Provider: "gpu", Model: "tiny", Strategy: "round_robin",
		Providers: map[string]app.ProviderConfig{
			"gpu":    {Kind: "ollama", BaseURL: "http://gpu:11434", Model: "llama3", RequestsPerMinute: 30},
			"ollama": {},
		},
		Limits:  app.Limits{DailyUSD: 2.5, Deadline: app.Duration(90 * time.Second), MaxAttempts: 2},
		Prices:  map[string]pricing.Price{"gpu/llama3": {Input: 0.1, Output: 0.2}},
		Events:  app.EventsConfig{Retention: app.Duration(90 * 24 * time.Hour)},
		Cluster: app.ClusterFileConfig{AllowUsers: []string{"alice@example.com"}, AllowTags: []string{"tag:aiex"}, RefuseAttach: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("LoadFile (-want +got):\n%s", diff)
	}
}

func TestLoadFileMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.toml")
	if f, err := app.LoadFile(path, false); err != nil || f.Providers != nil {
		t.Fatalf("missing default file: %+v, %v; want empty config", f, err)
	}
	_, err := app.LoadFile(path, true)
	ue := usererr.As(err)
	if ue == nil || ue.ExitCode() != usererr.ExitUsage || !strings.Contains(ue.Msg, path) {
		t.Fatalf("missing named file: %v; want a usage error naming it", err)
	}
}

func TestLoadFileErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string // all must appear in the one-line message
	}{
		{"unknown top-level key", "model = \"x\"\nmodle = \"y\"\n", []string{"line 2", `unknown key "modle"`}},
		{"unknown nested key", "[providers.ollama]\nkind = \"ollama\"\nbase_ulr = \"x\"\n", []string{"line 3", `"providers.ollama.base_ulr"`}},
		{"syntax error", "model = \"x\"\nprovider = \n", []string{"line 2"}},
		{"wrong type", "model = 3\n", []string{"line 1", `"model"`}},
		{"unsupported kind", "[providers.x]\nkind = \"bard\"\n", []string{`kind "bard"`, "supported kinds: ollama"}},
		{"default provider without table", "provider = \"gpu\"\n[providers.ollama]\n", []string{`provider = "gpu"`, "configured: ollama"}},
		{"bad strategy", "strategy = \"fastest\"\n", []string{`"fastest"`, "local_affinity"}},
		{"bad deadline", "[limits]\ndaily_usd = 1\ndeadline = \"soon\"\n", []string{"line 3", "limits.deadline", "10m"}},
		{"bad retention", "[events]\nretention = \"-3d\"\n", []string{"line 2", "events.retention", "30d"}},
		{"bad tag", "[cluster]\nallow_tags = [\"aiex\"]\n", []string{"allow_tags", "tag:NAME"}},
		{"negative cap", "[limits]\nmonthly_usd = -1\n", []string{"[limits]"}},
		{"compatible without url", "[providers.vllm]\nkind = \"openai-compatible\"\n", []string{`"vllm"`, "base_url"}},
		{"unknown price key", "[prices.\"gpt-4o\"]\ninput = 1\noutptu = 2\n", []string{"line 3", "outptu"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.body)
			_, err := app.LoadFile(path, true)
			ue := usererr.As(err)
			if ue == nil || ue.ExitCode() != usererr.ExitUsage {
				t.Fatalf("err = %v; want a usage error", err)
			}
			msg := ue.Error()
			if strings.Contains(msg, "\n") {
				t.Fatalf("message spans lines: %q", msg)
			}
			for _, w := range append(tt.want, path) {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestDefaultPathsFollowXDG(t *testing.T) {
	t.Setenv("XDG_DATA_HOME", "/x/data")
	t.Setenv("XDG_CONFIG_HOME", "/x/config")
	if got := app.DefaultDataDir(); got != "/x/data/aiex" {
		t.Errorf("DefaultDataDir = %s", got)
	}
	if got := app.DefaultConfigPath(); got != "/x/config/aiex/config.toml" {
		t.Errorf("DefaultConfigPath = %s", got)
	}
	t.Setenv("XDG_DATA_HOME", "relative/ignored")
	t.Setenv("HOME", "/home/u")
	if got := app.DefaultDataDir(); got != "/home/u/.local/share/aiex" {
		t.Errorf("DefaultDataDir with relative XDG_DATA_HOME = %s", got)
	}
}
