package coord

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/providers"
)

// A breaker's refusal is recorded with the time its next trial was set
// for, not with how long there was to wait: "will be tried again in 29s",
// kept in history, was false when read a minute later. The error said to
// the user as the request ends, and whatever shows a record later
// (SayWhen), say it relative to when they are read.

// triedAgainLayout is the time of a trial in a recorded message: RFC 3339
// in UTC, to the millisecond (the wait is said rounded up to the second,
// as it was before the time was recorded).
const triedAgainLayout = "2006-01-02T15:04:05.000Z07:00"

// triedAgainAtRE finds the times of trials in a recorded message
// (triedAgainAt). A message recorded before (with "in 29s") has none.
var triedAgainAtRE = regexp.MustCompile(`will be tried again at (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)`)

// triedAgainAt says that a route is tried again at at, as a record keeps
// it: "will be tried again at 2026-11-29T06:02:15.250Z".
func triedAgainAt(at time.Time) string {
	return "will be tried again at " + at.UTC().Format(triedAgainLayout)
}

// SayWhen is msg, an error as a request's record keeps it, with each time
// a trial was set for said as of now: "will be tried again in 29s" while
// it is to come, "was to be tried again at 2026-11-29 06:02:15 UTC (3m0s
// ago)" once it has passed. A message without one — recorded before
// records kept the time, or of another failure — is returned as it is.
func SayWhen(msg string, now time.Time) string {
	return triedAgainAtRE.ReplaceAllStringFunc(msg, func(m string) string {
		at, err := time.Parse(time.RFC3339, triedAgainAtRE.FindStringSubmatch(m)[1])
		if err != nil {
			return m
		}
		if left := at.Sub(now); left > 0 {
			return fmt.Sprintf("will be tried again in %s", ceilSecond(left))
		}
		return fmt.Sprintf("was to be tried again at %s (%s ago)", at.Format("2006-01-02 15:04:05 MST"), now.Sub(at).Round(time.Second))
	})
}

// sayWhen is err, the error a request returns, with its message said as
// of now (SayWhen): the user's sentence (a *usererr.Error made for this
// request), or a provider's error (an embedding request's refusal).
func sayWhen(err error, now time.Time) error {
	if err == nil {
		return nil
	}
	if ue := usererr.As(err); ue != nil {
		if msg := SayWhen(ue.Msg, now); msg != ue.Msg {
			ue.Msg = msg
		}
		return err
	}
	var pe *providers.Error
	if errors.As(err, &pe) && err == error(pe) {
		if msg := SayWhen(pe.Message, now); msg != pe.Message {
			said := *pe
			said.Message = msg
			return &said
		}
	}
	return err
}
