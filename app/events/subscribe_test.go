package events_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/events"
)

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		streams []string
		stream  string
		want    bool
	}{
		{nil, "llm", true},
		{[]string{"llm"}, "llm", true},
		{[]string{"llm"}, "llm2", false},
		{[]string{"session/*"}, "session/ab", true},
		{[]string{"session/*"}, "sessions", false},
		{[]string{"audit", "session/ab"}, "session/ab", true},
	} {
		if got := events.Match(c.streams, c.stream); got != c.want {
			t.Errorf("Match(%v, %s) = %v", c.streams, c.stream, got)
		}
	}
}

// TestWatchResumes: a subscriber that disconnects and subscribes again
// from the last id it received gets every event of its streams once, in
// order — those appended while it was away included.
func TestWatchResumes(t *testing.T) {
	ctx := context.Background()
	l, _ := newLog(t)
	var want []int64
	versions := map[string]int64{}
	appendTo := func(stream, text string) {
		t.Helper()
		ev := note(t, l, text)
		v, err := l.Append(ctx, stream, versions[stream], ev)
		if err != nil {
			t.Fatal(err)
		}
		versions[stream] = v
		if events.Match([]string{"note/a*"}, stream) {
			want = append(want, ev.ID)
		}
	}
	appendTo("note/a1", "before")
	appendTo("note/b", "other stream")

	var got []int64
	receive := func(s *events.Subscription, n int) {
		t.Helper()
		timeout := time.NewTimer(10 * time.Second)
		defer timeout.Stop()
		for range n {
			select {
			case ev, ok := <-s.C():
				if !ok {
					t.Fatalf("subscription ended: %v", s.Err())
				}
				got = append(got, ev.ID)
			case <-timeout.C:
				t.Fatalf("no event after %v; got %v, want %v", 10*time.Second, got, want)
			}
		}
	}

	s := l.Watch(ctx, []string{"note/a*"}, 0)
	receive(s, 1)
	appendTo("note/a2", "live 1")
	appendTo("note/b", "other")
	appendTo("note/a1", "live 2")
	receive(s, 2)
	appendTo("note/a1", "sent while it disconnects")
	if err := s.Close(); err != nil { // the disconnect
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	last := s.Last()
	for i := range 3 {
		appendTo("note/a2", fmt.Sprint("away ", i))
	}
	s = l.Watch(ctx, []string{"note/a*"}, last)
	defer s.Close()
	receive(s, len(want)-len(got))
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("received %v; want %v", got, want)
	}
	appendTo("note/a1", "after")
	receive(s, 1)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("received %v; want %v", got, want)
	}
}

func TestSubscribeStopsOnError(t *testing.T) {
	ctx := context.Background()
	l, _ := newLog(t)
	if _, err := l.Append(ctx, "note/x", 0, note(t, l, "x")); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	err := l.Subscribe(ctx, []string{"note/x"}, 0, func(evs []events.Event) error {
		if len(evs) != 1 || evs[0].Stream != "note/x" {
			t.Errorf("events = %+v", evs)
		}
		return stop
	})
	if err != stop {
		t.Fatalf("Subscribe = %v; want fn's error", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := l.Subscribe(cctx, nil, 0, func([]events.Event) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Subscribe with a cancelled ctx = %v", err)
	}
}

// TestSubscribeQuietStreamInBusyLog: a subscriber of one stream, of a
// prefix, and of several streams gets exactly its events when other
// streams' events fill many batches around them.
func TestSubscribeQuietStreamInBusyLog(t *testing.T) {
	ctx := context.Background()
	l, _ := newLog(t)
	var noise []*events.Event
	for i := range 2500 {
		noise = append(noise, note(t, l, fmt.Sprint("noise ", i)))
	}
	if _, err := l.Append(ctx, "note/quiet", 0, note(t, l, "first")); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, "other/busy", 0, noise...); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(ctx, "note/quiet", 1, note(t, l, "second")); err != nil {
		t.Fatal(err)
	}
	for _, streams := range [][]string{{"note/quiet"}, {"note/q*"}, {"note/quiet", "audit"}} {
		var got []string
		stop := errors.New("stop")
		err := l.Subscribe(ctx, streams, 0, func(evs []events.Event) error {
			for _, ev := range evs {
				got = append(got, string(ev.Payload))
			}
			if len(got) >= 2 {
				return stop
			}
			return nil
		})
		if err != stop || fmt.Sprint(got) != `[{"text":"first"} {"text":"second"}]` {
			t.Fatalf("%v: %v, %v", streams, got, err)
		}
	}
}
