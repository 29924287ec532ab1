package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/chunk"
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
	fi, err := os.Stat(cc.File)
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
	opt := index.ChunkOptions(app.TokenFamily(cfg.File))
	if fi.Size() > int64(chunk.DefaultMaxFileSize) {
		return usererr.New("%s is too large to chunk: %d bytes, over the %d-byte limit", shown(cc.File), fi.Size(), chunk.DefaultMaxFileSize)
	}
	src, err := os.ReadFile(cc.File)
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
