package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/node"
)

// EventsCmd groups the event log's commands.
type EventsCmd struct {
	Tail EventsTailCmd `cmd:"" help:"Show events as they are appended anywhere in the cluster, until Ctrl-C."`
}

// EventsTailCmd follows the event log.
type EventsTailCmd struct {
	Stream string `placeholder:"NAME" help:"Only this stream (llm, audit, …)."`
	After  int64  `placeholder:"ID" help:"Start after this event id (default: show the last 10 first)."`
}

// Run prints events, one line each (or one JSON object per line with
// --json), from the running node when there is one, else from the store.
func (et *EventsTailCmd) Run(c *Context) error {
	print := func(ev app.Event) error {
		if c.Out.JSON {
			return c.Out.PrintJSON(ev)
		}
		_, err := fmt.Fprintf(c.Out.Out, "%d %s %s/%d %s %s %s %s\n", ev.ID, ev.Time.Format(time.RFC3339), ev.Stream, ev.Version,
			ev.Type, ev.Node, ev.Actor, ev.Payload)
		return err
	}
	cfg, err := c.appConfig()
	if err != nil {
		return err
	}
	cl, err := node.Connect(c, cfg.DataDir)
	if err == nil {
		return ignoreCancel(cl.Events(c, et.after(), et.Stream, print))
	}
	if !errors.Is(err, node.ErrNoNode) {
		return err
	}
	core, err := c.App()
	if err != nil {
		return err
	}
	return ignoreCancel(core.Store.TailEvents(c, et.after(), func(evs []app.Event) error {
		for _, ev := range evs {
			if et.Stream == "" || ev.Stream == et.Stream {
				if err := print(ev); err != nil {
					return err
				}
			}
		}
		return nil
	}))
}

// after is where to start: --after, else 10 events back (ids are dense
// enough for that to show about the last 10).
func (et *EventsTailCmd) after() int64 {
	if et.After > 0 {
		return et.After
	}
	return -10
}

// ignoreCancel treats the end a signal brings as success: tailing ends so.
func ignoreCancel(err error) error {
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
