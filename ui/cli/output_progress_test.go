package cli

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer the spinner's goroutine and the test can
// share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestProgressShowsItsNewMessage: a message set while the spinner turns
// is drawn by a later frame, each frame clearing the rest of its line (a
// shorter message leaves nothing of a longer one); stop erases the line
// and is safe twice, set after it does nothing. Off a terminal nothing is
// drawn.
func TestProgressShowsItsNewMessage(t *testing.T) {
	var errb lockedBuffer
	o := &Output{Err: &errb, TTY: true, ErrTTY: true}
	set, stop := o.Progress("thinking… a long message")
	set("answering… 2 lines")
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(errb.String(), "answering… 2 lines\x1b[K"); {
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("the new message was never drawn: %q", errb.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	stop()
	set("after")
	if got := errb.String(); !strings.HasSuffix(got, "\r\x1b[K") || strings.Contains(got, "after") {
		t.Errorf("stderr %q; want the line erased last", got)
	}

	var plain lockedBuffer
	set, stop = (&Output{Err: &plain, TTY: false, ErrTTY: true}).Progress("thinking…")
	set("answering…")
	stop()
	if plain.String() != "" {
		t.Errorf("stdout not a terminal: the spinner drew %q", plain.String())
	}
}
