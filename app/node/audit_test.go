package node

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/audit"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestAuditorWritesChain: queued refusals reach both the audit event
// stream and the audit chain, which verifies.
func TestAuditorWritesChain(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t)
	a := &Auditor{Node: "alpha"}
	a.OnRefused("100.64.0.9:4242", errors.New("mallory@example.com is not allowed (allow: tag:aiex)"))
	a.OnRefused("100.64.0.10:4243", errors.New("mallory@example.com is not allowed (allow: tag:aiex)"))
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		a.run(st, stop)
	}()
	defer func() { close(stop); <-done }()

	within(t, 10*time.Second, "two audit rows", func() bool {
		rows, err := st.AuditRows(ctx, 0, 0)
		return err == nil && len(rows) == 2
	})
	rows, _ := st.AuditRows(ctx, 0, 0)
	r := rows[0]
	if r.Node != "alpha" || r.Actor != "mesh" || r.Op != audit.OpConnect || r.Path != "100.64.0.9:4242" ||
		r.Result != audit.ResultRefused || !strings.Contains(r.Detail, "mallory@example.com") {
		t.Errorf("row %+v", r)
	}
	if rep, err := audit.New(audit.Config{Store: st}).Verify(ctx); err != nil || !rep.Intact || rep.Rows != 2 {
		t.Errorf("verify: %+v, %v", rep, err)
	}
	within(t, 10*time.Second, "two audit events", func() bool {
		evs, err := st.StreamEvents(ctx, AuditStream, 0, 0)
		return err == nil && len(evs) == 2
	})
}

// TestAuditorCoalescesAHostsRefusals: a host refused over and over (anyone
// who can reach the mesh port can be) is recorded once per Every, not once
// per connection, and its next record counts the ones left out.
func TestAuditorCoalescesAHostsRefusals(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t)
	a := &Auditor{Node: "alpha", Every: time.Hour}
	for i := range 200 {
		a.OnRefused(fmt.Sprintf("203.0.113.7:%d", 40000+i), errors.New("not signed by this cluster's key"))
	}
	a.OnRefused("203.0.113.8:40000", errors.New("not signed by this cluster's key"))
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		a.run(st, stop)
	}()
	defer func() { close(stop); <-done }()

	// The other host's refusal was queued last: once it is written, so is
	// everything queued before it.
	var rows []db.AuditRow
	within(t, 10*time.Second, "the second host's refusal", func() bool {
		var err error
		rows, err = st.AuditRows(ctx, 0, 0)
		return err == nil && len(rows) > 0 && rows[len(rows)-1].Path == "203.0.113.8:40000"
	})
	if len(rows) != 2 {
		t.Fatalf("%d audit rows for 201 refusals of 2 hosts; want one per host", len(rows))
	}

	// Past Every, the host's next refusal is recorded with the count of
	// those left out.
	repeats, ok := a.admit("203.0.113.7:50000", time.Now().Add(2*time.Hour))
	if !ok || repeats != 199 {
		t.Errorf("a refusal past Every: recorded %v with %d repeats; want recorded with 199", ok, repeats)
	}
}
