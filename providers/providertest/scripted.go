package providertest

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/aiex-dev/aiex/providers"
)

// Scripted is an in-memory provider for unit tests of code above the
// providers (the coordinator): no network, each Chat call plays the next
// Step of its script (the last step repeats). It is safe for concurrent use.
type Scripted struct {
	NameV, KindV string
	// ModelList is what Models returns; ModelsErr fails it instead.
	ModelList []string
	ModelsErr error
	// NoChat are the models of ModelList listed as not chatting
	// (providers.Model.NoChat).
	NoChat []string

	mu    sync.Mutex
	steps []Step
	calls atomic.Int64
	lists atomic.Int64
	reqs  []providers.Request
}

// Step is what one Chat call does: stream Chunks, then fail with Err if set
// (after the chunks, so a non-empty Chunks with Err is a mid-stream
// failure), else finish with Usage. If Block is non-nil the call waits for
// it to close (or ctx to end) before anything.
type Step struct {
	Chunks []string
	Err    error
	Usage  providers.Usage
	Block  <-chan struct{}
}

// NewScripted returns a provider named name of kind kind playing steps.
func NewScripted(name, kind string, steps ...Step) *Scripted {
	return &Scripted{NameV: name, KindV: kind, steps: steps, ModelList: []string{"m"}}
}

// Name implements providers.Provider.
func (s *Scripted) Name() string { return s.NameV }

// Kind implements providers.Provider.
func (s *Scripted) Kind() string { return s.KindV }

// Endpoint implements providers.Provider.
func (s *Scripted) Endpoint() string { return "scripted://" + s.NameV }

// Calls is how many times Chat was called.
func (s *Scripted) Calls() int { return int(s.calls.Load()) }

// Requests returns the requests Chat received, in order.
func (s *Scripted) Requests() []providers.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]providers.Request(nil), s.reqs...)
}

// SetSteps replaces the script.
func (s *Scripted) SetSteps(steps ...Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.steps = steps
}

// Chat implements providers.Provider.
func (s *Scripted) Chat(ctx context.Context, req providers.Request, fn func(providers.Chunk) error) (providers.Result, error) {
	n := int(s.calls.Add(1)) - 1
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	var st Step
	if len(s.steps) > 0 {
		st = s.steps[min(n, len(s.steps)-1)]
	}
	s.mu.Unlock()
	if st.Block != nil {
		select {
		case <-st.Block:
		case <-ctx.Done():
			return providers.Result{}, ctx.Err()
		}
	}
	for _, c := range st.Chunks {
		if err := ctx.Err(); err != nil {
			return providers.Result{}, err
		}
		if err := fn(providers.Chunk{Text: c}); err != nil {
			return providers.Result{}, err
		}
	}
	if st.Err != nil {
		return providers.Result{}, st.Err
	}
	return providers.Result{Model: req.Model, Usage: st.Usage, StopReason: "stop"}, nil
}

// ListCalls is how many times Models was called.
func (s *Scripted) ListCalls() int { return int(s.lists.Load()) }

// Models implements providers.Provider.
func (s *Scripted) Models(context.Context) ([]providers.Model, error) {
	s.lists.Add(1)
	if s.ModelsErr != nil {
		return nil, s.ModelsErr
	}
	out := make([]providers.Model, len(s.ModelList))
	for i, m := range s.ModelList {
		out[i] = providers.Model{Name: m, NoChat: slices.Contains(s.NoChat, m)}
	}
	return out, nil
}
