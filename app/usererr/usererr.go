// Package usererr marks errors that are meant for the person at the keyboard:
// one clear sentence saying what was wrong and what to do, and the exit code
// the command should end with.
//
// Code deep in the stack wraps its failures with %w as usual; where a failure
// is the user's to fix (a bad flag, a data dir in use, no provider reachable)
// it returns an *Error. The CLI prints the outermost *Error's message alone,
// without the operation prefixes that wrapping added.
package usererr

import (
	"errors"
	"fmt"
)

// Exit codes used by the CLI.
const (
	ExitFailure = 1   // the command ran and failed
	ExitUsage   = 2   // the command line or configuration is wrong
	ExitSignal  = 130 // interrupted by SIGINT/SIGTERM
)

// Error is an error whose message is fit to show a user as it is.
type Error struct {
	Msg  string // one sentence: what was wrong and what to do
	Code int    // process exit code; 0 means ExitFailure
	Err  error  // the cause, for errors.Is/As and --verbose output
}

func (e *Error) Error() string { return e.Msg }

func (e *Error) Unwrap() error { return e.Err }

// ExitCode is the code the process should exit with.
func (e *Error) ExitCode() int {
	if e.Code == 0 {
		return ExitFailure
	}
	return e.Code
}

// New returns an *Error with a formatted message and exit code ExitFailure.
func New(format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// Usage returns an *Error with exit code ExitUsage.
func Usage(format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...), Code: ExitUsage}
}

// Wrap returns an *Error with cause err. The message is the formatted text
// alone: callers put into it what of err the user needs to see.
func Wrap(err error, format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...), Err: err}
}

// As returns the outermost *Error in err's chain, or nil.
func As(err error) *Error {
	var ue *Error
	if errors.As(err, &ue) {
		return ue
	}
	return nil
}
