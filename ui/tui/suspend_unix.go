//go:build unix

package tui

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	tea "github.com/charmbracelet/bubbletea"
)

// suspender suspends the TUI as a shell's job control expects: Ctrl+Z
// (a key in raw mode: the terminal sends no signal for it) and SIGTSTP
// from elsewhere (kill -TSTP) give the terminal back — cooked mode, the
// main screen — and stop the process; `fg` (SIGCONT) takes it again in
// raw mode and repaints. Without it SIGTSTP stopped the process with the
// terminal as the TUI had it, and the shell's cooked mode stayed after
// fg: typed text echoed and Ctrl+C killed aiex.
//
// Why not Bubble Tea's Suspend: it stops the process with SIGTSTP, which
// this process catches to suspend cleanly on kill -TSTP (and which Go
// keeps catching, and ignoring, once a channel has been notified of it),
// so it would not stop. The process stops itself with SIGSTOP, which no
// one catches; its shell says "Stopped (signal)" rather than "Stopped".
type suspender struct {
	p      *tea.Program
	req    chan struct{}
	tstp   chan os.Signal
	cancel context.CancelFunc
	done   chan struct{}
}

// startSuspender handles SIGTSTP for p until stop.
func startSuspender(ctx context.Context, p *tea.Program) *suspender {
	ctx, cancel := context.WithCancel(ctx)
	s := &suspender{p: p, req: make(chan struct{}, 1), tstp: make(chan os.Signal, 1), cancel: cancel, done: make(chan struct{})}
	signal.Notify(s.tstp, syscall.SIGTSTP)
	go s.run(ctx)
	return s
}

// request asks for a suspension (Ctrl+Z); it does not wait for it.
func (s *suspender) request() {
	select {
	case s.req <- struct{}{}:
	default: // one is asked for already
	}
}

// stop ends the handling and waits for it. Safe to call twice.
func (s *suspender) stop() {
	s.cancel()
	<-s.done
	signal.Stop(s.tstp)
}

func (s *suspender) run(ctx context.Context) {
	defer close(s.done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.tstp:
		case <-s.req:
		}
		s.suspend(ctx)
	}
}

// suspend gives the terminal back, stops the process, and once continued
// takes the terminal again and repaints.
func (s *suspender) suspend(ctx context.Context) {
	if ctx.Err() != nil {
		return // the program is ending: it gives the terminal back itself
	}
	if err := s.p.ReleaseTerminal(); err != nil {
		return
	}
	cont := make(chan os.Signal, 1)
	signal.Notify(cont, syscall.SIGCONT)
	defer signal.Stop(cont)
	// The process group, as the terminal's Ctrl+Z stops it.
	_ = syscall.Kill(0, syscall.SIGSTOP)
	select {
	case <-cont:
	case <-ctx.Done():
	}
	if ctx.Err() != nil {
		// Ended while stopped (SIGTERM is delivered with the SIGCONT
		// that lets the process run): the terminal stays given back.
		return
	}
	_ = s.p.RestoreTerminal()
}
