package httpapi

import (
	"bufio"
	"io"
)

// errorField is the start of a line that llama.cpp's server (its builds
// until late 2025) writes for an error in a stream that has begun with 200:
// "error: {…}", a field the SSE format does not have, which parsers skip.
const errorField = "error:"

// errorEvent is what errorFieldReader puts in place of errorField: the
// start of an event of type "error" whose data is the rest of the line.
const errorEvent = "event: error\ndata:"

// errorFieldReader passes an event stream through, with every line that
// begins with errorField rewritten to begin with errorEvent, so that the
// error reaches the reader of the events instead of vanishing.
//
// It never waits for more input than the event parser needs: it holds back
// only the start of a line that could still become errorField, which is a
// line that has not ended yet.
type errorFieldReader struct {
	r         *bufio.Reader
	lineStart bool   // the next byte begins a line
	pending   string // what to return before reading on
	err       error  // the read error met while looking ahead
}

func newErrorFieldReader(r io.Reader) *errorFieldReader {
	return &errorFieldReader{r: bufio.NewReader(r), lineStart: true}
}

func (e *errorFieldReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if e.pending == "" && e.lineStart && e.atErrorField() {
		e.r.Discard(len(errorField))
		e.lineStart = false
		e.pending = errorEvent
	}
	if e.pending != "" {
		n := copy(p, e.pending)
		e.pending = e.pending[n:]
		return n, nil
	}
	if e.r.Buffered() == 0 {
		if e.err == nil {
			_, e.err = e.r.Peek(1)
		}
		if e.r.Buffered() == 0 {
			return 0, e.err
		}
	}
	// Up to the end of the first line that a line beginning with
	// errorField might follow, or all of b.
	b, _ := e.r.Peek(min(e.r.Buffered(), len(p)))
	end := len(b)
	e.lineStart = false
	for i, c := range b {
		if (c == '\n' || c == '\r') && (i+1 == len(b) || b[i+1] == errorField[0]) {
			end, e.lineStart = i+1, true
			break
		}
	}
	n := copy(p, b[:end])
	e.r.Discard(n)
	return n, nil
}

// atErrorField reports whether the line about to be read begins with
// errorField. It reads ahead only while what came of the line so far is
// the start of errorField, a line that has not ended; after a read error
// it looks only at what is buffered.
func (e *errorFieldReader) atErrorField() bool {
	for n := 1; n <= len(errorField); n++ {
		if n > e.r.Buffered() && e.err != nil {
			return false
		}
		b, err := e.r.Peek(n)
		if len(b) < n {
			e.err = err
			return false
		}
		if b[n-1] != errorField[n-1] {
			return false
		}
	}
	return true
}
