package pricing

import "fmt"

// Text is a cost as aiex shows it everywhere (tables, session exports,
// the TUI): dollars to four places, except an amount above zero that
// rounds to $0.0000, shown as <$0.0001 so that a paid request never reads
// as a free one; "+?" marks a cost that leaves out requests of unknown
// price.
func Text(usd float64, unknown bool) string {
	s := fmt.Sprintf("$%.4f", usd)
	if usd > 0 && usd < 0.0001 {
		s = "<$0.0001"
	}
	if unknown {
		s += "+?"
	}
	return s
}
