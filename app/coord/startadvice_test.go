package coord_test

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers/lmstudio"
	"github.com/aiex-dev/aiex/providers/openai"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestStartAdviceNamesNoLabelAsProgram: the advice on reaching a local
// OpenAI-compatible server out of reach says to start it (the server its
// reason names), not
// "start gw": the provider's name in the config is a label, not a program
// to start. A kind whose program is known is named by it.
func TestStartAdviceNamesNoLabelAsProgram(t *testing.T) {
	gw, err := openai.New(openai.Config{Name: "gw", Kind: openai.KindCompatible, BaseURL: pt.Unreachable(t) + "/v1"})
	if err != nil {
		t.Fatal(err)
	}
	box, err := lmstudio.New(lmstudio.Config{Name: "box", BaseURL: pt.Unreachable(t)})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, coord.Config{Configured: true, MaxAttempts: 1, Targets: []coord.Target{
		{Provider: gw, Model: "m", Local: true},
		{Provider: box, Model: "m", Local: true},
	}})
	_, _, err = e.chat(t, coord.Request{})
	ue := usererr.As(err)
	if ue == nil {
		t.Fatalf("err = %v; want the user's error", err)
	}
	if strings.Contains(ue.Msg, "start gw") {
		t.Errorf("%q\nsays to start gw, the config's label", ue.Msg)
	}
	for _, want := range []string{"gw: start it, or check", `check the base_url of provider "gw"`, `check the base_url of provider "box"`} {
		if !strings.Contains(ue.Msg, want) {
			t.Errorf("%q\nlacks %q", ue.Msg, want)
		}
	}
}
