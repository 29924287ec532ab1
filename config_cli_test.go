package main

// Tests of the configuration as users give it: the file's data_dir, the
// flag and environment variable naming a data dir, and values that parse
// as TOML but are wrong.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// statusDataDir runs aiex status --json in dir with extra environment
// variables and returns the data dir it reports.
func (s *sandbox) statusDataDir(dir string, env []string, args ...string) string {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := s.command(ctx, "", append(args, "--json", "status")...)
	cmd.Dir = dir
	cmd.Env = append(slices.Clone(s.env), env...)
	out, err := cmd.Output()
	if err != nil {
		s.t.Fatalf("aiex %v status (env %v): %v", args, env, err)
	}
	var st struct {
		DataDir string `json:"data_dir"`
	}
	if err := json.Unmarshal(out, &st); err != nil {
		s.t.Fatalf("status --json: %v\n%s", err, out)
	}
	return st.DataDir
}

// TestConfigDataDirPaths: ~/ in data_dir is the home directory, a
// relative data_dir is relative to the config file's directory, and the
// flag and AIEX_DATA_DIR expand ~/ too and are relative to the current
// directory; none of them creates a directory named ~.
func TestConfigDataDirPaths(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	cwd := project(t)
	configDir := filepath.Join(s.home, "config", "aiex")

	s.writeConfig("data_dir = \"~/aiexdata\"\n")
	if got, want := s.statusDataDir(cwd, nil), filepath.Join(s.home, "aiexdata"); got != want {
		t.Errorf(`data_dir = "~/aiexdata": data dir %s, want %s`, got, want)
	}
	s.writeConfig("data_dir = \"relative/dir\"\n")
	if got, want := s.statusDataDir(cwd, nil), filepath.Join(configDir, "relative", "dir"); got != want {
		t.Errorf(`data_dir = "relative/dir": data dir %s, want %s (beside the config file)`, got, want)
	}
	if got, want := s.statusDataDir(cwd, []string{"AIEX_DATA_DIR=~/x"}), filepath.Join(s.home, "x"); got != want {
		t.Errorf("AIEX_DATA_DIR=~/x: data dir %s, want %s", got, want)
	}
	if got, want := s.statusDataDir(cwd, nil, "--data-dir", "here"), filepath.Join(cwd, "here"); got != want {
		t.Errorf("--data-dir here: data dir %s, want %s", got, want)
	}
	if _, err := os.Stat(filepath.Join(cwd, "~")); !os.IsNotExist(err) {
		t.Errorf("a directory named ~ was created in the current directory (%v)", err)
	}

	// ~USER is not expanded: a usage error, not a directory named ~bob.
	r := s.in(cwd, "", "--data-dir", "~bob/aiex", "status")
	if r.code != 2 {
		t.Errorf("--data-dir ~bob/aiex: exit %d; want 2", r.code)
	}
	oneLine(t, r.stderr, "--data-dir", "~bob/aiex", "only ~/")
}

// TestConfigValueErrors: values that parse as TOML but are wrong are
// reported like a syntax error: one line naming the file, the line and
// the key, exit 2, before anything else happens.
func TestConfigValueErrors(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	tests := []struct {
		name, body string
		want       []string
	}{
		{"base_url", "[providers.ollama]\nbase_url = \"not a url\"\n",
			[]string{"line 2", `"providers.ollama.base_url"`, `"not a url"`, "http://127.0.0.1:11434"}},
		{"unknown provider", "model = \"tiny\"\nprovider = \"nope\"\n",
			[]string{"line 2", `key "provider"`, `unknown provider "nope"`}},
		{"model of the wrong type", "model = 5\n",
			[]string{"line 1", "model must be a string", "not 5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := s.writeConfig(tt.body)
			r := s.run("", "ask", "hello")
			if r.code != 2 {
				t.Errorf("exit %d; want 2 (stderr %q)", r.code, r.stderr)
			}
			oneLine(t, r.stderr, append(tt.want, "config "+path)...)
			for _, bad := range []string{"app:", "app.File", "TOML integer", "invalid BaseURL"} {
				if strings.Contains(r.stderr, bad) {
					t.Errorf("stderr shows internals (%q): %s", bad, r.stderr)
				}
			}
		})
	}
	// A default provider that cannot be used is said so, not left out.
	s.writeConfig("provider = \"anthropic\"\n")
	r := s.run("", "ask", "hello")
	if r.code != 2 {
		t.Errorf("provider without a key: exit %d; want 2 (stderr %q)", r.code, r.stderr)
	}
	oneLine(t, r.stderr, `default provider "anthropic" has no API key`, "ANTHROPIC_API_KEY", "aiex keys set anthropic")
	s.writeConfig("")
	if rows := s.history(); len(rows) != 0 {
		t.Errorf("a bad config still sent requests: %+v", rows)
	}
}

// TestProvidersErrorNamedOnce: aiex providers names an unreachable
// provider once before its error, not "gpu: gpu: …".
func TestProvidersErrorNamedOnce(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	s.writeConfig(fmt.Sprintf("[providers.gpu]\nkind = \"ollama\"\nbase_url = %q\n", providertest.Unreachable(t)))
	r := s.mustRun("providers")
	if !strings.Contains(r.stdout, "\ngpu: ") || strings.Contains(r.stdout, "gpu: gpu:") {
		t.Errorf("aiex providers:\n%s", r.stdout)
	}
}
