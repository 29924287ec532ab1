package cli

import (
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/usererr"
)

// parseDurationFlag reads a duration flag as app.ParseDuration reads every
// duration aiex takes. A mistake is a usage error of one line: the flag's
// name, then ParseDuration's own message (which quotes the value), so every
// duration flag says the same of the same mistake. A leading "-" gives a
// negative duration rather than that message, so that the caller, which
// refuses one, can say what the flag needs instead.
func parseDurationFlag(flag, s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	d, err := app.ParseDuration(s)
	if err != nil {
		if abs, ok := strings.CutPrefix(s, "-"); ok {
			if n, nerr := app.ParseDuration(abs); nerr == nil {
				return -n, nil
			}
		}
		return 0, usererr.Usage("%s %v", flag, err)
	}
	return d, nil
}
