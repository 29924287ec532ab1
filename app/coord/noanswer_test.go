package coord_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestNoAnswerIsErrNoAnswer: a server that did not answer in time is told
// by ErrNoAnswer in the error's chain, wrapped or not, whatever its
// message says: callers (the provider report) must not depend on its
// wording.
func TestNoAnswerIsErrNoAnswer(t *testing.T) {
	p := pt.NewScripted("gw", "openai-compatible")
	pe := coord.NoAnswer(p, 2*time.Second)
	if !errors.Is(pe, coord.ErrNoAnswer) {
		t.Fatalf("%v is not ErrNoAnswer", pe)
	}
	pe.Message = "gw never said a word"
	if err := fmt.Errorf("list models: %w", pe); !errors.Is(err, coord.ErrNoAnswer) || err.Error() != "list models: gw: unavailable: gw never said a word" {
		t.Fatalf("reworded and wrapped: %v; want ErrNoAnswer, and the message as given", err)
	}
}
