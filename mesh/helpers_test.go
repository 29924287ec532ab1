package mesh_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/mesh"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// echo serves a listener: for each line a client sends it answers
// "label|node|login|line", where node and login are what WhoIs says about
// the client. It records every connection Accept returned.
type echo struct {
	label string
	tr    mesh.Transport
	ln    net.Listener

	mu       sync.Mutex
	accepted []string // remote addresses Accept returned
	wg       sync.WaitGroup
}

// startEcho serves ln until the test ends.
func startEcho(t *testing.T, label string, tr mesh.Transport, ln net.Listener) *echo {
	t.Helper()
	e := &echo{label: label, tr: tr, ln: ln}
	e.wg.Go(e.serve)
	t.Cleanup(func() {
		ln.Close()
		e.wg.Wait()
	})
	return e
}

func (e *echo) serve() {
	var conns sync.WaitGroup
	var live sync.Map
	defer func() {
		// The listener is closed: end the sessions still open.
		live.Range(func(k, _ any) bool { k.(net.Conn).Close(); return true })
		conns.Wait()
	}()
	for {
		c, err := e.ln.Accept()
		if err != nil {
			return
		}
		e.mu.Lock()
		e.accepted = append(e.accepted, c.RemoteAddr().String())
		e.mu.Unlock()
		live.Store(c, true)
		conns.Go(func() {
			defer live.Delete(c)
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			p, err := e.tr.WhoIs(ctx, c.RemoteAddr().String())
			if err != nil {
				fmt.Fprintf(c, "whois error: %v\n", err)
				return
			}
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				fmt.Fprintf(c, "%s|%s|%s|%s", e.label, p.Node, p.Login, line)
			}
		})
	}
}

func (e *echo) acceptedAddrs() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.accepted...)
}

// roundTrip writes msg as a line on c and returns the answer line.
func roundTrip(t testing.TB, c net.Conn, msg string) string {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := fmt.Fprintf(c, "%s\n", msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return strings.TrimSuffix(line, "\n")
}

// dial dials addr through tr with a deadline and closes the conn at cleanup.
func dial(t testing.TB, tr mesh.Transport, addr string) net.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := tr.Dial(ctx, addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// refusal is one OnRefused call.
type refusal struct {
	addr   string
	reason error
}

// refusals collects OnRefused calls.
type refusals struct{ ch chan refusal }

func newRefusals() *refusals { return &refusals{ch: make(chan refusal, 64)} }

func (r *refusals) record(addr string, reason error) {
	select {
	case r.ch <- refusal{addr, reason}:
	default: // a test would have failed long before
	}
}

// wait returns the first refusal whose reason contains want, failing the
// test after a deadline. Other refusals seen meanwhile are returned too.
func (r *refusals) wait(t testing.TB, want string) (refusal, []refusal) {
	t.Helper()
	deadline := time.NewTimer(15 * time.Second)
	defer deadline.Stop()
	var others []refusal
	for {
		select {
		case rf := <-r.ch:
			if strings.Contains(rf.reason.Error(), want) {
				return rf, others
			}
			others = append(others, rf)
		case <-deadline.C:
			t.Fatalf("no refusal mentioning %q; saw %v", want, others)
		}
	}
}

// none fails if any refusal is pending.
func (r *refusals) none(t testing.TB) {
	t.Helper()
	select {
	case rf := <-r.ch:
		t.Errorf("unexpected refusal of %s: %v", rf.addr, rf.reason)
	default:
	}
}

// expectClosed checks that the peer closes c without sending anything.
func expectClosed(t testing.TB, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	if err == nil {
		t.Fatalf("read %q from a connection that should be refused", buf[:n])
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("refused connection was never closed: %v", err)
	}
}
