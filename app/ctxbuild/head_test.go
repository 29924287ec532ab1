package ctxbuild

import (
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/chunk"
)

// computeCode is a function with an 8-line @spec.
const computeCode = "  @spec compute(\n" +
	"          integer(),\n" +
	"          integer(),\n" +
	"          keyword()\n" +
	"        ) ::\n" +
	"          {:ok, integer()}\n" +
	"          | {:error, term()}\n" +
	"          | :skip\n" +
	"  def compute(a, b, opts) when is_integer(a) do\n" +
	"    scale = Keyword.get(opts, :scale, 1)\n" +
	"    {:ok, (a + b) * scale}\n" +
	"  end"

// specFixture: Helper.compute/3 has a long @doc and an 8-line @spec;
// Helper.format!/1 a @doc so long that the chunker splits it, its first
// piece only doc text, its def in the next; P5.User.run/1 calls both.
var specFixture = map[string]string{
	"lib/helper.ex": "defmodule Helper do\n" +
		"  @doc \"\"\"\n" + strings.Repeat("  Computes the answer from a and b, with the options given, line after line.\n", 60) + "  \"\"\"\n" +
		computeCode + "\n\n" +
		"  @doc \"\"\"\n" + strings.Repeat("  Formats the string given as the formatter would, explained at great length here.\n", 140) + "  \"\"\"\n" +
		"  @spec format!(binary) :: iodata\n" +
		"  def format!(string) when is_binary(string) do\n" +
		"    trimmed = String.trim(string)\n" +
		"    [trimmed, ?\\n]\n" +
		"  end\n" +
		"end\n",
	"lib/user.ex": "defmodule P5.User do\n" +
		"  def run(x) do\n" +
		"    {:ok, n} = Helper.compute(x, 2, scale: 3)\n" +
		"    Helper.format!(Integer.to_string(n))\n" +
		"  end\n" +
		"end\n",
}

func callee(c *Context, name string) *Item {
	for _, list := range [][]Item{c.Included, c.Dropped} {
		for i, it := range list {
			if it.Role == RoleCallee && strings.HasPrefix(it.Name, name) {
				return &list[i]
			}
		}
	}
	return nil
}

// TestSplitCalleeByItsHead: a callee the chunker split goes in whole —
// in full, or as its head — and not as its first piece, which holds only
// its doc text.
func TestSplitCalleeByItsHead(t *testing.T) {
	e := setupFiles(t, specFixture)
	for _, window := range []int{1500, 8000} {
		c := e.build(t, Request{Target: "P5.User.run/1", Window: window, Reserve: new(0)})
		it := callee(c, "Helper.format!/1")
		if it == nil {
			t.Fatalf("window %d: no callee format!: %v", window, roles(c))
		}
		if it.Name != "Helper.format!/1" || it.Form == "" || !strings.Contains(it.Code, "def format!(string) when is_binary(string) do") {
			t.Errorf("window %d: callee %s (%s, %s) lacks its def:\n%s", window, it.Name, it.Form, it.Reason, it.Code)
		}
	}
}

// TestSignatureMultilineSpec: a signature shows an @spec of many lines
// whole and ends with the def line, however long the spec.
func TestSignatureMultilineSpec(t *testing.T) {
	e := setupFiles(t, specFixture)
	c := e.build(t, Request{Target: "P5.User.run/1", Window: 500, Reserve: new(0)})
	it := callee(c, "Helper.compute/3")
	if it == nil || it.Form == "" || it.Form == FormFull {
		t.Fatalf("callee compute: %+v; want it reduced (%v)", it, roles(c))
	}
	for _, want := range []string{"@spec compute(", "| :skip", "def compute(a, b, opts) when is_integer(a) do"} {
		if !strings.Contains(it.Code, want) {
			t.Errorf("%s form lacks %q:\n%s", it.Form, want, it.Code)
		}
	}
	// The file in outline shows each unit as its signature.
	c = e.build(t, Request{Target: "lib/helper.ex", Window: 700, Reserve: new(0)})
	if c.Target.Form != FormOutline {
		t.Fatalf("lib/helper.ex went %s; want an outline", c.Target.Form)
	}
	for _, want := range []string{"| :skip\n  def compute(a, b, opts) when is_integer(a) do", "def format!(string) when is_binary(string) do"} {
		if !strings.Contains(c.Target.Code, want) {
			t.Errorf("outline lacks %q:\n%s", want, c.Target.Code)
		}
	}

	sig := signature("  @doc \"\"\"\n  Long.\n  \"\"\"\n" + computeCode)
	if !strings.HasSuffix(sig, "  def compute(a, b, opts) when is_integer(a) do\n    # …\n  end") || !strings.HasPrefix(sig, "  @spec compute(") {
		t.Errorf("signature:\n%s", sig)
	}
	// A spec too long to show goes whole or not at all: the def still ends it.
	long := "  @spec f(\n" + strings.Repeat("          integer(),\n", 20) + "        ) :: :ok\n  def f(a) do\n    :ok\n  end"
	if sig := signature(long); sig != "  def f(a) do\n    # …\n  end" {
		t.Errorf("signature with a 22-line spec:\n%s", sig)
	}
}

// TestCutKeepsAllCode: a unit cut to fit that keeps all of its code, only
// its doc text left out, says so: it is not "truncated" with a
// "… (0 more lines)" marker.
func TestCutKeepsAllCode(t *testing.T) {
	full := "  @doc \"\"\"\n" + strings.Repeat("  A long explanation.\n", 40) + "  \"\"\"\n  def run(x) do\n    x + 1\n  end"
	it := &Item{Role: RoleCallee, Kind: chunk.KindFunction, Name: "A.run/1", full: full, cost: len(full)}
	cutToFit(it, &Item{Name: "B.go/0"}, func(s string) int { return len(s) }, 200)
	if it.Form != FormNoDoc || strings.Contains(it.Code, "more lines") || !strings.Contains(it.Code, "x + 1") || strings.Contains(it.Code, "explanation") {
		t.Errorf("form %q (%s):\n%s", it.Form, it.Reason, it.Code)
	}
	if !strings.Contains(it.Reason, "without its doc text") {
		t.Errorf("reason %q", it.Reason)
	}
}
