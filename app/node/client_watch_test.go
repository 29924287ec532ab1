package node

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// TestClientWatchesStreamHolder: an event tail (a stream with no end)
// under way when the process serving it is stopped (Ctrl+Z; SIGSTOP
// here) waits for it, and says once why; brought back, the stream goes
// on.
func TestClientWatchesStreamHolder(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs Linux's /proc to tell a stopped process")
	}
	dir := shortTempDir(t)
	cmd, cl := startHolder(t, dir)
	pid := cmd.Process.Pid
	var mu sync.Mutex
	var notices []string
	cl.Notice = func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		notices = append(notices, msg)
	}
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(notices)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ended := make(chan error, 1)
	go func() { ended <- cl.Subscribe(ctx, 0, nil, func(db.Event) error { return nil }) }()
	time.Sleep(500 * time.Millisecond) // the stream under way
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer syscall.Kill(pid, syscall.SIGCONT)
	within(t, 10*time.Second, "a notice that the holder is stopped", func() bool { return count() > 0 })
	want := fmt.Sprintf("(PID %d) serving data dir %s is stopped (Ctrl+Z): this waits until it is brought back (fg in its shell, or kill -CONT %d)", pid, dir, pid)
	mu.Lock()
	if !strings.Contains(notices[0], want) {
		t.Errorf("notice %q; want it to say %q", notices[0], want)
	}
	mu.Unlock()
	time.Sleep(2 * watchEvery) // more looks while it stays stopped
	if n := count(); n != 1 {
		t.Errorf("%d notices while the holder stayed stopped; want 1", n)
	}
	select {
	case err := <-ended:
		t.Fatalf("the stream ended while its holder was stopped: %v", err)
	default:
	}
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-ended; err != context.Canceled {
		t.Errorf("stream ended with %v; want context.Canceled", err)
	}
}
