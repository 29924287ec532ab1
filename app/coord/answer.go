package coord

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/providers"
)

// DefaultMaxAnswer is the most an answer may hold when Config.MaxAnswer is
// 0: 4 MiB of text (and tool-call arguments). That is generous for code —
// the sandbox refuses to write a file of more than 1 MiB by default — and
// it keeps a model that does not stop (a local one looping until the
// request's deadline, a server sending garbage) from filling memory and
// the store: every byte of an answer is kept in memory, recorded with the
// request, with the session's turn, and replicated through Raft's log and
// snapshots.
const DefaultMaxAnswer = 4 << 20

// OutcomeTooLong is the outcome (and recorded error kind) of an attempt
// whose answer passed Config.MaxAnswer and was cut there. It is not the
// provider's fault: the breaker and the records of earlier requests
// (History) count it neither way.
const OutcomeTooLong = "too_long"

// tooLongError stops a stream whose answer passed the limit. Chat records
// the request as interrupted with it, and the answer up to the limit.
type tooLongError struct{ limit int }

func (e *tooLongError) Error() string { return "answer exceeded " + byteSize(e.limit) + "; cut" }

func isTooLong(err error) bool {
	var tl *tooLongError
	return errors.As(err, &tl)
}

// byteSize writes n bytes as people read sizes: "4 MiB", "512 KiB",
// "1000 bytes".
func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// answer collects the text of one attempt's answer, up to a limit.
//
// It keeps the text in blocks that it never copies while the answer
// streams, and joins them once, into a string of the exact size, at the
// end: an answer of n bytes costs about 2n. A strings.Builder grows its
// buffer by a quarter at a time once it is large (append's growth), so
// each byte of a 3 MiB answer was copied five or six times over
// (BenchmarkLargeAnswer), and the request held the old and the new buffer
// at once as each grew.
type answer struct {
	limit  int
	size   int // what counts against limit: text and tool-call arguments
	text   int // bytes of text in blocks
	blocks [][]byte
	joined string // the text, once String has joined it
}

// Block sizes: the first fits most answers (a paragraph, a function);
// each next one doubles, up to maxBlock, so that a long answer takes
// few blocks and a short one little memory.
const (
	firstBlock = 4 << 10
	maxBlock   = 1 << 20
)

// fit returns what of c fits in the answer: c itself, or, for the chunk
// that passes the limit, the text that fits (cut at a character, never
// inside one) or nothing for a tool-call fragment, which is of no use
// cut. over reports that the limit was passed: the stream must stop.
func (a *answer) fit(c providers.Chunk) (kept providers.Chunk, over bool) {
	n := len(c.Text)
	if c.ToolCall != nil {
		n += len(c.ToolCall.Arguments)
	}
	if a.size+n <= a.limit {
		a.size += n
		return c, false
	}
	room := a.limit - a.size
	a.size = a.limit
	if c.ToolCall != nil || room <= 0 {
		return providers.Chunk{}, true
	}
	for room > 0 && !utf8.RuneStart(c.Text[room]) {
		room--
	}
	return providers.Chunk{Text: c.Text[:room]}, true
}

// write appends s to the answer's text.
func (a *answer) write(s string) {
	a.text += len(s)
	for s != "" {
		if k := len(a.blocks); k == 0 || len(a.blocks[k-1]) == cap(a.blocks[k-1]) {
			size := firstBlock
			if k > 0 {
				size = min(2*cap(a.blocks[k-1]), maxBlock)
			}
			a.blocks = append(a.blocks, make([]byte, 0, size))
		}
		b := &a.blocks[len(a.blocks)-1]
		m := min(len(s), cap(*b)-len(*b))
		*b = append(*b, s[:m]...)
		s = s[m:]
	}
}

// Len is the length of the answer's text in bytes.
func (a *answer) Len() int { return a.text }

// String returns the answer's text. The first call joins the blocks and
// lets them go; the answer takes no more text after it.
func (a *answer) String() string {
	if a.blocks != nil {
		var sb strings.Builder
		sb.Grow(a.text)
		for _, b := range a.blocks {
			sb.Write(b)
		}
		a.joined, a.blocks = sb.String(), nil
	}
	return a.joined
}
