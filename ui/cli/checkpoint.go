package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/usererr"
)

// CheckpointCmd groups the checkpoint commands.
type CheckpointCmd struct {
	List    CheckpointListCmd    `cmd:"" help:"List the current project's checkpoints, newest first."`
	Show    CheckpointShowCmd    `cmd:"" help:"Show a checkpoint: why it was made and the files it changed."`
	Diff    CheckpointDiffCmd    `cmd:"" help:"Show what a checkpoint's write changed (--current: all that changed since before it)."`
	Restore CheckpointRestoreCmd `cmd:"" help:"Put a checkpoint's files back as they were before it (itself checkpointed: undoable)."`
	Tag     CheckpointTagCmd     `cmd:"" help:"Name a checkpoint; tagged checkpoints are never pruned."`
	Prune   CheckpointPruneCmd   `cmd:"" help:"Delete old checkpoints, and the file contents only they kept."`
}

// CheckpointListCmd lists checkpoints.
type CheckpointListCmd struct {
	Session     *string `placeholder:"ID" help:"Only the checkpoints of this session's turns: its id (or a prefix), or last."`
	Limit       int     `short:"n" default:"20" help:"How many to show (0 for all)."`
	AllProjects bool    `name:"all-projects" help:"Checkpoints of every project, not only this one."`
}

// Run prints the table or, with --json, an array.
func (l *CheckpointListCmd) Run(c *Context) error {
	if l.Limit < 0 {
		return usererr.Usage("--limit must be 0 (all) or more, not %d", l.Limit)
	}
	session := ""
	if l.Session != nil {
		if _, err := sessionRef(*l.Session); err != nil {
			return err
		}
		session = *l.Session
	}
	res, err := checkpointDo(c, app.CheckpointRequest{Op: app.CheckpointList, Session: session, Limit: l.Limit, AllProjects: l.AllProjects})
	if err != nil {
		return err
	}
	if c.Out.JSON {
		out := make([]checkpointJSON, 0, len(res.List))
		for _, cp := range res.List {
			out = append(out, newCheckpointJSON(cp))
		}
		return c.Out.PrintJSON(out)
	}
	if len(res.List) == 0 {
		session = shownSession(c, session)
		msg := "No checkpoints in this project yet; the assistant makes one before each write it does."
		switch {
		case session != "" && l.AllProjects:
			msg = fmt.Sprintf("No checkpoints of session %s.", session)
		case session != "":
			msg = fmt.Sprintf("No checkpoints of session %s in this project.", session)
		case l.AllProjects:
			msg = "No checkpoints yet; the assistant makes one before each write it does."
		}
		_, err := fmt.Fprintln(c.Out.Out, msg)
		return err
	}
	tw := newTable(c.Out.Out)
	head := "ID\tTIME\tREASON\tFILES\tSTATUS\tSESSION\tTAGS\t"
	if l.AllProjects {
		head += "PROJECT\t"
	}
	fmt.Fprintln(tw, c.Out.Bold(head+"LABEL"))
	for _, cp := range res.List {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t", cp.ID, cp.CreatedAt.Local().Format("2006-01-02 15:04:05"), cp.Reason,
			cp.NFiles, checkpointStatus(c.Out, cp.Status), sessionTurn(cp), strings.Join(cp.Tags, ","))
		if l.AllProjects {
			fmt.Fprintf(tw, "%s\t", shown(cp.Project))
		}
		fmt.Fprintln(tw, oneLine(cp.Label, 50))
	}
	return tw.Flush()
}

// shownSession is how an empty listing names the session asked for: last
// as the id it stands for (the listing resolved it the same way), an id
// or a prefix as given.
func shownSession(c *Context, ref string) string {
	if session.Ref(ref) != session.RefLast {
		return ref
	}
	root, err := projectRoot()
	if err != nil {
		return ref
	}
	res, err := sessionDo(c, app.SessionRequest{Op: app.SessionList, Project: root, Limit: 1})
	if err != nil || len(res.Sessions) == 0 {
		return ref
	}
	return res.Sessions[0].ID + " (the last)"
}

func checkpointStatus(o *Output, s string) string {
	switch s {
	case "rolled_back", "failed", checkpoint.StatusInterrupted:
		return o.Red(s)
	case "applying", checkpoint.StatusUndone:
		return o.Dim(s)
	}
	return s
}

func sessionTurn(cp *checkpoint.Checkpoint) string {
	if cp.Session == "" {
		return "-"
	}
	return fmt.Sprintf("%s#%d", cp.Session, cp.Turn)
}

// CheckpointShowCmd shows a checkpoint.
type CheckpointShowCmd struct {
	Ref string `arg:"" placeholder:"ID|TAG|last" help:"The checkpoint: its id (or 4+ of its first digits), a tag, or last."`
}

// Validate refuses an empty ref before the store is opened.
func (s *CheckpointShowCmd) Validate() error { return checkRef(s.Ref) }

// Run prints the checkpoint or, with --json, an object.
func (s *CheckpointShowCmd) Run(c *Context) error {
	res, err := checkpointDo(c, app.CheckpointRequest{Op: app.CheckpointShow, Ref: s.Ref})
	if err != nil {
		return err
	}
	cp := res.Checkpoint
	if c.Out.JSON {
		return c.Out.PrintJSON(newCheckpointJSON(cp))
	}
	w := c.Out.Out
	fmt.Fprintf(w, "%s %s  %s  %s\n", c.Out.Bold("checkpoint"), c.Out.Bold(cp.ID), cp.Reason, checkpointStatus(c.Out, cp.Status))
	fmt.Fprintf(w, "  made     %s by %s on %s, in %s\n", cp.CreatedAt.Local().Format("2006-01-02 15:04:05"), cp.Actor, cp.Node, shown(cp.Root))
	if cp.Session != "" {
		fmt.Fprintf(w, "  session  %s, turn %d\n", cp.Session, cp.Turn)
	}
	if cp.Label != "" {
		fmt.Fprintf(w, "  label    %s\n", textLine(cp.Label))
	}
	if len(cp.Tags) > 0 {
		fmt.Fprintf(w, "  tags     %s\n", strings.Join(cp.Tags, ", "))
	}
	if cp.RestoreOf != "" {
		fmt.Fprintf(w, "  restores %s\n", cp.RestoreOf)
	}
	if cp.UndoneBy != "" {
		fmt.Fprintf(w, "  undone   by the restore that made checkpoint %s (aiex checkpoint restore %s writes it again)\n", cp.UndoneBy, cp.UndoneBy)
	}
	if cp.Error != "" {
		fmt.Fprintf(w, "  error    %s\n", textLine(cp.Error))
	}
	if in := cp.Interrupted; in != nil {
		printInterruption(w, cp.ID, len(cp.Files), in)
	}
	fmt.Fprintf(w, "  files    %d\n", len(cp.Files))
	for _, f := range cp.Files {
		fmt.Fprintf(w, "    %s %s%s\n", map[string]string{"added": "A", "deleted": "D", "modified": "M", "mode": "m"}[f.Kind()], shown(f.Path), sizes(f))
	}
	return nil
}

// printInterruption says how far a write cut short got, and how to undo
// what it wrote.
func printInterruption(w io.Writer, id string, n int, in *checkpoint.Interruption) {
	switch len(in.Written) {
	case 0:
		fmt.Fprintf(w, "  written  none of its %d %s\n", n, nounFiles(n))
	case n:
		fmt.Fprintf(w, "  written  all %d of its files: %s\n", n, shownAll(in.Written))
	default:
		fmt.Fprintf(w, "  written  %d of its %d files: %s\n", len(in.Written), n, shownAll(in.Written))
	}
	if k := len(in.NotWritten); k > 0 && k < n {
		fmt.Fprintf(w, "  left     %s, as they were before it\n", shownAll(in.NotWritten))
	}
	if len(in.Changed) > 0 {
		fmt.Fprintf(w, "  changed  %s, since (a restore overwrites them only with --force)\n", shownAll(in.Changed))
	}
	if len(in.Written) > 0 {
		fmt.Fprintf(w, "  undo     aiex checkpoint restore %s puts the written %s back as they were\n", id, nounFiles(len(in.Written)))
	}
	if len(in.TempFiles) > 0 {
		fmt.Fprintf(w, "  temp     %s left beside its files (restoring it, or the next write or restore in the project, removes them)\n", shownAll(in.TempFiles))
	}
}

// sizes is a file's size before and after, e.g. " (120 → 140 bytes)".
func sizes(f checkpoint.FileChanged) string {
	switch {
	case f.Before == nil:
		return fmt.Sprintf("  (%d bytes)", f.After.Size)
	case f.After == nil:
		return fmt.Sprintf("  (was %d bytes)", f.Before.Size)
	case f.Before.Mode != f.After.Mode:
		return fmt.Sprintf("  (%d → %d bytes, mode %o → %o)", f.Before.Size, f.After.Size, f.Before.Mode, f.After.Mode)
	}
	return fmt.Sprintf("  (%d → %d bytes)", f.Before.Size, f.After.Size)
}

// CheckpointDiffCmd diffs a checkpoint.
type CheckpointDiffCmd struct {
	Ref     string `arg:"" placeholder:"ID|TAG|last" help:"The checkpoint: its id (or 4+ of its first digits), a tag, or last."`
	Current bool   `help:"Diff against the files as they are now: everything restoring the checkpoint would undo."`
}

// Validate refuses an empty ref before the store is opened.
func (d *CheckpointDiffCmd) Validate() error { return checkRef(d.Ref) }

// Run prints a unified diff or, with --json, the diff of each file.
func (d *CheckpointDiffCmd) Run(c *Context) error {
	res, err := checkpointDo(c, app.CheckpointRequest{Op: app.CheckpointDiff, Ref: d.Ref, Current: d.Current})
	if err != nil {
		return err
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(res.Diff)
	}
	text := res.Diff.Text()
	if text == "" {
		_, err := fmt.Fprintf(c.Out.Err, "no difference: the files are as they were before checkpoint %s\n", res.Diff.Checkpoint.ID)
		return err
	}
	files := make([]renamed, len(res.Diff.Files))
	for i, f := range res.Diff.Files {
		files[i] = renamed{OldPath: f.Path, Path: f.Path}
	}
	return c.Out.Diff(diffShown(text, files))
}

// CheckpointRestoreCmd restores a checkpoint.
type CheckpointRestoreCmd struct {
	Ref    string `arg:"" placeholder:"ID|TAG|last" help:"The checkpoint: its id (or 4+ of its first digits), a tag, or last."`
	Force  bool   `help:"Overwrite files that changed since the checkpoint (the restore's own checkpoint keeps them)."`
	DryRun bool   `name:"dry-run" help:"Say what would be written; write nothing."`
	Yes    bool   `short:"y" help:"Do not ask for confirmation (needed when stdin is not a terminal)."`
}

// Validate refuses an empty ref before the store is opened.
func (r *CheckpointRestoreCmd) Validate() error { return checkRef(r.Ref) }

// Run restores, after showing what it will do and asking on a terminal,
// and prints what it did or, with --json, an object.
func (r *CheckpointRestoreCmd) Run(c *Context) error {
	req := app.CheckpointRequest{Op: app.CheckpointRestore, Ref: r.Ref, Force: r.Force, DryRun: true}
	if !r.Yes && !r.DryRun {
		// Look first: refusals and "nothing to do" come before any question.
		plan, err := checkpointDo(c, req)
		if err != nil {
			return err
		}
		if rf := plan.Restore.Refused; rf != nil {
			return &usererr.Error{Msg: rf.Error(), Err: rf}
		}
		if len(plan.Restore.Files) > 0 {
			if err := r.confirm(c, plan.Restore); err != nil {
				return err
			}
		}
	}
	req.DryRun = r.DryRun
	res, err := checkpointDo(c, req)
	if err != nil {
		return err
	}
	rr := res.Restore
	// A dry run shows what a restore would refuse, then refuses as it would.
	refused := func() error {
		if rr.Refused == nil {
			return nil
		}
		return &usererr.Error{Msg: rr.Refused.Error(), Err: rr.Refused}
	}
	if c.Out.JSON {
		if err := c.Out.PrintJSON(rr); err != nil {
			return err
		}
		return refused()
	}
	w := c.Out.Out
	if len(rr.Files) == 0 && rr.Refused == nil {
		_, err := fmt.Fprintf(w, "nothing to restore: the files of checkpoint %s are as they were before it\n", rr.From.ID)
		printTemps(w, rr)
		return err
	}
	verb := "restored"
	if rr.DryRun {
		verb = "would restore"
	}
	fmt.Fprintf(w, "%s %d %s as they were before checkpoint %s (%s, %s):\n", verb, len(rr.Files), nounFiles(len(rr.Files)),
		rr.From.ID, rr.From.Reason, rr.From.CreatedAt.Local().Format("2006-01-02 15:04:05"))
	printRestored(c.Out, rr)
	if rr.Refused != nil {
		for _, b := range rr.Refused.Blocked {
			fmt.Fprintf(w, "  %-7s %s%s\n", "refused", shown(b.Path), c.Out.Red("  (cannot be restored: see below)"))
		}
	}
	printTemps(w, rr)
	for _, n := range rr.Notes {
		fmt.Fprintln(w, textLine(n))
	}
	if rr.Checkpoint != nil {
		fmt.Fprintf(w, "undo this restore with: aiex checkpoint restore %s\n", rr.Checkpoint.ID)
	}
	return refused()
}

// printTemps says which temporary files an interrupted write had left
// the restore removed (or would remove).
func printTemps(w io.Writer, rr *checkpoint.RestoreResult) {
	if len(rr.TempFiles) == 0 {
		return
	}
	verb := "removed"
	if rr.DryRun {
		verb = "would remove"
	}
	what := "the temporary file"
	if len(rr.TempFiles) > 1 {
		what = fmt.Sprintf("the %d temporary files", len(rr.TempFiles))
	}
	fmt.Fprintf(w, "%s %s its interrupted write left: %s\n", verb, what, shownAll(rr.TempFiles))
}

func printRestored(o *Output, rr *checkpoint.RestoreResult) {
	for _, f := range rr.Files {
		note := ""
		if f.Overwritten {
			note = o.Red("  (overwrites changes made since)")
		}
		fmt.Fprintf(o.Out, "  %-7s %s%s\n", f.Action, shown(f.Path), note)
	}
}

func nounFiles(n int) string {
	if n == 1 {
		return "file"
	}
	return "files"
}

// confirm shows the plan and asks on a terminal; elsewhere it wants --yes.
func (r *CheckpointRestoreCmd) confirm(c *Context, plan *checkpoint.RestoreResult) error {
	n := len(plan.Files)
	if !c.StdinTTY || c.Stdin == nil || c.Out.JSON {
		return usererr.Usage("restoring checkpoint %s writes %d %s; add --yes to do it (--dry-run lists them)", plan.From.ID, n, nounFiles(n))
	}
	fmt.Fprintf(c.Out.Err, "checkpoint %s (%s, %s) — restoring it writes:\n", plan.From.ID, plan.From.Reason,
		plan.From.CreatedAt.Local().Format("2006-01-02 15:04:05"))
	printRestored(&Output{Out: c.Out.Err, Color: c.Out.ErrTTY && c.Out.Color}, plan)
	yes, err := confirm(c, fmt.Sprintf("Restore %d %s?", n, nounFiles(n)))
	if err != nil {
		return err
	}
	if !yes {
		return usererr.New("not restored")
	}
	return nil
}

// CheckpointTagCmd tags a checkpoint.
type CheckpointTagCmd struct {
	Ref    string `arg:"" placeholder:"ID|TAG|last" help:"The checkpoint: its id (or 4+ of its first digits), a tag, or last."`
	Name   string `arg:"" help:"The tag: letters, digits, '.', '_' and '-'."`
	Remove bool   `help:"Take the tag off instead."`
}

// Validate refuses an empty ref, or a tag the core would refuse, before
// the store is opened. With --remove too: no checkpoint can carry a name
// the rule refuses (the core checks every tag event against it).
func (t *CheckpointTagCmd) Validate() error {
	if err := checkRef(t.Ref); err != nil {
		return err
	}
	if strings.TrimSpace(t.Name) == "" {
		return usererr.Usage("name the tag: letters, digits, '.', '_' and '-' (aiex checkpoint tag ID|TAG|last NAME)")
	}
	if err := checkpoint.CheckTag(t.Name); err != nil {
		return usererr.Usage("%v", err)
	}
	return nil
}

// checkRef refuses an empty checkpoint ref, as the core would once the
// store is open: a usage mistake leaves no data dir behind.
func checkRef(ref string) error {
	if ref == "" {
		return usererr.Usage("name a checkpoint: an id (or 4+ of its first digits), a tag, or last")
	}
	return nil
}

// Run tags and prints the checkpoint's tags or, with --json, the
// checkpoint.
func (t *CheckpointTagCmd) Run(c *Context) error {
	op := app.CheckpointTag
	if t.Remove {
		op = app.CheckpointUntag
	}
	res, err := checkpointDo(c, app.CheckpointRequest{Op: op, Ref: t.Ref, Tag: t.Name})
	if err != nil {
		return err
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(newCheckpointJSON(res.Checkpoint))
	}
	tags := strings.Join(res.Checkpoint.Tags, ", ")
	if tags == "" {
		tags = "none"
	}
	_, err = fmt.Fprintf(c.Out.Out, "checkpoint %s tags: %s\n", res.Checkpoint.ID, tags)
	return err
}

// CheckpointPruneCmd prunes checkpoints.
type CheckpointPruneCmd struct {
	// Keep is a pointer: --keep 0 (keep none by count) is not the flag
	// left out (the config's [checkpoints] retention).
	Keep        *int   `placeholder:"N" help:"Keep the newest N checkpoints besides the tagged ones (which are always kept); 0 keeps none."`
	OlderThan   string `name:"older-than" placeholder:"AGE" help:"Only delete checkpoints older than AGE (e.g. 30d, 12h)."`
	DryRun      bool   `name:"dry-run" help:"Say what would be deleted; delete nothing."`
	AllProjects bool   `name:"all-projects" help:"Prune every project's checkpoints (--keep counts per project)."`
}

// Run prunes and prints a summary or, with --json, the report.
func (p *CheckpointPruneCmd) Run(c *Context) error {
	keep := 0
	if p.Keep != nil {
		if keep = *p.Keep; keep < 0 {
			return usererr.Usage("--keep must be 0 or more, not %d", keep)
		}
	}
	age, err := parseAge(p.OlderThan)
	if err != nil {
		return err
	}
	if p.Keep == nil && age == 0 {
		// Without flags the config's retention applies; with none there
		// either, the core refuses: refused here before the store opens
		// (a node running on the data dir reads the same file).
		cfg, err := c.appConfig()
		if err != nil {
			return err
		}
		if cfg.File.Checkpoints == (app.CheckpointsConfig{}) {
			// 0 in the file means unset, unlike --keep 0: a node applies
			// the table hourly, where "keep none" would delete every
			// untagged checkpoint within the hour.
			where := "keep and max_age are 0 or unset there, and 0 there means unset: --keep 0 deletes every untagged checkpoint"
			if _, err := os.Stat(cfg.ConfigPath); errors.Is(err, fs.ErrNotExist) {
				where = "the file does not exist yet: create it with a [checkpoints] table holding keep = N or max_age"
			}
			return usererr.Usage("say what to keep: --keep N (the newest N) and/or --older-than DURATION (only older ones go), or keep = N and/or max_age = \"30d\" in the [checkpoints] table of %s (%s); tagged checkpoints are always kept", cfg.ConfigPath, where)
		}
	}
	res, err := checkpointDo(c, app.CheckpointRequest{Op: app.CheckpointPrune, Keep: keep, OlderThan: age, DryRun: p.DryRun,
		KeepNone:    p.Keep != nil && keep == 0 && age == 0, // --keep 0: all untagged go, not the config's retention
		AllProjects: p.AllProjects})
	if err != nil {
		return err
	}
	rep := res.Prune
	if c.Out.JSON {
		return c.Out.PrintJSON(rep)
	}
	verb := "pruned"
	if rep.DryRun {
		verb = "would prune"
	}
	_, err = fmt.Fprintf(c.Out.Out, "%s %d %s (kept %d, and %d tagged); %d stored %s (%s) freed\n", verb, len(rep.Pruned),
		map[bool]string{true: "checkpoint", false: "checkpoints"}[len(rep.Pruned) == 1], rep.Kept, rep.KeptTagged,
		rep.Blobs, map[bool]string{true: "content", false: "contents"}[rep.Blobs == 1], byteSize(rep.BlobBytes))
	if err == nil && rep.DryRun && len(rep.Pruned) > 0 {
		_, err = fmt.Fprintf(c.Out.Out, "  %s\n", strings.Join(rep.Pruned, "\n  "))
	}
	return err
}

// parseAge reads an age as every duration aiex reads is read
// (app.ParseDuration: 90s, 12h, 30d, 2w, 1d12h). "" is 0.
func parseAge(s string) (time.Duration, error) {
	if strings.TrimSpace(s) == "" {
		return 0, nil
	}
	d, err := parseDurationFlag("--older-than", s)
	if err == nil && d <= 0 {
		// An age of 0 would be every checkpoint: that is --keep 0's to
		// say, not a unit's.
		return 0, usererr.Usage("--older-than %q: give an age above 0, e.g. 30d (checkpoints younger than it are kept); --keep 0 deletes every untagged one", s)
	}
	return d, err
}

// byteSize is n bytes for people: 512 B, 1.5 KiB, 3.2 MiB.
func byteSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// checkpointDo runs a checkpoint command for the current directory's
// project in the core.
func checkpointDo(c *Context, req app.CheckpointRequest) (*app.CheckpointResult, error) {
	root, err := projectRoot()
	if err != nil {
		return nil, err
	}
	req.Root, req.Actor = root, "cli"
	return viaNode(c, func(cl *node.Client) (*app.CheckpointResult, error) { return cl.Checkpoint(c, req) },
		func(core *app.App) (*app.CheckpointResult, error) { return core.Checkpoint(c, req) })
}

// checkpointJSON is a checkpoint as --json prints it: the checkpoint
// itself, whose JSON names follow the output's (id, session_id).
type checkpointJSON = checkpoint.Checkpoint

func newCheckpointJSON(cp *checkpoint.Checkpoint) checkpointJSON { return *cp }
