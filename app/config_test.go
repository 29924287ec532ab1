package app_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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

// A byte-order mark at the start of the file, which editors on Windows
// write, is not an error.
func TestLoadFileByteOrderMark(t *testing.T) {
	f, err := app.LoadFile(writeConfig(t, "\ufeffmodel = \"tiny\"\n"), true)
	if err != nil || f.Model != "tiny" {
		t.Fatalf("LoadFile = %+v, %v; want model tiny", f, err)
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
		name    string
		body    string
		want    []string // all must appear in the one-line message
		notWant []string
	}{
		{name: "unknown top-level key", body: "model = \"x\"\nmodle = \"y\"\n", want: []string{"line 2", `unknown key "modle"`}},
		{name: "unknown nested key", body: "[providers.ollama]\nkind = \"ollama\"\nbase_ulr = \"x\"\n", want: []string{"line 3", `"providers.ollama.base_ulr"`}},
		{name: "unknown key in inline table", body: "model = \"x\"\nproviders = { gpu = { kind = \"ollama\", colour = 2 } }\n",
			want: []string{"line 2", `unknown key "providers.gpu.colour"`}},
		{name: "unknown key in nested inline table", body: "[providers]\ngpu = { kind = \"ollama\", base_ulr = \"x\" }\n",
			want: []string{"line 2", `unknown key "providers.gpu.base_ulr"`}},
		{name: "syntax error", body: "model = \"x\"\nprovider = \n", want: []string{"line 2"}},
		{name: "wrong type", body: "model = 3\n", want: []string{"line 1", "model must be a string", "not 3"}, notWant: []string{"app.File", "TOML integer"}},
		{name: "wrong type nested", body: "[providers.x]\nkind = \"ollama\"\nrequests_per_minute = \"60\"\n",
			want: []string{"line 3", "providers.x.requests_per_minute must be a whole number", `not "60"`}},
		{name: "wrong type in inline table", body: "providers = { gpu = { kind = \"ollama\", base_url = 5 } }\n",
			want: []string{"line 1", "providers.gpu.base_url must be a string"}},
		{name: "table for a string", body: "[model]\nx = 1\n", want: []string{"line 1", "model must be a string", "not a table"}},
		{name: "duration as a number", body: "[limits]\ndeadline = 5\n", want: []string{"line 2", "limits.deadline must be a duration", `"10m"`}},
		{name: "mode as a number", body: "[sandbox]\nmode = 3\n", want: []string{"line 2", "sandbox.mode must be", `"strict"`}},
		{name: "list of numbers", body: "[cluster]\nallow_tags = [1]\n", want: []string{"line 2", "cluster.allow_tags must be a list of strings"}},
		{name: "unsupported kind", body: "[providers.x]\nkind = \"bard\"\n", want: []string{"line 2", `"providers.x.kind"`, `kind "bard"`, "supported kinds: ollama"}},
		{name: "no kind, name not a kind", body: "[providers.mine]\nbase_url = \"http://h:1\"\n", want: []string{"line 1", `"providers.mine"`, "no kind given", "ollama"}},
		{name: "default provider without table", body: "provider = \"gpu\"\n[providers.ollama]\n",
			want: []string{"line 1", `key "provider"`, `unknown provider "gpu"`, "configured providers: ollama", "[providers.gpu]"}},
		{name: "default provider unknown, no tables", body: "model = \"x\"\nprovider = \"nope\"\n",
			want: []string{"line 2", `key "provider"`, `unknown provider "nope"`, "ollama, openai, anthropic"}},
		{name: "bad strategy", body: "\nstrategy = \"fastest\"\n", want: []string{"line 2", `key "strategy"`, `"fastest"`, "local_affinity"}},
		{name: "bad deadline", body: "[limits]\ndaily_usd = 1\ndeadline = \"soon\"\n", want: []string{"line 3", "limits.deadline", "10m"}, notWant: []string{"toml:"}},
		{name: "bad retention", body: "[events]\nretention = \"-3d\"\n", want: []string{"line 2", "events.retention", "30d"}},
		{name: "retention too long", body: "[events]\nretention = \"200000d\"\n", want: []string{"line 2", "events.retention", "too long: at most 106751 days"}},
		{name: "bad tag", body: "[cluster]\nallow_tags = [\"aiex\"]\n", want: []string{"line 2", "cluster.allow_tags", "tag:NAME"}},
		{name: "negative cap", body: "[limits]\nmonthly_usd = -1\n", want: []string{"line 2", `"limits.monthly_usd"`, "0 (none) or more"}},
		{name: "negative price", body: "[prices.\"oa/gpt-4o-mini\"]\ninput = -2.5\noutput = 10\n", want: []string{"line 2", `"prices.oa/gpt-4o-mini.input"`, "0 or more"}},
		{name: "negative answer cap", body: "[limits]\nmax_answer = -1\n", want: []string{"line 2", `"limits.max_answer"`, "4 MiB"}},
		{name: "negative rate limit", body: "[providers.ollama]\n\ntokens_per_minute = -5\n", want: []string{"line 3", `"providers.ollama.tokens_per_minute"`}},
		{name: "provider name with a space", body: "model = \"x\"\n[providers.\"my gw\"]\nkind = \"openai-compatible\"\nbase_url = \"http://127.0.0.1:1/v1\"\n",
			want: []string{"line 2", `key "providers.my gw"`, `"my gw"`, `letters, digits, "-" or "_"`}},
		{name: "provider name with a dot", body: "[providers.\"a.b\"]\nkind = \"ollama\"\n", want: []string{"line 1", `key "providers.a.b"`, "invalid provider name"}},
		{name: "provider name with a slash", body: "providers = { \"gpu/ollama\" = { kind = \"ollama\" } }\n", want: []string{"line 1", `key "providers.gpu/ollama"`, "invalid provider name"}},
		{name: "compatible without url", body: "[providers.vllm]\nkind = \"openai-compatible\"\n", want: []string{"line 1", `"vllm"`, "base_url"}},
		{name: "price without output", body: "[prices.\"oa/gpt-qa\"]\ninput = 1\n", want: []string{"line 1", `"prices.oa/gpt-qa"`, "no output price", "0 for an embedding model"}},
		{name: "inline price without output", body: "[prices]\n\"oa/gpt-qa\" = { input = 1 }\n", want: []string{"line 2", `"prices.oa/gpt-qa"`, "no output price"}},
		{name: "price without input", body: "prices = { \"oa/gpt-qa\" = { output = 2 } }\n", want: []string{"line 1", `"prices.oa/gpt-qa"`, "no input price"}},
		{name: "unknown price key", body: "[prices.\"gpt-4o\"]\ninput = 1\noutptu = 2\n", want: []string{"line 3", "outptu"}},
		{name: "base_url not a URL", body: "[providers.ollama]\nbase_url = \"not a url\"\n",
			want: []string{"line 2", `"providers.ollama.base_url"`, `"not a url"`, "http://127.0.0.1:11434"}},
		{name: "base_url without scheme", body: "[providers.lm]\nkind = \"lmstudio\"\nbase_url = \"localhost:1234\"\n",
			want: []string{"line 3", `"providers.lm.base_url"`, "http://localhost:1234"}},
		{name: "base_url password kept out", body: "[providers.vllm]\nkind = \"openai-compatible\"\nbase_url = \"ftp://me:s3cret@h/v1\"\n",
			want: []string{"line 3", "providers.vllm.base_url"}, notWant: []string{"s3cret"}},
		{name: "base_url port out of range", body: "[providers.ollama]\nbase_url = \"http://h:99999\"\n",
			want: []string{"line 2", `"providers.ollama.base_url"`, "port 99999", "1 to 65535"}},
		{name: "base_url port empty", body: "[providers.ollama]\nbase_url = \"http://127.0.0.1:\"\n",
			want: []string{"line 2", "has port nothing after the colon", "1 to 65535"}},
		{name: "base_url port zero", body: "[providers.ollama]\nbase_url = \"http://h:0\"\n",
			want: []string{"line 2", "port 0", "1 to 65535"}},
		{name: "embed names no provider", body: "[providers.ollama]\n[index]\nembed = \"nosuch/x\"\n",
			want: []string{"line 3", `key "index.embed"`, `provider "nosuch"`, "not configured", "configured providers: ollama"}},
		{name: "embed names no provider, no tables", body: "[index]\nembed = \"gpu/x\"\n",
			want: []string{"line 2", `key "index.embed"`, `provider "gpu"`, "configured providers: ollama;"}, notWant: []string{"openai", "anthropic"}},
		{name: "embed names a provider without embeddings", body: "[providers.claude]\nkind = \"anthropic\"\n[index]\nembed = \"claude/x\"\n",
			want: []string{"line 4", `key "index.embed"`, "kind anthropic", "computes no embeddings", "ollama, openai, openai-compatible, lmstudio"}},
		{name: "local on an ollama provider", body: "[providers.gpu]\nkind = \"ollama\"\nlocal = false\n",
			want: []string{"line 3", `"providers.gpu.local"`, "openai-compatible only", "always local"}},
		{name: "local not a bool", body: "[providers.gw]\nkind = \"openai-compatible\"\nbase_url = \"http://127.0.0.1:4000/v1\"\nlocal = \"no\"\n",
			want: []string{"line 4", "providers.gw.local must be true or false", `not "no"`}},
		{name: "relative sandbox path", body: "[sandbox]\nallow = [\"shared\"]\n", want: []string{"line 2", "sandbox.allow", `"shared"`}},
		{name: "data_dir of another user", body: "data_dir = \"~bob/aiex\"\n", want: []string{"line 1", `key "data_dir"`, "only ~/"}},
	}
	// The defaults that need an API key are not configured without one.
	t.Setenv("OPENAI_API_KEY", "")
	t.Setenv("ANTHROPIC_API_KEY", "")
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
			for _, w := range tt.notWant {
				if strings.Contains(msg, w) {
					t.Errorf("message %q contains %q", msg, w)
				}
			}
		})
	}
}

// TestLoadFileDataDir: data_dir expands ~/ and is relative to the file's
// directory, never to the current one.
func TestLoadFileDataDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Chdir(t.TempDir()) // somewhere else than the file
	tests := []struct{ value, want string }{
		{"~/aiexdata", filepath.Join(home, "aiexdata")},
		{"~", home},
		{"relative/dir", "CONFIGDIR/relative/dir"},
		{"../up", "CONFIGDIR/../up"},
		{"/srv/aiex/", "/srv/aiex"},
	}
	for _, tt := range tests {
		path := writeConfig(t, fmt.Sprintf("data_dir = %q\n", tt.value))
		want := filepath.Clean(strings.Replace(tt.want, "CONFIGDIR", filepath.Dir(path), 1))
		f, err := app.LoadFile(path, true)
		if err != nil {
			t.Fatalf("data_dir = %q: %v", tt.value, err)
		}
		if f.DataDir != want {
			t.Errorf("data_dir = %q: got %s, want %s", tt.value, f.DataDir, want)
		}
	}
}

func TestLoadFileSandboxPaths(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.Mkdir(filepath.Join(home, "shared"), 0o700); err != nil {
		t.Fatal(err)
	}
	srv := t.TempDir()
	path := writeConfig(t, fmt.Sprintf("[sandbox]\nallow = [\"~/shared\", %q]\nread_only = [\"~\"]\n", srv))
	f, err := app.LoadFile(path, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(home, "shared"), srv}; !slices.Equal(f.Sandbox.Allow, want) || !slices.Equal(f.Sandbox.ReadOnly, []string{home}) {
		t.Errorf("allow %q, read_only %q; want %q and [%s]", f.Sandbox.Allow, f.Sandbox.ReadOnly, want, home)
	}
	for value, msg := range map[string]string{"~bob/x": `line 2: key "sandbox.allow": "~bob/x": only ~/`, "rel/x": "paths must be absolute"} {
		_, err := app.LoadFile(writeConfig(t, fmt.Sprintf("[sandbox]\nallow = [%q]\n", value)), true)
		if err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("allow = [%q]: %v; want an error saying %q", value, err, msg)
		}
	}
}

func TestExpandPath(t *testing.T) {
	t.Setenv("HOME", "/home/u")
	tests := []struct{ in, want, err string }{
		{"~/x", "/home/u/x", ""},
		{"~", "/home/u", ""},
		{"rel/x", "/base/rel/x", ""},
		{"./x/", "/base/x", ""},
		{"/abs//x", "/abs/x", ""},
		{"~bob/x", "", "only ~/"},
	}
	for _, tt := range tests {
		got, err := app.ExpandPath(tt.in, "/base")
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ExpandPath(%q) = %q, %v; want an error saying %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ExpandPath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
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

// TestParseDuration: Go's durations, whole days, and days followed by a
// Go duration; a duration too long for a time.Duration is refused as too
// long (it used to wrap around to a negative one), and anything else as
// not a duration.
func TestParseDuration(t *testing.T) {
	const day = 24 * time.Hour
	for _, tc := range []struct {
		in      string
		want    time.Duration
		tooLong bool
		bad     bool
	}{
		{in: "90s", want: 90 * time.Second},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "0", want: 0},
		{in: "0d", want: 0},
		{in: "30d", want: 30 * day},
		{in: "1d12h", want: day + 12*time.Hour},
		{in: "2d30m", want: 2*day + 30*time.Minute},
		{in: "1d1h1m1.5s", want: day + time.Hour + time.Minute + 1500*time.Millisecond},
		{in: "106751d", want: 106751 * day},
		{in: "2w", want: 14 * day},
		{in: "0w", want: 0},
		{in: "1w3d", want: 10 * day},
		{in: "2w12h", want: 14*day + 12*time.Hour},
		{in: "1w1d1h", want: 8*day + time.Hour},
		{in: "15250w", want: 15250 * 7 * day},
		{in: "15251w", tooLong: true},
		{in: "15250w2d", tooLong: true},
		{in: "99999999999999999999w", tooLong: true},
		{in: "w", bad: true},
		{in: "1.5w", bad: true},
		{in: "1d2w", bad: true},
		{in: "1w2w", bad: true},
		{in: "-2w", bad: true},
		{in: "106752d", tooLong: true},
		{in: "200000d", tooLong: true},
		{in: "99999999999999999999d", tooLong: true},
		{in: "106751d23h59m59s", tooLong: true},
		{in: "3000000h", tooLong: true},
		{in: "", bad: true},
		{in: "d", bad: true},
		{in: "5", bad: true},
		{in: "-3d", bad: true},
		{in: "-5m", bad: true},
		{in: "1.5d", bad: true},
		{in: "1d-2h", bad: true},
		{in: "1d2d", bad: true},
		{in: "1dx", bad: true},
		{in: "soon", bad: true},
	} {
		got, err := app.ParseDuration(tc.in)
		switch {
		case tc.tooLong:
			if !errors.Is(err, app.ErrDurationTooLong) || !strings.Contains(err.Error(), "too long: at most 106751 days") {
				t.Errorf("ParseDuration(%q) = %v, %v; want too long", tc.in, got, err)
			}
		case tc.bad:
			if err == nil || errors.Is(err, app.ErrDurationTooLong) || !strings.Contains(err.Error(), `"1d12h"`) {
				t.Errorf("ParseDuration(%q) = %v, %v; want not a duration", tc.in, got, err)
			}
		case err != nil || got != tc.want:
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// TestLoadFileDaysAndHours: a duration in the file may be days and then
// a Go duration.
func TestLoadFileDaysAndHours(t *testing.T) {
	f, err := app.LoadFile(writeConfig(t, "[checkpoints]\nmax_age = \"1d12h\"\n[limits]\ndeadline = \"0d10m\"\n"), true)
	if err != nil {
		t.Fatal(err)
	}
	if got := time.Duration(f.Checkpoints.MaxAge); got != 36*time.Hour {
		t.Errorf("max_age = %v; want 36h", got)
	}
	if got := time.Duration(f.Limits.Deadline); got != 10*time.Minute {
		t.Errorf("deadline = %v; want 10m", got)
	}
}

// TestLoadFileWeeks: the file's durations take weeks as the command
// line's do (checkpoint prune --older-than 2w).
func TestLoadFileWeeks(t *testing.T) {
	f, err := app.LoadFile(writeConfig(t, "[checkpoints]\nmax_age = \"2w\"\n[events]\nretention = \"1w3d\"\n[limits]\ndeadline = \"1w\"\n"), true)
	if err != nil {
		t.Fatal(err)
	}
	const day = 24 * time.Hour
	if got := time.Duration(f.Checkpoints.MaxAge); got != 14*day {
		t.Errorf("max_age = %v; want 14 days", got)
	}
	if got := time.Duration(f.Events.Retention); got != 10*day {
		t.Errorf("retention = %v; want 10 days", got)
	}
	if got := time.Duration(f.Limits.Deadline); got != 7*day {
		t.Errorf("deadline = %v; want 7 days", got)
	}
}

// TestLoadFileSandboxPathMissing: a sandbox path that is not there is a
// mistake in the file, refused when it is read with its line and key,
// rather than by the commands that build a sandbox (checkpoint, refactor)
// with an lstat error naming neither. A path that is there may be a file:
// the sandbox takes a file as an allowlisted path of its own.
func TestLoadFileSandboxPathMissing(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	dir := t.TempDir()
	missing := filepath.Join(dir, "shared")
	file := filepath.Join(dir, "protos.txt")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "dangling")
	if err := os.Symlink(missing, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		body, key string
		line      int
		path      string
	}{
		{fmt.Sprintf("[sandbox]\nallow = [%q]\n", missing), "sandbox.allow", 2, missing},
		{fmt.Sprintf("[sandbox]\nmode = \"off\"\nread_only = [\n  %q,\n  %q,\n]\n", dir, missing), "sandbox.read_only", 3, missing},
		{"[sandbox]\nallow = [\"~/nowhere\"]\n", "sandbox.allow", 2, filepath.Join(home, "nowhere")},
		{fmt.Sprintf("[sandbox]\nread_only = [%q]\n", link), "sandbox.read_only", 2, link + " is a symbolic link to " + missing + ", which"},
	}
	for _, tt := range tests {
		path := writeConfig(t, tt.body)
		_, err := app.LoadFile(path, true)
		what := tt.path + " does not exist; create it"
		if strings.Contains(tt.path, "symbolic link") {
			what = tt.path + " does not exist; fix the link"
		}
		want := fmt.Sprintf("config %s line %d: key %q: %s or remove it from the list", path, tt.line, tt.key, what)
		if ue := usererr.As(err); ue == nil || ue.ExitCode() != usererr.ExitUsage || ue.Error() != want {
			t.Errorf("%s: err = %v; want the usage error %q", tt.body, err, want)
		}
	}
	f, err := app.LoadFile(writeConfig(t, fmt.Sprintf("[sandbox]\nallow = [%q]\nread_only = [%q]\n", file, file)), true)
	if err != nil || !slices.Equal(f.Sandbox.Allow, []string{file}) {
		t.Errorf("a file as a sandbox path: %+v, %v; want it taken", f.Sandbox, err)
	}
}

// TestLoadFileSandboxPathUnconfinable: the filesystem's root, the
// kernel's /proc, /sys and /dev, and a link to one of them, are refused
// where the config names them, as the sandbox itself refuses them when a
// command builds one: without this they were accepted until refactor or
// gen failed.
func TestLoadFileSandboxPathUnconfinable(t *testing.T) {
	link := filepath.Join(t.TempDir(), "everything")
	if err := os.Symlink("/", link); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/":        "/ is the filesystem's root, which would confine nothing",
		"/proc":    "/proc is in /proc, the kernel's interfaces",
		"/dev/shm": "/dev/shm is in /dev, the kernel's interfaces",
		"/sys/":    "/sys/ is in /sys",
		link:       link + " (/) is the filesystem's root",
	} {
		for _, key := range []string{"allow", "read_only"} {
			cfg := writeConfig(t, fmt.Sprintf("[sandbox]\n%s = [%q]\n", key, path))
			_, err := app.LoadFile(cfg, true)
			prefix := fmt.Sprintf("config %s line 2: key \"sandbox.%s\": %s", cfg, key, want)
			if ue := usererr.As(err); ue == nil || ue.ExitCode() != usererr.ExitUsage || !strings.HasPrefix(ue.Error(), prefix) {
				t.Errorf("%s = %s: err = %v; want the usage error starting %q", key, path, err, prefix)
			}
		}
	}
}

// TestLoadFileInlinePrices: a price written as an inline table, under
// [prices] or whole, is read as the table form is (its keys were not
// seen, and a price giving both was refused for want of them).
func TestLoadFileInlinePrices(t *testing.T) {
	for _, body := range []string{
		"[prices]\n\"openai/x\" = { input = 1, output = 2 }\n",
		"prices = { \"openai/x\" = { input = 1, output = 2 } }\n",
	} {
		f, err := app.LoadFile(writeConfig(t, body), true)
		if err != nil {
			t.Errorf("%q: %v", body, err)
			continue
		}
		if p := f.Prices["openai/x"]; p.Input != 1 || p.Output != 2 {
			t.Errorf("%q: price %+v; want input 1, output 2", body, p)
		}
	}
}
