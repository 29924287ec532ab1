package chunk

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Chunk is one semantic unit of a file: a module, a function with its docs,
// a type, a header, or a run of lines. Byte ranges are half-open; lines are
// 1-based and inclusive: StartLine is the line of StartByte and EndLine the
// line of the chunk's last byte (EndByte-1).
type Chunk struct {
	Path string `json:"path"`
	Lang string `json:"lang"` // "elixir", "go" or "text"
	Kind string `json:"kind"` // one of the Kind constants
	// Name is qualified: "MyApp.Accounts.get_user/1", "http.(*Server).Serve",
	// `describe "x" / test "y"`; a piece of a split unit is "name#2".
	Name      string `json:"name"`
	StartByte int    `json:"start_byte"`
	EndByte   int    `json:"end_byte"` // exclusive
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	// Hash is the hex SHA-256 of the chunk's bytes, truncated to 16 bytes.
	Hash   string `json:"hash"`
	Tokens int    `json:"tokens"`
	// Refs are the names the chunk references (called functions, modules,
	// types), in order of first use, deduplicated, at most MaxRefs.
	Refs []string `json:"refs,omitempty"`
	// Parent is the enclosing module (Elixir) or receiver type (Go methods).
	Parent string `json:"parent,omitempty"`
	// Private marks defp/defmacrop/defguardp and unexported Go names.
	Private bool `json:"private,omitempty"`
	// Defaults is how many parameters of an Elixir function have defaults
	// (`\\`): "get/3" with Defaults 1 also defines get/2.
	Defaults int `json:"defaults,omitempty"`
	// Members are the other names a chunk answers to, which the index
	// looks each one up by and the symbol graph resolves references to:
	// the names a Go const or var declaration of more than one name
	// declares, in order, blank ones left out (its Name, pkg.{A,B,C,D,…},
	// shows at most four; a piece of a split declaration lists those
	// declared in it); and the other arities an Elixir function with
	// default arguments defines, qualified (MyApp.get/1 for MyApp.get/2),
	// on its first piece; and for a Go method declared on a value (T.M),
	// (*T).M, the name a call through a variable refers to it by, on its
	// first piece; and for a public Elixir function of a module a
	// template's using quote imports (`use MixTest.Case`),
	// Template:f/N, the name a local call in a module using the template
	// refers to it by (elixir_using.go).
	Members []string `json:"members,omitempty"`
	// Imports, on a Go file's header, gives for each qualifier the
	// file's refs use that names an imported package its import path:
	// {"proto": "github.com/rqlite/rqlite/v8/command/proto"} for refs
	// proto.Command. The index resolves such refs of the file's chunks
	// only to that package, not to every package of the name
	// (golang_imports.go). Nil when no ref names an import the file's
	// syntax pins. On the Elixir chunk holding a template's using quote,
	// the imports and aliases of other files' modules it declares:
	// {"T:import M": "only f/1", "T:alias A": "MyApp.A"}
	// (elixir_using.go). Nil on other chunks.
	Imports map[string]string `json:"imports,omitempty"`
	// Shape, on a Go type's chunk (its first piece), is what the index
	// needs to find the methods promoted into the type through
	// embedding: its kind, its fields and its embedded types
	// (golang_shapes.go). Nil on other chunks.
	Shape []string `json:"shape,omitempty"`
}

// Chunk kinds. Containers (module, protocol, impl, describe) span the
// chunks inside them; every other kind is a leaf, and leaves do not overlap
// one another (see DESIGN.md for the exceptions).
const (
	KindModule   = "module"   // defmodule
	KindProtocol = "protocol" // defprotocol
	KindImpl     = "impl"     // defimpl
	KindDescribe = "describe" // ExUnit describe block
	KindHeader   = "header"   // module opening: moduledoc, use/alias/…, attributes, defstruct; Go package clause and imports
	KindCode     = "code"     // other module-level or top-level code between units
	KindFunction = "function" // def/defp; Go func
	KindMethod   = "method"   // Go method
	KindMacro    = "macro"    // defmacro/defmacrop
	KindGuard    = "guard"    // defguard/defguardp
	KindDelegate = "delegate" // defdelegate
	KindTest     = "test"     // ExUnit test block
	KindType     = "type"     // Go type declaration
	KindConst    = "const"    // Go const group
	KindVar      = "var"      // Go var group
	KindText     = "text"     // a run of lines (size strategy, other files, unparsable regions)
)

// Container reports whether the chunk spans other chunks of the same file.
func (c Chunk) Container() bool {
	switch c.Kind {
	case KindModule, KindProtocol, KindImpl, KindDescribe:
		return true
	}
	return false
}

// Strategy says how a file is cut.
type Strategy string

const (
	// Hybrid is Semantic, with leaf units larger than Options.MaxBytes split
	// into pieces of at most MaxBytes on line boundaries (never inside a
	// multi-line string). The zero value of Options uses it.
	Hybrid Strategy = "hybrid"
	// Semantic yields whole units, however large.
	Semantic Strategy = "semantic"
	// Size ignores the language: runs of Options.Lines lines overlapping by
	// Options.Overlap lines.
	Size Strategy = "size"
)

// Defaults for the zero Options.
const (
	DefaultMaxBytes    = 8 << 10
	DefaultLines       = 60
	DefaultOverlap     = 10
	DefaultMaxFileSize = 1 << 20
	// MaxRefs caps Chunk.Refs.
	MaxRefs = 32
	// maxWarnings caps Result.Warnings (a count of the rest is appended).
	maxWarnings = 8
)

// Version numbers what File returns for a given input: it goes up with any
// change to the chunks of a file (their ranges, kinds, names, refs), so
// that an analysis cached under an earlier version is made again. 12: the
// comments closing an Elixir module or describe body are in a leaf, and
// Elixir aliases count from where they are written to the end of their
// block (nested modules included), not module-wide. 13: Go method calls
// through a variable whose type the function's syntax shows are refs
// (pkg.(*T).M), and a value method lists (*T).M among its members. 14:
// an Elixir function takes the @compile/@dialyzer directly above it and
// any attribute between its @doc/@spec and its def; `require X, as: Y`
// defines the alias Y; calls of Kernel's functions and macros and of the
// special forms (`is_list(x)`, `if`, `case`, the pipe) are refs to
// Kernel.is_list/1, Kernel.SpecialForms.case, … unless the module defines
// the name, and those that declare (`def`, `use`, `alias`) are none; past
// MaxRefs, Kernel's refs give way to the unit's others. 15: Go method
// refs only for variables of the package's own types (none for an
// imported pkg.T, which the index cannot tell from a same-named
// package's), and an Elixir declaration (`def`, `alias`, …) is no ref
// whatever module defines it (Kernel's own source defines def/2). 16: a
// Go variable given a conversion to one of the package's own types
// (p := (*T)(y), x := T(y) of a type the file declares) has that type.
// 17: an Elixir `use X` (with options or not) refers to X.__using__/1,
// which it expands to, besides X. 18: a Go file's header records the
// import paths of the packages the file's refs name (Imports). 19: past
// MaxRefs, a Go unit's refs to its own package's names come first, and a
// name repeated on many lines no longer uses up the walk's room for others.
// 20: a Go ref through a renamed import (cp.Encode, import cp
// "x/command/proto") is qualified by the package's name (proto.Encode),
// and the header records the import path under that name. 21: a Go
// method call on a variable of an imported type (c *http.Client; c.Do())
// is a ref to that package's method (http.(*Client).Do) where the header
// records its qualifier's import path. 22: in an Elixir file with a
// syntax error, a module (or describe block) whose `end` is missing, or
// whose call tree-sitter broke into tokens, keeps its name and ends where
// its indentation does; ExUnit's `setup :name` refers to name/1. 23: in
// such a file, the units after a bracket left open (whose `end`s
// tree-sitter reads as calls taking the rest of the file) keep their
// modules, and the module after them is not lost. 24: a Go interface
// type lists (*T).M among its members for each method it declares, so
// that a call through a variable of the interface reaches it. 25: a Go
// type's chunk records its shape (fields and embedded types), from which
// the index finds the methods promoted into it through embedding. 26: a
// Go call through a field (s.store.Get(k)) is a ref to the method of the
// field's type where the file declares the struct, else a field ref
// (pkg.(*T).store.Get) that the index settles from the shapes, which now
// record the type of each field of the package's own named type; and an
// Elixir alias, import or require written from __MODULE__ is followed.
// 27: Go type assertions and one-type switch clauses give their type.
// 28: an Elixir local call in a module that uses a template refers to
// Template:f/N, which the functions the template's using quote imports
// list among their members; a keyword key is no call. 29: a template's
// using quote that imports a module its file does not define, or declares
// an alias, records it in the Imports of the chunk holding the quote, and
// a remote call through a head no alias expands, in a module that uses a
// template, refers to Template:Head.f/N too.
const Version = 29

// Options configure File. The zero value works: hybrid, 8 KiB pieces,
// 60-line runs overlapping by 10, files up to 1 MiB, len/4 token estimate.
type Options struct {
	Strategy Strategy
	// MaxBytes bounds leaf chunks under Hybrid; 0 means DefaultMaxBytes.
	MaxBytes int
	// Lines per size-based chunk; 0 means DefaultLines.
	Lines int
	// Overlap is how many lines a size-based chunk repeats from the one
	// before; 0 means DefaultOverlap, negative means none.
	Overlap int
	// MaxFileSize: larger files are skipped; 0 means DefaultMaxFileSize.
	MaxFileSize int
	// Count counts tokens; nil means (len(text)+3)/4.
	Count func(string) int
	// Trees, when set, keeps this file's syntax tree after chunking, and
	// the tree kept from the file's previous version makes parsing it
	// incremental (Elixir only). The chunks are the same either way.
	Trees *Trees
	// TreeKey names the file in Trees; "" means the path given to File.
	TreeKey string
}

func (o Options) withDefaults() Options {
	if o.Strategy == "" {
		o.Strategy = Hybrid
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.Lines <= 0 {
		o.Lines = DefaultLines
	}
	switch {
	case o.Overlap == 0:
		o.Overlap = min(DefaultOverlap, o.Lines/2)
	case o.Overlap < 0:
		o.Overlap = 0
	}
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = DefaultMaxFileSize
	}
	return o
}

// ErrOptions is wrapped by File's error for Options it cannot use.
var ErrOptions = errors.New("invalid options")

// SkipReason says why a file was not chunked.
type SkipReason string

// Skip reasons.
const (
	SkipBinary   SkipReason = "binary"    // a NUL byte or invalid UTF-8
	SkipTooLarge SkipReason = "too large" // over Options.MaxFileSize
)

// Result is what File finds in one file.
type Result struct {
	Lang   string
	Chunks []Chunk
	// Warnings describe problems that did not stop chunking: syntax errors
	// (the file is probably being edited), clauses of one function apart.
	Warnings []string
	// Skipped is set, and Chunks empty, when the file was not chunked; the
	// first warning then gives the details.
	Skipped SkipReason
}

// Lang returns the language File uses for a path: "elixir" for .ex and
// .exs, "go" for .go, "text" otherwise.
func Lang(path string) string {
	switch filepath.Ext(path) {
	case ".ex", ".exs":
		return "elixir"
	case ".go":
		return "go"
	}
	return "text"
}

// File cuts src, the contents of path, into chunks. The language comes from
// the extension (see Lang). Source that does not parse still yields chunks
// (with warnings); binary and oversized files yield a Result with Skipped
// set. File is safe for concurrent use; the error is for invalid Options.
func File(path string, src []byte, opt Options) (Result, error) {
	if opt.Lines < 0 || opt.MaxBytes < 0 || opt.MaxFileSize < 0 {
		return Result{}, fmt.Errorf("chunk.File: %w: negative Lines (%d), MaxBytes (%d) or MaxFileSize (%d)",
			ErrOptions, opt.Lines, opt.MaxBytes, opt.MaxFileSize)
	}
	switch opt.Strategy {
	case "", Hybrid, Semantic, Size:
	default:
		return Result{}, fmt.Errorf("chunk.File: %w: unknown strategy %q", ErrOptions, opt.Strategy)
	}
	opt = opt.withDefaults()
	if opt.Overlap >= opt.Lines {
		return Result{}, fmt.Errorf("chunk.File: %w: overlap %d must be less than lines %d", ErrOptions, opt.Overlap, opt.Lines)
	}
	f := &file{path: path, src: src, opt: opt, lang: Lang(path)}
	res := Result{Lang: f.lang}
	if len(src) > opt.MaxFileSize {
		res.Skipped = SkipTooLarge
		res.Warnings = []string{fmt.Sprintf("%s: %d bytes, over the %d-byte limit", path, len(src), opt.MaxFileSize)}
		return res, nil
	}
	if i := bytes.IndexByte(src, 0); i >= 0 {
		res.Skipped = SkipBinary
		res.Warnings = []string{fmt.Sprintf("%s: NUL byte at offset %d", path, i)}
		return res, nil
	}
	if !utf8.Valid(src) {
		res.Skipped = SkipBinary
		res.Warnings = []string{fmt.Sprintf("%s: not valid UTF-8", path)}
		return res, nil
	}
	f.lines = newLineIndex(src)
	switch {
	case opt.Strategy == Size || f.lang == "text":
		f.sizeUnits(0, len(src), KindText, f.textName(), "")
	case f.lang == "go":
		f.chunkGo()
	case f.lang == "elixir":
		f.chunkElixir()
	}
	res.Chunks = f.finish()
	res.Warnings = f.warnings
	if f.nwarn > maxWarnings {
		res.Warnings = append(res.Warnings, fmt.Sprintf("… and %d more warnings", f.nwarn-maxWarnings))
	}
	return res, nil
}

// file is the state of one File call.
type file struct {
	path     string
	src      []byte
	opt      Options
	lang     string
	lines    lineIndex
	units    []unit
	warnings []string
	nwarn    int
}

// span is a half-open byte range.
type span struct{ start, end int }

// unit is a chunk before finishing: File's languages produce units, finish
// splits, measures and hashes them.
type unit struct {
	kind, name, parent string
	start, end         int
	refs               []ref
	// self is a name refs to the unit itself use (a recursive call).
	self     string
	private  bool
	defaults int
	// members are the names a Go const/var group declares, at the
	// offsets of their identifiers (Chunk.Members).
	members []ref
	// imports are the import paths of a Go file's qualifiers, on its
	// header (Chunk.Imports).
	imports map[string]string
	// shape is a Go type's (Chunk.Shape).
	shape []string
	// noSplit keeps the unit whole under Hybrid (containers, size pieces).
	noSplit bool
	// prot are the multi-line strings in a unit Hybrid will split: sorted,
	// disjoint ranges a cut must not fall inside.
	prot []span
}

// ref is a referenced name and where it occurs.
type ref struct {
	name string
	at   int
}

func (f *file) warnf(format string, args ...any) {
	f.nwarn++
	if f.nwarn <= maxWarnings {
		f.warnings = append(f.warnings, f.path+": "+fmt.Sprintf(format, args...))
	}
}

// PieceName names piece i (from 1) of a unit the chunker split because it
// was over MaxBytes: NAME#i.
func PieceName(unit string, i int) string { return unit + "#" + strconv.Itoa(i) }

// PieceOf returns the unit a chunk named NAME#N (N digits) is a piece of
// (see PieceName). Other names may hold a '#' too: an ExUnit test "fixes
// #12".
func PieceOf(name string) (unit string, ok bool) {
	i := strings.LastIndexByte(name, '#')
	if i <= 0 || i == len(name)-1 {
		return "", false
	}
	for _, r := range name[i+1:] {
		if r < '0' || r > '9' {
			return "", false
		}
	}
	return name[:i], true
}

// textName names size-based chunks of a whole file.
func (f *file) textName() string { return filepath.Base(f.path) }

// finish turns units into chunks: clamps ranges, splits oversized leaves
// under Hybrid, and computes lines, hashes, tokens and refs.
func (f *file) finish() []Chunk {
	out := make([]Chunk, 0, len(f.units))
	for i := range f.units {
		u := &f.units[i]
		u.start = max(0, min(u.start, len(f.src)))
		u.end = max(u.start, min(u.end, len(f.src)))
		if u.end == u.start {
			continue
		}
		if f.willSplit(u) {
			pieces := splitBytes(f.src, u.start, u.end, f.opt.MaxBytes, u.prot)
			if len(pieces) > 1 {
				for j, p := range pieces {
					out = append(out, f.chunk(u, PieceName(u.name, j+1), p.start, p.end))
				}
				continue
			}
		}
		out = append(out, f.chunk(u, u.name, u.start, u.end))
	}
	return out
}

// willSplit reports whether finish cuts u into pieces.
func (f *file) willSplit(u *unit) bool {
	return f.opt.Strategy == Hybrid && !u.noSplit && u.end-u.start > f.opt.MaxBytes
}

// protect records, for each unit finish will split, the strings inside it
// that a cut must not fall into; strings returns them for a range. The
// language calls it while its syntax tree is still alive.
func (f *file) protect(strings func(start, end int) []span) {
	for i := range f.units {
		if u := &f.units[i]; f.willSplit(u) {
			u.prot = strings(u.start, u.end)
		}
	}
}

// Hash is a chunk's content hash: the hex SHA-256 of its bytes, truncated
// to 16 bytes.
func Hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

func (f *file) chunk(u *unit, name string, start, end int) Chunk {
	c := Chunk{
		Path:      f.path,
		Lang:      f.lang,
		Kind:      u.kind,
		Name:      name,
		StartByte: start,
		EndByte:   end,
		StartLine: f.lines.line(start),
		EndLine:   f.lines.line(end - 1),
		Hash:      Hash(f.src[start:end]),
		Parent:    u.parent,
		Private:   u.private,
		Defaults:  u.defaults,
	}
	if f.opt.Count != nil {
		c.Tokens = f.opt.Count(string(f.src[start:end]))
	} else {
		c.Tokens = (end - start + 3) / 4
	}
	c.Refs = refsIn(u.refs, start, end, u, f.lang)
	c.Members = membersIn(u.members, start, end)
	c.Imports = u.imports
	if start == u.start {
		c.Shape = u.shape
	}
	return c
}

// membersIn returns the names of members declared in [start, end), in
// order: all of them for a whole unit, a piece's own for a piece.
func membersIn(members []ref, start, end int) []string {
	var out []string
	for _, m := range members {
		if m.at >= start && m.at < end {
			out = append(out, m.name)
		}
	}
	return out
}

// refsIn returns the names of refs occurring in [start, end), in order of
// first occurrence, without duplicates or the unit's own names, capped at
// MaxRefs. Past the cap, the refs most telling of what the unit does go
// first, each group in the order it was written (refRank): a long Go
// handler names http.StatusBadRequest and gin.H on every other line, and
// the calls of its own package's functions after the 32nd name were lost.
func refsIn(refs []ref, start, end int, u *unit, lang string) []string {
	if len(refs) == 0 {
		return nil
	}
	if !slices.IsSortedFunc(refs, func(a, b ref) int { return a.at - b.at }) {
		slices.SortStableFunc(refs, func(a, b ref) int { return a.at - b.at })
	}
	// Those in [start, end): a piece of a long unit reads its own, not
	// all the unit's (which made the pieces' cost the square of its size).
	lo, _ := slices.BinarySearchFunc(refs, start, func(r ref, at int) int { return r.at - at })
	hi, _ := slices.BinarySearchFunc(refs[lo:], end, func(r ref, at int) int { return r.at - at })
	refs = refs[lo : lo+hi]
	var out []string
	seen := make(map[string]bool, len(refs))
	for _, r := range refs {
		if seen[r.name] || r.name == u.self || r.name == u.parent {
			continue
		}
		seen[r.name] = true
		out = append(out, r.name)
	}
	if len(out) <= MaxRefs {
		return out
	}
	own := ""
	if lang == "go" {
		if k := strings.IndexByte(u.name, '.'); k > 0 {
			own = u.name[:k+1]
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return refRank(a, own) - refRank(b, own) })
	return out[:MaxRefs]
}

// refRank orders a unit's refs for the cap: a Go unit's own package's
// names first (unqualified, as the index qualifies them, or its methods,
// pkg.(*T).M: its callees there, the graph's most telling edges), then
// other packages' and Elixir modules' names, then Kernel's functions and
// macros (`is_list`, `if`, `|>`), which are on every other line of
// Elixir. own is "pkg." for a Go unit, else "".
func refRank(name, own string) int {
	switch {
	case own != "" && (strings.HasPrefix(name, own) || !strings.Contains(name, ".")):
		return 0
	case strings.HasPrefix(name, "Kernel."):
		return 2
	}
	return 1
}
