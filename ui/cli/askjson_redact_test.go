package cli

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/providers/openai"
)

// ask --json shows the interaction as the store keeps it: a key the user
// pasted into the question, or that the answer echoed, is redacted there
// as in history --json, also for a request that failed; the interaction
// the caller holds (what streamed to the terminal) is left as it is.
func TestAskJSONShowsTheRecordedInteraction(t *testing.T) {
	const key = "sk-proj-Q7wLm2Xr9TzKa4BnZq7xW2pL"
	p, err := openai.New(openai.Config{Kind: openai.KindCompatible, BaseURL: "http://127.0.0.1:1/v1", APIKey: key})
	if err != nil {
		t.Fatal(err)
	}
	co := coord.New(coord.Config{Targets: []coord.Target{{Provider: p, Model: "m"}}})
	in := &app.Interaction{ID: "i1", Prompt: "my key is " + key, Response: "yes, " + key + " it is", Status: "ok"}
	rec := func(in *app.Interaction) *app.Interaction { return storedInteraction(co, in) }
	failed := failedAskJSON(app.File{}, "", &app.Answer{Interaction: in}, "", errTest, rec)
	for what, got := range map[string]*app.Interaction{
		"answered": asStored(rec(in)),
		"failed":   &failed.Interaction,
	} {
		if strings.Contains(got.Prompt, key) || strings.Contains(got.Response, key) ||
			got.Prompt != "my key is [redacted]" || got.Response != "yes, [redacted] it is" {
			t.Errorf("%s: prompt %q, response %q; want the key redacted", what, got.Prompt, got.Response)
		}
	}
	if !strings.Contains(in.Prompt, key) {
		t.Error("the caller's interaction was changed")
	}
}

var errTest = errorString("broke")

type errorString string

func (e errorString) Error() string { return string(e) }
