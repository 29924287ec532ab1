package coord

import (
	"fmt"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/db"
)

// FailoverNote says, of in, a request that was answered, which providers
// failed or were passed over before another answered, and why: "bad
// failed: HTTP 500 from URL: …; good (tiny:latest) answered instead". It
// is "" when the provider that answered was the only one tried, or in
// has no answer. A failover is otherwise silent: the answer came, from
// elsewhere, and only --verbose said why. Each front end (the CLI, the
// TUI, a node's client) says it as it says notes; the times a breaker's
// trial was set for are said as of now (SayWhen).
func FailoverNote(in *db.Interaction, now time.Time) string {
	if in == nil || in.Provider == "" {
		return ""
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
