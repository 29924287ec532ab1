package node

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/audit"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestAuditorWritesChain: queued refusals reach both the audit event
// stream and the audit chain, which verifies.
func TestAuditorWritesChain(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t)
	a := &Auditor{Node: "alpha"}
	a.OnRefused("100.64.0.9:4242", errors.New("mallory@example.com is not allowed (allow: tag:aiex)"))
	a.OnRefused("100.64.0.9:4243", errors.New("mallory@example.com is not allowed (allow: tag:aiex)"))
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
