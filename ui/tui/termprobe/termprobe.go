// Package termprobe keeps Bubble Tea v1 from probing the terminal when the
// program starts. Bubble Tea's package initialisation asks Lip Gloss
// whether the terminal's background is dark, which writes a query to a
// terminal on stdout and waits for the answer: a round trip before any
// command of aiex runs (over SSH, the network's), and 5 s when the
// terminal answers neither the query nor the cursor report behind it.
//
// Importing this package answers the question first, from the environment
// (COLORFGBG; dark when unset): Go initialises packages in the order of
// their import paths among those whose imports are ready, and this one's
// path sorts before Bubble Tea's while importing only what Bubble Tea's
// initialisation needs too. ui/tui imports it; the TUI itself renders with
// its own Lip Gloss renderer, set up without queries. This goes away with
// Bubble Tea v2, which dropped that initialisation.
package termprobe

import (
	"os"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

func init() {
	lipgloss.SetHasDarkBackground(Dark(os.Getenv("COLORFGBG")))
}

// Dark guesses from COLORFGBG ("15;0": light text on a dark background)
// whether the background is dark; dark when it does not say.
func Dark(colorfgbg string) bool {
	i := strings.LastIndexByte(colorfgbg, ';')
	if i < 0 {
		return true
	}
	switch colorfgbg[i+1:] {
	case "7", "15":
		return false
	}
	return true
}
