package app

import (
	"context"
	"time"

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
	// aiex's own state, wherever it lies: a data dir or config file inside
	// the project is neither read into a prompt or diff nor changed by a
	// proposed change (the key file, the join file, the store), and its
	// files never land in a checkpoint, which reads through this sandbox.
	opts.Deny = append(opts.Deny, sandbox.Denied{Path: a.Store.Dir(), What: "aiex's data dir"})
	if a.cfg.ConfigPath != "" {
		opts.Deny = append(opts.Deny, sandbox.Denied{Path: a.cfg.ConfigPath, What: "aiex's config file"})
	}
	// The variables the configured providers read their keys from, whatever
	// their names: confined commands run model-written code.
	for _, pc := range a.cfg.File.Providers {
		if pc.APIKeyEnv != "" {
			opts.HideEnv = append(opts.HideEnv, pc.APIKeyEnv)
		}
	}
	return sandbox.New(root, opts)
}

// AuditRequest is aiex audit: list records, or verify the chain.
type AuditRequest struct {
	Verify bool      `json:"verify,omitempty"`
	Since  time.Time `json:"since,omitempty"`
	Limit  int       `json:"limit,omitempty"`
}

// AuditResult is what AuditLog returns: the records, or the report.
type AuditResult struct {
	Rows   []audit.Record `json:"rows,omitempty"`
	Report *audit.Report  `json:"report,omitempty"`
}

// AuditLog runs aiex audit in this process (or for a command, in the node).
func (a *App) AuditLog(ctx context.Context, req AuditRequest) (*AuditResult, error) {
	log := a.Audit()
	if req.Verify {
		rep, err := log.Verify(ctx)
		if err != nil {
			return nil, err
		}
		return &AuditResult{Report: &rep}, nil
	}
	rows, err := log.List(ctx, audit.Query{Since: req.Since, Limit: req.Limit})
	if err != nil {
		return nil, err
	}
	return &AuditResult{Rows: rows}, nil
}

// private are aiex's own paths, which may lie inside a project: its data
// dir and its config file. No prompt reads them (ctxbuild.Config.Private)
// and no proposed change touches them (Sandbox's Deny).
func (a *App) private() []string {
	return []string{a.Store.Dir(), a.cfg.ConfigPath}
}
