package ctxbuild

import (
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"math"
	"path"
	"strconv"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// preamble returns the code before the target in its file that the
// target's own code leans on and that the symbol graph does not reach:
//
//   - for a unit of an Elixir module (a function, a test, a describe
//     block), the module's header (RoleHeader): its aliases, imports and
//     attributes say what `split(s)` calls and what `@limit` is. It goes
//     always: headers are short, and a unit that uses none of it is rare;
//   - for an ExUnit test or describe block, the `setup` and `setup_all`
//     blocks of its module and of the describe block holding it
//     (RoleSetup), in the order ExUnit runs them: they make the test's
//     context (`%{cart: cart}`). Those written before the module's first
//     unit are its header's already;
//   - for a Go unit, its file's package clause and the imports the unit
//     uses (RoleHeader): a call `url.Parse` names its package by the last
//     element of its path, which the import says in full (a renamed
//     import, golang.org/x/… beside the standard library's). The package
//     doc comment and the other imports are left out: they are about the
//     file, not the unit. A unit that uses no import gets none.
//
// The file's chunks are those of the index while their text is the
// file's, else the file's chunks as it is now (it changed since it was
// indexed).
//
// shown are the ids of the pieces after the first of a chunk split into
// pieces (a long header) that goes whole: they are not to go again.
func (b *Builder) preamble(ctx context.Context, proj db.CodeProject, target *Item, files *fileCache) (_ []*Item, shown []int64, _ error) {
	if target == nil || target.Kind == KindFile || target.end <= target.start {
		return nil, nil, nil
	}
	lang := chunk.Lang(target.Path)
	switch {
	case lang == "elixir" && (target.Kind == chunk.KindDescribe || !container(target.Kind)) && target.Kind != chunk.KindHeader:
	case lang == "go" && target.Kind != chunk.KindHeader:
	default:
		return nil, nil, nil
	}
	src, err := files.read(target.Path)
	if err != nil {
		return nil, nil, err
	}
	if lang == "go" {
		// Read from the file as it is: go/parser stops after the imports,
		// which is quicker than reading the file's chunks from the store.
		h, ok := goImportsUsed(string(src), target.full)
		if !ok {
			return nil, nil, nil
		}
		return []*Item{{Role: RoleHeader, Path: target.Path, Name: h.pkg, Kind: chunk.KindHeader, StartLine: h.first, EndLine: h.last,
			id: goHeaderID, full: h.code}}, nil, nil
	}
	var picked []joined
	if !files.stale[target.Path] {
		cs, err := b.cfg.Store.CodeChunks(ctx, proj.ID, target.Path)
		if err != nil {
			return nil, nil, err
		}
		picked = pickPreamble(target, src, cs)
		for _, u := range picked {
			if !current(src, u.c, u.pieces) {
				picked = nil
				if _, err := files.chunks(target.Path, src); err != nil { // marks it stale
					return nil, nil, err
				}
				break
			}
		}
	}
	if files.stale[target.Path] {
		// The file changed: its chunks as it is now. They have no id in
		// the index; each gets one of its own, below zero, so that none
		// is taken for another, nor for a unit new since indexing (0).
		var cs []db.CodeChunk
		for i, c := range files.fresh[target.Path] {
			cs = append(cs, db.CodeChunk{ID: -int64(i + 1), Path: target.Path, Lang: c.Lang, Name: c.Name, Kind: c.Kind,
				StartLine: c.StartLine, EndLine: c.EndLine, StartByte: c.StartByte, EndByte: c.EndByte, Hash: c.Hash})
		}
		picked = pickPreamble(target, src, cs)
	}
	var out []*Item
	for _, u := range picked {
		role := RoleSetup
		if u.c.Kind == chunk.KindHeader {
			role = RoleHeader
		}
		it, err := files.item(u.c, role, u.pieces...)
		if err != nil {
			continue // unreadable now: leave it out
		}
		if role == RoleHeader {
			it.cut = elixirHeaderCut(it.full, it.Name, target.full)
		}
		out = append(out, it)
		for _, p := range u.pieces[min(1, len(u.pieces)):] {
			shown = append(shown, p.ID)
		}
	}
	return out, shown, nil
}

// joined is a chunk of the file, or the pieces of one the chunker split
// (NAME#1, NAME#2, …: a header too large for one chunk) joined.
type joined struct {
	c      db.CodeChunk
	pieces []db.CodeChunk // when split
}

// joinPieces returns cs, the chunks of a file in file order, with the
// pieces of each unit joined: its first piece's id, its name, and no hash
// (as whole does).
func joinPieces(cs []db.CodeChunk) []joined {
	var out []joined
	for _, c := range cs {
		base, ok := chunk.PieceOf(c.Name)
		if !ok {
			out = append(out, joined{c: c})
			continue
		}
		if n := len(out); n > 0 && out[n-1].pieces != nil && out[n-1].c.Name == base && out[n-1].c.Kind == c.Kind {
			last := &out[n-1]
			last.c.EndByte, last.c.EndLine = c.EndByte, c.EndLine
			last.pieces = append(last.pieces, c)
			continue
		}
		w := c
		w.Name, w.Hash = base, ""
		out = append(out, joined{c: w, pieces: []db.CodeChunk{c}})
	}
	return out
}

// pickPreamble picks the preamble of an Elixir target (see preamble)
// among cs, the chunks of the target's file in file order, located by the
// target's last byte in src.
func pickPreamble(target *Item, src []byte, cs []db.CodeChunk) []joined {
	at := target.end - 1
	holds := func(c db.CodeChunk) bool { return c.StartByte <= at && at < c.EndByte }
	self := func(c db.CodeChunk) bool {
		return c.Kind == target.Kind && c.Name == target.Name && c.EndByte == target.end
	}
	units := joinPieces(cs)
	// The innermost module holding the target, and the innermost describe
	// block holding it besides the target itself: chunks come in order of
	// start, the outer first.
	var mod, desc *db.CodeChunk
	for i, c := range cs {
		if !holds(c) || self(c) {
			continue
		}
		switch c.Kind {
		case chunk.KindModule, chunk.KindProtocol, chunk.KindImpl:
			mod, desc = &cs[i], nil
		case chunk.KindDescribe:
			desc = &cs[i]
		}
	}
	if mod == nil {
		return nil
	}
	within := func(c, in db.CodeChunk) bool { return c.StartByte >= in.StartByte && c.EndByte <= in.EndByte }
	var header []joined
	var setups, inner []joined // the module's, the describe block's
	test := target.Kind == chunk.KindTest || target.Kind == chunk.KindDescribe
	for _, u := range units {
		c := u.c
		switch {
		case c.Kind == chunk.KindHeader && c.Name == mod.Name && within(c, *mod):
			header = append(header[:0], u)
		case !test || c.Kind != chunk.KindCode || c.EndByte > len(src) || !isSetup(src[c.StartByte:c.EndByte]):
		case desc != nil && c.Name == desc.Name && within(c, *desc):
			inner = append(inner, u)
		case c.Name == mod.Name && within(c, *mod):
			// A code chunk of the module is named after it; one of a
			// describe block after the block.
			setups = append(setups, u)
		}
	}
	return append(append(header, setups...), inner...)
}

// isSetup reports whether code, a code chunk of an ExUnit module, holds
// a setup or setup_all block (or a call naming the functions to run).
func isSetup(code []byte) bool {
	for l := range strings.SplitSeq(string(code), "\n") {
		t := strings.TrimSpace(l)
		for _, kw := range []string{"setup_all", "setup"} {
			if rest, ok := strings.CutPrefix(t, kw); ok && (rest == "" || strings.ContainsAny(rest[:1], " (,")) {
				return true
			}
		}
	}
	return false
}

// goHeaderID is the id of a Go target's header as preamble makes it,
// read from the file rather than the index: no chunk's.
const goHeaderID = math.MinInt64

// goHeader is a Go file's package clause and the imports a unit uses.
type goHeader struct {
	code        string
	pkg         string // the package's name
	first, last int    // the lines of the package clause and the imports' end
}

// goImportsUsed is the package clause of src, a Go file, and the imports
// that code, a unit of it, uses; ok is false when it uses none. An import
// is used when code names it (`url.` for "net/url", `yaml.` for
// "gopkg.in/yaml.v3", the name it is renamed to); a dot import is taken
// as used, a blank one is not.
func goImportsUsed(src, code string) (h goHeader, ok bool) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ImportsOnly)
	if f == nil || f.Name == nil || len(f.Imports) == 0 {
		return goHeader{}, false
	}
	_ = err // a file that does not parse past its imports still has them
	var used []string
	for _, spec := range f.Imports {
		p, err := strconv.Unquote(spec.Path.Value)
		if err != nil {
			continue
		}
		names := importNames(p)
		if spec.Name != nil {
			names = []string{spec.Name.Name}
		}
		for _, n := range names {
			if n == "." || n != "_" && usesName(code, n) {
				used = append(used, src[fset.Position(spec.Pos()).Offset:fset.Position(spec.End()).Offset])
				h.last = max(h.last, fset.Position(spec.End()).Line)
				break
			}
		}
	}
	if len(used) == 0 {
		return goHeader{}, false
	}
	h.code = "package " + f.Name.Name + "\n\nimport "
	if len(used) == 1 {
		h.code += used[0]
	} else {
		h.code += "(\n\t" + strings.Join(used, "\n\t") + "\n)"
	}
	for _, d := range f.Decls {
		h.last = max(h.last, fset.Position(d.End()).Line) // the import declarations' closing parentheses
	}
	h.pkg, h.first = f.Name.Name, fset.Position(f.Package).Line
	return h, true
}

// importNames are the names an import path's package is likely declared
// with: the path's last element, without a major version (`/v2`,
// `yaml.v3`) and without a `go-` prefix or a `-go`/`.go` suffix
// (go-sqlite3 is sqlite3).
func importNames(p string) []string {
	base := path.Base(p)
	if len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" && path.Dir(p) != "." {
		base = path.Base(path.Dir(p))
	}
	if i := strings.LastIndex(base, ".v"); i > 0 {
		base = base[:i]
	}
	names := []string{base}
	trimmed := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(base, "go-"), "-go"), ".go")
	if trimmed != base && trimmed != "" {
		names = append(names, trimmed)
	}
	return names
}

// usesName reports whether Go code names the package name: `name.`
// after no letter, digit or dot.
func usesName(code, name string) bool {
	for i := 0; ; {
		j := strings.Index(code[i:], name+".")
		if j < 0 {
			return false
		}
		j += i
		if j == 0 || !isIdent(code[j-1]) && code[j-1] != '.' {
			return true
		}
		i = j + 1
	}
}

func isIdent(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

// signature is the candidate's code reduced as a repository map shows
// it (see signature); a module's header, which has no body to leave out,
// is reduced to what the target uses of it (cut, set by preamble).
func (it *Item) signature() string {
	if it.Role == RoleHeader {
		return it.cut
	}
	return signature(it.full)
}

// reduced is the reason a candidate goes as its signature.
func (it *Item) reduced() string {
	if it.Role == RoleHeader {
		return fmt.Sprintf("%d tokens in full; cut to what the target uses of it", it.cost)
	}
	return fmt.Sprintf("%d tokens in full; reduced to its signature", it.cost)
}

// elixirHeaderCut is header, an Elixir module's header chunk, cut to
// what code, a unit of the module, may use of it: the defmodule line, its
// use, alias, import and require expressions, the setup blocks of a test
// module, its defstruct when code builds the struct (%__MODULE__{}), and
// the attributes code reads (@limit). Doc text, comments and the other
// expressions go, each run of these marked by a "# …" line. An
// expression is a line at the header's indentation and the lines after
// it indented more, or closing a bracket, or inside a heredoc.
func elixirHeaderCut(header, module, code string) string {
	short := module[strings.LastIndex(module, ".")+1:]
	keep := func(t string) bool {
		for _, kw := range []string{"use ", "alias ", "import ", "require ", "setup ", "setup_all ", "setup(", "setup_all("} {
			if strings.HasPrefix(t, kw) {
				return true
			}
		}
		if strings.HasPrefix(t, "defstruct") {
			return strings.Contains(code, "%__MODULE__{") || strings.Contains(code, "%"+short+"{")
		}
		name, ok := strings.CutPrefix(t, "@")
		if !ok {
			return false
		}
		if i := strings.IndexFunc(name, func(r rune) bool { return r >= 0x80 || !isIdent(byte(r)) }); i >= 0 {
			name = name[:i]
		}
		return name != "" && usesAttr(code, name)
	}
	var out []string
	var doc docLines
	started, heredoc, marked, kept := false, false, false, false
	indent := -1
	for _, l := range strings.Split(header, "\n") {
		t := strings.TrimSpace(l)
		if !started {
			if doc.is(t) || t == "" {
				continue
			}
			out, started = append(out, l), true // defmodule
			continue
		}
		if heredoc {
			heredoc = strings.Count(t, `"""`)%2 == 0 && strings.Count(t, "'''")%2 == 0
			if kept {
				out = append(out, l)
			}
			continue
		}
		if doc.is(t) || t == "" {
			continue
		}
		ind := len(l) - len(strings.TrimLeft(l, " \t"))
		if indent < 0 {
			indent = ind
		}
		if ind <= indent && !strings.ContainsAny(t[:1], "]})>|.,") && !strings.HasPrefix(t, "end") {
			kept = keep(t) // a new expression
		}
		switch {
		case kept:
			out, marked = append(out, l), false
		case !marked:
			out, marked = append(out, l[:ind]+"# …"), true
		}
		heredoc = strings.Count(t, `"""`)%2 == 1 || strings.Count(t, "'''")%2 == 1
	}
	return strings.Join(out, "\n")
}

// usesAttr reports whether Elixir code reads the module attribute name:
// `@name` not followed by a letter, digit or underscore.
func usesAttr(code, name string) bool {
	for i := 0; ; {
		j := strings.Index(code[i:], "@"+name)
		if j < 0 {
			return false
		}
		j += i + 1 + len(name)
		if j == len(code) || !isIdent(code[j]) && code[j] != '?' && code[j] != '!' {
			return true
		}
		i = j
	}
}
