package chunk

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	sitter "github.com/tree-sitter/go-tree-sitter"
)

func TestExLexRefs(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"remote and local", `Repo.get(User, id) |> check()`, []string{"Repo.get/2", "User", "check()/1"}},
		{"erlang module", `:ets.lookup(t, k); :ok`, []string{":ets.lookup/2"}},
		{"remote capture", `&Enum.map/2`, []string{"Enum.map/2"}},
		{"module attribute", `@doc "x"
@spec f(t) :: t()`, []string{"f()/1", "t()/0"}},
		{"comment", `# Repo.get(x)
x()`, []string{"x()/0"}},
		{"string with interpolation", `"Repo.get #{inspect(x, "}")} done" <> y()`, []string{"inspect()/2", "y()/0"}},
		{"heredoc", "@doc \"\"\"\n  Repo.get(x) \"\"\" not yet\n  \"\"\"\nz()", []string{"z()/0"}},
		{"sigils", `~r/Foo.bar(/i ~S(a\) Foo.b()) ~w[a b]a ~s{#{Mod.f()}}`, []string{"Mod.f/0"}},
		{"sigil heredoc", "~S\"\"\"\nFoo.bar()\n\"\"\"\nok()", []string{"ok()/0"}},
		{"char literals", `?" ?# ?\" Mod.f(?,, ?))`, []string{"Mod.f/2"}},
		{"keyword keys and fields", `f(do: x, else: y) ; x.field(1); conn.assigns`, []string{"f()/1"}},
		{"quoted atom and type op", `:"Repo.get()" ; x :: Mod.t()`, []string{"Mod.t/0"}},
		{"nested aliases", `alias Foo.Bar.{Baz, Qux}`, []string{"alias()/1", "Foo.Bar", "Baz", "Qux"}},
		{"__MODULE__", `__MODULE__.f(1); %__MODULE__{}; __MODULE__.Sub.g(); __MODULE__.Any`, []string{"__MODULE__.f/1", "__MODULE__.Sub.g/0", "__MODULE__.Any"}},
		{"range", `1..n; x..y(); f(a)..String.to_integer(b)`, []string{"y()/0", "f()/1", "String.to_integer/1"}},
		{"charlist", `'Foo.bar()' ++ g()`, []string{"g()/0"}},
		{"unicode identifier", `olá(1); Mód.f()`, []string{"olá()/1", "Mód.f/0"}},
		{"unterminated string", `f("abc`, []string{"f()"}},
		{"keyword alias key", `[W: x(), Foo: 1] ++ ?0.Bar.baz`, []string{"x()/0"}},
		{"heredoc line continuation", "\"\"\"\n  a \\\n  \"\"\"\nMod.f()", []string{"Mod.f/0"}},

		// Arities (elixir_arity.go).
		{"nested brackets", `f([a, b], {c, d}, %{e: 1, g: 2}, <<h, i>>, (j; k))`, []string{"f()/5"}},
		{"nested calls", `f(g(a, b), c)`, []string{"f()/2", "g()/2"}},
		{"trailing keyword list", `f(a, b: 1, c: 2); g(a: 1); h("a b": 1, c: 2); i([a: 1], b)`, []string{"f()/2", "g()/1", "h()/1", "i()/2"}},
		{"fn and do inside", `f(fn a, b -> a end, if x do y else z end, c)`, []string{"f()/3", "if()/2"}},
		{"call without parens inside", `f(for x <- xs, y <- ys, do: x); g(a and b, c)`, []string{"f()/1", "for()/3", "g()/2"}},
		{"pipes", `x |> f(a) |> Mod.g()
|> :m.h(b, c)
|> Mod.i
|> j()`, []string{"f()/2", "Mod.g/1", ":m.h/3", "Mod.i/1", "j()/1"}},
		{"pipe into a call without parens", `x |> Mod.f a, b`, []string{"Mod.f/3"}},
		{"pipe into what a call returns", `x |> Mod.shell().info(); x |> f(a).(b)`, []string{"Mod.shell/0", "f()/1"}},
		{"remote call without parens", `Mod.f a, b
Mod.g
Mod.h(a)`, []string{"Mod.f/2", "Mod.g/0", "Mod.h/1"}},
		{"captures", `&f/2; &Mod.g/1; & :m.h / 3; &i(&1, x); &Mod.j(&1); a && k/2; &and/2`, []string{"f()/2", "Mod.g/1", ":m.h/3", "i()/2", "Mod.j/1"}},
		{"do block", `schema("users") do
  field(:name)
end
x = 1; quote(a) do b end`, []string{"schema()/2", "field()/1", "quote()/2"}},
		{"do block of an outer call", `if f(x) do a end
def g(y) do b end
case Mod.h(z) do _ -> c end
for x <- xs, k(x) do x end`, []string{"if()/2", "f()/1", "def()/2", "g()/1", "case()/2", "Mod.h/1", "for()/3", "k()/1"}},
		{"do block after a line that goes on", `when a and
  f(x) do
  b
end`, []string{"f()/1"}},
		{"do block inside brackets", `g(a, f(x) do
 b
end)`, []string{"g()/2", "f()/2"}},
		{"do on the next line is not the call's", `f(x)
do_it()`, []string{"f()/1", "do_it()/0"}},
		{"call without parens up to its do block", `f(a, if x do y end, c); g(if x, do: y, else: z)`, []string{"f()/3", "if()/2", "g()/1", "if()/2"}},
		{"bracket left open", `g(a, [b, c)`, []string{"g()/2"}},

		// Local calls without parentheses (elixir_noparens.go).
		{"without parens", "fetch k do\n :x\nend\nx = fetch k\nfetch k, []\nx", []string{"fetch()/2", "fetch()/1", "fetch()/2"}},
		{"name alone is no call", "x = fetch\nfetch\nfetch.field\nfetch - 1\nfetch[1]", nil},
		{"argument starts", `a -1; b !x; c ^x; d &f/1; e true; f fn -> 1 end; g <<1>>; h not x; i :x; j ~w(a); k ?a; l @x; m (1); n %{}; o "s"; p 'c'; q [1]; r {1}; s 1; t X; u v`,
			[]string{"a()/1", "b()/1", "c()/1", "d()/1", "f()/1", "e()/1", "f()/1", "g()/1", "h()/1", "i()/1", "j()/1", "k()/1", "l()/1", "m()/1", "n()/1", "o()/1", "p()/1", "q()/1", "r()/1", "s()/1", "t()/1", "X", "u()/1"}},
		{"no argument", `a + 1; a - 1; a ..b; a in b; a when b; a and b; a not in b; a :: b; a \\ b; a = b; a |> b(); a.b; a[1]`, []string{"b()/1"}},
		{"nested: the innermost takes the commas", `if fetch k, do: x
with {:ok, x} <- fetch k, {:ok, y} <- g(x) do y end`, []string{"if()/1", "fetch()/2", "with()/2", "fetch()/2", "g()/1"}},
		{"nested: the outermost takes the do block", `fetch a, if x do y end; fetch a, g(b) do 1 end`, []string{"fetch()/3", "if()/1", "fetch()/3", "g()/1"}},
		{"keywords", `fetch a, b: 1, c: 2; quote do: x; receive do: (a -> b), after: (0 -> c)`, []string{"fetch()/2", "quote()/1", "receive()/1"}},
		{"a line goes on after a comma or before an operator", `fetch a,
  b
x = fetch a
  |> g(b, c)
fetch a
-b
fetch a # comment
, b`, []string{"fetch()/2", "fetch()/1", "g()/3", "fetch()/1", "fetch()/1"}},
		{"ends with ; -> and clause words", `fetch a; b
case x do
  y when is_map y -> fetch y, 1
end
if x do fetch y else fetch z, 1 end`, []string{"fetch()/1", "case()/2", "is_map()/1", "fetch()/2", "if()/2", "fetch()/1", "fetch()/2"}},
		{"name then do block", `schema do field :a, :b end
case x do _ -> 1 end`, []string{"schema()/1", "field()/2", "case()/2"}},
		{"operator atoms are values", `c = if op in [:===, :!==], do: :===, else: :==
quote do x end`, []string{"if()/2", "quote()/1"}},
		{"interpolation", `f("#{fetch k}", a, b)`, []string{"f()/3", "fetch()/1"}},
		{"pipe into a name", `x |> fetch; y |> fetch == 1; z |> fetch + 1; w |> fetch k`, []string{"fetch()/1", "fetch()/1", "fetch()/2"}},
		{"attribute arguments", `@spec fetch(t, k) :: t
@type t :: %{a: b} | c`, []string{"fetch()/2"}},
		{"call left open", `f(a, b`, []string{"f()"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, lexRefStrings(tt.src)); diff != "" {
				t.Errorf("refs of %q (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

// lexRefStrings returns the refs exLexer finds in src as `Mod.f/2`,
// `f()/1` (a local call), `Mod` (a module name), without the arity where
// it has none.
func lexRefStrings(src string) []string {
	var got []string
	for _, r := range exLexRefs([]byte(src), nil) {
		var s string
		switch {
		case r.mod != "":
			s = r.mod + "." + r.fun
		case r.alias:
			s = r.fun
		default:
			s = r.fun + "()"
		}
		if r.arity != noArity {
			s += fmt.Sprintf("/%d", r.arity)
		}
		got = append(got, s)
	}
	return got
}

// refQuery is what exLexer stands in for, as a tree-sitter query: calls
// (with the call node, whose arguments, do block and pipe give the
// arity), module names, and local functions captured by arity (&f/2).
const refQuery = `
(call target: (dot left: [(alias) (atom)] @mod right: (identifier) @fun)) @call
(call target: (identifier) @local) @call
(alias) @alias
(unary_operator operator: "&" operand: (binary_operator left: (identifier) @local operator: "/" right: (integer) @n))
(binary_operator operator: "|>" right: (identifier) @piped)
(sigil (quoted_content) @text)
`

// TestExLexAgreesWithTreeSitter runs exLexer and refQuery on the Elixir
// sources and compares what they find: every remote call, module name and
// local call the query finds, at the same offset, with the call's arity
// (elixir_arity.go) counted from the tree's arguments, do block and pipe,
// for calls with parentheses and without (`fetch k, []`, `Mod.f a, b`,
// `Mod.f`) alike.
func TestExLexAgreesWithTreeSitter(t *testing.T) {
	files := elixirLibFiles(t, elixirCorpus(t), true)
	c := newTreeSitterComparer(t)
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		c.compare(t, path, src)
	}
	if c.arities < c.total/2 {
		t.Errorf("only %d of %d refs have an arity", c.arities, c.total)
	}
	t.Logf("%d files, %d refs from the query (%d with an arity, %d remote calls without parentheses): lexer misses %d, adds %d",
		len(files), c.total, c.arities, c.remoteNoParens, c.missed, c.extra)
}

// treeSitterComparer compares exLexer's refs with refQuery's, file by
// file, and counts what it compared and the differences.
type treeSitterComparer struct {
	p                                             *sitter.Parser
	q                                             *sitter.Query
	total, arities, remoteNoParens, missed, extra int
}

func newTreeSitterComparer(t *testing.T) *treeSitterComparer {
	t.Helper()
	g, err := elixirGrammar()
	if err != nil {
		t.Fatal(err)
	}
	q, qerr := sitter.NewQuery(g.lang, refQuery)
	if qerr != nil {
		t.Fatal(qerr)
	}
	t.Cleanup(q.Close)
	p := sitter.NewParser()
	t.Cleanup(p.Close)
	if err := p.SetLanguage(g.lang); err != nil {
		t.Fatal(err)
	}
	return &treeSitterComparer{p: p, q: q}
}

// compare reports, as test errors, what the query finds in src and the
// lexer misses, and what the lexer finds and the query does not.
func (c *treeSitterComparer) compare(t *testing.T, path string, src []byte) {
	t.Helper()
	want, errs := queryRefs(t, c.p, c.q, src)
	var got []string
	for _, r := range exLexRefs(src, nil) {
		// A call without parentheses where tree-sitter's parse went
		// wrong is not in its tree: inside an ERROR node, or in the
		// text of a sigil it reads further than Elixir does (`~S[:\\]`
		// in literals_test.exs, a file that compiles).
		if !r.alias && !parensAfter(src, r) && inSpans(errs, r.at) {
			continue
		}
		s := fmt.Sprintf("%d %s|%s", r.at, r.mod, r.fun)
		if r.arity != noArity {
			s += fmt.Sprintf("/%d", r.arity)
		}
		if r.mod != "" && !parensAfter(src, r) {
			c.remoteNoParens++
		}
		got = append(got, s)
	}
	c.total += len(want)
	for _, w := range want {
		if strings.Contains(w, "/") {
			c.arities++
		}
		if !slices.Contains(got, w) {
			c.missed++
			if c.missed <= 20 {
				t.Errorf("%s: lexer misses %s", path, w)
			}
		}
	}
	for _, g := range got {
		// The lexer also reports __MODULE__.fun, which the query leaves out.
		if !slices.Contains(want, g) && !strings.Contains(g, "__MODULE__") {
			c.extra++
			if c.extra <= 20 {
				t.Errorf("%s: lexer finds %s, the query does not", path, g)
			}
		}
	}
}

// queryRefs returns what refQuery finds in src, as "at mod|fun", with
// "/arity" for a call written with parentheses, a local call without
// them, a capture, or a pipe into a remote call without arguments; and
// the spans of the tree's ERROR nodes, of what a MISSING node closes, and
// of the text of sigils.
func queryRefs(t *testing.T, p *sitter.Parser, q *sitter.Query, src []byte) ([]string, []span) {
	t.Helper()
	tree := p.Parse(src, nil)
	defer tree.Close()
	var errs []span
	var walk func(n *sitter.Node)
	walk = func(n *sitter.Node) {
		if n.IsError() {
			errs = append(errs, span{int(n.StartByte()), int(n.EndByte())})
			return
		}
		if !n.HasError() {
			return
		}
		for i := range n.ChildCount() {
			// What a MISSING node ends (a do block tree-sitter closes at
			// the end of the file) has swallowed what follows the error.
			if c := n.Child(i); c.IsMissing() {
				errs = append(errs, span{int(n.StartByte()), int(n.EndByte())})
			} else {
				walk(c)
			}
		}
	}
	walk(tree.RootNode())
	qc := sitter.NewQueryCursor()
	defer qc.Close()
	names := q.CaptureNames()
	var out []string
	ms := qc.Matches(q, tree.RootNode(), src)
	for m := ms.Next(); m != nil; m = ms.Next() {
		c := map[string]sitter.Node{}
		for _, cp := range m.Captures {
			c[names[cp.Index]] = cp.Node
		}
		switch m.PatternIndex {
		case 0:
			n, f, call := c["mod"], c["fun"], c["call"]
			s, e := n.StartByte(), n.EndByte()
			out = append(out, fmt.Sprintf("%d %s|%s%s", s, compact(string(src[s:e])), src[f.StartByte():f.EndByte()], treeArity(src, call, f)))
		case 1:
			n, call := c["local"], c["call"]
			s, e := n.StartByte(), n.EndByte()
			// An attribute (@doc(…)) is not a call; the lexer skips it.
			// In `defmacro left |> right do` (the definition of |>),
			// tree-sitter gives the do block to right, Elixir's parser
			// to defmacro.
			if (s == 0 || src[s-1] != '@') && !pipeDefHead(src, int(s), int(e)) {
				out = append(out, fmt.Sprintf("%d |%s%s", s, src[s:e], treeArity(src, call, n)))
			}
		case 2:
			n := c["alias"]
			s, e := n.StartByte(), n.EndByte()
			// A name after a dot (x.Foo) is not a module; the lexer reports
			// __MODULE__.Foo whole, under __MODULE__.
			// An attribute named like a module (@Upper) is skipped too.
			if afterDot(src, int(s)) || s > 0 && src[s-1] == '@' {
				continue
			}
			// An alias that is the module of a remote call is reported as
			// the call.
			if pn := n.Parent(); pn != nil && pn.Kind() == "dot" {
				if gp := pn.Parent(); gp != nil && gp.Kind() == "call" && pn.ChildByFieldName("left").StartByte() == s {
					if r := pn.ChildByFieldName("right"); r != nil && r.Kind() == "identifier" {
						continue
					}
				}
			}
			out = append(out, fmt.Sprintf("%d |%s", s, compact(string(src[s:e]))))
		case 3:
			n, a := c["local"], c["n"]
			s, e := n.StartByte(), n.EndByte()
			out = append(out, fmt.Sprintf("%d |%s/%s", s, src[s:e], src[a.StartByte():a.EndByte()]))
		case 4:
			// x |> f calls f(x).
			n := c["piped"]
			s, e := n.StartByte(), n.EndByte()
			if !pipeDefHead(src, int(s), int(e)) {
				out = append(out, fmt.Sprintf("%d |%s/1", s, src[s:e]))
			}
		case 5:
			n := c["text"]
			errs = append(errs, span{int(n.StartByte()), int(n.EndByte())})
		}
	}
	return out, errs
}

// pipeDefHead reports the name at s (ending at e) in `defmacro left |>
// right do`, the definition of |>: a parameter, which tree-sitter takes for
// a call (piped into, or given the do block), and Elixir's parser does not.
func pipeDefHead(src []byte, s, e int) bool {
	line := bytes.TrimLeft(src[bytes.LastIndexByte(src[:s], '\n')+1:s], " ")
	return doFollows(src, e) && bytes.HasPrefix(line, []byte("def")) && bytes.HasSuffix(bytes.TrimRight(line, " "), []byte("|>"))
}

// parensAfter reports a ref to a call written with parentheses.
func parensAfter(src []byte, r rawRef) bool {
	e := r.at + len(r.fun)
	if r.mod != "" {
		e += len(r.mod) + 1
	}
	return e < len(src) && src[e] == '('
}

func inSpans(ss []span, at int) bool {
	for _, s := range ss {
		if s.start <= at && at < s.end {
			return true
		}
	}
	return false
}

// treeArity is the arity of a call as the tree shows it ("/2"): the
// arity a capture names (&Mod.f/2), else the call's arguments, do block
// and pipe, with parentheses or without (`Mod.f a, b`, `Mod.f`, `x |>
// Mod.f`); fun is the call's name.
func treeArity(src []byte, call, fun sitter.Node) string {
	parent := call.Parent()
	op := func(n *sitter.Node) string {
		if o := n.ChildByFieldName("operator"); o != nil {
			return string(src[o.StartByte():o.EndByte()])
		}
		return ""
	}
	pipe := parent != nil && parent.Kind() == "binary_operator" && op(parent) == "|>" &&
		parent.ChildByFieldName("right").StartByte() == call.StartByte() && parent.ChildByFieldName("right").EndByte() == call.EndByte()
	n, args, do := 0, false, false
	for i := range call.NamedChildCount() {
		ch := call.NamedChild(i)
		switch ch.Kind() {
		case "arguments":
			args = true
			for j := range ch.NamedChildCount() {
				if ch.NamedChild(j).Kind() != "comment" {
					n++
				}
			}
		case "do_block":
			do = true
		}
	}
	parens := int(fun.EndByte()) < len(src) && src[fun.EndByte()] == '('
	if !parens && !args && parent != nil && parent.Kind() == "binary_operator" && op(parent) == "/" &&
		parent.Parent() != nil && parent.Parent().Kind() == "unary_operator" && op(parent.Parent()) == "&" {
		r := parent.ChildByFieldName("right")
		return "/" + string(src[r.StartByte():r.EndByte()])
	}
	if do {
		n++
	}
	if pipe {
		n++
	}
	return fmt.Sprintf("/%d", n)
}
