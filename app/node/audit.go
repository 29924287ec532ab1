package node

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiex-dev/aiex/app/audit"
	"github.com/aiex-dev/aiex/db"
)

// AuditStream is the event stream refusals are appended to.
const AuditStream = "audit"

// Auditor records the peers the mesh refused as events in the audit
// stream and as rows of the audit chain (app/audit, `aiex audit`). The
// transport starts before the store, so OnRefused only queues (without
// blocking the transport; past auditQueue waiting refusals it counts them
// as dropped) and the node writes the queue once its store is open.
type Auditor struct {
	Node string // this node's name, recorded with each event

	once    sync.Once
	ch      chan refusal
	dropped atomic.Int64
}

// refusal is one refused peer, as an event and as an audit record.
type refusal struct {
	ev  *db.Event
	rec audit.Record
}

const auditQueue = 256

func (a *Auditor) queue() chan refusal {
	a.once.Do(func() { a.ch = make(chan refusal, auditQueue) })
	return a.ch
}

// OnRefused is the transport's OnRefused callback.
func (a *Auditor) OnRefused(remoteAddr string, reason error) {
	payload, _ := json.Marshal(map[string]string{"remote": remoteAddr, "reason": reason.Error()})
	now := time.Now()
	ev := &db.Event{Stream: AuditStream, Type: "mesh.refused", Payload: payload, Node: a.Node, Actor: "mesh", Time: now}
	rec := audit.Record{Time: now, Node: a.Node, Actor: "mesh", Op: audit.OpConnect, Path: remoteAddr,
		Result: audit.ResultRefused, Detail: reason.Error()}
	select {
	case a.queue() <- refusal{ev, rec}:
	default:
		a.dropped.Add(1)
	}
}

// Dropped is how many refusals were not recorded because the queue was full.
func (a *Auditor) Dropped() int64 { return a.dropped.Load() }

// run writes queued refusals to st until stop is closed.
func (a *Auditor) run(st *db.Store, stop <-chan struct{}) {
	ch := a.queue()
	chain := audit.New(audit.Config{Store: st, Node: a.Node})
	for {
		select {
		case <-stop:
			return
		case r := <-ch:
			batch := []refusal{r}
		more:
			for len(batch) < 64 {
				select {
				case r := <-ch:
					batch = append(batch, r)
				default:
					break more
				}
			}
			evs := make([]*db.Event, len(batch))
			recs := make([]*audit.Record, len(batch))
			for i := range batch {
				evs[i], recs[i] = batch[i].ev, &batch[i].rec
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			st.AppendEvents(ctx, evs)
			chain.Append(ctx, recs...)
			cancel()
		}
	}
}
