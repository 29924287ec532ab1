package chunk

import (
	"bytes"
	"fmt"

	"github.com/aiex-dev/aiex/app/parse/exlex"
)

// Delimiters. tree-sitter reports a bracket or a do block left open where
// its recovery gave up, which is often the ERROR node that starts at the
// module's `do` on line 1 and ends with the file. The Elixir tokenizer
// pairs `( [ { << do fn` with their terminators before it parses, and
// reports the first closer that does not match:
//
//	unexpected reserved word: end. The "(" at line 7 is missing terminator ")"
//
// delimiterError does the same over exlex's tokens (comments, strings,
// sigils, atoms and character literals hold no delimiters; punctuation is
// read in the text between tokens), so the warning names the line the
// compiler names, in its words.

// delim is a delimiter: its text and its first byte.
type delim struct {
	text string
	at   int
}

// delimTerminator is what closes each opener.
var delimTerminator = map[string]string{"(": ")", "[": "]", "{": "}", "<<": ">>", "do": "end", "fn": "end"}

// delimiterError finds the first closer of src that closes nothing or not
// the innermost delimiter open (closer, and open: that delimiter, if any),
// or, when every closer matches but delimiters are left open at the end,
// the innermost of them (open; closer.text is ""). ok is false when the
// delimiters pair up.
func delimiterError(src []byte) (closer delim, open delim, ok bool) {
	var stack []delim
	stop := false
	shut := func(c delim) {
		if n := len(stack); n > 0 && delimTerminator[stack[n-1].text] == c.text {
			stack = stack[:n-1]
			return
		}
		closer, stop = c, true
	}
	// punct reads the delimiters of src[start:end], text between tokens.
	punct := func(start, end int) {
		for i := start; i < end && !stop; i++ {
			s := src[i:end]
			switch {
			case hasAnyPrefix(s, "<<<", ">>>", "<<~", "~>>", "<~>", "<|>"):
				i += 2 // operators, not binaries
			case hasAnyPrefix(s, "|>", "->", "=>", "<-", "<>"):
				i++
			case hasAnyPrefix(s, "<<"):
				stack = append(stack, delim{"<<", i})
				i++
			case hasAnyPrefix(s, ">>"):
				shut(delim{">>", i})
				i++
			case s[0] == '(' || s[0] == '[' || s[0] == '{':
				stack = append(stack, delim{string(s[0]), i})
			case s[0] == ')' || s[0] == ']' || s[0] == '}':
				shut(delim{string(s[0]), i})
			}
		}
	}
	prevEnd := 0
	exlex.Lex(src, func(t exlex.Token) {
		if stop {
			return
		}
		punct(prevEnd, t.Start)
		prevEnd = t.End
		if stop || t.Kind != exlex.Ident || exlex.AfterDot(src, t.Start) {
			return
		}
		switch w := string(src[t.Start:t.End]); w {
		case "do", "fn":
			stack = append(stack, delim{w, t.Start})
		case "end":
			shut(delim{w, t.Start})
		}
	})
	punct(prevEnd, len(src))
	if n := len(stack); n > 0 {
		open = stack[n-1]
	}
	return closer, open, stop || len(stack) > 0
}

// delimiterWarning reports the first delimiter error of the file, if any,
// in the Elixir compiler's words, on the line the compiler gives.
func (x *exFile) delimiterWarning() bool {
	closer, open, ok := delimiterError(x.src)
	switch {
	case !ok:
		return false
	case closer.text == "":
		line := x.lines.line(open.at)
		x.warnf("line %d: syntax error: missing terminator: %s (for %q starting at line %d)", line, delimTerminator[open.text], open.text, line)
		return true
	}
	what := "unexpected token: "
	if closer.text == "end" {
		what = "unexpected reserved word: "
	}
	missing := ""
	if open.text != "" {
		missing = fmt.Sprintf(". The %q at line %d is missing terminator %q", open.text, x.lines.line(open.at), delimTerminator[open.text])
	}
	x.warnf("line %d: syntax error: %s%s%s", x.lines.line(closer.at), what, closer.text, missing)
	return true
}

func hasAnyPrefix(s []byte, prefixes ...string) bool {
	for _, p := range prefixes {
		if bytes.HasPrefix(s, []byte(p)) {
			return true
		}
	}
	return false
}
