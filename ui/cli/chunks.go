package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/app/usererr"
)

// ChunksCmd shows how the index cuts one file.
type ChunksCmd struct {
	File string `arg:"" placeholder:"FILE" predictor:"file" help:"Source file to cut into chunks."`
}

// Run chunks the file as the index would, without opening the store, and
// prints a table or, with --json, an array of chunks. Problems that did
// not stop chunking (syntax errors) go to stderr as warnings.
func (cc *ChunksCmd) Run(c *Context) error {
	if strings.TrimSpace(cc.File) == "" {
		return usererr.Usage("name the file to cut into chunks: aiex chunks FILE")
	}
	cfg, err := c.appConfig() // for the token family; the store stays closed
	if err != nil {
		return err
	}
	// A path relative to the project's root, as search and context print
	// them, names its file from any directory of the project when none
	// of that name is here (ctxbuild.AbsPath, as context takes it); not
	// one out of the project.
	file := cc.File
	if _, err := os.Lstat(file); errors.Is(err, fs.ErrNotExist) {
		if root, err := projectRoot(); err == nil {
			if file, err = ctxbuild.AbsPath(root, file, ctxbuild.FromRoot); err != nil {
				return err
			}
		}
	}
	fi, err := os.Stat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usererr.Usage("%s does not exist", shown(cc.File))
	case err != nil:
		return usererr.Wrap(err, "cannot read %s: %s", shown(cc.File), errorsText(err))
	case fi.IsDir():
		return usererr.Usage("%s is a directory; aiex chunks takes a file (aiex index takes a directory)", shown(cc.File))
	case !fi.Mode().IsRegular():
		return usererr.Usage("%s is not a regular file", shown(cc.File))
	}
	real, err := realInProject(file)
	if err != nil {
		return err
	}
	opt := index.ChunkOptions(app.TokenFamily(cfg.File))
	if fi.Size() > int64(chunk.DefaultMaxFileSize) {
		return usererr.New("%s is too large to chunk: %d bytes, over the %d-byte limit", shown(cc.File), fi.Size(), chunk.DefaultMaxFileSize)
	}
	// The file is read where the check found it, so that a link changed
	// since cannot lead elsewhere; its name as given still says its
	// language.
	src, err := os.ReadFile(real)
	if err != nil {
		return usererr.Wrap(err, "cannot read %s: %s", shown(cc.File), errorsText(err))
	}
	res, err := chunk.File(cc.File, src, opt)
	if err != nil {
		return err
	}
	if res.Skipped != "" {
		detail := ""
		if len(res.Warnings) > 0 {
			detail = " (" + strings.TrimPrefix(res.Warnings[0], cc.File+": ") + ")"
		}
		return usererr.New("%s is not source text: %s%s", shown(cc.File), res.Skipped, detail)
	}
	for _, w := range res.Warnings {
		// A warning starts with the file's name, which may need quoting.
		if msg, ok := strings.CutPrefix(w, cc.File+": "); ok {
			w = shown(cc.File) + ": " + msg
		}
		fmt.Fprintf(c.Out.Err, "aiex: warning: %s\n", textLine(w))
	}
	if c.Out.JSON {
		if res.Chunks == nil {
			res.Chunks = []chunk.Chunk{}
		}
		return c.Out.PrintJSON(res.Chunks)
	}
	tw := newTable(c.Out.Out)
	fmt.Fprintln(tw, c.Out.Bold("LINES\tKIND\tNAME\tTOKENS\tBYTES\t"))
	for _, ch := range res.Chunks {
		fmt.Fprintf(tw, "%d-%d\t%s\t%s\t%d\t%d\t\n", ch.StartLine, ch.EndLine, ch.Kind, shown(ch.Name), ch.Tokens, ch.EndByte-ch.StartByte)
	}
	return tw.Flush()
}

// realInProject returns where file really is, its symlinks followed, and
// refuses it when that is outside the project the file is named in: a
// cloned project's lib/x.go may be a link to /etc/passwd, or lib a link
// to a directory elsewhere, and aiex index leaves such files out (see
// app/index's walker), so aiex chunks must not show them as the
// project's code. The project is found as index.FindRoot finds it, but
// from the file's path as named, its links not followed: the links on
// the way are judged by where they are, not by where they lead. A file
// in no project (no .git, go.mod, go.work or mix.exs above it) is
// chunked wherever it is, as is one named by the path it really has.
func realInProject(file string) (string, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", usererr.Wrap(err, "cannot read %s: %s", shown(file), errorsText(err))
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", usererr.Wrap(err, "cannot read %s: %s", shown(file), errorsText(err))
	}
	root := index.NamedRoot(filepath.Dir(abs))
	if root == "" {
		return real, nil
	}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", usererr.Wrap(err, "cannot read %s: %s", shown(root), errorsText(err))
	}
	if rel, err := filepath.Rel(realRoot, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", usererr.Usage("%s leads through a symlink to %s, outside the project at %s, which aiex index leaves out; give the file by its own path if you mean it",
			shown(file), shown(real), shown(root))
	}
	return real, nil
}
