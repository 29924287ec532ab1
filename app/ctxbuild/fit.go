package ctxbuild

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/internal/within"
	"github.com/aiex-dev/aiex/app/prompt"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
)

// minTruncated is the least room worth filling with the start of a chunk
// cut short: less shows too little to help.
const minTruncated = 96

// TooLong is the error for a prompt that does not fit a model's window
// before any code is added: the question alone (target "") or the
// question and the target, which is never cut (target names it). It says
// what to make smaller: the question, or the target.
func TooLong(tokens, budget, window, reserve int, target string) error {
	what, verb, fix := "the question", "takes", "ask a shorter question"
	if target != "" {
		what, verb, fix = "the question and "+target, "take", "ask about a smaller target"
	}
	return usererr.New("%s %s %d tokens, more than the %d this model allows a prompt (a %d-token window less %d for the answer); use a model with a larger window or %s",
		what, verb, tokens, budget, window, reserve, fix)
}

// fit chooses each candidate's form within the budget, in order: full if
// it fits, else its signature, else nothing; then the room left goes to
// the start of the first chunk that was reduced. The prompt is rendered
// and counted as a whole at the end, and items come off the end until it
// fits: per-item counts only approximate the whole (fences, headers).
func (b *Builder) fit(req Request, out *Context, target *Item, cands []*Item) error {
	data := req.Data
	data.Question = req.Question
	data.Context = nil // data.Target, if set, says where code without a target goes (gen-module)
	if target != nil {
		s := snippet(target, target.full)
		data.Target = &s
		target.Form, target.Code = FormFull, target.full
	}
	hooked := false
	if req.Conventions != nil && data.Conventions == nil {
		dir := ""
		switch {
		case target != nil:
			dir = path.Dir(target.Path)
		case data.Target != nil:
			dir = path.Dir(data.Target.Path)
		}
		if dir == "." {
			dir = ""
		}
		data.Conventions = req.Conventions(dir)
		hooked = data.Conventions != nil
	}
	base, err := b.count(req, data)
	if err != nil {
		return err
	}
	if base > out.Budget && hooked {
		// The question and the target come first: they go without the
		// conventions rather than not at all.
		data.Conventions = nil
		if base, err = b.count(req, data); err != nil {
			return err
		}
	}
	if base > out.Budget {
		what := ""
		if target != nil {
			what = fmt.Sprintf("%s (%s)", target.Name, target.where())
		}
		return TooLong(base, out.Budget, out.Window, out.Reserve, what)
	}
	left := out.Budget - base
	plan := req.Estimate
	if plan == nil {
		plan = req.Count
	}
	cost := func(code string, it *Item) int {
		return plan.Count(snippetText(it, code)) + 2
	}
	var reduced *Item
	for _, it := range cands {
		full := cost(it.full, it)
		it.Tokens = full
		switch {
		case full <= left:
			it.Form, it.Code = FormFull, it.full
		default:
			sig := signature(it.full)
			if sc := cost(sig, it); sig != "" && sig != it.full && sc <= left {
				it.Form, it.Code, it.Tokens = FormSignature, sig, sc
				it.Reason = fmt.Sprintf("%d tokens in full; reduced to its signature", full)
				if reduced == nil {
					reduced = it
				}
			} else {
				it.Reason = fmt.Sprintf("%d tokens; no room left", full)
				continue
			}
		}
		left -= it.Tokens
	}
	// Room left: show the start of the first reduced chunk instead.
	if reduced != nil && left+reduced.Tokens >= minTruncated {
		room := left + reduced.Tokens
		if code, n := truncate(reduced.full, func(s string) int { return cost(s, reduced) }, room); code != "" {
			reduced.Form, reduced.Code = FormTruncated, code
			reduced.Reason = fmt.Sprintf("%d tokens in full; cut to its first %d lines", cost(reduced.full, reduced), n)
			left = room - cost(code, reduced)
			reduced.Tokens = cost(code, reduced)
		}
	}

	// Render, count the whole, and drop from the end until it fits.
	for {
		data.Context = data.Context[:0]
		for _, it := range cands {
			if it.Form != "" {
				data.Context = append(data.Context, snippet(it, it.Code))
			}
		}
		msgs, total, err := b.render(req, data)
		if err != nil {
			return err
		}
		if total <= out.Budget || len(data.Context) == 0 {
			out.Tokens, out.Prompt, out.Data = total, msgs, data
			break
		}
		for i := len(cands) - 1; i >= 0; i-- {
			if cands[i].Form != "" {
				cands[i].Form, cands[i].Code = "", ""
				cands[i].Reason = "no room left once the whole prompt was counted"
				break
			}
		}
	}
	if target != nil {
		target.Tokens = plan.Count(snippetText(target, target.full))
		out.Target = target
		out.Included = append(out.Included, *target)
	}
	for _, it := range cands {
		if it.Form != "" {
			out.Included = append(out.Included, *it)
		} else {
			out.Dropped = append(out.Dropped, *it)
		}
	}
	return nil
}

func (b *Builder) count(req Request, d prompt.Data) (int, error) {
	_, n, err := b.render(req, d)
	return n, err
}

func (b *Builder) render(req Request, d prompt.Data) ([]providers.Message, int, error) {
	msgs, err := b.cfg.Prompts.Render(req.Task, d)
	if err != nil {
		return nil, 0, err
	}
	n := 0
	for _, m := range msgs {
		n += req.Count.Count(m.Content) + messageOverhead
	}
	return msgs, n, nil
}

func snippet(it *Item, code string) prompt.Snippet {
	s := prompt.Snippet{Path: it.Path, Name: it.Name, StartLine: it.StartLine, EndLine: it.EndLine, Code: code}
	if it.Form == FormSignature {
		s.EndLine = 0 // the signature's lines only
	}
	return s
}

// snippetText approximates how a snippet appears in a prompt: a header
// line and the code in a fence.
func snippetText(it *Item, code string) string {
	return it.where() + " (" + it.Name + "):\n```\n" + code + "\n```\n"
}

func (it *Item) where() string {
	return fmt.Sprintf("%s:%d-%d", it.Path, it.StartLine, it.EndLine)
}

// signature is the declaration of a unit without its body, as a repository
// map shows it: the leading lines up to the one that opens the body (a Go
// "{", an Elixir "do"), doc comments and @doc text left out, @spec kept.
// It returns "" when the chunk has no body to leave out.
func signature(code string) string {
	lines := strings.Split(code, "\n")
	var out []string
	inDoc := false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		switch {
		case inDoc:
			if strings.HasSuffix(t, `"""`) || strings.HasSuffix(t, `'''`) {
				inDoc = false
			}
			continue
		case strings.HasPrefix(t, "//"), strings.HasPrefix(t, "#"), t == "":
			continue
		case strings.HasPrefix(t, "@doc") || strings.HasPrefix(t, "@moduledoc") || strings.HasPrefix(t, "@typedoc"):
			if strings.HasSuffix(t, `"""`) || strings.HasSuffix(t, `'''`) {
				inDoc = true
			}
			continue
		}
		out = append(out, l)
		if strings.HasSuffix(t, "{") || strings.HasSuffix(t, " do") || strings.Contains(t, ", do:") || len(out) >= 6 {
			break
		}
	}
	if len(out) == 0 || len(out) >= len(lines) {
		return ""
	}
	last := strings.TrimSpace(out[len(out)-1])
	switch {
	case strings.HasSuffix(last, "{"):
		out = append(out, "\t// …", "}")
	case strings.HasSuffix(last, " do"):
		out = append(out, "  # …", "end")
	}
	return strings.Join(out, "\n")
}

// truncate returns the longest run of code's first lines whose cost is
// within room, with a marker saying how much was cut, and how many lines
// it kept; "" if not even one line fits.
func truncate(code string, cost func(string) int, room int) (string, int) {
	lines := strings.Split(code, "\n")
	mark := func(n int) string {
		return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n… (%d more lines)", len(lines)-n)
	}
	n := sort.Search(len(lines), func(n int) bool { return cost(mark(n+1)) > room })
	if n == 0 {
		return "", 0
	}
	return mark(n), n
}

// fileCache reads the project's files once each and gives chunks their
// current text; a file that changed since it was indexed is chunked again
// and its chunks found by name.
type fileCache struct {
	root  string
	real  string // root with its symlinks resolved
	opt   chunk.Options
	src   map[string][]byte
	fresh map[string][]chunk.Chunk
	stale map[string]bool
}

func (f *fileCache) item(c db.CodeChunk, role string, pieces ...db.CodeChunk) (*Item, error) {
	if f.src == nil {
		f.src, f.fresh = map[string][]byte{}, map[string][]chunk.Chunk{}
	}
	src, ok := f.src[c.Path]
	if !ok {
		path := filepath.Join(f.root, filepath.FromSlash(c.Path))
		if !within.Root(f.real, path) {
			// Replaced since it was indexed by a link that leads out of
			// the project (see app/index's walk): not the project's code.
			return nil, fmt.Errorf("ctxbuild: %s is now a symlink to a file outside the project; run aiex index", c.Path)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("ctxbuild: %w", err)
		}
		f.src[c.Path], src = b, b
	}
	it := &Item{Role: role, Path: c.Path, Name: c.Name, Kind: c.Kind, StartLine: c.StartLine, EndLine: c.EndLine, id: c.ID}
	if current(src, c, pieces) {
		it.full = string(src[c.StartByte:c.EndByte])
		return it, nil
	}
	// The file changed since it was indexed: find the unit by name.
	f.stale[c.Path] = true
	cs, ok := f.fresh[c.Path]
	if !ok {
		opt := f.opt
		if opt.Trees != nil {
			opt.TreeKey = filepath.Join(f.root, filepath.FromSlash(c.Path)) // as the index keys it
		}
		res, err := chunk.File(c.Path, src, opt)
		if err != nil {
			return nil, fmt.Errorf("ctxbuild: %s: %w", c.Path, err)
		}
		cs = res.Chunks
		f.fresh[c.Path] = cs
	}
	// The chunker names units as the index does. A name may occur more
	// than once (Go's init functions): the one nearest where it was. A
	// unit too large for one chunk is NAME#1 … NAME#N, however many now.
	var first, last *chunk.Chunk
	for i := range cs {
		if nc := &cs[i]; nc.Name == c.Name && (first == nil || dist(nc.StartByte, c.StartByte) < dist(first.StartByte, c.StartByte)) {
			first, last = nc, nc
		}
	}
	if first == nil {
		for i := range cs {
			if base, ok := chunk.PieceOf(cs[i].Name); ok && base == c.Name {
				if first == nil {
					first = &cs[i]
				}
				last = &cs[i]
			}
		}
	}
	if first == nil {
		return nil, fmt.Errorf("ctxbuild: %s is no longer in %s; run aiex index", c.Name, c.Path)
	}
	it.StartLine, it.EndLine = first.StartLine, last.EndLine
	it.full = string(src[first.StartByte:last.EndByte])
	return it, nil
}

func dist(a, b int) int { return max(a-b, b-a) }

// current reports whether src still holds chunk c where the index saw
// it: c itself or, for a unit in pieces, each of its pieces.
func current(src []byte, c db.CodeChunk, pieces []db.CodeChunk) bool {
	if len(pieces) > 0 {
		for _, p := range pieces {
			if !current(src, p, nil) {
				return false
			}
		}
		return c.StartByte >= 0 && c.EndByte <= len(src) && c.StartByte < c.EndByte
	}
	if c.StartByte < 0 || c.EndByte > len(src) || c.StartByte >= c.EndByte {
		return false
	}
	return chunk.Hash(src[c.StartByte:c.EndByte]) == c.Hash
}

func (f *fileCache) staleList() []string {
	out := make([]string, 0, len(f.stale))
	for p := range f.stale {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}
