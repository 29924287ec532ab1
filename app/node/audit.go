package node

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net"
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
//
// Anyone who can reach the mesh port can be refused, as often as they
// like, and every record is replicated to every node: so one host's
// refusals are recorded once per Every, the next record counting those
// left out (payload "repeats"), and at most auditHosts hosts are tracked
// at a time (beyond that, refusals are dropped).
type Auditor struct {
	Node string // this node's name, recorded with each event
	// Every is how often one remote host's refusals are recorded; 0 means
	// a minute.
	Every time.Duration

	once    sync.Once
	ch      chan refusal
	dropped atomic.Int64

	mu      sync.Mutex
	hosts   map[string]time.Time // when each host's refusal was last recorded
	repeats map[string]int       // refusals of each host left out since
}

// refusal is one refused peer, as an event and as an audit record.
type refusal struct {
	ev  *db.Event
	rec audit.Record
}

const auditQueue = 256

// auditHosts bounds the hosts whose refusals are being coalesced.
const auditHosts = 1024

// admit reports whether a refusal of the host of remoteAddr at now is to
// be recorded, and how many of its refusals were left out before it.
func (a *Auditor) admit(remoteAddr string, now time.Time) (repeats int, ok bool) {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	every := cmp.Or(a.Every, time.Minute)
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.hosts == nil {
		a.hosts, a.repeats = map[string]time.Time{}, map[string]int{}
	}
	if last, seen := a.hosts[host]; seen && now.Sub(last) < every {
		a.repeats[host]++
		return 0, false
	}
	if _, seen := a.hosts[host]; !seen && len(a.hosts) >= auditHosts {
		for h, last := range a.hosts {
			if now.Sub(last) >= every && a.repeats[h] == 0 {
				delete(a.hosts, h)
			}
		}
		if len(a.hosts) >= auditHosts {
			return 0, false
		}
	}
	repeats = a.repeats[host]
	delete(a.repeats, host)
	a.hosts[host] = now
	return repeats, true
}

func (a *Auditor) queue() chan refusal {
	a.once.Do(func() { a.ch = make(chan refusal, auditQueue) })
	return a.ch
}

// OnRefused is the transport's OnRefused callback.
func (a *Auditor) OnRefused(remoteAddr string, reason error) {
	now := time.Now()
	repeats, ok := a.admit(remoteAddr, now)
	if !ok {
		return
	}
	detail := reason.Error()
	if repeats > 0 {
		detail = fmt.Sprintf("%s (and %d more refusals of this host before this one)", detail, repeats)
	}
	payload, _ := json.Marshal(map[string]any{"remote": remoteAddr, "reason": reason.Error(), "repeats": repeats})
	ev := &db.Event{Stream: AuditStream, Type: "mesh.refused", Payload: payload, Node: a.Node, Actor: "mesh", Time: now}
	rec := audit.Record{Time: now, Node: a.Node, Actor: "mesh", Op: audit.OpConnect, Path: remoteAddr,
		Result: audit.ResultRefused, Detail: detail}
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
