package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// TestTailEventsPrompt: a tail sees each append as soon as it is applied,
// woken by CDC, not by its 1 s ticker. rqlite sends CDC from inside
// SQLite's commit, before readers can see the row: a tail that read at
// once found nothing and waited for the ticker, for a few appends in a
// hundred.
func TestTailEventsPrompt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := db.Open(ctx, db.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	got := make(chan int64, 16)
	done := make(chan error, 1)
	go func() {
		done <- s.TailEvents(ctx, 0, func(evs []db.Event) error {
			for _, e := range evs {
				got <- e.ID
			}
			return nil
		})
	}()
	const appends = 100
	var lat []time.Duration
	for k := range appends {
		ev := &db.Event{Stream: "s", Type: "t", Payload: json.RawMessage(fmt.Sprintf(`{"k":%d}`, k)), Node: "n", Actor: "a", Time: time.Now()}
		if err := s.AppendEvents(ctx, []*db.Event{ev}); err != nil {
			t.Fatal(err)
		}
		appended := time.Now()
		select {
		case id := <-got:
			if id != ev.ID {
				t.Fatalf("tail got event %d; want %d", id, ev.ID)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("event %d not delivered", ev.ID)
		}
		lat = append(lat, time.Since(appended))
	}
	cancel()
	<-done
	slices.Sort(lat)
	t.Logf("append → tail: p50 %v, p99 %v, max %v", lat[appends/2], lat[appends*99/100-1], lat[appends-1])
	// The ticker fires a second after the tail last looked; CDC answers in
	// well under a millisecond. 500 ms tells them apart on a loaded machine.
	if lat[appends-1] >= 500*time.Millisecond {
		t.Errorf("an append reached the tail after %v: the tail missed its CDC wake-up and waited for the ticker", lat[appends-1])
	}
}
