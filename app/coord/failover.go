package coord

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// FailoverNote says, of in, a request that was answered, which providers
// failed or were passed over before another answered, and why: "bad
// failed: HTTP 500 from URL: …; good (tiny:latest) answered instead". It
// is "" when the provider that answered was the only one tried, or no
// attempt answered (a request that failed, or was cancelled before its
// answer ended, says what became of it otherwise). A failover is
// otherwise silent: the answer came, from elsewhere, and only --verbose
// said why. Each front end (the CLI, the TUI, a node's client) says it as
// it says notes; the times a breaker's trial was set for are said as of
// the request's start (SayWhen), when the choice was made, however long
// the answer took.
func FailoverNote(in *db.Interaction) string {
	if in == nil || in.Provider == "" || !slices.ContainsFunc(in.Route, func(a db.Attempt) bool {
		return a.Outcome == "ok" && a.Provider == in.Provider
	}) {
		return ""
	}
	now := in.StartedAt
	if now.IsZero() {
		now = time.Now()
	}
	var order []string
	why := map[string]string{}
	for _, a := range in.Route {
		if a.Provider == in.Provider || a.Outcome == "ok" {
			continue
		}
		if _, ok := why[a.Provider]; !ok {
			order = append(order, a.Provider)
		}
		// Its last word: a breaker that its failures opened says so.
		how := "failed"
		if a.Millis <= 0 {
			how = "was passed over"
		}
		why[a.Provider] = a.Provider + " " + how
		if a.Error != "" {
			why[a.Provider] += ": " + SayWhen(a.Error, now)
		}
	}
	if len(order) == 0 {
		return ""
	}
	parts := make([]string, 0, len(order)+1)
	for _, p := range order {
		parts = append(parts, why[p])
	}
	return strings.Join(parts, "; ") + fmt.Sprintf("; %s (%s) answered instead", in.Provider, in.Model)
}
