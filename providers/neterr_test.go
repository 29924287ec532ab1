package providers

import (
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestDescribeNetError(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, "connection refused"},
		{fmt.Errorf("read: %w", syscall.ECONNRESET), "connection reset"},
		{&net.DNSError{Name: "gpu-box", Err: "no such host"}, `cannot resolve host "gpu-box"`},
		{&net.OpError{Op: "read", Err: timeoutErr{}}, "timed out"},
		{fmt.Errorf("stream: %w", io.ErrUnexpectedEOF), "unexpected EOF"},
	}
	for _, tt := range tests {
		if got := DescribeNetError(tt.err); got != tt.want {
			t.Errorf("DescribeNetError(%v) = %q; want %q", tt.err, got, tt.want)
		}
	}
}
