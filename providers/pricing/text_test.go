package pricing

import "testing"

// TestText: amounts the four decimals would round to nothing show as
// less than the least they can show, so that a paid request never reads
// as a free one; nothing is $0.0000, and an unknown part is marked.
func TestText(t *testing.T) {
	for _, tt := range []struct {
		usd     float64
		unknown bool
		want    string
	}{
		{0, false, "$0.0000"},
		{0, true, "$0.0000+?"},
		{0.0000455, false, "<$0.0001"},
		{0.0000455, true, "<$0.0001+?"},
		{0.00000001, false, "<$0.0001"},
		{0.0001, false, "$0.0001"},
		{0.00009999, false, "<$0.0001"},
		{1.23456, false, "$1.2346"},
	} {
		if got := Text(tt.usd, tt.unknown); got != tt.want {
			t.Errorf("Text(%v, %v) = %q; want %q", tt.usd, tt.unknown, got, tt.want)
		}
	}
}
