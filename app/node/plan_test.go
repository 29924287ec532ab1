package node

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestStatusNamesThePlannedModel: laptop has no model of its own, so a
// question goes to one of gpu's. GET /v1/status names it only when asked
// to (plan=1): aiex cluster status does not plan. The plan is kept
// between statuses, and made again after a question; a TUI attached to
// gpu gets gpu's own plan, a model gpu hosts.
func TestStatusNamesThePlannedModel(t *testing.T) {
	gpu, laptop, cl, _, _ := attachPair(t, app.ClusterFileConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	within(t, 15*time.Second, "laptop to route to gpu", func() bool {
		return hasRemoteTarget(laptop, "gpu/ollama") && hasRemoteTarget(laptop, "gpu/slow")
	})
	var plans atomic.Int64
	laptop.plan.Plan = func(ctx context.Context, c *coord.Coordinator) (coord.Target, string, error) {
		plans.Add(1)
		return c.Plan(ctx, coord.Request{})
	}
	gpuID := gpu.App().Store.NodeID()

	cs, err := cl.Status(ctx)
	if err != nil || cs.Provider != "" || cs.Model != "" || cs.ModelNode != "" || plans.Load() != 0 {
		t.Fatalf("status without plan=1: %+v, %v, %d plans; want no model and no plan", cs, err, plans.Load())
	}

	c, err := laptop.App().Coord(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, wantModel, err := c.Plan(ctx, coord.Request{})
	if err != nil || want.Node != "gpu" || !strings.HasPrefix(want.Provider.Name(), "gpu/") {
		t.Fatalf("laptop plans %+v %q, %v; want one of gpu's", want, wantModel, err)
	}
	for i := range 2 {
		cs, err = cl.StatusWithPlan(ctx)
		if err != nil || cs.Provider != want.Provider.Name() || cs.Model != wantModel || cs.ModelNode != "gpu" {
			t.Fatalf("status %d with plan=1: %+v, %v; want %s/%s on gpu", i, cs, err, want.Provider.Name(), wantModel)
		}
		if plans.Load() != 1 {
			t.Fatalf("status %d with plan=1: %d plans; want the first plan kept", i, plans.Load())
		}
	}

	// A question sent through the node (it may open a breaker, or take
	// round_robin's turn) makes the next status plan again.
	if _, err := cl.Ask(ctx, AskRequest{Prompt: "hello", Actor: "test"}, func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if cs, err = cl.StatusWithPlan(ctx); err != nil || cs.ModelNode != "gpu" || plans.Load() != 2 {
		t.Fatalf("status after a question: %+v, %v, %d plans; want planned again", cs, err, plans.Load())
	}

	// Attached to gpu: gpu plans, with a model of its own.
	gc, err := gpu.App().Coord(ctx)
	if err != nil {
		t.Fatal(err)
	}
	gwant, gmodel, err := gc.Plan(ctx, coord.Request{})
	if err != nil || gwant.Node != "" {
		t.Fatalf("gpu plans %+v %q, %v; want a model of its own", gwant, gmodel, err)
	}
	cs, err = cl.Via("gpu").StatusWithPlan(ctx)
	if err != nil || cs.Self != gpuID || cs.Provider != gwant.Provider.Name() || cs.Model != gmodel || cs.ModelNode != "" {
		t.Fatalf("gpu's status with plan=1: %+v, %v; want %s/%s", cs, err, gwant.Provider.Name(), gmodel)
	}
}

// TestStatusWithoutAPlan: a node none of whose providers answers names
// no model, and its status does not fail.
func TestStatusWithoutAPlan(t *testing.T) {
	n := startSpec(t, nodeSpec{name: "alone", tr: meshtest.TCP(t, 1, nil)[0], providers: map[string]app.ProviderConfig{
		"ollama": {Kind: "ollama", BaseURL: providertest.Unreachable(t)}}})
	cl, err := Connect(context.Background(), n.App().Store.Dir())
	if err != nil {
		t.Fatal(err)
	}
	cs, err := cl.StatusWithPlan(context.Background())
	if err != nil || cs.Self == "" || cs.Provider != "" || cs.Model != "" || cs.ModelNode != "" {
		t.Fatalf("status %+v, %v; want one naming no model", cs, err)
	}
}

// TestPlannerKeepsThePlan: a plan is kept for PlanEvery, and made again
// at once when the noted state changed, the coordinator is a new one, or
// it is made stale. A failed plan, and one that ran out of time, name
// nothing and are kept as long; one the caller gave up on is not kept.
func TestPlannerKeepsThePlan(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_000_000, 0)
	plans := 0
	var fail error
	slow := false
	p := &Planner{
		Now:     func() time.Time { return now },
		Timeout: 50 * time.Millisecond,
		Plan: func(ctx context.Context, c *coord.Coordinator) (coord.Target, string, error) {
			plans++
			if slow {
				<-ctx.Done()
				return coord.Target{}, "", ctx.Err()
			}
			if fail != nil {
				return coord.Target{}, "", fail
			}
			return coord.Target{Provider: providertest.NewScripted("gpu/ollama", "ollama"), Node: "gpu"}, "qwen", nil
		},
	}
	c1, c2 := new(coord.Coordinator), new(coord.Coordinator)

	steps := []struct {
		name  string
		do    func()
		c     *coord.Coordinator
		plans int    // plans made so far
		model string // the plan names
	}{
		{"first call plans", func() {}, c1, 1, "qwen"},
		{"kept within PlanEvery", func() { now = now.Add(PlanEvery - time.Second) }, c1, 1, "qwen"},
		{"planned again after it", func() { now = now.Add(time.Second) }, c1, 2, "qwen"},
		{"a first state plans again", func() { p.Note("a") }, c1, 3, "qwen"},
		{"the same state does not", func() { p.Note("a") }, c1, 3, "qwen"},
		{"a changed state does", func() { p.Note("b") }, c1, 4, "qwen"},
		{"stale does", p.Stale, c1, 5, "qwen"},
		{"a new coordinator does", func() {}, c2, 6, "qwen"},
		{"a failed plan names none", func() { fail = errors.New("no provider reachable"); p.Stale() }, c2, 7, ""},
		{"and is kept", func() { fail = nil }, c2, 7, ""},
		{"until PlanEvery passed", func() { now = now.Add(PlanEvery) }, c2, 8, "qwen"},
		{"a plan out of time names none", func() { slow = true; p.Stale() }, c2, 9, ""},
		{"and is kept too", func() { slow = false }, c2, 9, ""},
		{"until made stale", p.Stale, c2, 10, "qwen"},
	}
	for _, s := range steps {
		s.do()
		got := p.Next(ctx, s.c)
		if plans != s.plans || got.Model != s.model {
			t.Fatalf("%s: %d plans, %+v; want %d plans naming %q", s.name, plans, got, s.plans, s.model)
		}
		if s.model != "" && (got.Provider != "gpu/ollama" || got.Node != "gpu") {
			t.Fatalf("%s: %+v; want gpu/ollama on gpu", s.name, got)
		}
	}

	// A plan cut short by the caller says nothing of the providers: the
	// next call plans again.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	p.Stale()
	fail = context.Canceled
	p.Next(cctx, c2)
	fail = nil
	if got := p.Next(ctx, c2); plans != 12 || got.Model != "qwen" {
		t.Fatalf("after a cancelled plan: %d plans, %+v; want 12, naming qwen", plans, got)
	}
}
