package coord_test

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/lmstudio"
	"github.com/aiex-dev/aiex/providers/openai"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestDownEachTheirWayServerErrors: providers down in different ways, one
// refusing its key (401), one out of reach, one failing (500), are each
// named with their reason, and the one out of reach with how to reach it
// — not the last one's error with a route summary.
func TestDownEachTheirWayServerErrors(t *testing.T) {
	gw, err := openai.New(openai.Config{Name: "gw", Kind: openai.KindCompatible, APIKey: "wrong",
		BaseURL: pt.NewOpenAI(t, pt.WithOpenAIKey("right")).URL(), KeyAdvice: "run aiex keys set gw"})
	if err != nil {
		t.Fatal(err)
	}
	lm, lmURL, srv := downPair(t)
	e := newEnv(t, coord.Config{Configured: true, Targets: []coord.Target{
		{Provider: gw, Model: pt.DefaultOpenAIModel},
		{Provider: lm, Model: "qwen", Local: true},
		{Provider: srv, Model: pt.DefaultOpenAIModel},
	}})
	_, in, err := e.chat(t, coord.Request{})
	ue := usererr.As(err)
	if ue == nil || strings.Contains(ue.Msg, "\n") {
		t.Fatalf("err = %v; want one line for the user", err)
	}
	for _, want := range []string{
		"no LLM provider could take the request",
		"gw: ", "the API key was refused; to give another: run aiex keys set gw",
		"lmstudio: cannot reach ",
		"srv: ", "the runner crashed",
		"lmstudio: cannot reach the server at " + lmURL, "lmstudio: start LM Studio, or check",
	} {
		if !strings.Contains(ue.Msg, want) {
			t.Errorf("%q\nlacks %q", ue.Msg, want)
		}
	}
	if strings.Contains(ue.Msg, "passed over") || strings.Contains(ue.Msg, "gw/") {
		t.Errorf("%q; want each provider's reason, not a route summary", ue.Msg)
	}
	if in == nil || in.Error != ue.Msg || in.Provider != "srv" || in.Attempts == 0 {
		t.Errorf("recorded %+v; want the line said, under the last provider sent a chat", in)
	}
}

// TestReachAdviceSaysWhereTheAddressCameFrom: the advice on reaching a
// provider names where its address came from: the config's base_url, an
// environment variable, or the provider's default (then the network).
func TestReachAdviceSaysWhereTheAddressCameFrom(t *testing.T) {
	tests := []struct {
		from, want string
	}{
		{"", `check the base_url of provider "openai" in the config`},
		{"OPENAI_BASE_URL", "check OPENAI_BASE_URL, which sets its address"},
		{coord.AddressDefault, "check this machine's network and DNS"},
	}
	for _, tt := range tests {
		t.Setenv("OPENAI_BASE_URL", "")
		url := pt.Unreachable(t)
		oa, err := openai.New(openai.Config{Name: "openai", BaseURL: url, APIKey: "k"})
		if err != nil {
			t.Fatal(err)
		}
		lm, err := lmstudio.New(lmstudio.Config{Name: "lmstudio", BaseURL: pt.Unreachable(t)})
		if err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, coord.Config{Configured: true, MaxAttempts: 1, Targets: []coord.Target{
			{Provider: oa, Model: "m", AddressFrom: tt.from},
			{Provider: lm, Model: "qwen", Local: true},
		}})
		_, _, err = e.chat(t, coord.Request{})
		ue := usererr.As(err)
		if ue == nil || !strings.Contains(ue.Msg, "openai: "+tt.want) {
			t.Errorf("from %q: err = %v\nwant it to say openai: %s", tt.from, err, tt.want)
		}
		if tt.from != "" && strings.Contains(ue.Msg, `base_url of provider "openai" in the config`) && !strings.Contains(ue.Msg, "sets another") {
			t.Errorf("from %q: %q; the config gives openai no base_url", tt.from, ue.Msg)
		}
	}
}

// TestCouldNotAnswerSaysHowToReachTheOthers: with one server failing
// (500) and another out of reach, the failure says how to reach the one
// out of reach, as it does when none answered.
func TestCouldNotAnswerSaysHowToReachTheOthers(t *testing.T) {
	lm, lmURL, srv := downPair(t)
	e := newEnv(t, coord.Config{Configured: true, MaxAttempts: 1, Targets: []coord.Target{
		{Provider: lm, Model: "qwen", Local: true},
		{Provider: srv, Model: pt.DefaultOpenAIModel},
	}})
	_, _, err := e.chat(t, coord.Request{})
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, "srv: HTTP 500 from "+srv.Endpoint()+": the runner crashed") || !strings.Contains(ue.Msg, "lmstudio: cannot reach the server at "+lmURL) || !strings.Contains(ue.Msg, "lmstudio: start LM Studio, or check") {
		t.Errorf("err = %v; want each provider's reason, and how to reach lmstudio", err)
	}
}

// downPair is an LM Studio provider out of reach (at lmURL) and an
// OpenAI-compatible server failing with 500.
func downPair(t *testing.T) (lm providers.Provider, lmURL string, srv providers.Provider) {
	t.Helper()
	lmURL = pt.Unreachable(t)
	lm, err := lmstudio.New(lmstudio.Config{Name: "lmstudio", BaseURL: lmURL})
	if err != nil {
		t.Fatal(err)
	}
	srv, err = openai.New(openai.Config{Name: "srv", Kind: openai.KindCompatible,
		BaseURL: pt.NewOpenAI(t, pt.WithStatus(500, "the runner crashed")).URL()})
	if err != nil {
		t.Fatal(err)
	}
	return lm, lmURL, srv
}
