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
		{"remote and local", `Repo.get(User, id) |> check()`, []string{"Repo.get", "User", "check()"}},
		{"erlang module", `:ets.lookup(t, k); :ok`, []string{":ets.lookup"}},
		{"no-paren remote", `&Enum.map/2`, []string{"Enum.map"}},
		{"module attribute", `@doc "x"
@spec f(t) :: t()`, []string{"f()", "t()"}},
		{"comment", `# Repo.get(x)
x()`, []string{"x()"}},
		{"string with interpolation", `"Repo.get #{inspect(x, "}")} done" <> y()`, []string{"inspect()", "y()"}},
		{"heredoc", "@doc \"\"\"\n  Repo.get(x) \"\"\" not yet\n  \"\"\"\nz()", []string{"z()"}},
		{"sigils", `~r/Foo.bar(/i ~S(a\) Foo.b()) ~w[a b]a ~s{#{Mod.f()}}`, []string{"Mod.f"}},
		{"sigil heredoc", "~S\"\"\"\nFoo.bar()\n\"\"\"\nok()", []string{"ok()"}},
		{"char literals", `?" ?# ?\" Mod.f()`, []string{"Mod.f"}},
		{"keyword keys and fields", `f(do: x, else: y) ; x.field(1); conn.assigns`, []string{"f()"}},
		{"quoted atom and type op", `:"Repo.get()" ; x :: Mod.t()`, []string{"Mod.t"}},
		{"nested aliases", `alias Foo.Bar.{Baz, Qux}`, []string{"Foo.Bar", "Baz", "Qux"}},
		{"__MODULE__", `__MODULE__.f(1); %__MODULE__{}; __MODULE__.Sub.g(); __MODULE__.Any`, []string{"__MODULE__.f", "__MODULE__.Sub.g", "__MODULE__.Any"}},
		{"range", `1..n; x..y(); f(a)..String.to_integer(b)`, []string{"y()", "f()", "String.to_integer"}},
		{"charlist", `'Foo.bar()' ++ g()`, []string{"g()"}},
		{"unicode identifier", `olá(1); Mód.f()`, []string{"olá()", "Mód.f"}},
		{"unterminated string", `f("abc`, []string{"f()"}},
		{"keyword alias key", `[W: x(), Foo: 1] ++ ?0.Bar.baz`, []string{"x()"}},
		{"heredoc line continuation", "\"\"\"\n  a \\\n  \"\"\"\nMod.f()", []string{"Mod.f"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range exLexRefs([]byte(tt.src)) {
				switch {
				case r.mod != "":
					got = append(got, r.mod+"."+r.fun)
				case r.alias:
					got = append(got, r.fun)
				default:
					got = append(got, r.fun+"()")
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("refs of %q (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

// refQuery is what exLexer stands in for, as a tree-sitter query.
const refQuery = `
(call target: (dot left: [(alias) (atom)] @mod right: (identifier) @fun))
(call target: (identifier) @local)
(alias) @alias
`

// TestExLexAgreesWithTreeSitter runs exLexer and refQuery on the Elixir
// sources and compares what they find: every remote call, module name and
// local call with parentheses the query finds, at the same offset.
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
	var total, missed, extra int
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := queryRefs(t, p, q, src)
		var got []string
		for _, r := range exLexRefs(src) {
			got = append(got, fmt.Sprintf("%d %s|%s", r.at, r.mod, r.fun))
		}
		total += len(want)
		for _, w := range want {
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
	t.Logf("%d files, %d refs from the query: lexer misses %d, adds %d", len(files), total, missed, extra)
}

// queryRefs returns what refQuery finds in src, as "at mod|fun"; local
// calls only where a '(' follows the name at once.
func queryRefs(t *testing.T, p *sitter.Parser, q *sitter.Query, src []byte) []string {
	t.Helper()
	tree := p.Parse(src, nil)
	defer tree.Close()
	qc := sitter.NewQueryCursor()
	defer qc.Close()
	var out []string
	ms := qc.Matches(q, tree.RootNode(), src)
	for m := ms.Next(); m != nil; m = ms.Next() {
		n := m.Captures[0].Node
		s, e := n.StartByte(), n.EndByte()
		switch m.PatternIndex {
		case 0:
			f := m.Captures[1].Node
			out = append(out, fmt.Sprintf("%d %s|%s", s, compact(string(src[s:e])), src[f.StartByte():f.EndByte()]))
		case 1:
			// An attribute (@doc(…)) is not a call; the lexer skips it.
			if int(e) < len(src) && src[e] == '(' && (s == 0 || src[s-1] != '@') {
				out = append(out, fmt.Sprintf("%d |%s", s, src[s:e]))
			}
		case 2:
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
		}
	}
	return out
}
