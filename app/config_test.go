package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/usererr"
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

[providers.gpu]
kind = "ollama"
base_url = "http://gpu:11434"
model = "llama3"

[providers.ollama]
`)
	got, err := app.LoadFile(path, true)
	if err != nil {
		t.Fatal(err)
	}
	want := app.File{
		DataDir: "/srv/aiex", Provider: "gpu", Model: "tiny",
		Providers: map[string]app.ProviderConfig{
			"gpu":    {Kind: "ollama", BaseURL: "http://gpu:11434", Model: "llama3"},
			"ollama": {},
		},
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
