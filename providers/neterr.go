package providers

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// DescribeNetError says in a few words why a request got no (whole)
// answer: "connection refused", "cannot resolve host …", "timed out", or
// the innermost error's text ("unexpected EOF", "no route to host", …).
// Provider packages use it to build the Message of a KindUnavailable or
// KindInterrupted error.
func DescribeNetError(err error) string {
	var (
		dnsErr *net.DNSError
		netErr net.Error
	)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot resolve host %q", dnsErr.Name)
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timed out"
	}
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
