package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app/english"
	"github.com/aiex-dev/aiex/app/session"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/usererr"
)

// IndexCmd brings the current project's code index up to date.
type IndexCmd struct {
	Path  *string `arg:"" optional:"" placeholder:"PATH" predictor:"file" help:"Directory or file to index, inside the current project: relative to here, else to its root (default: all of it)."`
	Force bool    `help:"Read every file again, whatever its size and modification time say."`
}

// Run indexes, drawing a progress bar on a terminal, and prints a summary:
// a line (and the files it skipped) or, with --json, an object.
func (ic *IndexCmd) Run(c *Context) error {
	path := ""
	if ic.Path != nil {
		if path = *ic.Path; path == "" {
			return usererr.Usage("PATH is empty; give a directory or file of the current project, or none for all of it")
		}
	}
	root, under, err := indexTarget(path)
	if err != nil {
		return err
	}
	req := app.IndexRequest{Root: root, Under: under, Force: ic.Force}
	res, err := viaNode(c, func(cl *node.Client) (*app.IndexResult, error) {
		r, err := cl.Code(c, node.CodeRequest{Op: "index", Index: req})
		if err != nil {
			return nil, err
		}
		return r.Index, nil
	}, func(core *app.App) (*app.IndexResult, error) {
		var bar *progressBar
		var progress func(index.Progress)
		if c.Out.ErrTTY {
			bar = &progressBar{out: c.Out}
			progress = bar.draw
		}
		res, err := core.IndexProject(c, req, progress)
		if bar != nil {
			bar.clear()
		}
		return res, err
	})
	if err != nil {
		return err
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(res)
	}
	sum := res.Summary
	if err := printIndexSummary(c.Out, sum); err != nil {
		return err
	}
	if emb := res.Embeddings; emb != nil {
		fmt.Fprintf(c.Out.Out, "embedded %s", english.Count(emb.Embedded, "chunk"))
		if emb.Stale > 0 {
			fmt.Fprintf(c.Out.Out, " (%d skipped: their files changed during the run)", emb.Stale)
		}
		fmt.Fprintln(c.Out.Out)
	}
	if res.EmbedError != "" {
		fmt.Fprintf(c.Out.Err, "aiex: warning: embeddings were not made, so search ranks without them until aiex index makes them: %s\n",
			session.Printable(res.EmbedError))
	}
	return nil
}

// indexTarget finds the project of the current directory and where in it
// PATH is: the project is the nearest directory up from here holding
// .git, or this directory.
func indexTarget(path string) (root, under string, err error) {
	cwd, err := os.Getwd()
	if err != nil {
		return "", "", fmt.Errorf("index: %w", err)
	}
	if root, err = index.FindRoot(cwd); err != nil {
		return "", "", err
	}
	if err := index.CheckRoot(root); err != nil {
		return "", "", err
	}
	if path == "" {
		return root, "", nil
	}
	// A path relative to the project's root, as search and context print
	// paths, names a directory or file of it from any directory of the
	// project when nothing of that name is here (ctxbuild.AbsPath, the
	// rule every command reads paths by).
	at, err := ctxbuild.AbsPath(root, path, ctxbuild.FromCwd)
	switch {
	case errors.Is(err, ctxbuild.ErrOutside):
		return "", "", usererr.Usage("%s is outside the project at %s; run aiex index from inside the project you mean", path, root)
	case err != nil:
		return "", "", err
	}
	abs, err := resolvePath(cwd, at)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", "", usererr.Usage("%s does not exist; aiex index takes a directory or file of the current project", path)
	case errors.Is(err, errDirLink):
		return "", "", usererr.Usage("%s is %v", path, errDirLink)
	case err != nil:
		return "", "", usererr.Wrap(err, "cannot index %s: %v", path, errorsText(err))
	}
	// A path that is gone is the index's to judge: it drops what it held
	// of it, or says it holds nothing.
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() && !fi.Mode().IsRegular() {
		return "", "", usererr.Usage("%s is neither a directory nor a file; aiex index takes a directory or file of the current project", path)
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", "", usererr.Usage("%s is outside the project at %s; run aiex index from inside the project you mean", path, root)
	}
	if rel == "." {
		rel = ""
	}
	return root, filepath.ToSlash(rel), nil
}

// resolvePath makes path (relative to cwd) absolute, with the symlinks of
// the directories it lies in resolved, as the project's root is. A link to
// a file keeps its own name, as the walk lists it; of a path that is gone
// (a deleted file or directory), the names below the nearest directory
// that is still there are kept. It fails with fs.ErrNotExist only when no
// directory of the path is there.
func resolvePath(cwd, path string) (string, error) {
	abs := path
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(cwd, abs)
	}
	dir, rest := abs, ""
	fi, err := os.Lstat(abs)
	switch {
	case err == nil && fi.Mode()&fs.ModeSymlink != 0:
		t, err := os.Stat(abs)
		if err == nil && t.IsDir() {
			// The walk does not follow it (nor does git): followed here,
			// sub/loop -> .. would index the whole project.
			return "", &fs.PathError{Op: "index", Path: path, Err: errDirLink}
		}
		if err == nil && t.Mode().IsRegular() {
			dir, rest = filepath.Dir(abs), filepath.Base(abs)
		}
	case errors.Is(err, fs.ErrNotExist):
		for {
			if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
				break
			}
			up := filepath.Dir(dir)
			if up == dir {
				return "", err
			}
			rest, dir = filepath.Join(filepath.Base(dir), rest), up
		}
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	return filepath.Join(real, rest), nil
}

// errDirLink is resolvePath's error for a symlink to a directory.
var errDirLink = errors.New("a symlink to a directory, which aiex index does not follow (nor does git); give the directory it leads to")

// errorsText is an error's innermost message, without the path that the
// user message already names.
func errorsText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// maxSkipLines and maxWarnLines cap the skipped files and the warnings
// the summary lists; --json has them all.
const (
	maxSkipLines = 20
	maxWarnLines = 10
)

// printIndexSummary writes one line, then the files left out and why, then
// the problems in files indexed all the same (syntax errors).
func printIndexSummary(o *Output, s *index.Summary) error {
	var b strings.Builder
	what := shown(s.Root)
	if s.Under != "" {
		// The counts are of the part indexed, not of the whole project.
		what = shown(s.Under) + " of " + what
	}
	// Files whose content is as indexed but were analysed again (another
	// version of aiex made their rows), or rewritten as --force asks, are
	// not said to have changed.
	fmt.Fprintf(&b, "Indexed %s in %.2fs: %s, %d changed", what, s.Seconds, english.Count(s.Files, "file"), s.Changed-s.Reanalyzed-s.Rewritten)
	if s.Reanalyzed > 0 {
		fmt.Fprintf(&b, ", %d analysed again", s.Reanalyzed)
	}
	if s.Rewritten > 0 {
		fmt.Fprintf(&b, ", %d rewritten (--force)", s.Rewritten)
	}
	if s.Changed > 0 {
		fmt.Fprintf(&b, " (%d chunked, %d from cache)", s.Analyzed, s.Cached)
	}
	if s.Removed > 0 {
		fmt.Fprintf(&b, ", %d removed", s.Removed)
	}
	fmt.Fprintf(&b, ", %s written", english.Count(s.Chunks, "chunk"))
	switch {
	case s.Bytes >= 1e6:
		fmt.Fprintf(&b, ", %.1f MB read", float64(s.Bytes)/1e6)
	case s.Bytes > 0:
		fmt.Fprintf(&b, ", %.1f kB read", float64(s.Bytes)/1e3)
	}
	if len(s.Skipped) > 0 {
		fmt.Fprintf(&b, ", %d skipped", len(s.Skipped))
	}
	if len(s.Warnings) > 0 {
		fmt.Fprintf(&b, ", %s", english.Count(len(s.Warnings), "warning"))
	}
	fmt.Fprintln(&b, ".")
	if s.Note != "" {
		fmt.Fprintf(&b, "  %s\n", textLine(s.Note))
	}
	if s.LeftOut != "" {
		fmt.Fprintf(&b, "  %s is not indexed: %s\n", shown(s.Under), textLine(s.LeftOut))
	}
	for i, sk := range s.Skipped {
		if i == maxSkipLines && len(s.Skipped) > maxSkipLines+1 {
			fmt.Fprintf(&b, "  … and %d more (--json lists them all)\n", len(s.Skipped)-i)
			break
		}
		fmt.Fprintf(&b, "  %s %s: %s", o.Dim("skipped"), shown(sk.Path), textLine(sk.Reason))
		if sk.Detail != "" {
			fmt.Fprintf(&b, " (%s)", textLine(sk.Detail))
		}
		b.WriteByte('\n')
	}
	for i, w := range s.Warnings {
		if i == maxWarnLines && len(s.Warnings) > maxWarnLines+1 {
			fmt.Fprintf(&b, "  … and %d more (aiex index --json)\n", len(s.Warnings)-i)
			break
		}
		fmt.Fprintf(&b, "  %s %s: %s\n", o.Dim("warning"), shown(w.Path), textLine(w.Message))
	}
	_, err := io.WriteString(o.Out, b.String())
	return err
}

// progressBar draws an index run's progress on stderr.
type progressBar struct {
	out   *Output
	drawn bool
}

func (p *progressBar) draw(pr index.Progress) {
	if pr.Total == 0 {
		return
	}
	const width = 24
	frac := float64(pr.Done) / float64(pr.Total)
	full := int(frac * width)
	bar := strings.Repeat("█", full) + strings.Repeat("░", width-full)
	secs := pr.Elapsed.Seconds()
	line := fmt.Sprintf("%s %3.0f%% %d/%d files", bar, 100*frac, pr.Done, pr.Total)
	if secs > 0.2 && pr.Done > 0 {
		rate := float64(pr.Done) / secs
		line += fmt.Sprintf(" · %.0f files/s · %.1f MB/s", rate, float64(pr.DoneBytes)/1e6/secs)
		if left := pr.TotalBytes - pr.DoneBytes; pr.DoneBytes > 0 && left > 0 {
			eta := time.Duration(float64(left) / float64(pr.DoneBytes) * float64(pr.Elapsed))
			line += " · ETA " + eta.Round(time.Second).String()
		}
	}
	fmt.Fprintf(p.out.Err, "\r\x1b[K%s", p.out.Dim(line))
	p.drawn = true
}

func (p *progressBar) clear() {
	if p.drawn {
		fmt.Fprint(p.out.Err, "\r\x1b[K")
	}
}
