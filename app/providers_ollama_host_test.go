package app

import (
	"errors"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers/ollama"
)

// TestOllamaHostUsageError: the Ollama provider refuses a bad OLLAMA_HOST
// with a plain error; building it here makes that the user's mistake: a
// one-line usage error (exit 2) naming the variable, still matching
// ollama.ErrBadHost.
func TestOllamaHostUsageError(t *testing.T) {
	t.Setenv("OLLAMA_HOST", "ftp://user:secret@gpu-box")
	_, err := newProvider("ollama", "ollama", ProviderConfig{}, "", keyNone)
	ue := usererr.As(err)
	if ue == nil || ue.ExitCode() != usererr.ExitUsage || !strings.HasPrefix(ue.Msg, "OLLAMA_HOST ") ||
		strings.Contains(ue.Msg, "\n") || strings.Contains(ue.Msg, "secret") || !errors.Is(err, ollama.ErrBadHost) {
		t.Errorf("newProvider with OLLAMA_HOST=ftp://…: %v; want a one-line usage error naming OLLAMA_HOST", err)
	}
}
