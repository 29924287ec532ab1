package providers

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"5", 5 * time.Second},
		{"-1", 0},
		{"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		if got := ParseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestUntilDateRoundsUp(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 300_000_000, time.UTC)
	date := time.Date(2025, 1, 1, 0, 0, 2, 0, time.UTC)
	if got := UntilDate(date, now); got != 2*time.Second {
		t.Errorf("UntilDate = %v, want 2s (1.7s rounded up)", got)
	}
	if got := ParseRetryAfter(date.Format(http.TimeFormat), now); got != 2*time.Second {
		t.Errorf("ParseRetryAfter = %v, want 2s", got)
	}
}
