package sandbox_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/sandbox"
)

// TestCommandEnvScrubbed: a command's default environment has none of the
// variables that look like credentials — by their names (keys, personal
// access tokens, auth, passwords, private keys, cookies, sessions), by
// their values (a URL with a password), or because the sandbox was told
// their names (a provider's api_key_env) — and keeps what toolchains need.
func TestCommandEnvScrubbed(t *testing.T) {
	hidden := map[string]string{
		"WORK_OPENAI_KEY":     "sk-work-1",
		"OPENAI_KEY":          "sk-2",
		"ANTHROPIC_API_KEY":   "sk-ant-3",
		"HEX_API_KEY":         "hex-4",
		"APIKEY":              "k-5",
		"SSH_KEY_FILE":        "/root/.ssh/id",
		"GH_PAT":              "ghp-6",
		"AZURE_PAT_VALUE":     "pat-7",
		"GITHUB_TOKEN":        "ghs-8",
		"MY_AUTH_HEADER":      "Bearer 9",
		"OAUTH_CLIENT":        "oauth-10",
		"DB_PASS":             "pw-11",
		"SMTP_PASSWORD":       "pw-12",
		"SIGNING_PRIVATE_PEM": "pem-13",
		"SESSION_COOKIE":      "c-14",
		"RAILS_SESSION":       "s-15",
		"CLIENT_SECRET":       "s-16",
		"AWS_CREDENTIALS":     "c-17",
		"DATABASE_URL":        "postgres://u:pw-18@db.example:5432/app",
		"UPSTREAM":            "see https://bot:pw-19@git.example/repo.git",
		"GOPROXY":             "https://mod:pw-20@proxy.example,direct",
		"AIEX_DATA_DIR":       "/d-21",
		"COMPANY_LLM":         "sk-named-22", // named by HideEnv
	}
	kept := map[string]string{
		"GOFLAGS":      "-mod=mod",
		"GOPRIVATE":    "example.com/corp/*",
		"GONOSUMDB":    "example.com/corp/*",
		"MIX_ENV":      "test",
		"HEX_HOME":     "/h/.hex",
		"ERL_AFLAGS":   "-kernel shell_history enabled",
		"LANG":         "C.UTF-8",
		"LC_ALL":       "C.UTF-8",
		"TERM":         "xterm",
		"USER":         "dev",
		"KEYBOARD":     "us",
		"MONKEY_PATCH": "1", // a KEY inside a word part, not a word part
		"PATHEXT":      ".x",
		"HTTP_PROXY":   "http://proxy.example:3128/",
		"DOCS_URL":     "https://user@docs.example/", // a user, no password
	}
	for k, v := range hidden {
		t.Setenv(k, v)
	}
	for k, v := range kept {
		t.Setenv(k, v)
	}
	for _, mode := range []sandbox.Mode{sandbox.ModeAuto, sandbox.ModeOff} {
		t.Run(mode.String(), func(t *testing.T) {
			base := t.TempDir()
			s, err := sandbox.New(base, sandbox.Options{Mode: mode, HideEnv: []string{"COMPANY_LLM", ""}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close(context.Background()) })
			out, err := s.Command(context.Background(), "sh", "-c", "env").Output()
			if err != nil {
				t.Fatalf("env: %v", err)
			}
			env := map[string]string{}
			for line := range strings.SplitSeq(string(out), "\n") {
				if k, v, ok := strings.Cut(line, "="); ok {
					env[k] = v
				}
			}
			for k, v := range hidden {
				if _, ok := env[k]; ok {
					t.Errorf("%s reached the command", k)
				}
				if strings.Contains(string(out), v) {
					t.Errorf("the value of %s reached the command", k)
				}
			}
			for k, v := range kept {
				if env[k] != v {
					t.Errorf("%s = %q in the command, want %q", k, env[k], v)
				}
			}
			for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
				if env[k] == "" {
					t.Errorf("%s is missing from the command's environment", k)
				}
			}
		})
	}
}
