// Package english words counts for people to read: "1 turn", "3 turns".
package english

import (
	"strconv"
	"strings"
	"time"
)

// Count returns n and the noun, with an s unless n is 1: Count(1, "turn")
// is "1 turn", Count(0, "turn") "0 turns".
func Count[N ~int | ~int64](n N, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.FormatInt(int64(n), 10) + " " + noun + "s"
}

// CountAs is Count for a noun whose plural is not noun+"s":
// CountAs(2, "entry", "entries").
func CountAs[N ~int | ~int64](n N, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(int64(n), 10) + " " + many
}

// Duration is d as people write it: 5m rather than 5m0s, 2h rather than
// 2h0m0s.
func Duration(d time.Duration) string {
	s := d.String()
	if t, ok := strings.CutSuffix(s, "m0s"); ok {
		s = t + "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}
