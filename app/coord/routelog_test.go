package coord_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// syncBuffer is a buffer a logger may write to from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRoutingIsLoggedAtDebug: the coordinator says at debug level (what
// --verbose shows) how it routed a request: each attempt with its provider
// and model, each retry with its wait (the provider's Retry-After), a
// breaker opening, each failover and why (a server's error answer with
// its status and address, as the attempt records it) — and never the
// prompt or the answer.
func TestRoutingIsLoggedAtDebug(t *testing.T) {
	busy := &providers.Error{Provider: "a", Kind: providers.KindOverloaded, StatusCode: 529, RetryAfter: 7 * time.Millisecond, Message: "Overloaded"}
	a := pt.NewScripted("a", "anthropic", pt.Step{Err: busy})
	b := pt.NewScripted("b", "ollama", ok("the secret answer"))
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e := newEnv(t, coord.Config{Logger: logger, Preferred: "a", MaxAttempts: 2, Breaker: coord.BreakerConfig{Failures: 2},
		Targets: []coord.Target{target(a, false), target(b, true)}})
	_, in, err := e.chat(t, coord.Request{Messages: []providers.Message{{Role: providers.RoleUser, Content: "the secret question"}}})
	if err != nil || outcomes(in) != "a:overloaded a:overloaded b:ok" {
		t.Fatalf("route %q, %v; want two attempts on a, then b", outcomes(in), err)
	}
	got := logs.String()
	for _, want := range []string{
		`msg="coord: attempt" provider=a model=m try=1`,
		`msg="coord: attempt" provider=a model=m try=2`,
		`msg="coord: retry" provider=a model=m wait=7ms retry_after=7ms`,
		`msg="coord: breaker opened" provider=a model=m failures=2`,
		`msg="coord: failover" provider=a model=m next=b why="HTTP 529 from scripted://a: Overloaded"`,
		`msg="coord: attempt" provider=b model=m try=1`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the logs do not say %s:\n%s", want, got)
		}
	}
	for _, secret := range []string{"secret question", "secret answer"} {
		if strings.Contains(got, secret) {
			t.Errorf("the logs show the %s:\n%s", secret, got)
		}
	}
}
