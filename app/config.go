package app

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/keys"
	"github.com/aiex-dev/aiex/app/sandbox"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/pricing"
)

// File is the TOML configuration file, by default
// $XDG_CONFIG_HOME/aiex/config.toml. Every field is optional.
//
//	data_dir = "/path/to/data"      # like --data-dir / AIEX_DATA_DIR; ~/ is $HOME, and a relative
//	                                # path is relative to this file's directory
//	provider = "ollama"             # tried first, whatever the strategy (--provider pins one)
//	model = "llama3.2"              # default model: asked of the providers that list it and have no model of their own;
//	                                # those that do not list it are tried after them, on their own default
//	strategy = "local_affinity"     # or load_balanced, round_robin
//
//	[providers.ollama]              # one table per provider; the key is its name
//	kind = "ollama"                 # ollama, openai, openai-compatible, anthropic, lmstudio; defaults to the name
//	base_url = "http://127.0.0.1:11434"
//	model = "llama3.2"              # this provider's default model
//	api_key_env = "MY_KEY"          # read the API key from this variable
//	local = false                   # openai-compatible only: free and preferred (true) or priced and capped (false); default: by its address
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
//	keep = 200                      # the newest N of each project are kept (0: unset, unlike --keep 0)
//	max_age = "30d"                 # only older ones go (0: unset); tagged checkpoints are always kept
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

// CheckpointsConfig is the [checkpoints] table: their retention. A 0 is
// unset, as a key left out is: unlike --keep 0 on the command line, keep
// = 0 does not delete every untagged checkpoint, since a node applies the
// table hourly and would then delete each one within the hour.
type CheckpointsConfig struct {
	Keep   int      `toml:"keep"`    // the newest N per project are kept (0: no bound by count)
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

	// EmbedAt is where LoadFile found Embed ("config PATH line N"), for
	// the mistakes about it found only once the providers are built: a
	// default provider that needs an API key is not made without one.
	EmbedAt string `toml:"-" json:"-"`
}

// embedError is a usage error about Embed, naming the file, line and key
// when LoadFile read it.
func (ic IndexConfig) embedError(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if ic.EmbedAt == "" {
		return usererr.Usage("config key %q: %s", "index.embed", msg)
	}
	return usererr.Usage("%s: key %q: %s", ic.EmbedAt, "index.embed", msg)
}

// notConfiguredEmbed says that e names provider p, which is not among
// configured.
func (ic IndexConfig) notConfiguredEmbed(p string, configured []string) error {
	return ic.embedError("%q names provider %q, which is not configured; configured providers: %s; fix the name or configure %s",
		ic.Embed, p, strings.Join(configured, ", "), p)
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
	// Local, for an openai-compatible server, says whether its models
	// are local — free, exempt from the spend caps, preferred by
	// local_affinity — whatever its address says (nil: by its address,
	// coord.IsLocalKind). A gateway on loopback (LiteLLM) that forwards
	// to a paid API is not local; a server on a named host of the LAN is.
	Local *bool `toml:"local"`
}

// Limits are the [limits] table: spend caps and request policy.
type Limits struct {
	DailyUSD    float64  `toml:"daily_usd"`
	MonthlyUSD  float64  `toml:"monthly_usd"`
	Deadline    Duration `toml:"deadline"`
	MaxAttempts int      `toml:"max_attempts"`
	MaxAnswer   int64    `toml:"max_answer"` // bytes of one answer; 0 is coord.DefaultMaxAnswer
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

// MaxDays is the longest duration ParseDuration gives, in days: a
// time.Duration holds about 292 years.
const MaxDays = int64(math.MaxInt64 / int64(24*time.Hour)) // 106,751

// ErrDurationTooLong is matched (errors.Is) by ParseDuration's error for
// a duration longer than MaxDays days.
var ErrDurationTooLong = errors.New("duration too long")

// tooLongError is ParseDuration's error for a duration a time.Duration
// cannot hold. Without it such a duration wrapped around to a negative
// one, and "200000d" was refused as not more than 0.
type tooLongError struct{ s string }

func (e *tooLongError) Error() string {
	return fmt.Sprintf("%q is too long: at most %d days", e.s, MaxDays)
}

func (e *tooLongError) Is(target error) bool { return target == ErrDurationTooLong }

// goDuration is the text of a duration as Go writes them, with no sign:
// numbers, each with a unit.
var goDuration = regexp.MustCompile(`^(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:ns|us|µs|μs|ms|s|m|h))+$`)

// ParseDuration parses a duration as Go writes them ("90s", "10m", "36h"),
// a whole number of weeks or days ("2w", "90d"), or weeks, then days, then
// a Go duration ("1w3d", "1d12h", "2w30m"). One longer than MaxDays days
// is refused with an error matching ErrDurationTooLong. Every duration
// aiex reads, in the file or on the command line, is read by it.
func ParseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a duration like \"90s\", \"10m\", \"30d\", \"2w\" or \"1d12h\"", s)
	var days int64
	rest := s
	// Go's units have no w or d: the first w ends the weeks, the first d
	// the days.
	for _, u := range []struct {
		unit string
		days int64
	}{{"w", 7}, {"d", 1}} {
		n, r, ok := strings.Cut(rest, u.unit)
		if !ok {
			continue
		}
		if n == "" || strings.Trim(n, "0123456789") != "" {
			return 0, bad
		}
		v, err := strconv.ParseInt(n, 10, 64)
		if err != nil || v > (MaxDays-days)/u.days {
			return 0, &tooLongError{s}
		}
		days, rest = days+v*u.days, r
	}
	if rest == "" && rest != s {
		return time.Duration(days) * 24 * time.Hour, nil
	}
	if s == "0" {
		return 0, nil // as Go reads it, unit-less
	}
	if !goDuration.MatchString(rest) {
		return 0, bad
	}
	v, err := time.ParseDuration(rest)
	if err != nil {
		// Well formed, so too big for a time.Duration.
		return 0, &tooLongError{s}
	}
	if time.Duration(days) > (math.MaxInt64-v)/(24*time.Hour) {
		return 0, &tooLongError{s}
	}
	return time.Duration(days)*24*time.Hour + v, nil
}

// Provider kinds this build supports.
var providerKinds = []string{"ollama", "openai", "openai-compatible", "anthropic", "lmstudio"}

// embedKinds are the provider kinds that compute embeddings ([index]
// embed): those whose provider implements providers.Embedder.
var embedKinds = []string{"ollama", "openai", "openai-compatible", "lmstudio"}

// envProviders are the providers aiex sets up from the environment when the
// file has no [providers.NAME] table (see buildTargets).
var envProviders = []string{"ollama", "openai", "anthropic"}

// baseURLExamples show a base_url of each kind in messages.
var baseURLExamples = map[string]string{
	"ollama":            "http://127.0.0.1:11434",
	"openai":            "https://api.openai.com/v1",
	"openai-compatible": "http://127.0.0.1:8080/v1",
	"anthropic":         "https://api.anthropic.com",
	"lmstudio":          "http://localhost:1234",
}

// LoadFile reads and validates the configuration file at path. A missing
// file is an empty configuration unless required is set (the user named the
// file). Every error in the file — syntax, an unknown key, a value of the
// wrong type or out of range — is a *usererr.Error with exit code 2 naming
// the file, the line and the key.
//
// data_dir comes back absolute: a leading ~/ is the home directory, and a
// relative path is relative to the directory of the file. Sandbox paths
// may start with ~/ too.
func LoadFile(path string, required bool) (File, error) {
	var f File
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !required {
		return f, nil
	}
	if err != nil {
		return f, &usererr.Error{Msg: fmt.Sprintf("cannot read config file %s: %s", path, pathReason(err)), Code: usererr.ExitUsage, Err: err}
	}
	// A byte-order mark, which editors on Windows put first, is not TOML.
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	// Where each key is, checking each value's type on the way; syntax
	// errors are left to the decoder, which reports them with a position.
	lines, err := scanKeys(path, b)
	if err != nil {
		return File{}, err
	}
	dec := toml.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return File{}, configError(path, err)
	}
	// Sandbox paths may start with ~/ too (relative ones stay an error:
	// relative to what would be a guess).
	for key, paths := range map[string][]string{"sandbox.allow": f.Sandbox.Allow, "sandbox.read_only": f.Sandbox.ReadOnly} {
		for i, p := range paths {
			if strings.HasPrefix(p, "~") {
				if paths[i], err = ExpandPath(p, ""); err != nil {
					return File{}, lines.errorf(path, key, "%v", err)
				}
			}
		}
	}
	if err := f.validate(path, lines); err != nil {
		return File{}, err
	}
	if f.DataDir != "" {
		dir, err := filepath.Abs(filepath.Dir(path))
		if err != nil {
			return File{}, fmt.Errorf("config %s: %w", path, err)
		}
		if f.DataDir, err = ExpandPath(f.DataDir, dir); err != nil {
			return File{}, lines.errorf(path, "data_dir", "%v", err)
		}
	}
	return f, nil
}

// ExpandPath makes p absolute: a leading ~/ (or ~ alone) is the home
// directory ($HOME), and a relative path is relative to base. ~USER/ is
// not expanded: it is an error.
func ExpandPath(p, base string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("%q: cannot expand ~ (%v); write the full path", p, err)
		}
		return filepath.Join(home, p[1:]), nil
	}
	if strings.HasPrefix(p, "~") {
		return "", fmt.Errorf("%q: only ~/ (your home directory) is expanded; write the full path", p)
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p), nil
	}
	return filepath.Join(base, p), nil
}

// configError turns a TOML decoding error into one line naming file, line and key.
func configError(path string, err error) error {
	var strict *toml.StrictMissingError
	var derr *toml.DecodeError
	switch {
	case errors.As(err, &strict) && len(strict.Errors) > 0:
		e := strict.Errors[0]
		row, _ := e.Position()
		return unknownKey(path, row, e.Key())
	case errors.As(err, &derr):
		row, _ := derr.Position()
		msg := strings.TrimPrefix(derr.Error(), "toml: ")
		if k := derr.Key(); len(k) > 0 {
			return usererr.Usage("config %s line %d: key %q: %s", path, row, strings.Join(k, "."), msg)
		}
		return usererr.Usage("config %s line %d: %s", path, row, msg)
	default:
		return usererr.Usage("config %s: %v", path, err)
	}
}

func unknownKey(path string, line int, key []string) error {
	return usererr.Usage("config %s line %d: unknown key %q; remove it or fix its spelling (the README's Configuration section lists the keys)",
		path, line, strings.Join(key, "."))
}

// validate checks what the types do not: names, ranges, URLs, paths.
func (f *File) validate(path string, lines keyLines) error {
	bad := func(key, format string, args ...any) error { return lines.errorf(path, key, format, args...) }
	names := sortedKeys(f.Providers)
	for _, name := range names {
		p := f.Providers[name]
		table := "providers." + name
		// The name is a key of stored API keys (aiex keys set NAME) and
		// the first part of "NAME/MODEL" (prices, embed, a model hosted
		// by another node), so it follows the keys' rule; caught here,
		// it is one mistake in the file for every command, not an error
		// of the commands that happen to look up a key.
		if err := keys.ValidateProvider(name); err != nil {
			return bad(table, "%q: %s", name, usererr.As(err).Msg)
		}
		kind := cmp.Or(p.Kind, name) // the kind defaults to the table's name
		switch {
		case slices.Contains(providerKinds, kind):
		case p.Kind == "":
			return bad(table, "no kind given, and %q is not a kind this build supports; add kind = one of: %s", name, strings.Join(providerKinds, ", "))
		default:
			return bad(table+".kind", "kind %q is not one this build supports; supported kinds: %s", kind, strings.Join(providerKinds, ", "))
		}
		if p.RequestsPerMinute < 0 {
			return bad(table+".requests_per_minute", "rate limits must be 0 (none) or more")
		}
		if p.TokensPerMinute < 0 {
			return bad(table+".tokens_per_minute", "rate limits must be 0 (none) or more")
		}
		if p.ContextWindow < 0 {
			return bad(table+".context_window", "context_window must be 0 (ask the provider) or a number of tokens")
		}
		if p.Local != nil && kind != "openai-compatible" {
			// The others' kind says it: Ollama and LM Studio run models
			// where they are, OpenAI's and Anthropic's APIs bill them.
			return bad(table+".local", "local applies to providers of kind openai-compatible only; kind %s is always %s",
				kind, map[bool]string{true: "local", false: "cloud"}[coord.IsLocalKind(kind, "")])
		}
		if kind == "openai-compatible" && p.BaseURL == "" {
			return bad(table, "provider %q of kind openai-compatible needs base_url (e.g. %s)", name, baseURLExamples[kind])
		}
		if p.BaseURL != "" && !isHTTPURL(p.BaseURL) {
			return bad(table+".base_url", "%q is not an http:// or https:// URL; write the scheme, then the server's host and port, e.g. %s",
				providers.RedactURLString(p.BaseURL), baseURLExamples[kind])
		}
		if port, ok := urlPort(p.BaseURL); ok {
			if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
				if port == "" {
					port = "nothing after the colon"
				}
				return bad(table+".base_url", "%q has port %s; a port is a number from 1 to 65535",
					providers.RedactURLString(p.BaseURL), port)
			}
		}
	}
	if f.Provider != "" {
		known := names
		if len(known) == 0 {
			known = envProviders
		}
		if !slices.Contains(known, f.Provider) {
			if len(names) == 0 {
				return bad("provider", "unknown provider %q; with no [providers.NAME] table the providers are %s; fix the name or add a [providers.%s] table",
					f.Provider, strings.Join(envProviders, ", "), f.Provider)
			}
			return bad("provider", "unknown provider %q; configured providers: %s; fix the name or add a [providers.%s] table",
				f.Provider, strings.Join(names, ", "), f.Provider)
		}
	}
	if _, err := coord.ParseStrategy(f.Strategy); err != nil {
		return bad("strategy", "%s", usererr.As(err).Msg)
	}
	if e := f.Index.Embed; e != "" {
		p, m, ok := strings.Cut(e, "/")
		if !ok || p == "" || m == "" {
			return bad("index.embed", "%q: write it as PROVIDER/MODEL, e.g. \"ollama/nomic-embed-text\"", e)
		}
		// The provider is checked here, as provider is, rather than when
		// aiex index first needs it: a name no table gives, or a kind
		// that computes no embeddings, is one mistake in the file.
		// With no table, the defaults that need an API key exist only
		// with one; a key stored with aiex keys set is known only once
		// the store is open, so such a name is checked again when the
		// providers are built (buildTargets), with the same message.
		f.Index.EmbedAt = lines.where(path, "index.embed")
		switch {
		case len(names) > 0 && !slices.Contains(names, p):
			return f.Index.notConfiguredEmbed(p, names)
		case len(names) == 0 && !slices.Contains(envProviders, p):
			return f.Index.notConfiguredEmbed(p, envConfigured(os.Getenv))
		}
		if kind := cmp.Or(f.Providers[p].Kind, p); !slices.Contains(embedKinds, kind) {
			return bad("index.embed", "%q names provider %q of kind %s, which computes no embeddings; providers of kind %s do",
				e, p, kind, strings.Join(embedKinds, ", "))
		}
	}
	if f.Sandbox.MaxFileSize < 0 {
		return bad("sandbox.max_file_size", "must be 0 (the default, 8 MiB) or a number of bytes")
	}
	for _, k := range []struct {
		key   string
		paths []string
	}{{"sandbox.allow", f.Sandbox.Allow}, {"sandbox.read_only", f.Sandbox.ReadOnly}} {
		for _, p := range k.paths {
			if !filepath.IsAbs(p) {
				return bad(k.key, "paths must be absolute; %q is not", p)
			}
			// Every command that builds a sandbox opens these paths:
			// one that is not there is this file's mistake, said here
			// with its line rather than by those commands alone. A file
			// is fine: the sandbox allowlists a file by itself.
			if err := sandboxPathThere(p); err != nil {
				return bad(k.key, "%s", err)
			}
			if err := sandbox.Allowable(p); err != nil {
				return bad(k.key, "%s", err)
			}
		}
	}
	for _, tag := range f.Cluster.AllowTags {
		if !strings.HasPrefix(tag, "tag:") {
			return bad("cluster.allow_tags", "%q is not a tag; write tags as tag:NAME", tag)
		}
	}
	if f.Checkpoints.Keep < 0 {
		return bad("checkpoints.keep", "must be 0 (or left out: no bound by count) or a number of checkpoints to keep")
	}
	for _, l := range []struct {
		key string
		v   float64
	}{{"limits.daily_usd", f.Limits.DailyUSD}, {"limits.monthly_usd", f.Limits.MonthlyUSD}, {"limits.max_attempts", float64(f.Limits.MaxAttempts)}} {
		if l.v < 0 {
			return bad(l.key, "must be 0 (none) or more")
		}
	}
	for _, model := range sortedKeys(f.Prices) {
		p := f.Prices[model]
		// A price left out would be 0: output left out would make every
		// answer free, and the spend caps never reached.
		if _, ok := lines["prices."+model+".input"]; !ok {
			return bad("prices."+model, "no input price: set input, in USD per 1M tokens")
		}
		if _, ok := lines["prices."+model+".output"]; !ok {
			return bad("prices."+model, "no output price: set output, in USD per 1M tokens (0 for an embedding model, which has no output)")
		}
		for _, v := range []struct {
			key string
			usd float64
		}{{"input", p.Input}, {"output", p.Output}, {"cache_read", p.CacheRead}, {"cache_write", p.CacheWrite}} {
			if v.usd < 0 || math.IsNaN(v.usd) || math.IsInf(v.usd, 0) {
				// A negative price makes negative costs: totals that
				// fall, spend caps never reached, turns refused.
				return bad("prices."+model+"."+v.key, "must be a price in USD per 1M tokens, 0 or more")
			}
		}
	}
	if f.Limits.MaxAnswer < 0 || f.Limits.MaxAnswer > 1<<30 {
		return bad("limits.max_answer", "must be 0 (the default, 4 MiB) or a number of bytes up to 1 GiB")
	}
	return nil
}

// sandboxPathThere says, as the end of a sentence naming p, why the
// sandbox path p cannot be opened; nil if it can be looked up.
func sandboxPathThere(p string) error {
	_, err := os.Stat(p)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrNotExist):
		if target, lerr := os.Readlink(p); lerr == nil {
			return fmt.Errorf("%s is a symbolic link to %s, which does not exist; fix the link or remove it from the list", p, target)
		}
		return fmt.Errorf("%s does not exist; create it or remove it from the list", p)
	}
	return fmt.Errorf("%s cannot be looked up (%s); fix its permissions or remove it from the list", p, pathReason(err))
}

// isHTTPURL reports whether s is an absolute http(s) URL with a host, as
// every provider wants its base URL.
// urlPort is the port of URL s; ok is false when it names none (an
// empty one after a colon is named, and "" is then no port).
func urlPort(s string) (port string, ok bool) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return "", false
	}
	if strings.HasSuffix(u.Host, ":") {
		return "", true
	}
	return u.Port(), u.Port() != ""
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(strings.TrimSpace(s))
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
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
