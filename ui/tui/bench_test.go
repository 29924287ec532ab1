//go:build unix

package tui

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"

	"github.com/aiex-dev/aiex/app/session"
)

// benchModel is a model at 120×40 in 256 colours (the costly path:
// highlighted code) whose ticks go nowhere and whose commands are not run.
func benchModel(b *testing.B, f *fakeBackend) *Model {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	m := New(ctx, f, Options{Profile: termenv.ANSI256, Dark: true, Now: func() time.Time { return testNow }})
	m.tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	return m
}

// cpu is the process's CPU time so far (user and system, all threads:
// the garbage collector's too).
func cpu() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// streamText is ~bytes of an answer: prose, lists and code (mixed), or
// one code block (code).
func streamText(kind string, bytes int) string {
	var b strings.Builder
	if kind == "code" {
		b.WriteString("```go\n")
		for i := 0; b.Len() < bytes; i++ {
			fmt.Fprintf(&b, "\tx%d := strings.TrimSpace(lines[%d]) // keep line %d as it is\n", i, i, i)
		}
		b.WriteString("```\n")
		return b.String()
	}
	for b.Len() < bytes {
		b.WriteString(answerText(30))
		b.WriteString("\n")
	}
	return b.String()
}

// BenchmarkStream feeds a 5,000 token/s answer (tokens of 4 bytes) for
// 2 s through the model as a real stream does: tokens into the buffer,
// a frame every 1/30 s (Update + View). One op is the 2 s of stream;
// cpu-%/core is the CPU it took over the 2 s it lasts.
func BenchmarkStream(b *testing.B) {
	const (
		rate   = 5000
		secs   = 2
		fps    = 30
		tokLen = 4
	)
	for _, kind := range []string{"mixed", "code"} {
		b.Run(kind, func(b *testing.B) {
			text := streamText(kind, rate*secs*tokLen)
			perFrame := rate * tokLen / fps
			var used time.Duration
			for b.Loop() {
				m := benchModel(b, newFake())
				m.startAsk(queued{req: AskRequest{Prompt: "q"}, user: m.newItem(userItem, "q")})
				start := cpu()
				for i := 0; i < len(text); i += perFrame {
					m.ask.buf.write(text[i:min(i+perFrame, len(text))])
					m.Update(frameMsg{})
					_ = m.View()
				}
				used += cpu() - start
			}
			streamed := time.Duration(b.N) * secs * time.Second
			b.ReportMetric(100*float64(used)/float64(streamed), "cpu-%/core")
		})
	}
}

// BenchmarkFinalRender renders a finished 40 KB answer whole (it runs in
// a command, off the update loop).
func BenchmarkFinalRender(b *testing.B) {
	text := streamText("mixed", 40_000)
	for b.Loop() {
		newMarkdown(termenv.ANSI256, true, 118).render(text)
	}
}

// bigDoc is a session of turns turns (2×turns messages) with Markdown
// answers.
func bigDoc(turns int) *session.Document {
	pairs := make([]string, 0, 2*turns)
	for i := range turns {
		pairs = append(pairs, fmt.Sprintf("question %d: how does `f%d` work?", i, i), answerText(8))
	}
	return doc("big0", int64(2*turns), pairs...)
}

// BenchmarkOpenSession opens a session of 1,000 turns (2,000 messages) and
// draws the first frame.
func BenchmarkOpenSession(b *testing.B) {
	d := bigDoc(1000)
	for b.Loop() {
		m := benchModel(b, newFake())
		m.Update(docMsg{ref: "big0", doc: d})
		_ = m.View()
	}
}

// BenchmarkKeypress types into the editor with a 2,000-message session
// open: one op is one key (Update + View), as the program does it.
func BenchmarkKeypress(b *testing.B) {
	m := benchModel(b, newFake())
	m.Update(docMsg{ref: "big0", doc: bigDoc(1000)})
	_ = m.View()
	keys := []rune("why does this loop allocate? ")
	i := 0
	for b.Loop() {
		if i%len(keys) == 0 {
			m.input.clear()
		}
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{keys[i%len(keys)]}})
		_ = m.View()
		i++
	}
}

// BenchmarkFirstFrame is the model's part of start-up: New, Init, the
// window size and the first View.
func BenchmarkFirstFrame(b *testing.B) {
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		m := New(ctx, newFake(), Options{Profile: termenv.ANSI256, Dark: true})
		m.tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
		_ = m.Init()
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		_ = m.View()
		cancel()
	}
}
