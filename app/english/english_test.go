package english

import "testing"

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
