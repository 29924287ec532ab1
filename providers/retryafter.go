package providers

import (
	"net/http"
	"strconv"
	"time"
)

// ParseRetryAfter reads the value of a Retry-After header, in seconds or as
// an HTTP date measured from now. It is 0 when v is empty, not a positive
// number of seconds, or a date that has passed.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return UntilDate(t, now)
	}
	return 0
}

// UntilDate is how long to wait from now for a Retry-After given as an
// HTTP date, t; 0 if it has passed. The date names a whole second, which
// the server had to round its own time down to, while now has a fraction:
// the wait is rounded up to a whole second, so that the retry never comes
// before the time the server meant (waiting t-now exactly came up to a
// second early).
func UntilDate(t, now time.Time) time.Duration {
	if !t.After(now) {
		return 0
	}
	return (t.Sub(now) + time.Second - 1).Truncate(time.Second)
}
