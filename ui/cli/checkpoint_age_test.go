package cli

import (
	"strings"
	"testing"
	"time"
)

// TestCheckpointPruneAges: ages are read as the configuration's durations
// are (1d12h included) and weeks; one too long for a duration is refused
// as such, not taken for a negative age that prunes as if none was given.
func TestCheckpointPruneAges(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"30d", 30 * 24 * time.Hour, ""},
		{"2w", 14 * 24 * time.Hour, ""},
		{"1d12h", 36 * time.Hour, ""},
		{"12h", 12 * time.Hour, ""},
		{"106752d", 0, "too long"},
		{"1e300d", 0, "is not a duration"},
		{"NaNd", 0, "is not a duration"},
		{"99999999999999w", 0, "too long"},
		{"soon", 0, "is not a duration"},
	} {
		got, err := parseAge(tt.in)
		if tt.err == "" && (err != nil || got != tt.want) || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("parseAge(%q) = %v, %v; want %v, %q", tt.in, got, err, tt.want, tt.err)
		}
	}
}
