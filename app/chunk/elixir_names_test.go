package chunk

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// overridableSrc defines size/1, makes it overridable and defines it again
// after another function: a new definition, not a clause apart.
const overridableSrc = `defmodule Ovr do
  def size(x), do: x

  defoverridable size: 1

  def other, do: :ok

  def size(x), do: super(x) + 1
end
`

// apartSrc is the same without defoverridable: the clauses of size/1 are
// apart, which the compiler warns about.
const apartSrc = `defmodule Apart do
  def size(x), do: x

  def other, do: :ok

  def size(x), do: x + 1
end
`

// TestElixirOverridable: a def after `defoverridable` of its name/arity is
// a chunk of its own with the same name (both are found by it), without a
// warning; without defoverridable the clauses are one chunk, with one.
func TestElixirOverridable(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
		warning   string
	}{
		{"keywords", overridableSrc,
			[]string{"module Ovr 1-9", "function Ovr.size/1 2-2", "code Ovr 4-4", "function Ovr.other/0 6-6", "function Ovr.size/1 8-8"}, ""},
		{"list, the second clause joins the new definition", `defmodule L do
  def a(x), do: x
  def b, do: 1
  defoverridable [a: 1, b: 0]
  def a(0), do: 0
  def a(x), do: super(x)
end
`, []string{"module L 1-7", "function L.a/1 2-2", "function L.b/0 3-3", "code L 4-4", "function L.a/1 5-6"}, ""},
		{"a behaviour", `defmodule G do
  def init(x), do: {:ok, x}
  defoverridable GenServer
  def init(x), do: super(x)
end
`, []string{"module G 1-5", "function G.init/1 2-2", "code G 3-3", "function G.init/1 4-4"}, ""},
		{"another arity stays overridable only for that one", `defmodule O do
  def f(x), do: x
  def f(x, y), do: x + y
  defoverridable f: 1
  def g, do: 1
  def f(x, y), do: x - y
end
`, []string{"module O 1-7", "function O.f/1 2-2", "function O.f/2 3-6", "code O 4-4", "function O.g/0 5-5"},
			"line 6: clauses of O.f/2 are not together"},
		{"clauses apart", apartSrc,
			[]string{"module Apart 1-7", "function Apart.size/1 2-6", "function Apart.other/0 4-4"},
			"line 6: clauses of Apart.size/1 are not together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := chunkString(t, "lib/o.ex", tt.src, Options{Strategy: Semantic})
			if diff := cmp.Diff(tt.want, outline(res)); diff != "" {
				t.Errorf("outline (-want +got):\n%s", diff)
			}
			switch {
			case tt.warning == "" && len(res.Warnings) > 0:
				t.Errorf("warnings %q, want none", res.Warnings)
			case tt.warning != "" && (len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], tt.warning)):
				t.Errorf("warnings %q, want %q", res.Warnings, tt.warning)
			}
		})
	}
}

// TestElixirOverridableAgreesWithCompiler: the compiler warns that the
// clauses of size/1 should be grouped together in apartSrc, and not in
// overridableSrc, where the second def is a definition of its own.
func TestElixirOverridableAgreesWithCompiler(t *testing.T) {
	needElixir(t)
	for _, tc := range []struct {
		src  string
		warn bool
	}{{overridableSrc, false}, {apartSrc, true}} {
		out := elixirCompile(t, tc.src)
		if got := strings.Contains(out, "should be grouped together"); got != tc.warn {
			t.Errorf("compiler warns about clauses apart: %v, want %v, in\n%s\nfor\n%s", got, tc.warn, out, tc.src)
		}
	}
}

// implSrc defines a protocol in a module and implementations of it there,
// named through aliases: the one nested modules define and `alias`.
const implSrc = `defmodule MyApp.Tricky do
  defprotocol Proto do
    def f(x)
  end

  defimpl Proto, for: [Integer, Float] do
    def f(x), do: x
  end

  defstruct a: 1

  defimpl Proto, for: __MODULE__ do
    def f(x), do: x
  end

  defmodule Sub.Deep do
    defstruct b: 1
  end

  alias String.Chars, as: SC

  defimpl SC, for: Sub.Deep do
    def to_string(_), do: "x"
  end

  defmodule Inner do
    defimpl Proto, for: Atom do
      def f(x), do: x
    end
  end
end

defimpl MyApp.Tricky.Proto, for: BitString do
  def f(x), do: x
end
`

// TestElixirImplNames: defimpl's protocol and targets are expanded through
// the aliases in effect, as the compiler expands them; `for: [A, B]` keeps
// its one chunk, P.{A,B}.
func TestElixirImplNames(t *testing.T) {
	res := chunkString(t, "lib/tricky.ex", implSrc, Options{Strategy: Semantic})
	var got []string
	for _, c := range res.Chunks {
		if c.Container() {
			got = append(got, c.Kind+" "+c.Name)
		}
	}
	want := []string{
		"module MyApp.Tricky",
		"protocol MyApp.Tricky.Proto",
		"impl MyApp.Tricky.Proto.{Integer,Float}",
		"impl MyApp.Tricky.Proto.MyApp.Tricky",
		"module MyApp.Tricky.Sub.Deep",
		"impl String.Chars.MyApp.Tricky.Sub.Deep",
		"module MyApp.Tricky.Inner",
		"impl MyApp.Tricky.Proto.Atom",
		"impl MyApp.Tricky.Proto.BitString",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("containers (-want +got):\n%s", diff)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("warnings %q", res.Warnings)
	}

	// Aliases count from where they are declared: a protocol defined
	// after the defimpl does not name it.
	res = chunkString(t, "lib/late.ex", "defmodule A do\n  defimpl P, for: Atom do\n    def f(x), do: x\n  end\n\n  defprotocol P do\n    def f(x)\n  end\nend\n", Options{Strategy: Semantic})
	if got := res.Chunks[1].Name; got != "P.Atom" {
		t.Errorf("impl before the protocol: %q, want P.Atom", got)
	}
}

// TestElixirImplNamesAgreeWithCompiler compiles implSrc with the real
// elixir: the modules it defines are those the chunks name (P.{A,B} being
// P.A and P.B).
func TestElixirImplNamesAgreeWithCompiler(t *testing.T) {
	needElixir(t)
	out := elixirCompile(t, implSrc, `for {m, _} <- mods, do: IO.puts(inspect(m))`)
	compiled := strings.Fields(out)
	slices.Sort(compiled)

	res := chunkString(t, "lib/tricky.ex", implSrc, Options{Strategy: Semantic})
	var named []string
	for _, c := range res.Chunks {
		if !c.Container() {
			continue
		}
		if i := strings.Index(c.Name, ".{"); i > 0 {
			for _, tgt := range strings.Split(strings.TrimSuffix(c.Name[i+2:], "}"), ",") {
				named = append(named, c.Name[:i]+"."+tgt)
			}
			continue
		}
		named = append(named, c.Name)
	}
	slices.Sort(named)
	if diff := cmp.Diff(compiled, named); diff != "" {
		t.Errorf("modules (-compiled +chunks):\n%s", diff)
	}
}

// TestElixirComputedName: a name computed with unquote is kept as written,
// the white space of a literal in it too; only the white space of the code
// goes.
func TestElixirComputedName(t *testing.T) {
	src := "defmodule W do\n  def unquote(:\"weird name\")(x), do: x\n  def unquote(\n    name\n  )(x), do: x\n  def unquote(~s(a  b))(), do: 1\nend\n"
	res := chunkString(t, "lib/w.ex", src, Options{Strategy: Semantic})
	want := []string{"module W 1-7", `function W.unquote(:"weird name")/1 2-2`, "function W.unquote(name)/1 3-5", "function W.unquote(~s(a  b))/0 6-6"}
	if diff := cmp.Diff(want, outline(res)); diff != "" {
		t.Errorf("outline (-want +got):\n%s", diff)
	}
}

// elixirCompile compiles src with the real elixir (Code.compile_file, so
// that warnings are printed) and returns what it printed on stdout and
// stderr; body, if given, is run after with mods bound to the modules.
func elixirCompile(t *testing.T, src string, body ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "src.ex")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	code := "mods = Code.compile_file(hd(System.argv()))\n_ = mods\n" + strings.Join(body, "\n")
	out, err := exec.Command("elixir", "-e", code, path).CombinedOutput()
	if err != nil {
		t.Fatalf("elixir: %v\n%s", err, out)
	}
	return string(out)
}
