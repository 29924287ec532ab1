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
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
