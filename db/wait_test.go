package db

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// A leader notice that never comes (Raft drops observations its observer
// is not ready for) does not hide a node that leads: waitLeader looks.
func TestWaitLeaderWithoutNotice(t *testing.T) {
	var leads atomic.Bool
	time.AfterFunc(50*time.Millisecond, func() { leads.Store(true) })
	start := time.Now()
	if err := waitLeader(context.Background(), make(chan bool), 5*time.Second, leads.Load); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v to see the node lead", d)
	}
	if err := waitLeader(context.Background(), make(chan bool), 100*time.Millisecond, func() bool { return false }); err == nil {
		t.Error("no leader, no notice: no error")
	}
}
