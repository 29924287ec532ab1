package coord_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers/lmstudio"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestPlanOrRecordRecordsTheFailure: a request whose planning fails (its
// one provider's model list out of reach) is recorded as Chat records
// it: under the provider, its error the line returned, the listing an
// attempt on its model list with its time. Plan records nothing; and a
// request after PlanOrRecord does not record the same listing again.
func TestPlanOrRecordRecordsTheFailure(t *testing.T) {
	ctx := context.Background()
	lm, err := lmstudio.New(lmstudio.Config{Name: "lmstudio", BaseURL: pt.Unreachable(t)})
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, coord.Config{Configured: true, MaxAttempts: 1, Targets: []coord.Target{{Provider: lm, Local: true}}})
	req := coord.Request{Prompt: "explain calc.Add"}
	if _, _, err := e.c.Plan(ctx, req); err == nil {
		t.Fatal("Plan: no error; want the provider out of reach")
	}
	if ins, err := e.store.Interactions(ctx, 0); err != nil || len(ins) != 0 {
		t.Fatalf("Plan recorded %d interactions (%v); want none", len(ins), err)
	}
	_, _, err = e.c.PlanOrRecord(ctx, req)
	ue := usererr.As(err)
	if ue == nil || !strings.Contains(ue.Msg, "cannot reach") {
		t.Fatalf("PlanOrRecord: %v; want the provider out of reach", err)
	}
	ins, err := e.store.Interactions(ctx, 0)
	if err != nil || len(ins) != 1 {
		t.Fatalf("%d interactions (%v); want the failed request", len(ins), err)
	}
	in := ins[0]
	if in.Status != "error" || in.Error != ue.Msg || in.Provider != "lmstudio" || in.Prompt != req.Prompt ||
		len(in.Route) != 1 || in.Route[0].Model != "" || in.Route[0].Millis <= 0 {
		t.Fatalf("recorded %+v; want the line said, under lmstudio, its listing an attempt with its time", in)
	}
	if _, next, _ := e.chat(t, coord.Request{}); next == nil || len(next.Route) != 1 || next.Route[0].Millis != 0 {
		t.Errorf("next request recorded %+v; want the listing, recorded already, passed over", next)
	}
}
