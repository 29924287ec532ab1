package node

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// watchHolder tells c.Notice, once each time it happens, that the process
// serving the socket has been stopped (Ctrl+Z) while a request to it is
// under way: the request is not bounded (an answer may take long to
// come), so it waits for that process to be brought back, and says why.
// The probe before the request (probe) names a holder stopped before it;
// the first look comes after the probe's own bound, so as not to say it
// twice. The returned func ends the watch.
func (c *Client) watchHolder(ctx context.Context) (stop func()) {
	if c.Notice == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		stopped, _ := c.waits()
		t := time.NewTimer(stopped + 500*time.Millisecond)
		defer t.Stop()
		pid, said := 0, false
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if pid == 0 {
				// The kernel names the socket's server even while it
				// is stopped.
				pid = socketPeer(c.path)
			}
			if pid != 0 {
				st := db.ProcessState(pid)
				switch now := st == 'T' || st == 't'; {
				case now && !said:
					c.Notice(fmt.Sprintf("%s (PID %d) serving data dir %s is stopped (Ctrl+Z): this waits until it is brought back (fg in its shell, or kill -CONT %d)",
						processKind(processArgs(pid)), pid, filepath.Dir(c.path), pid))
					said = true
				case !now:
					said = false
				}
			}
			t.Reset(watchEvery)
		}
	}()
	return func() { cancel(); <-done }
}

// watchEvery is how often watchHolder looks at the holder's state.
const watchEvery = time.Second
