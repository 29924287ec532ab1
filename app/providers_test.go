package app

import (
	"context"
	"errors"
	"testing"
)

type keysFunc func(provider string) (string, bool, error)

func (f keysFunc) Get(_ context.Context, provider string) (string, bool, error) { return f(provider) }

// TestStoredKeyUnreadable: with no providers configured, a stored key
// that cannot be read (its key file missing or damaged) is an error that
// says so (and how to store it again), not a provider left out without a
// word, as it is for a configured provider.
func TestStoredKeyUnreadable(t *testing.T) {
	broken := errors.New("the key stored for openai cannot be decrypted")
	keys := keysFunc(func(p string) (string, bool, error) {
		if p == "openai" {
			return "", false, broken
		}
		return "", false, nil
	})
	noEnv := func(string) string { return "" }
	if _, err := buildTargets(context.Background(), File{}, keys, noEnv); !errors.Is(err, broken) {
		t.Fatalf("err = %v; want the key's error", err)
	}
}
