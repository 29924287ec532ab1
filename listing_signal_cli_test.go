package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCtrlCWhileListing: Ctrl-C while providers, status or models wait
// for a provider that accepted the connection and never answers ends
// them as Ctrl-C ends ask: "cancelled", exit 130, not the provider shown
// unreachable (exit 0) or failing (exit 1).
func TestCtrlCWhileListing(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() }) // held open, never answered
		}
	}()
	s := newSandbox(t, "http://"+ln.Addr().String())
	for _, args := range [][]string{{"providers"}, {"status"}, {"models"}} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := s.command(ctx, "", args...)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond) // the listing waits 2 s for an answer
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
		cancel()
		if code := cmd.ProcessState.ExitCode(); code != 130 || strings.TrimSpace(errb.String()) != "aiex: cancelled" {
			t.Errorf("%v after Ctrl-C: exit %d, stderr %q; want 130 and aiex: cancelled", args, code, errb.String())
		}
	}
}
