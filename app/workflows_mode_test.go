package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/sandbox"
)

// TestGenTestsMode: gen tests' commands are confined as --sandbox says,
// else as the config's [sandbox] mode says where the config sets it (to
// auto too, the mode's zero value), else strictly.
func TestGenTestsMode(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, config, flag, want string
	}{
		{"no config", "", "", "strict"},
		{"config without the mode", "[sandbox]\nmax_file_size = 1000\n", "", "strict"},
		{"config auto", "[sandbox]\nmode = \"auto\"\n", "", "auto"},
		{"config off", "[sandbox]\nmode = \"off\"\n", "", "off"},
		{"config strict", "[sandbox]\nmode = \"strict\"\n", "", "strict"},
		{"dotted key", "sandbox.mode = \"auto\"\n", "", "auto"},
		{"flag over config", "[sandbox]\nmode = \"strict\"\n", "auto", "auto"},
		{"flag alone", "", "off", "off"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.toml")
			if tc.config != "" {
				if err := os.WriteFile(path, []byte(tc.config), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			f, err := LoadFile(path, false)
			if err != nil {
				t.Fatal(err)
			}
			a, err := New(ctx, Config{DataDir: t.TempDir(), ConfigPath: path, File: f, Getenv: func(string) string { return "" }})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close(ctx)
			if got := a.testsMode(tc.flag); got != tc.want {
				t.Errorf("mode %q; want %q", got, tc.want)
			}
		})
	}
}

// TestRefusedTestsHint: what strict mode's refusal of the tests says to
// do names the flag on the command line, and the config's key elsewhere
// (the TUI has no flags).
func TestRefusedTestsHint(t *testing.T) {
	re := &sandbox.RefusedError{Op: "exec", Path: "go", Rule: sandbox.RuleStrict, Reason: "cannot be confined"}
	if got := refusedTests(re, "cli"); !strings.Contains(got, "--sandbox auto runs them less confined, --no-build skips them") {
		t.Errorf("cli: %s", got)
	}
	if got := refusedTests(re, "tui"); strings.Contains(got, "--") || !strings.Contains(got, `[sandbox] mode = "auto" in the config runs them less confined`) {
		t.Errorf("tui: %s", got)
	}
}
