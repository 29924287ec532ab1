package db

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

// TestPeerFailureDropped: a peer that drops this node's connection, as a
// peer whose policy does not admit it does once it knows who dialled,
// is said to have closed it, whether the drop shows as an end of file,
// a reset or a broken pipe, and whether it came during the cluster
// layer's dial, which is otherwise a reason to retry ("no leader there").
func TestPeerFailureDropped(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	pipe := &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}
	const want = "closed the connection (it may not allow this node)"
	for _, err := range []error{
		io.EOF,
		fmt.Errorf("read protobuf length: %w", io.ErrUnexpectedEOF),
		fmt.Errorf("failed to join: %w", reset),
		&dialError{addr: "100.64.0.1:7420", err: reset},
		&dialError{addr: "100.64.0.1:7420", err: pipe},
		// A tailnet's netstack says so in text alone.
		fmt.Errorf("failed to join: %v", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}),
	} {
		if got := peerFailure(err); got != want {
			t.Errorf("peerFailure(%v) = %q, want %q", err, got, want)
		}
	}
	// A dial that found no one, or a peer without a leader, stays so.
	if got := peerFailure(&dialError{addr: "x:1", err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}); got != "nothing listening" {
		t.Errorf("refused dial: %q", got)
	}
	if got := peerFailure(errors.New("no leader")); got != "no leader there" {
		t.Errorf("no leader: %q", got)
	}
}
