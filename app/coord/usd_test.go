package coord_test

import (
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
)

// TestUSDSmallAmounts: an amount is shown to the cent, or with the digits
// it takes, however small: a cap below a millionth of a dollar shows its
// first two significant digits, not "$0.".
func TestUSDSmallAmounts(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{
		{0, "$0.00"},
		{2.5, "$2.50"},
		{3, "$3.00"},
		{0.005, "$0.005"},
		{0.0075, "$0.0075"},
		{0.000001, "$0.000001"},
		{0.0000001, "$0.0000001"},
		{0.0000001234, "$0.00000012"},
		{0.00000045, "$0.00000045"},
		{3.0000004, "$3.00"}, // the sub-millionth of a larger amount is not shown
	} {
		if got := coord.USD(tt.v); got != tt.want {
			t.Errorf("USD(%v) = %q; want %q", tt.v, got, tt.want)
		}
	}
}
