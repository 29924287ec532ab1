package node

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestFinishingRequestsOutliveTheStop: a short request wrapped by
// finishing is not cancelled by the node stopping (its base context
// cancelled with errStopping): it finishes and answers; the client going
// away still cancels it.
func TestFinishingRequestsOutliveTheStop(t *testing.T) {
	base, stopAll := context.WithCancelCause(context.Background())
	defer stopAll(nil)
	entered, release := make(chan struct{}, 1), make(chan struct{})
	cancelled := make(chan error, 1)
	h := finishing(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		select {
		case <-release:
			io.WriteString(w, "done")
		case <-r.Context().Done():
			cancelled <- r.Context().Err()
		}
	})
	srv := httptest.NewUnstartedServer(h)
	srv.Config.BaseContext = func(net.Listener) context.Context { return base }
	srv.Start()
	defer srv.Close()

	// The node stops while the request runs: it still finishes.
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(srv.URL)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-entered
	stopAll(errStopping)
	select {
	case err := <-cancelled:
		t.Fatalf("the node's stop cancelled a finishing request: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if b := <-got; b != "done" {
		t.Fatalf("the request's answer: %q", b)
	}

	// The client goes away: the request is cancelled.
	release = make(chan struct{}) // held again
	base2, stop2 := context.WithCancelCause(context.Background())
	defer stop2(nil)
	srv2 := httptest.NewUnstartedServer(h)
	srv2.Config.BaseContext = func(net.Listener) context.Context { return base2 }
	srv2.Start()
	defer srv2.Close()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv2.URL, nil)
	go http.DefaultClient.Do(req)
	<-entered
	cancel()
	select {
	case err := <-cancelled:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the client went away, and the request went on")
	}
}
