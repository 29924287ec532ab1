package tui

import (
	"strings"

	"github.com/aiex-dev/aiex/app/session"
)

// printable is s as the screen shows it. Text from elsewhere (prompts
// asked from other interfaces, errors, file names and contents, model
// names) may hold escape sequences and control characters, which the
// terminal would act on: they are dropped as session.Printable drops them
// for every other place aiex shows such text, and tabs become four spaces
// (a tab's width is the terminal's to choose).
func printable(s string) string {
	return strings.ReplaceAll(session.Printable(s), "\t", "    ")
}

// oneLine is s on one line, printable.
func oneLine(s string) string { return strings.Join(strings.Fields(printable(s)), " ") }
