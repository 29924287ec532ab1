package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/english"
	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/app/search"
	"github.com/aiex-dev/aiex/app/usererr"
)

// SearchCmd ranks the current project's chunks for a query.
type SearchCmd struct {
	Limit int      `short:"n" default:"10" min:"1" help:"How many hits to show."`
	Query []string `arg:"" placeholder:"QUERY" help:"Words or a symbol to look for (http.Server, get_user, \"parse RFC 3339 time\")."`
}

// Run prints the hits, best first: path:line, name and score; or, with
// --json, the hits with each part of their score.
func (sc *SearchCmd) Run(c *Context) error {
	query := strings.TrimSpace(strings.Join(sc.Query, " "))
	if query == "" {
		return usererr.Usage("empty query; give words or a symbol to look for")
	}
	if sc.Limit <= 0 {
		return usererr.Usage("--limit must be 1 or more")
	}
	root, err := projectRoot()
	if err != nil {
		return err
	}
	res, err := viaNodeRead(c, func(cl *node.Client) (*search.Result, error) {
		r, err := cl.Code(c, node.CodeRequest{Op: "search", Root: root, Query: query, Limit: sc.Limit})
		if err != nil {
			return nil, err
		}
		return r.Search, nil
	}, func(core *app.App) (*search.Result, error) { return core.Search(c, root, query, sc.Limit) })
	if err != nil {
		return err
	}
	if c.Out.JSON {
		return c.Out.PrintJSON(res)
	}
	if res.Incomplete {
		fmt.Fprintln(c.Out.Err, "aiex: warning: "+incompleteIndex(root))
	}
	if res.OtherVersion {
		fmt.Fprintln(c.Out.Err, "aiex: warning: "+ctxbuild.OtherVersionWarning(root))
	}
	if res.EmbedError != "" {
		fmt.Fprintln(c.Out.Err, "aiex: warning: "+search.EmbedWarning(res.EmbedError))
	}
	if len(res.Hits) == 0 {
		fmt.Fprintf(c.Out.Err, "nothing in the index of %s matches %q\n", shown(root), query)
		return nil
	}
	tw := newTable(c.Out.Out)
	for _, h := range res.Hits {
		fmt.Fprintf(tw, "%s:%d\t%s\t%s\t%.3f\n", shown(h.Path), h.StartLine, shown(h.Name), h.Kind, h.Score)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if n := len(res.Changed); n > 0 {
		names := make([]string, 0, min(n, 3))
		for _, p := range res.Changed[:min(n, 3)] {
			names = append(names, shown(p))
		}
		if n > 3 {
			names = append(names, "…")
		}
		what := "they were indexed (%s): their lines"
		if n == 1 {
			what = "it was indexed (%s): its lines"
		}
		fmt.Fprintf(c.Out.Err, "aiex: warning: %s changed or deleted since "+what+" may have moved; run aiex index\n",
			english.Count(n, "file"), strings.Join(names, ", "))
	}
	return nil
}

// incompleteIndex says that no index run over the whole project at root
// has finished, and what to do, as explain and ask say it.
func incompleteIndex(root string) string { return ctxbuild.IncompleteWarning(root) }

// projectRoot is the project of the current directory: the nearest
// directory up from it holding .git, or the directory itself.
func projectRoot() (string, error) {
	cwd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("cli: %w", err)
	}
	return index.FindRoot(cwd)
}
