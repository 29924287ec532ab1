package exlex

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tokens returns src's tokens as "Kind text", with "/depth" after those
// inside interpolations.
func tokens(t *testing.T, src string) []string {
	t.Helper()
	var out []string
	Lex(src, func(tk Token) {
		s := fmt.Sprintf("%v %s", tk.Kind, src[tk.Start:tk.End])
		if tk.Depth > 0 {
			s += fmt.Sprintf("/%d", tk.Depth)
		}
		out = append(out, s)
	})
	return out
}

func TestLex(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"empty", "", nil},
		{"punctuation only", "( ) [ ] { } , . | -> <> ++ => \\\\ :: %", nil},
		{"comment", "x # note\ny", []string{"Ident x", "Comment # note", "Ident y"}},
		{"interpolation in code is a comment", `#{x}`, []string{"Comment #{x}"}},
		{"string", `"a \" b" 'cl'`, []string{`String "a \" b"`, "String 'cl'"}},
		{"interpolation", `"a #{b} c"`, []string{`String "a #{`, "Ident b/1", `String } c"`}},
		{"nested interpolation", `"#{"x #{y}"}"`, []string{`String "#{`, `String "x #{/1`, "Ident y/2", `String }"/1`, `String }"`}},
		{"braces inside interpolation", `"#{%{a: 1}}" z`, []string{`String "#{`, "Key a:/1", "Number 1/1", `String }"`, "Ident z"}},
		{"heredoc", "\"\"\"\n  a \"\"\" b\n  \"\"\"\nx", []string{"Heredoc \"\"\"\n  a \"\"\" b\n  \"\"\"", "Ident x"}},
		{"charlist heredoc", "'''\nx\n'''", []string{"Heredoc '''\nx\n'''"}},
		{"heredoc interpolation", "\"\"\"\n#{x}\n\"\"\"", []string{"Heredoc \"\"\"\n#{", "Ident x/1", "Heredoc }\n\"\"\""}},
		{"heredoc line continuation", "\"\"\"\n a \\\n \"\"\"", []string{"Heredoc \"\"\"\n a \\\n \"\"\""}},
		{"sigils", `~r/a+\/b/i ~S(a\) #{x}) ~w[a b]a`, []string{`Sigil ~r/a+\/b/i`, `Sigil ~S(a\) #{x})`, "Sigil ~w[a b]a"}},
		{"sigil interpolation", `~s{#{Mod.f()}}`, []string{"Sigil ~s{#{", "Alias Mod/1", "Ident f/1", "Sigil }}"}},
		{"sigil heredoc", "~S\"\"\"\n#{x}\n\"\"\"m", []string{"Sigil ~S\"\"\"\n#{x}\n\"\"\"m"}},
		{"sigil without a known delimiter", "~r@a@", []string{"Sigil ~r", "Attr @a"}},
		{"long sigil name", `~HTML"x"`, []string{`Sigil ~HTML"x"`}},
		{"atoms", `:ok :Foo :"a #{b}" :'c' :: x`, []string{"Atom :ok", "Atom :Foo", `QuotedAtom :"a #{`, "Ident b/1", `QuotedAtom }"`, "QuotedAtom :'c'", "Ident x"}},
		{"keyword keys", `[do: 1, Foo: 2, x::y, s.f: 3]`, []string{"Key do:", "Number 1", "Key Foo:", "Number 2", "Ident x", "Ident y", "Ident s", "Ident f", "Number 3"}},
		{"chars", `?a ?\n ?" ?# ?é ? x`, []string{"Char ?a", `Char ?\n`, `Char ?"`, "Char ?#", "Char ?é", "Ident x"}},
		{"numbers", `1_000 0x1F 1.5e-3 1..2`, []string{"Number 1_000", "Number 0x1F", "Number 1.5e-3", "Number 1", "Number 2"}},
		{"attributes", `@doc @Foo @1`, []string{"Attr @doc", "Alias Foo", "Number 1"}},
		{"aliases and calls", `Foo.Bar.baz(x?, y!)`, []string{"Alias Foo.Bar", "Ident baz", "Ident x?", "Ident y!"}},
		{"unicode names", `olá(1) Mód`, []string{"Ident olá", "Number 1", "Alias Mód"}},
		{"unterminated string", `f("abc`, []string{"Ident f", `String "abc`}},
		{"unterminated interpolation", `"a #{b`, []string{`String "a #{`, "Ident b/1"}},
		{"interpolation closed at the end", `"a #{b}`, []string{`String "a #{`, "Ident b/1"}},
		{"unterminated heredoc", "\"\"\"\nabc", []string{"Heredoc \"\"\"\nabc"}},
		{"unterminated sigil", "~r/abc", []string{"Sigil ~r/abc"}},
		{"sigil letter at the end", "x ~r", []string{"Ident x", "Sigil ~r"}},
		{"backslash at the end", `"a\`, []string{`String "a\`}},
		{"char at the end", `?\`, []string{`Char ?\`}},
		{"lone marks at the end", `x ? : @ ~`, []string{"Ident x"}},
		{"key at the end", `x:`, []string{"Key x:"}},
		{"invalid UTF-8", "\xff(\"\xfe\") ?\xff :\xc3", []string{"Ident \xff", "String \"\xfe\"", "Char ?\xff", "Atom :\xc3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tokens(t, tt.src)); diff != "" {
				t.Errorf("tokens of %q (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

func TestFindUnclosed(t *testing.T) {
	tests := []struct {
		name, src string
		want      Unclosed // What "" for none
	}{
		{"closed literals", "x = \"a #{\"b\"}\" <> 'c' <> ~s(d) <> ~r/e/i\n:\"f\"\n\"\"\"\ng\n\"\"\"\n?\" ~w[h]", Unclosed{}},
		{"string", "f(\n\"abc\n", Unclosed{3, "string", `"`}},
		{"charlist", "f 'abc\n", Unclosed{2, "string", "'"}},
		{"heredoc", "x\n  \"\"\"\n  abc\n", Unclosed{4, "heredoc", `"""`}},
		{"charlist heredoc", "'''\nabc\n", Unclosed{0, "heredoc", "'''"}},
		{"sigil with quotes", `x = ~s"abc`, Unclosed{4, `sigil ~s"`, `"`}},
		{"sigil with slashes", `~r/abc\/`, Unclosed{0, "sigil ~r/", "/"}},
		{"sigil with brackets", `~w[a b`, Unclosed{0, "sigil ~w[", "]"}},
		{"sigil with braces", `~c{a`, Unclosed{0, "sigil ~c{", "}"}},
		{"sigil with bars", `~S|a`, Unclosed{0, "sigil ~S|", "|"}},
		{"sigil with parens", `~s(a`, Unclosed{0, "sigil ~s(", ")"}},
		{"sigil with angles", `~s<a`, Unclosed{0, "sigil ~s<", ">"}},
		{"heredoc sigil", "~S\"\"\"\na\n", Unclosed{0, "heredoc", `"""`}},
		{"quoted atom", `:"abc`, Unclosed{0, "atom", `"`}},
		{"inner string of an interpolation", "\"a #{\n\"b\n", Unclosed{6, "string", `"`}},
		{"interpolation left open", "\"a #{b\n", Unclosed{}},
		{"sigil letter at the end", "x ~r", Unclosed{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := FindUnclosed(tt.src)
			if ok != (tt.want.What != "") {
				t.Errorf("FindUnclosed(%q) found %v, want %v", tt.src, ok, !ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FindUnclosed(%q) (-want +got):\n%s", tt.src, diff)
			}
		})
	}
}

func TestLexBytes(t *testing.T) {
	src := `Repo.get(id, "#{x}")`
	var s, b []Token
	Lex(src, func(t Token) { s = append(s, t) })
	Lex([]byte(src), func(t Token) { b = append(b, t) })
	if diff := cmp.Diff(s, b); diff != "" {
		t.Errorf("string and []byte differ (-string +bytes):\n%s", diff)
	}
}

func TestHelpers(t *testing.T) {
	for _, tc := range []struct {
		src  string
		i    int
		end  int
		dotB bool
	}{
		{"x.ok? y", 2, 5, true},
		{"1..n", 3, 4, false},
		{"a.b!", 2, 4, true},
		{"Foo", 0, 3, false},
	} {
		if got := IdentEnd(tc.src, tc.i); got != tc.end {
			t.Errorf("IdentEnd(%q, %d) = %d, want %d", tc.src, tc.i, got, tc.end)
		}
		if got := AfterDot(tc.src, tc.i); got != tc.dotB {
			t.Errorf("AfterDot(%q, %d) = %v, want %v", tc.src, tc.i, got, tc.dotB)
		}
	}
}

// FuzzLex: on any input Lex returns, and its tokens are not empty, in
// order, not overlapping and within the input.
func FuzzLex(f *testing.F) {
	for _, s := range []string{"", `"#{"#{x}"}"`, "~s\"\"\"\n#{", `?\`, "\"\"\"\n  \\\n\"\"\"", ":\"#{", "@a?x: ~r", "\xff\xfe?"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		end := 0
		Lex(src, func(tk Token) {
			if tk.Start < end || tk.End <= tk.Start || tk.End > len(src) || tk.Depth < 0 {
				t.Fatalf("%q: token %+v after end %d", src, tk, end)
			}
			end = tk.End
		})
	})
}
