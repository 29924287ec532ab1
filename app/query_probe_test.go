package app_test

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// silentServer takes connections and never answers, as a wedged server
// does; it closes them when the test ends. accepted is how many it has
// taken: each listing that waits on it opens one of its own.
func silentServer(t *testing.T) (url string, accepted func() int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String() + "/v1", func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(conns)
	}
}

// TestProviderReportProbesOnce: a provider report waits for a silent
// server once — one listing of it, bounded by the 2 s its message names —
// whether the server is new to it or held as unreachable since a request
// found its model list silent (a new process learns that from the
// records); the provider that answers is reported reachable all the same.
// The time is checked against twice the bound only: one wait takes the
// bound plus scheduling, which a loaded machine stretches, while a second
// wait on the server shows in the count of its listings, not in the clock.
func TestProviderReportProbesOnce(t *testing.T) {
	for _, held := range []bool{false, true} {
		name := map[bool]string{false: "fresh", true: "held"}[held]
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			ol := providertest.NewOllama(t)
			gw, listings := silentServer(t)
			a := providerApp(t, map[string]app.ProviderConfig{
				"gw":     {Kind: "openai-compatible", BaseURL: gw},
				"ollama": {Kind: "ollama", BaseURL: ol.URL()},
			})
			if held {
				// What a request records when gw's model list did not
				// answer within its 5 s and ollama answered instead.
				start := time.Now().Add(-6 * time.Second)
				fin := start.Add(5100 * time.Millisecond)
				in := db.Interaction{ID: "held", Node: a.Store.NodeID(), Provider: "ollama", Model: "m", Status: db.StatusRunning,
					StartedAt: start, FinishedAt: &fin, TotalMillis: ptrTo(5100.0), Route: []db.Attempt{
						{Provider: "gw", Outcome: "unavailable", Error: "gw: unavailable: gw at " + gw + " did not answer within 5s; is it running?", Millis: 5000},
						{Provider: "ollama", Model: "m", Outcome: "ok", Millis: 90, TTFTMillis: 20},
					}}
				if _, err := a.Store.Execute(ctx, db.InsertInteractionStmt(&in)); err != nil {
					t.Fatal(err)
				}
				in.Status = db.StatusOK
				if _, err := a.Store.Execute(ctx, db.FinishInteractionStmt(&in)); err != nil {
					t.Fatal(err)
				}
			}
			began := time.Now()
			rep, err := a.ProviderReport(ctx)
			took := time.Since(began)
			if err != nil {
				t.Fatal(err)
			}
			if took > 4*time.Second {
				t.Errorf("the report took %s; want about the 2s bound of one probe", took.Round(time.Millisecond))
			}
			// A fresh gw is listed by the report, and may be listed
			// again by the probe, which waited for that listing and
			// found gw held when it ended; that second listing has next
			// to none of the probe's bound left, so only the held
			// server's count is checked. A listing's connection is taken
			// by the server's own goroutine, which may run just after
			// the report returns.
			for deadline := time.Now().Add(time.Second); listings() == 0 && time.Now().Before(deadline); {
				time.Sleep(5 * time.Millisecond)
			}
			if n := listings(); held && n != 1 {
				t.Errorf("gw, held, was listed %d times; want once, by the probe", n)
			}
			got := map[string]app.ProviderStatus{}
			for _, ps := range rep {
				got[ps.Name] = ps
			}
			if gw := got["gw"]; gw.Reachable || !strings.Contains(gw.Error, "did not answer within 2s") {
				t.Errorf("gw: reachable %v, error %q; want unreachable, not answering within 2s", gw.Reachable, gw.Error)
			}
			if o := got["ollama"]; !o.Reachable || len(o.Models) == 0 {
				t.Errorf("ollama: reachable %v, models %v, error %q; want reachable with its models", o.Reachable, o.Models, o.Error)
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }
