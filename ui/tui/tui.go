// Package tui is aiex's terminal UI: one bubbletea model composed of
// components (the conversation, the editor, the side pane, the status bar,
// the help overlay) over a Backend — the core in this process or a node.
// Update does no I/O; the backend is called from commands. See DESIGN.md.
package tui

import (
	"context"
	"errors"
	"io"

	tea "github.com/charmbracelet/bubbletea"
)

// Run runs the TUI on a terminal (in and out) until the user quits or ctx
// ends, then waits for the work it started: an answer being streamed is
// cancelled, and recorded as interrupted before Run returns.
func Run(ctx context.Context, b Backend, in io.Reader, out io.Writer, o Options) error {
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m := New(tctx, b, o)
	// SIGINT and SIGTERM are the process's (main cancels ctx, which ends
	// the program): bubbletea's own handler raced it, and when the program
	// stopped first its handler blocked for good on a message nobody read.
	p := tea.NewProgram(m, tea.WithContext(tctx), tea.WithInput(in), tea.WithOutput(out), tea.WithAltScreen(),
		tea.WithoutSignalHandler())
	// Ctrl+Z and SIGTSTP suspend the program as job control expects.
	susp := startSuspender(tctx, p)
	m.suspend = susp.request
	_, err := p.Run()
	// Stop the commands (answers, the subscription) and wait for them.
	cancel()
	susp.stop()
	m.tasks.closeAndWait()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err() // a signal ended it
	}
	if err == nil && m.unusable != nil {
		return m.unusable
	}
	return err
}
