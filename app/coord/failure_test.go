package coord_test

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestBrokeOffSaidOnce: an answer that broke off is said to have broken
// off once, with the provider's own account of where and why, not "broke
// off: the answer from … broke off after …".
func TestBrokeOffSaidOnce(t *testing.T) {
	a := pt.NewScripted("a", "ollama", pt.Step{Chunks: []string{"half"}, Err: &providers.Error{Provider: "a", Kind: providers.KindInterrupted,
		Message: "the answer from Ollama at http://127.0.0.1:11434 broke off after 1 chunks: unexpected EOF"}})
	e := newEnv(t, coord.Config{Targets: []coord.Target{target(a, true)}})
	_, in, err := e.chat(t, coord.Request{})
	ue := usererr.As(err)
	want := "the answer from a (" + in.Model + ") at http://127.0.0.1:11434 broke off after 1 chunks: unexpected EOF; the partial answer is recorded as interrupted"
	if ue == nil || ue.Msg != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	if strings.Count(ue.Msg, "broke off") != 1 {
		t.Errorf("%q says twice that the answer broke off", ue.Msg)
	}
}
