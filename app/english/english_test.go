package english

import (
	"testing"
	"time"
)

func TestCount(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{Count(0, "turn"), "0 turns"},
		{Count(1, "turn"), "1 turn"},
		{Count(2, "file"), "2 files"},
		{Count(int64(-1), "byte"), "-1 bytes"},
		{Count(int64(1_000_000), "event"), "1000000 events"},
		{CountAs(1, "entry", "entries"), "1 entry"},
		{CountAs(5, "entry", "entries"), "5 entries"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		5 * time.Minute: "5m", 3 * time.Second: "3s", 2 * time.Hour: "2h", 90 * time.Minute: "1h30m",
		90 * time.Second: "1m30s", 1500 * time.Millisecond: "1.5s",
	} {
		if got := Duration(d); got != want {
			t.Errorf("Duration(%v) = %q; want %q", d, got, want)
		}
	}
}
