package app

import (
	"github.com/aiex-dev/aiex/app/audit"
	"github.com/aiex-dev/aiex/app/sandbox"
)

// Audit returns the audit log (app/audit) over the store: List, Verify,
// Append, Record. Each call returns a new Log, which costs nothing until
// it records; whoever records through one must Close (or Flush) it before
// the command ends — a sandbox from Sandbox does so in its Close.
func (a *App) Audit() *audit.Log {
	return audit.New(audit.Config{Store: a.Store, Node: a.Store.NodeID(), Logger: a.logger})
}

// Sandbox opens the sandbox (app/sandbox) every file operation and command
// of the assistant goes through, over the project directory root. Unless
// opts names an Auditor, its operations are recorded in a new audit log
// (see Audit). Close it when the work is done: that flushes the records.
func (a *App) Sandbox(root string, opts sandbox.Options) (*sandbox.Sandbox, error) {
	if opts.Auditor == nil {
		opts.Auditor = a.Audit()
	}
	if opts.Logger == nil {
		opts.Logger = a.logger
	}
	return sandbox.New(root, opts)
}
