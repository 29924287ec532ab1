package chunk

import (
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
		{"nested aliases", `alias Foo.Bar.{Baz, Qux}`, []string{"Foo.Bar", "Baz", "Qux"}},
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
		{"fn and do inside", `f(fn a, b -> a end, if x do y else z end, c)`, []string{"f()/3"}},
		{"call without parens inside", `f(for x <- xs, y <- ys, do: x); g(a and b, c)`, []string{"f()/1", "g()/2"}},
		{"pipes", `x |> f(a) |> Mod.g()
|> :m.h(b, c)
|> Mod.i
|> j()`, []string{"f()/2", "Mod.g/1", ":m.h/3", "Mod.i/1", "j()/1"}},
		{"pipe into a call without parens", `x |> Mod.f a, b`, []string{"Mod.f"}},
		{"pipe into what a call returns", `x |> Mod.shell().info(); x |> f(a).(b)`, []string{"Mod.shell/0", "f()/1"}},
		{"remote call without parens", `Mod.f a, b
Mod.g
Mod.h(a)`, []string{"Mod.f", "Mod.g", "Mod.h/1"}},
		{"captures", `&f/2; &Mod.g/1; & :m.h / 3; &i(&1, x); &Mod.j(&1); a && k/2; &and/2`, []string{"f()/2", "Mod.g/1", ":m.h/3", "i()/2", "Mod.j/1"}},
		{"do block", `schema("users") do
  field(:name)
end
x = 1; quote(a) do b end`, []string{"schema()/2", "field()/1", "quote()/2"}},
		{"do block of an outer call", `if f(x) do a end
def g(y) do b end
case Mod.h(z) do _ -> c end
for x <- xs, k(x) do x end`, []string{"f()/1", "g()/1", "Mod.h/1", "k()/1"}},
		{"do block after a line that goes on", `when a and
  f(x) do
  b
end`, []string{"f()/1"}},
		{"do block inside brackets", `g(a, f(x) do
 b
end)`, []string{"g()/2", "f()/2"}},
		{"do on the next line is not the call's", `f(x)
do_it()`, []string{"f()/1", "do_it()/0"}},
		{"call without parens up to its do block", `f(a, if x do y end, c); g(if x, do: y, else: z)`, []string{"f()/3", "g()/1"}},
		{"bracket left open", `g(a, [b, c)`, []string{"g()/2"}},
		{"call left open", `f(a, b`, []string{"f()"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range exLexRefs([]byte(tt.src)) {
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
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("refs of %q (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

// refQuery is what exLexer stands in for, as a tree-sitter query: calls
// (with the call node, whose arguments, do block and pipe give the
// arity), module names, and local functions captured by arity (&f/2).
const refQuery = `
(call target: (dot left: [(alias) (atom)] @mod right: (identifier) @fun)) @call
(call target: (identifier) @local) @call
(alias) @alias
(unary_operator operator: "&" operand: (binary_operator left: (identifier) @local operator: "/" right: (integer) @n))
`

// TestExLexAgreesWithTreeSitter runs exLexer and refQuery on the Elixir
// sources and compares what they find: every remote call, module name and
// local call with parentheses the query finds, at the same offset, and the
// call's arity where the lexer gives one (elixir_arity.go): counted from
// the tree's arguments, do block and pipe.
func TestExLexAgreesWithTreeSitter(t *testing.T) {
	files := elixirLibFiles(t, elixirCorpus(t), true)
	g, err := elixirGrammar()
	if err != nil {
		t.Fatal(err)
	}
	q, qerr := sitter.NewQuery(g.lang, refQuery)
	if qerr != nil {
		t.Fatal(qerr)
	}
	defer q.Close()
	p := sitter.NewParser()
	defer p.Close()
	if err := p.SetLanguage(g.lang); err != nil {
		t.Fatal(err)
	}
	var total, arities, missed, extra int
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := queryRefs(t, p, q, src)
		var got []string
		for _, r := range exLexRefs(src) {
			s := fmt.Sprintf("%d %s|%s", r.at, r.mod, r.fun)
			if r.arity != noArity {
				s += fmt.Sprintf("/%d", r.arity)
			}
			got = append(got, s)
		}
		total += len(want)
		for _, w := range want {
			if strings.Contains(w, "/") {
				arities++
			}
			if !slices.Contains(got, w) {
				missed++
				if missed <= 20 {
					t.Errorf("%s: lexer misses %s", path, w)
				}
			}
		}
		for _, g := range got {
			// The lexer also reports __MODULE__.fun, which the query leaves out.
			if !slices.Contains(want, g) && !strings.Contains(g, "__MODULE__") {
				extra++
				if extra <= 20 {
					t.Errorf("%s: lexer finds %s, the query does not", path, g)
				}
			}
		}
	}
	if arities < total/2 {
		t.Errorf("only %d of %d refs have an arity", arities, total)
	}
	t.Logf("%d files, %d refs from the query (%d with an arity): lexer misses %d, adds %d", len(files), total, arities, missed, extra)
}

// queryRefs returns what refQuery finds in src, as "at mod|fun", with
// "/arity" for a call written with parentheses, a capture, or a pipe into
// a remote call without arguments; local calls only where a '(' follows
// the name at once.
func queryRefs(t *testing.T, p *sitter.Parser, q *sitter.Query, src []byte) []string {
	t.Helper()
	tree := p.Parse(src, nil)
	defer tree.Close()
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
			if int(e) < len(src) && src[e] == '(' && (s == 0 || src[s-1] != '@') {
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
		}
	}
	return out
}

// treeArity is the arity of a call as the tree shows it ("/2"), or "" for
// a call without parentheses (after its name, which ends at fun) that is
// neither a capture (&Mod.f/2) nor a pipe into a remote call without
// arguments (x |> Mod.f, which is Mod.f/1).
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
	switch {
	case parens:
		if do {
			n++
		}
		if pipe {
			n++
		}
		return fmt.Sprintf("/%d", n)
	case parent != nil && parent.Kind() == "binary_operator" && op(parent) == "/" && !args &&
		parent.Parent() != nil && parent.Parent().Kind() == "unary_operator" && op(parent.Parent()) == "&":
		r := parent.ChildByFieldName("right")
		return "/" + string(src[r.StartByte():r.EndByte()])
	case pipe && !args && !do:
		return "/1"
	}
	return ""
}
