package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app/english"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
)

// EventsCmd groups the event log's commands.
type EventsCmd struct {
	Tail   EventsTailCmd   `cmd:"" help:"Show events as they are appended anywhere in the cluster, until Ctrl-C."`
	Replay EventsReplayCmd `cmd:"" help:"Rebuild sessions and the other projections from the event log."`
	Prune  EventsPruneCmd  `cmd:"" help:"Delete old session events, through snapshots (replay still rebuilds every session)."`
}

// EventsPruneCmd applies retention.
type EventsPruneCmd struct {
	OlderThan string `name:"older-than" placeholder:"DURATION" help:"Delete events older than this (\"90d\", \"720h\"); default: [events] retention in the config."`
}

// Run prunes, through the running node when there is one.
func (ep *EventsPruneCmd) Run(c *Context) error {
	cfg, err := c.appConfig()
	if err != nil {
		return err
	}
	age := time.Duration(cfg.File.Events.Retention)
	if ep.OlderThan != "" {
		if age, err = parseDurationFlag("--older-than", ep.OlderThan); err != nil {
			return err
		}
		if age <= 0 {
			// 0 would delete every event; retention = "0s" keeps them all.
			return usererr.Usage("--older-than %q: give an age above 0, e.g. 90d (events younger than it are kept)", ep.OlderThan)
		}
	}
	if age <= 0 {
		where := "it is 0 or unset there: every event is kept"
		if _, err := os.Stat(cfg.ConfigPath); errors.Is(err, fs.ErrNotExist) {
			where = "the file does not exist yet: create it with an [events] table holding that line"
		}
		return usererr.Usage("say how old the events to delete must be: --older-than 90d, or retention = \"90d\" in the [events] table of %s (%s)", cfg.ConfigPath, where)
	}
	before := time.Now().Add(-age)
	rep, err := viaNode(c, func(cl *node.Client) (*events.PruneReport, error) { return cl.Prune(c, before) },
		func(core *app.App) (*events.PruneReport, error) { return core.Prune(c, before) })
	if err != nil {
		return err
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(rep)
	}
	_, err = fmt.Fprintf(c.Out.Out, "deleted %s older than %s from %s (%d ended whole)\n", english.Count(rep.Events, "event"),
		before.Local().Format("2006-01-02 15:04"), english.Count(rep.Streams, "stream"), rep.Ended)
	return err
}

// EventsReplayCmd rebuilds the projections.
type EventsReplayCmd struct {
	SkipBad bool `name:"skip-bad" help:"Skip events that cannot be replayed (listing them) instead of stopping at the first."`
}

// Run replays, through the running node when there is one.
func (er *EventsReplayCmd) Run(c *Context) error {
	rep, err := viaNode(c, func(cl *node.Client) (*events.ReplayReport, error) { return cl.Replay(c, er.SkipBad) },
		func(core *app.App) (*events.ReplayReport, error) { return core.Replay(c, er.SkipBad) })
	if err != nil {
		return err
	}
	if c.Out.JSON {
		rep.Skipped = nonNil(rep.Skipped)
		return c.Out.PrintJSON(rep)
	}
	fmt.Fprintf(c.Out.Out, "replayed %s into %s in %s\n", english.Count(rep.Events, "event"), english.Count(rep.Streams, "stream"), rep.Took.Round(time.Millisecond))
	for _, b := range rep.Skipped {
		fmt.Fprintf(c.Out.Out, "skipped event %d (%s v%d, %s): %s\n", b.ID, b.Stream, b.Version, b.Type, b.Reason)
	}
	return nil
}

// EventsTailCmd follows the event log.
type EventsTailCmd struct {
	Stream []string `placeholder:"NAME" help:"Only these streams: llm (requests), audit (peers the mesh refused; the audit log of file operations and commands is aiex audit), session/ID, checkpoint/ID (ID as the session and checkpoint commands take it); NAME* for every stream whose name starts with NAME (session/*). Repeatable."`
	// After is nil when not given: 0 is an id like any other (the whole
	// log), not "unset".
	After *int64 `name:"since" aliases:"after" placeholder:"ID" help:"Start after this event id: 0 for the whole log, or the last one seen before a disconnect (default: show the last 10 first)."`
}

// Run prints events, one line each (or one JSON object per line with
// --json), from the running node when there is one, else from the store.
func (et *EventsTailCmd) Run(c *Context) error {
	if err := et.resolveStreams(c); err != nil {
		return err
	}
	after := et.after()
	print := func(ev app.Event) error {
		after = ev.ID
		if c.Out.JSON {
			return c.Out.PrintJSONLine(ev)
		}
		_, err := fmt.Fprintf(c.Out.Out, "%d %s %s/%d %s %s %s %s\n", ev.ID, ev.Time.Format(time.RFC3339), ev.Stream, ev.Version,
			ev.Type, ev.Node, ev.Actor, ev.Payload)
		return err
	}
	cfg, err := c.appConfig()
	if err != nil {
		return err
	}
	cl, err := connect(c, cfg.DataDir)
	if err == nil {
		err := cl.Subscribe(c, after, et.Stream, print)
		if errors.Is(err, node.ErrCutOff) {
			return usererr.Wrap(err, "the node stopped sending events; continue where this left off with: %s", et.resume(c, after))
		}
		return ignoreCancel(err)
	}
	if !errors.Is(err, node.ErrNoNode) {
		return err
	}
	core, err := c.App()
	if err != nil {
		return err
	}
	log, err := core.Events()
	if err != nil {
		return err
	}
	defer serveWhileTailing(c, core)()
	return ignoreCancel(log.Subscribe(c, et.Stream, after, func(evs []app.Event) error {
		for _, ev := range evs {
			if err := print(ev); err != nil {
				return err
			}
		}
		return nil
	}))
}

// serveWhileTailing serves the node API's socket for core, as the TUI
// does: the data dir's lock is this process's for as long as it tails, and
// the other aiex commands on the data dir go through it meanwhile instead
// of failing on the lock (their events show in the tail at once). The
// function it returns stops serving, before the core closes: it first
// waits for the answers it streams for those commands (see
// finishServing), which are not the tail's to cut.
func serveWhileTailing(c *Context, core *app.App) (stop func()) {
	srv, err := node.ServeSocket(core, c.Logger)
	if err != nil {
		c.Logger.Warn("events tail: other commands cannot go through this process", "err", err)
		return func() {}
	}
	sigs := catchQuitSignals()
	return func() {
		defer sigs.stop()
		finishServing(c, srv, sigs)
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c), 5*time.Second)
		defer cancel()
		srv.Close(ctx)
	}
}

// resolveStreams checks each --stream against the streams the app writes,
// so that a misspelt name is an error rather than a tail that waits for
// events that never come, and makes each session/REF and checkpoint/REF
// name its stream: REF may be what the session and checkpoint commands
// take (a unique prefix of the id, last, a checkpoint's tag).
func (et *EventsTailCmd) resolveStreams(c *Context) error {
	for i, s := range et.Stream {
		if err := checkStream(s); err != nil {
			return err
		}
		if strings.HasSuffix(s, "*") {
			continue
		}
		if ref, ok := strings.CutPrefix(s, session.StreamPrefix); ok {
			d, err := openSession(c, app.SessionResume, ref, 1)
			if err != nil {
				return err
			}
			et.Stream[i] = session.Stream(d.Session.ID)
		} else if ref, ok := strings.CutPrefix(s, checkpoint.StreamPrefix); ok {
			res, err := checkpointDo(c, app.CheckpointRequest{Op: app.CheckpointShow, Ref: ref})
			if err != nil {
				return err
			}
			et.Stream[i] = checkpoint.Stream(res.Checkpoint.ID)
		}
	}
	return nil
}

// streamNames are the streams and families of streams the app writes.
var streamNames = []string{coord.EventStream, node.AuditStream, session.StreamPrefix, checkpoint.StreamPrefix}

// checkStream reports a --stream that can match none of the app's streams.
func checkStream(s string) error {
	const kinds = "the streams are llm, audit, session/ID and checkpoint/ID (audit holds the peers the mesh refused; the audit log is aiex audit), and NAME* takes every stream whose name starts with NAME (session/*)"
	prefix, pattern := strings.CutSuffix(s, "*")
	if s == "" {
		return usererr.Usage("--stream needs a name; %s", kinds)
	}
	if strings.Contains(prefix, "*") {
		return usererr.Usage("--stream %q: * may only end a name; %s", s, kinds)
	}
	for _, n := range streamNames {
		family := strings.HasSuffix(n, "/")
		switch {
		case pattern && (strings.HasPrefix(n, prefix) || family && strings.HasPrefix(prefix, n)):
			return nil
		case !pattern && (s == n && !family || family && strings.HasPrefix(s, n) && len(s) > len(n)):
			return nil
		}
	}
	return usererr.Usage("--stream %q: no such stream; %s", s, kinds)
}

// resume is the command that goes on from event id after (negative: the
// tail had shown nothing of a start that many events back).
func (et *EventsTailCmd) resume(c *Context, after int64) string {
	cmd := "aiex"
	if d := c.Globals.DataDir; d != nil {
		cmd += " --data-dir " + shellWord(*d)
	}
	if c.Out.JSON {
		cmd += " --json"
	}
	cmd += " events tail"
	for _, s := range et.Stream {
		cmd += " --stream " + shellWord(s)
	}
	if after >= 0 {
		cmd += fmt.Sprintf(" --since %d", after)
	}
	return cmd
}

// shellWord quotes s as the shell reads it, if it needs quoting.
func shellWord(s string) string {
	if s != "" && !strings.ContainsAny(s, "*?[ '\"$`\\;&|<>()~#{}!\t\n") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// after is where to start: --since, else 10 events back (ids are dense
// enough for that to show about the last 10).
func (et *EventsTailCmd) after() int64 {
	if et.After == nil {
		return -10
	}
	return *et.After
}

// ignoreCancel treats the end a signal brings as success: tailing ends so.
func ignoreCancel(err error) error {
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
