package app_test

import (
	"context"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ask"
	"github.com/aiex-dev/aiex/app/usererr"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestExplainWithProvidersDownIsRecorded: an explain that no provider
// could take (two Ollama servers out of reach: no model to fit the code
// to) is in the
// history as a question asked then is: under no provider, its error the
// line the user was told, its prompt the command. Its planning failed
// before a request went out, and recorded nothing.
func TestExplainWithProvidersDownIsRecorded(t *testing.T) {
	ctx := context.Background()
	a := providerApp(t, map[string]app.ProviderConfig{
		"ollama": {Kind: "ollama", BaseURL: pt.Unreachable(t)},
		"box":    {Kind: "ollama", BaseURL: pt.Unreachable(t)},
	})
	root := writeProject(t, map[string]string{
		"go.mod":  "module calc\n\ngo 1.22\n",
		"calc.go": "package calc\n\n// Add adds.\nfunc Add(a, b int) int { return a + b }\n",
	})
	if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
		t.Fatal(err)
	}
	_, err := a.AskCode(ctx, app.CodeAsk{Request: ask.Request{Actor: "test"}, Task: "explain", Root: root, Target: "calc.Add"},
		func(string) error { return nil })
	ue := usererr.As(err)
	if ue == nil || ue.ExitCode() != 1 {
		t.Fatalf("explain: %v; want the providers' failure, exit 1", err)
	}
	ins, err := a.Store.Interactions(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 1 {
		t.Fatalf("%d interactions recorded; want the explain's", len(ins))
	}
	in := ins[0]
	if in.Status != "error" || in.Error != ue.Msg || in.Provider != "" || in.Prompt != "explain calc.Add" || len(in.Route) == 0 {
		t.Errorf("recorded %+v\nwant status error, provider none, prompt %q, the error %q, with its route", in, "explain calc.Add", ue.Msg)
	}
}
