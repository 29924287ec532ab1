package mesh

import (
	"testing"
	"time"
)

func TestClosedConnsSafeAfter(t *testing.T) {
	var cc closedConns
	now := time.Unix(1000, 0)
	if d := cc.safeAfter(now); d != 0 {
		t.Fatalf("empty: %v", d)
	}
	// safeTimeWait closes are fine; one more must wait until the oldest
	// has left TIME_WAIT.
	for i := range safeTimeWait + 1 {
		cc.note(now.Add(time.Duration(i) * time.Millisecond))
	}
	end := now.Add(safeTimeWait * time.Millisecond)
	if d := cc.safeAfter(end); d != netstackTimeWait-safeTimeWait*time.Millisecond {
		t.Errorf("after %d closes: wait %v", safeTimeWait+1, d)
	}
	if d := cc.safeAfter(now.Add(netstackTimeWait)); d != 0 {
		t.Errorf("once the oldest aged out: wait %v", d)
	}
	if d := cc.safeAfter(end.Add(netstackTimeWait)); d != 0 || len(cc.times) != 0 {
		t.Errorf("all aged out: wait %v, %d kept", d, len(cc.times))
	}
}
