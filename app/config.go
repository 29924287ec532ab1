package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pelletier/go-toml/v2"

	"github.com/aiex-dev/aiex/app/usererr"
)

// File is the TOML configuration file, by default
// $XDG_CONFIG_HOME/aiex/config.toml. Every field is optional.
//
//	data_dir = "/path/to/data"      # like --data-dir / AIEX_DATA_DIR
//	provider = "ollama"             # default provider (like --provider)
//	model = "llama3.2"              # default model (like --model / AIEX_MODEL)
//
//	[providers.ollama]              # one table per provider; the key is its name
//	kind = "ollama"                 # defaults to the name
//	base_url = "http://127.0.0.1:11434"
//	model = "llama3.2"              # this provider's default model
type File struct {
	DataDir   string                    `toml:"data_dir"`
	Provider  string                    `toml:"provider"`
	Model     string                    `toml:"model"`
	Providers map[string]ProviderConfig `toml:"providers"`
}

// ProviderConfig configures one provider.
type ProviderConfig struct {
	Kind    string `toml:"kind"`
	BaseURL string `toml:"base_url"`
	Model   string `toml:"model"`
}

// Provider kinds this build supports.
var providerKinds = []string{"ollama"}

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
		return usererr.Usage("config %s line %d: unknown key %q; remove it or fix its spelling (keys: data_dir, provider, model, [providers.NAME] kind, base_url, model)",
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
		if !contains(providerKinds, kind) {
			return usererr.Usage("config %s: provider %q has kind %q, which this build does not support; supported kinds: %s",
				path, name, kind, strings.Join(providerKinds, ", "))
		}
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
