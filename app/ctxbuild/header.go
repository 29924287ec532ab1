package ctxbuild

import (
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"math"
	"path"
	"slices"
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
//     In a module nested in others it goes after the lines of each
//     enclosing module that apply to it, outermost first (outerHeaders):
//     Elixir carries their aliases, imports and requires into it. What the
//     module's body says between its units above the target, the
//     attributes it reads and the aliases, is added to the header
//     (moduleBody, withBody);
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
func (b *Builder) preamble(ctx context.Context, proj db.CodeProject, target *Item, diff bool, files *fileCache) (_ []*Item, shown []int64, _ error) {
	if target == nil || target.Kind == KindFile || target.Kind == KindPackage || target.end <= target.start {
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
		it := &Item{Role: RoleHeader, Path: target.Path, Name: h.pkg, Kind: chunk.KindHeader, StartLine: h.first, EndLine: h.last,
			id: goHeaderID, full: h.code}
		if diff {
			// The answer is a diff against the file: its lines as they
			// are, all its imports, which a change may add to; the
			// imports the unit uses are its reduced form.
			if text, ok := fileLines(src, h.first, h.last); ok && text != h.code {
				it.full, it.cut = text, h.code
			}
		}
		return []*Item{it}, nil, nil
	}
	var picked []joined
	var outer []*Item
	var body bodyLines
	if !files.stale[target.Path] {
		cs, err := b.cfg.Store.CodeChunks(ctx, proj.ID, target.Path)
		if err != nil {
			return nil, nil, err
		}
		picked = pickPreamble(target, src, cs)
		var ok, bodyOK bool
		outer, ok = outerHeaders(target, src, cs)
		body, bodyOK = moduleBody(target, src, cs)
		ok = ok && bodyOK
		for _, u := range picked {
			ok = ok && current(src, u.c, u.pieces)
		}
		if !ok {
			picked, outer, body = nil, nil, bodyLines{}
			if _, err := files.chunks(target.Path, src); err != nil { // marks it stale
				return nil, nil, err
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
		outer, _ = outerHeaders(target, src, cs)
		body, _ = moduleBody(target, src, cs)
	}
	out := outer
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
	// What the module's body says between its units above the target.
	out = withBody(out, body, src, target)
	return out, append(shown, body.whole...), nil
}

// outerHeaderID is the id of the outermost enclosing module's lines as
// outerHeaders makes them (the next module's is one more): they are no
// chunk's, so the module's header chunk, whose doc may be what a question
// is about, can still come as a hit.
const outerHeaderID = math.MinInt64 + 1

// outerHeaders returns, for an Elixir target in a module nested in others,
// the lines of each enclosing module that apply to it, outermost first:
// its defmodule line and the alias, import and require expressions of its
// own body (its header and code) written above the module nested in it
// that holds the target. Elixir carries them lexically into nested
// modules: `C.g()` in `defmodule Inner` under `alias B.C` calls B.C.g.
// Left out are what is written below the nested module (it does not
// apply there), what a module nested deeper declares again above the
// target (its `alias Z.C` shadows `alias B.C`; `alias B.{C, D}` stays for
// D), and the rest (doc text, attributes, functions), each run of it a
// "# …" line. A module with none of them gets no item. cs are the file's
// chunks in file order; ok is false if one of those read is not what src
// holds.
func outerHeaders(target *Item, src []byte, cs []db.CodeChunk) (_ []*Item, ok bool) {
	at := target.end - 1
	var mods []db.CodeChunk // the modules holding the target, outermost first
	for _, c := range cs {
		switch c.Kind {
		case chunk.KindModule, chunk.KindProtocol, chunk.KindImpl:
			if c.StartByte <= at && at < c.EndByte && !(c.Kind == target.Kind && c.Name == target.Name) {
				mods = append(mods, c)
			}
		}
	}
	if len(mods) < 2 {
		return nil, true
	}
	units := joinPieces(cs)
	type level struct {
		head  string // the defmodule line
		line  int    // its line
		exprs []exExpr
		lines []int // the line each of exprs ends on
	}
	levels := make([]level, len(mods))
	for i, m := range mods {
		if !current(src, m, nil) {
			return nil, false
		}
		limit := target.start
		if i+1 < len(mods) {
			limit = mods[i+1].StartByte
		}
		lv := &levels[i]
		lv.head, lv.line = firstCodeLine(src, m.StartByte, m.StartLine)
		// The body's indentation: that of the module nested in it (the
		// innermost module's lines are not shown).
		pad := ""
		if i+1 < len(mods) {
			l, _ := firstCodeLine(src, mods[i+1].StartByte, mods[i+1].StartLine)
			pad = l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		}
		for _, u := range units {
			c := u.c
			if c.StartByte < m.StartByte || c.EndByte > limit || c.StartByte == m.StartByte && container(c.Kind) {
				continue
			}
			if !current(src, c, u.pieces) {
				return nil, false
			}
			lines := strings.Split(string(src[lineStart(src, c.StartByte):c.EndByte]), "\n")
			first := c.StartLine
			if (c.Kind != chunk.KindHeader && c.Kind != chunk.KindCode) || c.Name != m.Name {
				// Another unit (a function, a module nested above and
				// its units): a run left out.
				lv.exprs = append(lv.exprs, exExpr{pad: pad})
				lv.lines = append(lv.lines, c.EndLine)
				continue
			}
			if c.Kind == chunk.KindHeader {
				// From below its defmodule line.
				_, l := firstCodeLine(src, c.StartByte, c.StartLine)
				lines, first = lines[l-c.StartLine+1:], l+1
			}
			for _, e := range elixirExprs(lines) {
				lv.exprs = append(lv.exprs, e)
				lv.lines = append(lv.lines, first+e.last)
			}
		}
	}
	var out []*Item
	shadowed := map[string]bool{} // what the modules nested deeper declare
	for i := len(mods) - 1; i >= 0; i-- {
		lv := &levels[i]
		if i < len(mods)-1 && len(lv.exprs) > 0 {
			kept := false
			code := cutExprs([]string{lv.head}, lv.exprs, func(e exExpr) bool {
				keys := declared(e)
				for _, k := range keys {
					if !shadowed[k] {
						kept = true
						return true
					}
				}
				return false
			})
			if kept {
				it := &Item{Role: RoleHeader, Path: target.Path, Name: mods[i].Name, Kind: chunk.KindHeader,
					StartLine: lv.line, EndLine: slices.Max(lv.lines), id: outerHeaderID + int64(i)}
				it.full = strings.Join(code, "\n")
				it.cut = it.full // nothing in it to leave out
				out = append([]*Item{it}, out...)
			}
		}
		for _, e := range lv.exprs {
			for _, k := range declared(e) {
				shadowed[k] = true
			}
		}
	}
	return out, true
}

// firstCodeLine returns the first line of src from start on (at line
// line) that is not blank, a comment or doc text: a module's defmodule
// line, past the comments above it. Returned without its newline, with
// its line.
func firstCodeLine(src []byte, start, line int) (string, int) {
	var doc docLines
	for _, l := range strings.Split(string(src[lineStart(src, start):]), "\n") {
		if t := strings.TrimSpace(l); !doc.is(t) && t != "" {
			return l, line
		}
		line++
	}
	return "", line
}

// declared returns what an expression of a module body declares for the
// code after it, nested modules included: "alias C" for `alias B.C`
// (`as:` names it; `alias B.{C, D}` declares two), "import B.C" and
// "require B.C" for those; nothing for other expressions.
func declared(e exExpr) []string {
	text := strings.TrimSpace(strings.Join(e.lines, "\n"))
	kw := ""
	for _, k := range []string{"alias", "import", "require"} {
		if rest, ok := strings.CutPrefix(text, k); ok && rest != "" && strings.ContainsAny(rest[:1], " (") {
			kw, text = k, strings.TrimSpace(strings.TrimLeft(rest, " ("))
			break
		}
	}
	if kw == "" {
		return nil
	}
	word := func(s string) string {
		if i := strings.IndexAny(s, ", \t\n)]"); i >= 0 {
			return s[:i]
		}
		return s
	}
	last := func(s string) string { return s[strings.LastIndexByte(s, '.')+1:] }
	if kw != "alias" {
		return []string{kw + " " + word(text)}
	}
	if i := strings.Index(text, "as:"); i >= 0 {
		return []string{"alias " + word(strings.TrimSpace(text[i+len("as:"):]))}
	}
	open, end := strings.IndexByte(text, '{'), strings.LastIndexByte(text, '}')
	if open < 0 || end < open {
		return []string{"alias " + last(word(text))}
	}
	var out []string
	for _, l := range strings.Split(text[open+1:end], "\n") {
		l, _, _ = strings.Cut(l, "#")
		for _, n := range strings.Split(l, ",") {
			if n = strings.TrimSpace(n); n != "" {
				out = append(out, "alias "+last(n))
			}
		}
	}
	return out
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
// is reduced to what the target uses of it (cut, set by preamble), and a
// gen-tests context's test module header or type to its cut (testCode).
func (it *Item) signature() string {
	if it.Role == RoleHeader || it.cutWhy != "" {
		return it.cut
	}
	sig := signature(it.full)
	if sig == "" && it.sigOnly {
		// A language built-in's code without its doc text: it has no
		// body to leave out, or is a piece of one (Kernel's try/1#1).
		if code := dropDoc(it.full, true); code != it.full && strings.TrimSpace(code) != "" {
			return code
		}
	}
	return sig
}

// reduced is the reason a candidate goes as its signature.
func (it *Item) reduced() string {
	if it.Role == RoleHeader {
		return fmt.Sprintf("%d tokens in full; cut to what the target uses of it", it.cost)
	}
	if it.cutWhy != "" {
		return fmt.Sprintf("%d tokens in full; %s", it.cost, it.cutWhy)
	}
	if it.sigOnly {
		return fmt.Sprintf("%d tokens in full; a language built-in: its signature only", it.cost)
	}
	if it.bounded != "" {
		return fmt.Sprintf("%d tokens in full; %s", it.cost, it.bounded)
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
	lines := strings.Split(header, "\n")
	var doc docLines
	for i, l := range lines {
		if t := strings.TrimSpace(l); doc.is(t) || t == "" {
			continue
		}
		// The defmodule line, then what code may use of the rest.
		out := cutExprs([]string{l}, elixirExprs(lines[i+1:]), func(e exExpr) bool { return keep(e.head) })
		return strings.Join(out, "\n")
	}
	return ""
}

// exExpr is an expression of an Elixir module body as a header or code
// chunk shows it: its lines, continuation lines included, doc text,
// comments and blank lines left out.
type exExpr struct {
	head  string   // its first line, trimmed
	pad   string   // the white space before it on that line
	lines []string // as written
	last  int      // the index of its last line among those split
}

// elixirExprs splits lines, the body of a module (or part of it) at one
// indentation, into its expressions: a line at the indentation of the
// first and the lines after it indented more, or closing a bracket, or
// inside a heredoc. Doc text (@moduledoc, @doc, @typedoc), comments and
// blank lines belong to none.
func elixirExprs(lines []string) []exExpr {
	var out []exExpr
	var doc docLines
	heredoc := false
	indent := -1
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if heredoc {
			heredoc = strings.Count(t, `"""`)%2 == 0 && strings.Count(t, "'''")%2 == 0
			if n := len(out); n > 0 {
				out[n-1].lines, out[n-1].last = append(out[n-1].lines, l), i
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
		if len(out) == 0 || ind <= indent && !strings.ContainsAny(t[:1], "]})>|.,") && !strings.HasPrefix(t, "end") {
			out = append(out, exExpr{head: t, pad: l[:ind]})
		}
		out[len(out)-1].lines, out[len(out)-1].last = append(out[len(out)-1].lines, l), i
		heredoc = strings.Count(t, `"""`)%2 == 1 || strings.Count(t, "'''")%2 == 1
	}
	return out
}

// cutExprs appends to out the expressions keep keeps, and for each run of
// the others a "# …" line (none right after one out ends with).
func cutExprs(out []string, exprs []exExpr, keep func(exExpr) bool) []string {
	for _, e := range exprs {
		switch {
		case keep(e):
			out = append(out, e.lines...)
		case !marked(out):
			out = append(out, e.pad+"# …")
		}
	}
	return out
}

// marked reports whether out ends with a "# …" line.
func marked(out []string) bool {
	return len(out) > 0 && strings.TrimSpace(out[len(out)-1]) == "# …"
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
