package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/audit"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/usererr"
)

// AuditCmd lists the audit log and verifies its hash chain.
type AuditCmd struct {
	Since  string `placeholder:"DURATION|TIME" help:"Only records since then: a duration back from now (30m, 24h, 7d) or a time (2026-01-02, \"2026-01-02 15:04\", RFC 3339)."`
	Limit  int    `short:"n" default:"50" help:"How many of the most recent records to show (0 for all)."`
	Verify bool   `help:"Check the whole hash chain instead of listing; exit 1 at the first broken link."`
}

// Run lists records (a table, or an array with --json), or verifies the
// chain and reports "audit chain intact: N rows" or the first broken link.
func (ac *AuditCmd) Run(c *Context) error {
	if ac.Limit < 0 {
		return usererr.Usage("--limit must be 0 (all) or more, not %d", ac.Limit)
	}
	since, err := parseSince(ac.Since, time.Now())
	if err != nil {
		return err
	}
	res, err := auditDo(c, app.AuditRequest{Verify: ac.Verify, Since: since, Limit: ac.Limit})
	if err != nil {
		return err
	}
	if ac.Verify {
		return ac.verify(c, res.Report)
	}
	rows := res.Rows
	if rows == nil {
		rows = []audit.Record{}
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(rows)
	}
	if len(rows) == 0 {
		msg := "No audit records yet: the assistant's file operations and commands are recorded here."
		if !since.IsZero() {
			msg = fmt.Sprintf("No audit records since %s.", since.Local().Format("2006-01-02 15:04:05"))
		}
		_, err := fmt.Fprintln(c.Out.Out, msg)
		return err
	}
	tw := newTable(c.Out.Out)
	fmt.Fprintln(tw, c.Out.Bold("ID\tTIME\tNODE\tACTOR\tOP\tRESULT\tPATH\tDETAIL"))
	for _, r := range rows {
		result := r.Result
		switch result {
		case audit.ResultOK:
			result = c.Out.Green(result)
		case audit.ResultRefused, audit.ResultError:
			result = c.Out.Red(result)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Time.Local().Format("2006-01-02 15:04:05"),
			r.Node, r.Actor, r.Op, result, shown(r.Path), oneLine(r.Detail, 60))
	}
	return tw.Flush()
}

// verify walks the chain; a broken one is an error (exit 1) that says
// where, after the JSON report with --json.
func (ac *AuditCmd) verify(c *Context, rep *audit.Report) error {
	if c.Out.JSON {
		if err := c.Out.PrintJSON(rep); err != nil {
			return err
		}
	} else if rep.Intact {
		_, err := fmt.Fprintln(c.Out.Out, c.Out.Green(rep.String()))
		return err
	}
	if !rep.Intact {
		return usererr.New("%s", rep)
	}
	return nil
}

// parseSince reads --since: "" (no bound), a duration back from now
// ("90m", "24h", "7d"), or a time in local time unless it says otherwise.
// Text that is neither gets app.ParseDuration's message, as every
// duration flag does, and what times are taken.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, derr := app.ParseDuration(s)
	switch {
	case derr == nil && d >= 0:
		return now.Add(-d), nil
	case errors.Is(derr, app.ErrDurationTooLong):
		return time.Time{}, usererr.Usage("--since %v", derr)
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usererr.Usage("--since %v, nor a time (2026-01-02, \"2026-01-02 15:04\", 2026-01-02T15:04:05Z)", derr)
}

// auditDo runs aiex audit through the node running on the data dir, else
// in this process.
func auditDo(c *Context, req app.AuditRequest) (*app.AuditResult, error) {
	return viaNodeRead(c, func(cl *node.Client) (*app.AuditResult, error) { return cl.Audit(c, req) },
		func(core *app.App) (*app.AuditResult, error) { return core.AuditLog(c, req) })
}
