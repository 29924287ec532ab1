package session

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi/parser"
)

// Printable is s as a terminal can show it, for text from elsewhere (a
// model's answer, a prompt typed on another node): escape sequences are
// dropped whole, since the terminal would act on them (clear the screen,
// set its title, write the clipboard); other control characters but tab
// and newline are dropped (a carriage return would overwrite the line);
// invalid UTF-8 shows as U+FFFD. A newline ends any escape sequence it
// finds itself in: real ones hold none, and one left open (an OSC without
// its terminator) would otherwise take all the text after it.
func Printable(s string) string {
	if plain(s) {
		return s
	}
	var p PrintableStream
	return p.Next(s)
}

// plain reports whether s has nothing Printable would change: no control
// character but tab and newline, no C1 control (whose UTF-8 encoding
// starts with 0xc2), valid UTF-8.
func plain(s string) bool {
	high := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c == 0xc2 {
			return false
		}
		high = high || c >= 0x80
	}
	return !high || utf8.ValidString(s)
}

// PrintableStream is Printable for text that arrives in pieces, such as a
// streamed answer: an escape sequence split between pieces is dropped
// whole, as it is within one. The zero value is ready to use.
type PrintableStream struct {
	state parser.State // of the escape sequence the last piece ended in
}

// Next returns the printable part of s, the next piece of the text.
func (p *PrintableStream) Next(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\n' {
			p.state = parser.GroundState
			b.WriteByte(c)
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if p.state == parser.GroundState && (r < 0x80 || r >= 0xa0) { // not a C1 control
				b.WriteString(s[i : i+n])
			}
			i += n // inside a sequence: part of it
			continue
		}
		state, action := parser.Table.Transition(p.state, c)
		switch action {
		case parser.PrintAction:
			b.WriteByte(c)
		case parser.ExecuteAction:
			if c == '\t' {
				b.WriteByte(c)
			}
		}
		p.state = state
		i++
	}
	return b.String()
}
