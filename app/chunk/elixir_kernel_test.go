package chunk

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestElixirKernelRefs: a call without a module of a name the module does
// not define, and no import brings in, is Kernel's (Kernel.is_list/1,
// Kernel.if/2, the pipe Kernel.|>/2, Kernel.def/2) or a special form's
// (Kernel.SpecialForms.case, named without an arity); a module's own
// is_nil/1 is its own, but its inspect/1 leaves inspect/2 to Kernel; an
// arity Kernel does not have (length/2) is not Kernel's; `import Kernel,
// except:` and an `only:` import take the name from Kernel; types,
// operators other than the pipe, `fn`, `__MODULE__` and the atom `:|>` are
// not calls.
func TestElixirKernelRefs(t *testing.T) {
	src := `defmodule R.K do
  import R.Util, only: [max: 2]

  @spec f(list) :: node()
  def f(x) do
    if is_list(x) and not is_nil(x) do
      x |> length() |> max(1)
    else
      case x, do: (_ -> __MODULE__)
    end
  end

  def is_nil(x), do: x == nil
  def inspect(x), do: inspect(x, [])
  defp short(a, b), do: length(a, b) + (&|>/2).(:|>, fn y -> y end)
  def loop(xs), do: for(x <- xs, do: x)
end

defmodule R.K2 do
  import Kernel, except: [to_string: 1]
  import R.Str

  def s(x), do: to_string(x) <> inspect(x)
end
`
	res := chunkString(t, "lib/r/k.ex", src, Options{Strategy: Semantic})
	checkRefs(t, res, map[string][]string{
		"R.K":     {"R.Util"},
		"R.K.f/1": {"node/0", "Kernel.if/2", "Kernel.is_list/1", "is_nil/1", "Kernel.|>/2", "Kernel.length/1", "R.Util.max/2", "Kernel.SpecialForms.case"},
		// Its own inspect/1 is not inspect/2.
		"R.K.inspect/1": {"Kernel.inspect/2"},
		"R.K.short/2":   {"length/2", "Kernel.|>/2"},
		"R.K.loop/1":    {"Kernel.SpecialForms.for"},
		"R.K2.s/1":      {"R.Str.to_string/1", "Kernel.inspect/1"},
	})
	// What declares rather than computes — a function's own def, the
	// module's defmodule, its import — is no ref (kernelDeclares).
	for _, c := range res.Chunks {
		for _, r := range c.Refs {
			if f, ok := strings.CutPrefix(r, "Kernel."); ok && kernelDeclares[strings.TrimPrefix(strings.SplitN(f, "/", 2)[0], "SpecialForms.")] {
				t.Errorf("%s %s: refs %q hold the declaration %s", c.Kind, c.Name, c.Refs, r)
			}
		}
	}
}

// TestRefsCapKernelLast: past MaxRefs, a unit's calls of Kernel's
// functions give way to its own refs.
func TestRefsCapKernelLast(t *testing.T) {
	var b strings.Builder
	b.WriteString("defmodule R.Cap do\n  def f(x) do\n")
	for i := range MaxRefs {
		fmt.Fprintf(&b, "    is_list(x) && is_atom(x) && is_map(x) && is_nil(x)\n    R.M%d.g(x)\n", i)
	}
	b.WriteString("  end\nend\n")
	res := chunkString(t, "lib/r/cap.ex", b.String(), Options{Strategy: Semantic})
	for _, c := range res.Chunks {
		if c.Name != "R.Cap.f/1" {
			continue
		}
		if len(c.Refs) != MaxRefs || slices.ContainsFunc(c.Refs, func(r string) bool { return strings.HasPrefix(r, "Kernel.") }) {
			t.Errorf("refs %q; want the %d module calls, no Kernel ones", c.Refs, MaxRefs)
		}
		return
	}
	t.Fatal("no chunk R.Cap.f/1")
}

// TestElixirKernelOwnCalls: in Kernel's own source its macros are local
// (if/2, |>/2 refer to the module's own, as any module's functions do),
// and the head of `defmacro left |> right` is not a pipe into itself.
func TestElixirKernelOwnCalls(t *testing.T) {
	src := `defmodule Kernel do
  defmacro if(condition, clauses), do: build_if(condition, clauses)
  defmacro left |> right do
    fun = fn {x, pos}, acc -> Macro.pipe(acc, x, pos) end
    :lists.foldl(fun, left, Macro.unpipe(right))
  end
  def to_list(x), do: if(is_list(x), do: x |> id(), else: [x])
  defp id(x), do: x
end
`
	res := chunkString(t, "lib/kernel.ex", src, Options{Strategy: Semantic})
	checkRefs(t, res, map[string][]string{
		"Kernel.|>/2":      {"Macro.pipe/3", ":lists.foldl/3", "Macro.unpipe/1"},
		"Kernel.to_list/1": {"if/2", "Kernel.is_list/1", "|>/2", "id/1"},
	})
}

// TestElixirKernelData: the generated table has what the chunker resolves
// by; and where the elixir on PATH is the one it was read from, running
// the generator again gives the committed file.
func TestElixirKernelData(t *testing.T) {
	for fun, arity := range map[string]int{"if": 2, "|>": 2, "def": 2, "is_list": 1, "inspect": 2} {
		if mod, special := kernelModule(fun, arity); mod != "Kernel" || special {
			t.Errorf("%s/%d: %q %v, want Kernel", fun, arity, mod, special)
		}
	}
	for _, fun := range []string{"case", "alias", "for", "quote", "super"} {
		if mod, special := kernelModule(fun, 7); mod != "Kernel.SpecialForms" || !special {
			t.Errorf("%s: %q %v, want a special form", fun, mod, special)
		}
	}
	if mod, _ := kernelModule("length", 2); mod != "" {
		t.Errorf("length/2: %q, want none", mod)
	}
	if _, err := exec.LookPath("elixir"); err != nil {
		t.Skip("no elixir on PATH to regenerate the table with")
	}
	out, err := exec.Command("elixir", "../../scripts/elixir-kernel-names.exs").Output()
	if err != nil {
		t.Fatalf("generator: %v", err)
	}
	if !bytes.Contains(out, []byte(kernelVersion)) {
		t.Skipf("the elixir on PATH is not %s", kernelVersion)
	}
	gofmt := exec.Command(filepath.Join(runtimeGOROOT(t), "bin", "gofmt"))
	gofmt.Stdin = bytes.NewReader(out)
	formatted, err := gofmt.Output()
	if err != nil {
		t.Fatalf("gofmt: %v", err)
	}
	committed, err := os.ReadFile("elixir_kernel_data.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(formatted, committed) {
		t.Errorf("elixir_kernel_data.go is not what the generator writes: run go generate ./app/chunk")
	}
}

// runtimeGOROOT is the GOROOT of the go that runs the tests.
func runtimeGOROOT(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Skipf("go env GOROOT: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestElixirKernelCorpusRefs: over the Elixir 1.14 lib/, kernel.ex's if/2,
// def/2 and |>/2 are called from other files by name (Kernel.if/2, …), and
// no chunk outside Kernel refers to is_list/1 as a local call: the symbol
// graph then gives Kernel's macros their callers, which rank them in
// kernel.ex's outline. Inside Kernel, its declarations (def, defmacro, …)
// are no local calls of its own macros.
func TestElixirKernelCorpusRefs(t *testing.T) {
	dir := elixirCorpus(t)
	files := elixirLibFiles(t, dir, true)
	calls := map[string]int{}
	defined := map[string]bool{}
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		res, err := File(path, src, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Chunks {
			if c.Parent == "Kernel" {
				defined[c.Name] = true
				// Kernel defines def/2 and the like itself: its own
				// declarations read as local calls of them.
				for _, r := range c.Refs {
					if fun, _, _ := strings.Cut(r, "/"); kernelDeclares[fun] {
						t.Errorf("%s: %s refers to the declaration %s", path, c.Name, r)
					}
				}
				continue
			}
			for _, r := range c.Refs {
				calls[r]++
				if r == "is_list/1" && !strings.HasPrefix(c.Parent, "Kernel") {
					t.Errorf("%s: %s refers to a local is_list/1", path, c.Name)
				}
			}
		}
	}
	for _, name := range []string{"Kernel.if/2", "Kernel.def/2", "Kernel.|>/2"} {
		if !defined[name] {
			t.Errorf("kernel.ex has no chunk %s", name)
		}
		if calls[name] == 0 {
			t.Errorf("no chunk outside Kernel refers to %s", name)
		}
	}
	t.Logf("refs outside Kernel: Kernel.if/2 %d, Kernel.def/2 %d, Kernel.|>/2 %d, Kernel.is_list/1 %d, Kernel.SpecialForms.case %d",
		calls["Kernel.if/2"], calls["Kernel.def/2"], calls["Kernel.|>/2"], calls["Kernel.is_list/1"], calls["Kernel.SpecialForms.case"])
}

// TestElixirDeclarationsNoRefs: a declaration is no ref in any module,
// however its name resolves. In Kernel's own source `def`, `defp`,
// `defmodule` and `alias` are the module's own macros, so each function's
// own def read as a local call of def/2 (and `alias …, as:` as alias/2);
// a module importing a def/2 (with Kernel's excepted) read its defs as
// calls of that one. Their other calls stay refs.
func TestElixirDeclarationsNoRefs(t *testing.T) {
	src := `defmodule Kernel do
  alias Macro.Env, as: E

  defmacro def(call, expr \\ nil), do: define(:def, call, expr)
  defmacro defp(call, expr \\ nil), do: define(:defp, call, expr)
  defmacro defmodule(alias, do_block), do: {alias, do_block}
  defmacro alias(mod, opts), do: {mod, opts}

  def to_list(x) do
    if is_list(x), do: x, else: [x]
  end

  defp define(kind, call, expr) do
    {kind, call, expr, E}
  end
end

defmodule R.DSL do
  defmacro def(call, expr), do: {call, expr}
end

defmodule R.UsesDSL do
  import Kernel, except: [def: 2]
  import R.DSL

  def f(x), do: g(x)
  defp g(x), do: x
end
`
	res := chunkString(t, "lib/kernel.ex", src, Options{Strategy: Semantic})
	got := map[string][]string{}
	for _, c := range res.Chunks {
		if c.Kind != KindModule {
			got[c.Name] = c.Refs
		}
	}
	want := map[string][]string{
		"Kernel":             {"Macro.Env"},
		"Kernel.def/2":       {"define/3"},
		"Kernel.defp/2":      {"define/3"},
		"Kernel.defmodule/2": nil,
		"Kernel.alias/2":     nil,
		"Kernel.to_list/1":   {"Kernel.if/2", "Kernel.is_list/1"},
		"Kernel.define/3":    {"Macro.Env"},
		"R.DSL.def/2":        nil,
		"R.UsesDSL":          {"Kernel", "R.DSL"},
		"R.UsesDSL.f/1":      {"g/1"},
		"R.UsesDSL.g/1":      nil,
	}
	if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
		t.Errorf("refs by chunk (-want +got):\n%s", diff)
	}
}
