package session

import "testing"

func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text\twith a tab\n", "plain text\twith a tab\n"},
		{"héllo 日本 🎉", "héllo 日本 🎉"},
		{"clear\x1b[2Jed", "cleared"},
		{"\x1b[1;31mred\x1b[0m", "red"},
		{"title\x1b]0;pwned\x07 set", "title set"},
		{"clip\x1b]52;c;aGVsbG8=\x1b\\board", "clipboard"},
		{"dcs\x1bP1$r0m\x1b\\ end", "dcs end"},
		{"over\rwrite\b!\x07", "overwrite!"},
		{"del\x7fete", "delete"},
		{"c1\u009b2Jcsi", "c12Jcsi"},
		{"bad \xff byte", "bad \uFFFD byte"},
		{"open\x1b]0;a title that never ends\nnext line", "open\nnext line"},
		{"lone escape at the end\x1b", "lone escape at the end"},
	} {
		if got := Printable(tc.in); got != tc.want {
			t.Errorf("Printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A sequence split between the pieces of a stream is dropped whole.
func TestPrintableStream(t *testing.T) {
	for _, tc := range []struct {
		pieces []string
		want   string
	}{
		{[]string{"safe ", "\x1b", "[2J", "text"}, "safe text"},
		{[]string{"a\x1b]0;pw", "ned", "\x07b"}, "ab"},
		{[]string{"x\x1b]52;c;", "aGk=\x1b", "\\y"}, "xy"},
		{[]string{"日本", "語"}, "日本語"},
	} {
		var p PrintableStream
		got := ""
		for _, s := range tc.pieces {
			got += p.Next(s)
		}
		if got != tc.want {
			t.Errorf("pieces %q gave %q, want %q", tc.pieces, got, tc.want)
		}
	}
}
