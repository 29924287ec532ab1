// Package corpora finds the real code the chunker's, index's and context
// builder's tests and benchmarks run on: the Go standard library of the Go
// in use, and the Elixir sources scripts/corpora fetches into
// ${AIEX_DEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aiex-dev}/corpora.
package corpora

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Cache is the development cache scripts/corpora and scripts/ollama-dev use.
func Cache() string {
	if c := os.Getenv("AIEX_DEV_CACHE"); c != "" {
		return c
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home, _ := os.UserHomeDir()
		base = filepath.Join(home, ".cache")
	}
	return filepath.Join(base, "aiex-dev")
}

// Elixir returns the newest complete Elixir source tree matching version
// ("1.14", or "" for any) in the cache; ok is false when there is none.
func Elixir(version string) (dir string, ok bool) {
	marks, _ := filepath.Glob(filepath.Join(Cache(), "corpora", "elixir-"+version+"*", ".complete"))
	if len(marks) == 0 {
		return "", false
	}
	return filepath.Dir(marks[len(marks)-1]), true
}

// GoStd returns $(go env GOROOT)/src; ok is false without a Go standard
// library there.
func GoStd() (dir string, ok bool) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return "", false
	}
	dir = filepath.Join(strings.TrimSpace(string(out)), "src")
	if _, err := os.Stat(filepath.Join(dir, "net", "http")); err != nil {
		return "", false
	}
	return dir, true
}
