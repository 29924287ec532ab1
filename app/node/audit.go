package node

import (
	"context"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// AuditStream is the event stream refusals are appended to.
const AuditStream = "audit"

// Auditor records the peers the mesh refused as events in the audit
// stream. The transport starts before the store, so OnRefused only queues
// (without blocking the transport; past auditQueue waiting events it counts
// them as dropped) and the node writes the queue once its store is open.
type Auditor struct {
	Node string // this node's name, recorded with each event

	once    sync.Once
	ch      chan *db.Event
	dropped atomic.Int64
}

const auditQueue = 256

func (a *Auditor) queue() chan *db.Event {
	a.once.Do(func() { a.ch = make(chan *db.Event, auditQueue) })
	return a.ch
}

// OnRefused is the transport's OnRefused callback.
func (a *Auditor) OnRefused(remoteAddr string, reason error) {
	payload, _ := json.Marshal(map[string]string{"remote": remoteAddr, "reason": reason.Error()})
	ev := &db.Event{Stream: AuditStream, Type: "mesh.refused", Payload: payload, Node: a.Node, Actor: "mesh", Time: time.Now()}
	select {
	case a.queue() <- ev:
	default:
		a.dropped.Add(1)
	}
}

// Dropped is how many refusals were not recorded because the queue was full.
func (a *Auditor) Dropped() int64 { return a.dropped.Load() }

// run writes queued refusals to st until stop is closed.
func (a *Auditor) run(st *db.Store, stop <-chan struct{}) {
	ch := a.queue()
	for {
		select {
		case <-stop:
			return
		case ev := <-ch:
			batch := []*db.Event{ev}
		more:
			for len(batch) < 64 {
				select {
				case ev := <-ch:
					batch = append(batch, ev)
				default:
					break more
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			st.AppendEvents(ctx, batch)
			cancel()
		}
	}
}
