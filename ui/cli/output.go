package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aiex-dev/aiex/app/session"
)

// Output writes a command's results: plain when stdout is not a terminal,
// with colour and a spinner when it is (unless colour is turned off), and
// JSON with --json.
type Output struct {
	Out, Err io.Writer
	TTY      bool // stdout is a terminal
	ErrTTY   bool // stderr is a terminal
	Color    bool
	JSON     bool
}

// ANSI styles; empty when colour is off.
func (o *Output) style(code, s string) string {
	if !o.Color {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// Bold, Dim, Red and Green style s when colour is on.
func (o *Output) Bold(s string) string  { return o.style("1", s) }
func (o *Output) Dim(s string) string   { return o.style("2", s) }
func (o *Output) Red(s string) string   { return o.style("31", s) }
func (o *Output) Green(s string) string { return o.style("32", s) }

// PrintJSON writes v as indented JSON.
func (o *Output) PrintJSON(v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := o.Out.Write(escapeC1(b.Bytes()))
	return err
}

// PrintJSONLine writes v as one line of compact JSON: a record of a
// stream (--json output of a command that prints as things happen is one
// object per line).
func (o *Output) PrintJSONLine(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = o.Out.Write(append(escapeC1(b), '\n'))
	return err
}

// escapeC1 writes the C1 control characters (U+0080–U+009F) of encoded
// JSON as \u escapes, as encoding/json does the C0 ones: raw, some
// terminals act on them (U+009B starts a control sequence) when the JSON
// is looked at there. In UTF-8 each is 0xC2 and a byte 0x80–0x9F, a pair
// found nowhere else, and only inside strings.
func escapeC1(b []byte) []byte {
	if !bytes.Contains(b, []byte{0xC2}) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); i++ {
		if b[i] == 0xC2 && i+1 < len(b) && b[i+1] >= 0x80 && b[i+1] <= 0x9F {
			out = fmt.Appendf(out, `\u%04x`, b[i+1])
			i++
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// spinnerFrames are drawn in turn while waiting.
var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// Spinner draws a spinner with msg on stderr until the returned stop func is
// called; stop erases it and is safe to call more than once. It draws
// nothing unless both stdout and stderr are terminals.
func (o *Output) Spinner(msg string) (stop func()) {
	_, stop = o.Progress(msg)
	return stop
}

// Progress is Spinner whose message set changes while it turns (the next
// frame shows it): how far a long wait has come. set is safe to call from
// any goroutine, and after stop (it then does nothing).
func (o *Output) Progress(msg string) (set func(string), stop func()) {
	if !o.TTY || !o.ErrTTY {
		return func(string) {}, func() {}
	}
	var cur atomic.Pointer[string]
	cur.Store(&msg)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(80 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			// Erased to the line's end: a shorter message leaves
			// nothing of the one before.
			fmt.Fprintf(o.Err, "\r%s %s\x1b[K", o.style("36", spinnerFrames[i%len(spinnerFrames)]), o.Dim(*cur.Load()))
			select {
			case <-done:
				fmt.Fprint(o.Err, "\r\x1b[K")
				return
			case <-t.C:
			}
		}
	}()
	var once sync.Once
	return func(m string) { cur.Store(&m) }, func() {
		once.Do(func() {
			close(done)
			<-finished
		})
	}
}

// Diff writes a unified diff: coloured (headers bold, additions green,
// deletions red, hunk headers cyan) when colour is on. On a terminal its
// lines are made printable first: a model's diff may hold escape
// sequences the terminal would act on (clear the screen, set the title,
// write the clipboard), as an answer may. Elsewhere (a file, a pipe to
// patch) it is written as it is.
func (o *Output) Diff(text string) error {
	if o.TTY {
		text = session.Printable(text)
	}
	if !o.Color {
		_, err := fmt.Fprint(o.Out, text)
		return err
	}
	var b strings.Builder
	for _, line := range strings.SplitAfter(text, "\n") {
		body, nl := strings.CutSuffix(line, "\n")
		switch {
		case strings.HasPrefix(line, "+++"), strings.HasPrefix(line, "---"), strings.HasPrefix(line, "diff "):
			body = o.Bold(body)
		case strings.HasPrefix(line, "+"):
			body = o.Green(body)
		case strings.HasPrefix(line, "-"):
			body = o.Red(body)
		case strings.HasPrefix(line, "@@"):
			body = o.style("36", body)
		}
		b.WriteString(body)
		if nl {
			b.WriteByte('\n')
		}
	}
	_, err := fmt.Fprint(o.Out, b.String())
	return err
}
