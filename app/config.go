package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/sandbox"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers/pricing"
)

// File is the TOML configuration file, by default
// $XDG_CONFIG_HOME/aiex/config.toml. Every field is optional.
//
//	data_dir = "/path/to/data"      # like --data-dir / AIEX_DATA_DIR
//	provider = "ollama"             # default provider (like --provider)
//	model = "llama3.2"              # default model (like --model / AIEX_MODEL)
//	strategy = "local_affinity"     # or load_balanced, round_robin
//
//	[providers.ollama]              # one table per provider; the key is its name
//	kind = "ollama"                 # ollama, openai, openai-compatible, anthropic, lmstudio; defaults to the name
//	base_url = "http://127.0.0.1:11434"
//	model = "llama3.2"              # this provider's default model
//	api_key_env = "MY_KEY"          # read the API key from this variable
//	requests_per_minute = 60        # rate limits per model (0: none)
//	tokens_per_minute = 100000
//
//	[limits]
//	daily_usd = 5                   # spend caps on paid models (0: none); with one set, a cloud
//	                                # model with no known price is not used
//	monthly_usd = 50
//	deadline = "10m"                # per request, retries included
//	max_attempts = 3                # per provider+model before failing over
//
//	[prices."openai/gpt-4o"]        # USD per 1M tokens; "provider/model" or "model"
//	input = 2.5
//	output = 10
//
//	[events]
//	retention = "90d"               # prune session events older than this, through snapshots ("": keep all)
//
//	[sandbox]                       # every file the assistant reads or writes, every command it runs
//	mode = "auto"                   # commands: auto (Landlock when the kernel has it), strict (refuse without), off
//	allow = ["/srv/shared"]         # extra paths it may read and write, beside the project
//	read_only = ["/opt/protos"]     # extra paths it may read
//	max_file_size = 8388608         # bytes, per file read or written
//
//	[cluster]                       # aiex node run on a tailnet (flags --allow-user, --allow-tag win)
//	allow_users = ["alice@example.com"]   # who may join and call the node (default: your own user)
//	allow_tags = ["tag:aiex"]
//	refuse_attach = true            # peers may not attach a TUI to this node (aiex tui --node); default: they may
//
//	[checkpoints]                   # what aiex checkpoint prune (and a node, hourly) deletes
//	keep = 200                      # the newest N of each project are kept
//	max_age = "30d"                 # only older ones go; tagged checkpoints are always kept
type File struct {
	DataDir     string                    `toml:"data_dir"`
	Provider    string                    `toml:"provider"`
	Model       string                    `toml:"model"`
	Strategy    string                    `toml:"strategy"`
	Providers   map[string]ProviderConfig `toml:"providers"`
	Limits      Limits                    `toml:"limits"`
	Prices      map[string]pricing.Price  `toml:"prices"`
	Index       IndexConfig               `toml:"index"`
	Events      EventsConfig              `toml:"events"`
	Checkpoints CheckpointsConfig         `toml:"checkpoints"`
	Sandbox     SandboxConfig             `toml:"sandbox"`
	Cluster     ClusterFileConfig         `toml:"cluster"`
}

// ClusterFileConfig is the [cluster] table: who may join on a tailnet,
// and whether they may attach a TUI to this node.
type ClusterFileConfig struct {
	AllowUsers []string `toml:"allow_users"` // tailnet logins
	AllowTags  []string `toml:"allow_tags"`  // tag:NAME
	// RefuseAttach refuses peers' attached TUIs (aiex tui --node THIS):
	// their questions, session reads and event tails. Forwarded model
	// requests and status are still served.
	RefuseAttach bool `toml:"refuse_attach"`
}

// SandboxConfig is the [sandbox] table (see app/sandbox).
type SandboxConfig struct {
	Mode        sandbox.Mode `toml:"mode"`
	Allow       []string     `toml:"allow"`
	ReadOnly    []string     `toml:"read_only"`
	MaxFileSize int64        `toml:"max_file_size"`
}

// CheckpointsConfig is the [checkpoints] table: their retention.
type CheckpointsConfig struct {
	Keep   int      `toml:"keep"`    // the newest N per project are kept (0: no count kept)
	MaxAge Duration `toml:"max_age"` // only checkpoints older than this are pruned (0: any age)
}

// EventsConfig is the [events] table: the event log.
type EventsConfig struct {
	// Retention: events of sessions older than this are pruned (aiex
	// events prune; a node does it hourly), always through a snapshot so
	// that replay still rebuilds every session. 0 keeps every event.
	Retention Duration `toml:"retention"`
}

// IndexConfig is the [index] table: retrieval over the code index.
type IndexConfig struct {
	// Embed is "PROVIDER/MODEL", an embedding model that aiex index runs
	// over every chunk and search uses to re-rank ("ollama/nomic-embed-text");
	// "" leaves embeddings off.
	Embed string `toml:"embed"`
}

// ProviderConfig configures one provider.
type ProviderConfig struct {
	Kind              string `toml:"kind"`
	BaseURL           string `toml:"base_url"`
	Model             string `toml:"model"`
	APIKeyEnv         string `toml:"api_key_env"`
	RequestsPerMinute int    `toml:"requests_per_minute"`
	TokensPerMinute   int    `toml:"tokens_per_minute"`
	// ContextWindow overrides the context window, in tokens, that prompts
	// to this provider's models are fitted to (0: ask the provider).
	ContextWindow int `toml:"context_window"`
}

// Limits are the [limits] table: spend caps and request policy.
type Limits struct {
	DailyUSD    float64  `toml:"daily_usd"`
	MonthlyUSD  float64  `toml:"monthly_usd"`
	Deadline    Duration `toml:"deadline"`
	MaxAttempts int      `toml:"max_attempts"`
}

// Duration is a time.Duration written as a string ("90s", "10m") in TOML.
type Duration time.Duration

// UnmarshalText parses a duration like "10m", or a number of days ("90d").
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// ParseDuration parses a duration as Go writes them ("90s", "10m", "36h")
// or a whole number of days ("90d").
func ParseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 && n < 1e6 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a duration like \"90s\", \"10m\" or \"30d\"", s)
	}
	return v, nil
}

// Provider kinds this build supports.
var providerKinds = []string{"ollama", "openai", "openai-compatible", "anthropic", "lmstudio"}

// LoadFile reads and validates the configuration file at path. A missing
// file is an empty configuration unless required is set (the user named the
// file). Syntax errors and unknown keys are *usererr.Error with exit code 2
// naming the file, line and key.
func LoadFile(path string, required bool) (File, error) {
	var f File
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !required {
		return f, nil
	}
	if err != nil {
		return f, &usererr.Error{Msg: fmt.Sprintf("cannot read config file %s: %s", path, pathReason(err)), Code: usererr.ExitUsage, Err: err}
	}
	dec := toml.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return File{}, configError(path, err)
	}
	if err := f.validate(path); err != nil {
		return File{}, err
	}
	return f, nil
}

// configError turns a TOML decoding error into one line naming file, line and key.
func configError(path string, err error) error {
	var strict *toml.StrictMissingError
	var derr *toml.DecodeError
	switch {
	case errors.As(err, &strict) && len(strict.Errors) > 0:
		e := strict.Errors[0]
		row, _ := e.Position()
		return usererr.Usage("config %s line %d: unknown key %q; remove it or fix its spelling (the README's Configuration section lists the keys)",
			path, row, strings.Join(e.Key(), "."))
	case errors.As(err, &derr):
		row, _ := derr.Position()
		msg := derr.Error()
		if k := derr.Key(); len(k) > 0 {
			return usererr.Usage("config %s line %d: key %q: %s", path, row, strings.Join(k, "."), msg)
		}
		return usererr.Usage("config %s line %d: %s", path, row, msg)
	default:
		return usererr.Usage("config %s: %v", path, err)
	}
}

func (f *File) validate(path string) error {
	for _, name := range sortedKeys(f.Providers) {
		p := f.Providers[name]
		kind := p.Kind
		if kind == "" {
			kind = name
		}
		if !slices.Contains(providerKinds, kind) {
			return usererr.Usage("config %s: provider %q has kind %q, which this build does not support; supported kinds: %s",
				path, name, kind, strings.Join(providerKinds, ", "))
		}
	}
	if _, err := coord.ParseStrategy(f.Strategy); err != nil {
		return usererr.Usage("config %s: %s", path, err)
	}
	for name, p := range f.Providers {
		if p.RequestsPerMinute < 0 || p.TokensPerMinute < 0 {
			return usererr.Usage("config %s: provider %q: rate limits must be 0 (none) or more", path, name)
		}
		if p.ContextWindow < 0 {
			return usererr.Usage("config %s: provider %q: context_window must be 0 (ask the provider) or a number of tokens", path, name)
		}
		if p.Kind == "openai-compatible" && p.BaseURL == "" {
			return usererr.Usage("config %s: provider %q of kind openai-compatible needs base_url (e.g. http://127.0.0.1:8080/v1)", path, name)
		}
	}
	if e := f.Index.Embed; e != "" {
		if p, m, ok := strings.Cut(e, "/"); !ok || p == "" || m == "" {
			return usererr.Usage("config %s: [index] embed = %q: write it as PROVIDER/MODEL, e.g. \"ollama/nomic-embed-text\"", path, e)
		}
	}
	if f.Sandbox.MaxFileSize < 0 {
		return usererr.Usage("config %s: [sandbox] max_file_size must be 0 (the default, 8 MiB) or a number of bytes", path)
	}
	for _, p := range append(slices.Clone(f.Sandbox.Allow), f.Sandbox.ReadOnly...) {
		if !filepath.IsAbs(p) {
			return usererr.Usage("config %s: [sandbox] paths must be absolute; %q is not", path, p)
		}
	}
	for _, tag := range f.Cluster.AllowTags {
		if !strings.HasPrefix(tag, "tag:") {
			return usererr.Usage("config %s: [cluster] allow_tags: %q is not a tag; write tags as tag:NAME", path, tag)
		}
	}
	if f.Checkpoints.Keep < 0 {
		return usererr.Usage("config %s: [checkpoints] keep must be 0 (no count kept) or more", path)
	}
	if f.Limits.DailyUSD < 0 || f.Limits.MonthlyUSD < 0 || f.Limits.MaxAttempts < 0 {
		return usererr.Usage("config %s: [limits] values must be 0 (none) or more", path)
	}
	if f.Provider != "" && len(f.Providers) > 0 {
		if _, ok := f.Providers[f.Provider]; !ok {
			return usererr.Usage("config %s: provider = %q names no [providers.%s] table; configured: %s",
				path, f.Provider, f.Provider, strings.Join(sortedKeys(f.Providers), ", "))
		}
	}
	return nil
}

// DefaultDataDir is $XDG_DATA_HOME/aiex, or ~/.local/share/aiex.
func DefaultDataDir() string {
	return filepath.Join(xdgDir("XDG_DATA_HOME", ".local/share"), "aiex")
}

// DefaultConfigPath is $XDG_CONFIG_HOME/aiex/config.toml, or ~/.config/aiex/config.toml.
func DefaultConfigPath() string {
	return filepath.Join(xdgDir("XDG_CONFIG_HOME", ".config"), "aiex", "config.toml")
}

func xdgDir(env, fallback string) string {
	if d := os.Getenv(env); filepath.IsAbs(d) {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		home = os.TempDir()
	}
	return filepath.Join(home, fallback)
}

func pathReason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
