package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/app/english"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/providers"
)

// ProvidersCmd shows each provider's health, breakers, limits and recent
// performance.
type ProvidersCmd struct{}

// Run prints the report.
func (p *ProvidersCmd) Run(c *Context) error {
	rep, err := viaNodeRead(c, func(cl *node.Client) ([]app.ProviderStatus, error) {
		r, err := cl.Code(c, node.CodeRequest{Op: "providers"})
		if err != nil {
			return nil, err
		}
		return r.Providers, nil
	}, func(core *app.App) ([]app.ProviderStatus, error) { return core.ProviderReport(c) })
	if err != nil {
		return err
	}
	if err := c.Err(); err != nil {
		// Ctrl-C while the providers were asked: their "unreachable"
		// is the cancellation's, not theirs.
		return err
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(rep)
	}
	now := time.Now()
	tw := newTable(c.Out.Out)
	fmt.Fprintln(tw, c.Out.Bold("PROVIDER\tKIND\tENDPOINT\tSTATE\tBREAKERS\tLIMITS\tLAST 24H"))
	for _, s := range rep {
		state := c.Out.Green("reachable")
		if !s.Reachable {
			state = c.Out.Red(unreachable(s))
		}
		breakers := "closed"
		var open []string
		for _, b := range s.Breakers {
			if b.Breaker != "closed" {
				open = append(open, breakerCell(b, now))
			}
		}
		if len(open) > 0 {
			breakers = c.Out.Red(strings.Join(open, ", "))
		}
		limits := s.LimitsText()
		if s.SpendCap != "" {
			// The sentence is in --json. Rate limits, when set, follow;
			// "none" of them would read as no cap.
			capped := c.Out.Red("spend cap reached")
			if limits == "none" {
				limits = capped
			} else {
				limits = capped + ", " + limits
			}
		}
		recent := "no requests"
		if r := s.Recent; r != nil {
			recent = fmt.Sprintf("%d req, %.0f%% errors, avg %s (ttft %s)", r.Requests,
				100*float64(r.Errors)/float64(max(r.Requests, 1)), fmtMillis(r.AvgTotalMs), fmtMillis(r.AvgTTFTms))
		}
		kind := s.Kind
		if s.Local {
			kind += " (local)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, kind, s.Endpoint, state, breakers, limits, recent)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range rep {
		if !s.Reachable {
			fmt.Fprintln(c.Out.Out, namedError(s.Name, s.Error))
		}
		for _, b := range s.Breakers {
			if b.Breaker != "closed" {
				fmt.Fprintln(c.Out.Out, s.Name+": "+breakerLine(b, now))
			}
		}
	}
	return nil
}

// breakerCell shows a breaker that is not closed in the table: its model,
// its state, the HTTP status of the failure it counted last, and when it
// lets a trial through — "tiny open (HTTP 500), tried again in 28s".
func breakerCell(b coord.RouteStatus, now time.Time) string {
	cell := b.Model + " " + b.Breaker
	if b.HTTPStatus != 0 {
		cell += fmt.Sprintf(" (HTTP %d)", b.HTTPStatus)
	}
	if left, ok := retryIn(b, now); ok {
		cell += ", tried again in " + left
	}
	return cell
}

// breakerLine says why a breaker is not closed, and until when: "breaker
// of tiny open after 5 failures in a row (the last: HTTP 500 from URL: …);
// will be tried again in 28s".
func breakerLine(b coord.RouteStatus, now time.Time) string {
	return fmt.Sprintf("breaker of %s %s %s", b.Model, b.Breaker, breakerWhy(b, now))
}

// breakerWhy is breakerLine's account of the failures and the wait: "after
// 5 failures in a row (the last: …); will be tried again in 28s".
func breakerWhy(b coord.RouteStatus, now time.Time) string {
	line := fmt.Sprintf("after %s in a row", english.Count(int(b.ConsecutiveFailures), "failure"))
	if b.LastError != "" {
		line += " (the last: " + session.Printable(b.LastError) + ")"
	}
	switch left, ok := retryIn(b, now); {
	case ok:
		line += "; will be tried again in " + left
	case b.Breaker == "half-open":
		line += "; the next request is its trial"
	}
	return line
}

// retryIn is how long until an open breaker lets its trial through,
// rounded up to the second, and whether it is still to come.
func retryIn(b coord.RouteStatus, now time.Time) (string, bool) {
	if b.RetryAt == nil || !b.RetryAt.After(now) {
		return "", false
	}
	return (b.RetryAt.Sub(now) + time.Second - 1).Truncate(time.Second).String(), true
}

// namedError is msg, a provider's error, led by the provider's name once:
// provider errors usually start with it already ("gpu: unavailable: …").
func namedError(name, msg string) string {
	if strings.HasPrefix(msg, name+": ") {
		return msg
	}
	return name + ": " + msg
}

// unreachable names the state of a provider that did not list its models:
// "auth failed" when it refused the key or has none, "error 500" when its
// server answered with an error status (it runs, but fails), else
// "unreachable".
func unreachable(s app.ProviderStatus) string {
	switch {
	case s.ErrorKind == string(providers.KindAuth):
		return "auth failed"
	case s.HTTPStatus != 0:
		return fmt.Sprintf("error %d", s.HTTPStatus)
	}
	return "unreachable"
}
