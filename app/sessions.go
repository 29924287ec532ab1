package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
)

// eventTypes are the event types of every subsystem that keeps its state
// in the event log.
func eventTypes() []events.Type {
	return append(session.Types(), checkpoint.Types()...)
}

// projections are the projections `aiex events replay` rebuilds.
func projections() []events.Projection {
	return []events.Projection{session.Projection(), checkpoint.Projection()}
}

type eventServices struct {
	once     sync.Once
	log      *events.Log
	sessions *session.Service
	err      error
}

// Events returns the event log (app/events) with every subsystem's event
// types registered.
func (a *App) Events() (*events.Log, error) {
	a.initEvents()
	return a.ev.log, a.ev.err
}

// Sessions returns the session service (app/session).
func (a *App) Sessions() (*session.Service, error) {
	a.initEvents()
	return a.ev.sessions, a.ev.err
}

func (a *App) initEvents() {
	a.ev.once.Do(func() {
		reg, err := events.NewRegistry(eventTypes()...)
		if err != nil {
			a.ev.err = fmt.Errorf("app: event types: %w", err)
			return
		}
		a.ev.log = events.New(events.Config{Store: a.Store, Registry: reg, Logger: a.logger})
		a.ev.sessions = session.New(session.Config{Log: a.ev.log, Store: a.Store, NodeAlive: a.nodeAlive, Secrets: a.providerSecrets, Logger: a.logger})
		// Ends recorded late (a turn's end that lost to other writers
		// for long) are retried in the background: stopped before the
		// store closes. Those not landed leave their turns to the next
		// writer, which finds their process gone.
		a.cleanup = append(a.cleanup, func(context.Context) error { a.ev.sessions.Close(); return nil })
	})
}

// providerSecrets is what the session service takes out of a turn before
// storing it: the credentials of this node's configured providers, as the
// coordinator holds them (nil when it cannot be built; then nothing is
// taken out).
func (a *App) providerSecrets(ctx context.Context) *providers.Redactor {
	c, err := a.Coord(ctx)
	if err != nil {
		return nil
	}
	return c.Redactor()
}

// nodeLiveness is how recently a node must have heartbeated (every 2 s) to
// count as up.
const nodeLiveness = 10 * time.Second

// nodeAlive says whether the node with Raft ID id heartbeated lately: as
// the node serving this process watched its heartbeats, when it did
// (Config.NodeAlive: a node whose clock is behind is not taken for dead),
// else by the time its last heartbeat carries.
func (a *App) nodeAlive(ctx context.Context, id string) bool {
	// A node removed from the cluster is gone at once, whatever its last
	// heartbeat: history shows its requests interrupted as soon as the
	// removal commits, and its session turns must agree.
	if gone, err := a.Store.RemovedNodes(ctx); err == nil && gone[id] {
		return false
	}
	if a.cfg.NodeAlive != nil {
		if alive, known := a.cfg.NodeAlive(id); known {
			return alive
		}
	}
	nodes, err := a.Store.Nodes(ctx)
	if err != nil {
		return true // cannot tell: leave its turns alone
	}
	for _, n := range nodes {
		if n.ID == id {
			return time.Since(n.LastSeen) < nodeLiveness
		}
	}
	return false
}

// SessionRequest is a session command (aiex session …), run by the core
// itself or by the node that holds the data dir.
type SessionRequest struct {
	Op       string `json:"op"`                 // list, show, resume, archive, unarchive, remove
	Ref      string `json:"ref,omitempty"`      // an id (or a unique prefix of one) or "last"
	Project  string `json:"project,omitempty"`  // the project of "last" and of list; "" means every project for list
	Archived bool   `json:"archived,omitempty"` // list: include archived sessions
	Limit    int    `json:"limit,omitempty"`    // list: at most this many; resume: the last this many turns
	Actor    string `json:"actor,omitempty"`
}

// SessionResult is what a session command returns: sessions for list, a
// whole session (show) or its last turns (resume), or the session a
// change was made to.
type SessionResult struct {
	Sessions []session.Info    `json:"sessions,omitempty"`
	Document *session.Document `json:"document,omitempty"`
	Info     *session.Info     `json:"info,omitempty"`
}

// Session ops.
const (
	SessionList      = "list"
	SessionShow      = "show"
	SessionResume    = "resume"
	SessionArchive   = "archive"
	SessionUnarchive = "unarchive"
	SessionRemove    = "remove"
)

// Session runs a session command.
func (a *App) Session(ctx context.Context, req SessionRequest) (*SessionResult, error) {
	svc, err := a.Sessions()
	if err != nil {
		return nil, err
	}
	ref := session.Ref(req.Ref)
	switch req.Op {
	case SessionList:
		list, err := svc.List(ctx, session.ListOptions{Project: req.Project, Archived: req.Archived, Limit: req.Limit})
		if err != nil {
			return nil, err
		}
		return &SessionResult{Sessions: list}, nil
	case SessionShow:
		s, err := svc.Open(ctx, ref, req.Project)
		if err != nil {
			return nil, err
		}
		d := s.Document(ctx)
		a.markPruned(ctx, &d)
		return &SessionResult{Document: &d}, nil
	case SessionResume:
		if strings.TrimSpace(req.Ref) == "" || ref == session.RefNew {
			// Begin would start a new session: there is nothing to resume.
			return nil, usererr.Usage("name the session to resume: its id (or 4 or more of its first characters), or last")
		}
		// Begin, not Open: resuming marks turns whose process died as
		// interrupted, as continuing the session would.
		s, err := svc.Begin(ctx, ref, req.Project, req.Actor)
		if err != nil {
			return nil, err
		}
		if s.New() {
			return nil, usererr.New("no session in this project yet; start one with aiex ask")
		}
		d := s.Recent(ctx, int64(max(req.Limit, 1)))
		a.markPruned(ctx, &d)
		return &SessionResult{Document: &d}, nil
	case SessionArchive, SessionUnarchive, SessionRemove:
		op := map[string]func(context.Context, session.Ref, string, string) (session.Info, error){
			SessionArchive: svc.Archive, SessionUnarchive: svc.Unarchive, SessionRemove: svc.Remove,
		}[req.Op]
		info, err := op(ctx, ref, req.Project, req.Actor)
		if err != nil {
			return nil, err
		}
		return &SessionResult{Info: &info}, nil
	}
	return nil, usererr.Usage("unknown session operation %q", req.Op)
}

// markPruned marks the written proposals of d whose checkpoint was pruned
// since: the session must not offer to undo them with it. A failed read
// leaves a proposal as it is.
func (a *App) markPruned(ctx context.Context, d *session.Document) {
	for i := range d.Turns {
		p := d.Turns[i].Proposal
		if p == nil || p.Status != session.ProposalWritten || p.Checkpoint == "" {
			continue
		}
		if gone, err := checkpoint.WasPruned(ctx, a.Store, p.Checkpoint); err == nil && gone {
			p.CheckpointPruned = true
		}
	}
}

// Replay rebuilds every projection of the event log from the events (aiex
// events replay). With skip, events that cannot be replayed are skipped
// and listed instead of stopping it.
func (a *App) Replay(ctx context.Context, skip bool) (*events.ReplayReport, error) {
	log, err := a.Events()
	if err != nil {
		return nil, err
	}
	rep, err := log.Replay(ctx, events.ReplayOptions{Skip: skip}, projections()...)
	if be := (*events.BadEventError)(nil); errors.As(err, &be) {
		return rep, &usererr.Error{Msg: be.Error() + "; run aiex events replay --skip-bad to replay without it", Err: err}
	}
	return rep, err
}

// Retention is how old events must be for Prune to delete them, from the
// config's [events] retention; 0 keeps every event.
func (a *App) Retention() time.Duration { return time.Duration(a.cfg.File.Events.Retention) }

// Prune deletes the events of sessions (and the other projections)
// appended before before, through snapshots, so that replay still
// rebuilds every projection (see events.Log.Prune).
func (a *App) Prune(ctx context.Context, before time.Time) (*events.PruneReport, error) {
	log, err := a.Events()
	if err != nil {
		return nil, err
	}
	return log.Prune(ctx, before, projections()...)
}

// RetentionReport is what Retain pruned.
type RetentionReport struct {
	Events      *events.PruneReport     `json:"events,omitempty"`
	Checkpoints *checkpoint.PruneReport `json:"checkpoints,omitempty"`
}

// Retain applies the configured retention: [events] retention to the
// event log (through snapshots) and [checkpoints] keep / max_age to every
// project's checkpoints. What is not configured is kept. A node runs it
// hourly on the leader.
func (a *App) Retain(ctx context.Context) (*RetentionReport, error) {
	rep := &RetentionReport{}
	if age := a.Retention(); age > 0 {
		r, err := a.Prune(ctx, time.Now().Add(-age))
		if err != nil {
			return rep, fmt.Errorf("events retention: %w", err)
		}
		rep.Events = r
	}
	if !a.CheckpointRetention().IsZero() {
		// Pruning every project writes no project file: the data dir
		// stands in for a project root.
		res, err := a.Checkpoint(ctx, CheckpointRequest{Op: CheckpointPrune, Root: a.Store.Dir(), AllProjects: true, Actor: "retention"})
		if err != nil {
			return rep, fmt.Errorf("checkpoint retention: %w", err)
		}
		rep.Checkpoints = res.Prune
	}
	return rep, nil
}
