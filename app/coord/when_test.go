package coord_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// TestSayWhen: the time a breaker's trial was set for, as a record keeps
// it, is said as of when it is read: the wait while it is to come, the
// time and how long ago once it has passed; a message recorded before
// records kept the time reads as it was.
func TestSayWhen(t *testing.T) {
	const rec = "circuit breaker open after 3 failures in a row; will be tried again at 2026-11-29T06:02:30Z"
	at := time.Date(2026, 11, 29, 6, 2, 30, 0, time.UTC)
	for _, tt := range []struct {
		msg  string
		now  time.Time
		want string
	}{
		{rec, at.Add(-29 * time.Second), "circuit breaker open after 3 failures in a row; will be tried again in 29s"},
		{rec, at.Add(-1500 * time.Millisecond), "circuit breaker open after 3 failures in a row; will be tried again in 2s"},
		{rec, at.Add(3 * time.Minute), "circuit breaker open after 3 failures in a row; was to be tried again at 2026-11-29 06:02:30 UTC (3m0s ago)"},
		{"circuit breaker open after 3 failures in a row; will be tried again in 29s", at, "circuit breaker open after 3 failures in a row; will be tried again in 29s"},
		{"HTTP 500 from http://h:1: boom", at, "HTTP 500 from http://h:1: boom"},
	} {
		if got := coord.SayWhen(tt.msg, tt.now); got != tt.want {
			t.Errorf("SayWhen(%q, %s) = %q; want %q", tt.msg, tt.now, got, tt.want)
		}
	}
}

// TestBreakerRefusalRecordsTheTime: a request an open breaker refused is
// recorded with the time of the next trial, in its route and its error,
// not the wait ("in 29s"), which is false once read later; the error said
// to the user says the wait.
func TestBreakerRefusalRecordsTheTime(t *testing.T) {
	a := pt.NewScripted("a", "ollama", fail(providers.KindUnavailable))
	e := newEnv(t, coord.Config{
		Targets:     []coord.Target{target(a, true)},
		Breaker:     coord.BreakerConfig{Failures: 1, OpenFor: time.Hour},
		MaxAttempts: 1,
	})
	if _, _, err := e.chat(t, coord.Request{}); err == nil {
		t.Fatal("a answered; want its failure")
	}
	before := time.Now()
	_, in, err := e.chat(t, coord.Request{})
	if err == nil || !strings.Contains(err.Error(), "will be tried again in ") || strings.Contains(err.Error(), "tried again at") {
		t.Fatalf("err = %v; want the breaker's refusal with the wait", err)
	}
	if in == nil || len(in.Route) != 1 || in.Route[0].Outcome != "breaker_open" {
		t.Fatalf("recorded %+v; want one breaker_open attempt", in)
	}
	for what, msg := range map[string]string{"route": in.Route[0].Error, "error": in.Error} {
		_, stamp, ok := strings.Cut(msg, "will be tried again at ")
		at, perr := time.Parse(time.RFC3339, stamp)
		if !ok || perr != nil {
			t.Errorf("recorded %s %q; want the time of the trial", what, msg)
			continue
		}
		if at.Before(before.Add(time.Hour-time.Second)) || at.After(time.Now().Add(time.Hour+time.Second)) {
			t.Errorf("recorded %s says the trial is at %s; want an hour after the breaker opened", what, at)
		}
		if later := coord.SayWhen(msg, at.Add(time.Minute)); !strings.Contains(later, "(1m0s ago)") {
			t.Errorf("read a minute after the trial, the %s says %q", what, later)
		}
	}
}
