package tui

import (
	"strings"
	"unicode"
	"unicode/utf8"

	xansi "github.com/charmbracelet/x/ansi"
)

// printable is s as the screen shows it. Text from elsewhere (prompts
// asked from other interfaces, errors, file names and contents, model
// names) may hold escape sequences and control characters, which the
// terminal would act on: clear the screen, move the cursor, return to the
// start of the line. They are dropped; tabs become four spaces (a tab's
// width is the terminal's to choose) and invalid UTF-8 shows as U+FFFD.
// Newlines stay.
func printable(s string) string {
	if isPrintable(s) {
		return s
	}
	s = xansi.Strip(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteByte('\n')
		case r == '\t':
			b.WriteString("    ")
		case unicode.IsControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isPrintable says whether s has nothing printable would change: no
// control character but newlines, valid UTF-8 (0xc2 starts every C1
// control's encoding).
func isPrintable(s string) bool {
	high := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\n' || c == 0x7f || c == 0xc2 {
			return false
		}
		high = high || c >= 0x80
	}
	return !high || utf8.ValidString(s)
}

// oneLine is s on one line, printable.
func oneLine(s string) string { return strings.Join(strings.Fields(printable(s)), " ") }
