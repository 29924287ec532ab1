//go:build !unix

package tui

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"
)

// suspender does nothing where there is no job control.
type suspender struct{}

func startSuspender(context.Context, *tea.Program) *suspender { return &suspender{} }
func (*suspender) request()                                   {}
func (*suspender) stop()                                      {}
