package chunk

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// outline is a chunk as the tables below write it: "kind name lines".
func outline(res Result) []string {
	var out []string
	for _, c := range res.Chunks {
		s := fmt.Sprintf("%s %s %d-%d", c.Kind, c.Name, c.StartLine, c.EndLine)
		if c.Defaults > 0 {
			s += fmt.Sprintf(" defaults=%d", c.Defaults)
		}
		if c.Private {
			s += " private"
		}
		out = append(out, s)
	}
	return out
}

// chunkString chunks src as path with opt and checks the invariants.
func chunkString(t *testing.T, path, src string, opt Options) Result {
	t.Helper()
	res, err := File(path, []byte(src), opt)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, path, []byte(src), res)
	return res
}

const accountsEx = `# The accounts context.
defmodule MyApp.Accounts do
  @moduledoc """
  Accounts. This heredoc mentions def fake(x) do and end.
  """
  use Ecto.Schema
  import Ecto.Query, only: [from: 2]
  alias MyApp.{Repo, User}
  require Logger
  @timeout 5_000
  defstruct [:id, name: ""]

  # Looks a user up.
  @doc "Gets a user."
  @spec get(integer, keyword) :: User.t() | nil
  def get(id, opts \\ [])
  def get(id, opts) when is_integer(id), do: Repo.get(User, id, opts)
  def get(_id, _opts), do: nil

  @impl true
  def handle_call(:ping, _from, state) do
    {:reply, :pong, state}
  end

  defp secret(x), do: ~s(a sigil with
  a newline) <> x

  defmacro left ~> right, do: quote(do: unquote(left) + unquote(right))
  defguard is_even(n) when rem(n, 2) == 0
  defdelegate fetch(id), to: Repo, as: :get

  @compile {:inline, secret: 1}

  defmodule Profile do
    @moduledoc false
    def new, do: %__MODULE__{}
  end

  defprotocol Greeter do
    @doc "Greets."
    def greet(who)
  end

  defimpl String.Chars, for: User do
    def to_string(u), do: u.name
  end

  defimpl Inspect do
    def inspect(_, _), do: "#Accounts<>"
  end
end
`

func TestElixirConstructs(t *testing.T) {
	res := chunkString(t, "lib/my_app/accounts.ex", accountsEx, Options{Strategy: Semantic})
	want := []string{
		"module MyApp.Accounts 1-51",
		"header MyApp.Accounts 1-11",
		"function MyApp.Accounts.get/2 13-18 defaults=1",
		"function MyApp.Accounts.handle_call/3 20-23",
		"function MyApp.Accounts.secret/1 25-26 private",
		"macro MyApp.Accounts.~>/2 28-28",
		"guard MyApp.Accounts.is_even/1 29-29",
		"delegate MyApp.Accounts.fetch/1 30-30",
		"code MyApp.Accounts 32-32",
		"module MyApp.Accounts.Profile 34-37",
		"header MyApp.Accounts.Profile 34-35",
		"function MyApp.Accounts.Profile.new/0 36-36",
		"protocol MyApp.Accounts.Greeter 39-42",
		"function MyApp.Accounts.Greeter.greet/1 40-41",
		"impl String.Chars.MyApp.User 44-46",
		"function String.Chars.MyApp.User.to_string/1 45-45",
		"impl Inspect.MyApp.Accounts 48-50",
		"function Inspect.MyApp.Accounts.inspect/2 49-49",
	}
	if diff := cmp.Diff(want, outline(res)); diff != "" {
		t.Errorf("outline (-want +got):\n%s", diff)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("warnings: %q", res.Warnings)
	}
	get := res.Chunks[2]
	if get.Parent != "MyApp.Accounts" || get.Lang != "elixir" {
		t.Errorf("get: parent %q lang %q", get.Parent, get.Lang)
	}
	if diff := cmp.Diff([]string{"MyApp.User.t/0", "Kernel.is_integer/1", "MyApp.Repo.get/3", "MyApp.User"}, withoutDefinitions(get.Refs)); diff != "" {
		t.Errorf("refs of get/2 (aliases expanded) (-want +got):\n%s", diff)
	}
	if h := res.Chunks[1]; !slices.Contains(h.Refs, "Ecto.Schema") || !slices.Contains(h.Refs, "MyApp.Repo") {
		t.Errorf("header refs %q", h.Refs)
	}
}

func TestElixirTests(t *testing.T) {
	src := `defmodule MyApp.AccountsTest do
  use ExUnit.Case, async: true
  alias MyApp.Accounts

  setup do
    {:ok, user: Accounts.get(1)}
  end

  @tag :slow
  test "gets a user", %{user: user} do
    assert user
  end

  describe "get/2" do
    setup :seed

    test "returns nil when missing" do
      refute Accounts.get(-1)
    end

    # Pending.
    test "with options"
  end

  defp seed(_), do: :ok
end
`
	res := chunkString(t, "test/my_app/accounts_test.exs", src, Options{Strategy: Semantic})
	want := []string{
		"module MyApp.AccountsTest 1-26",
		"header MyApp.AccountsTest 1-7",
		"test test \"gets a user\" 9-12",
		"describe describe \"get/2\" 14-23",
		"code describe \"get/2\" 15-15",
		"test describe \"get/2\" / test \"returns nil when missing\" 17-19",
		"test describe \"get/2\" / test \"with options\" 21-22",
		"function MyApp.AccountsTest.seed/1 25-25 private",
	}
	if diff := cmp.Diff(want, outline(res)); diff != "" {
		t.Errorf("outline (-want +got):\n%s", diff)
	}
	if c := res.Chunks[5]; c.Parent != "MyApp.AccountsTest" || !slices.Contains(c.Refs, "MyApp.Accounts.get/1") {
		t.Errorf("test chunk %+v", c)
	}

	// In an .ex file, test and describe are ordinary calls.
	res = chunkString(t, "lib/dsl.ex", "defmodule D do\n  test \"x\" do\n    :ok\n  end\nend\n", Options{Strategy: Semantic})
	if diff := cmp.Diff([]string{"module D 1-5", "header D 1-4"}, outline(res)); diff != "" {
		t.Errorf("test in .ex (-want +got):\n%s", diff)
	}
}

func TestElixirClausesApart(t *testing.T) {
	src := `defmodule A do
  def f(1), do: :one
  def g, do: :g
  def f(n), do: n
end
`
	res := chunkString(t, "lib/a.ex", src, Options{Strategy: Semantic})
	want := []string{"module A 1-5", "function A.f/1 2-4", "function A.g/0 3-3"}
	if diff := cmp.Diff(want, outline(res)); diff != "" {
		t.Errorf("outline (-want +got):\n%s", diff)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "clauses of A.f/1 are not together") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

func TestElixirMidEdit(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"missing end of a def", `defmodule Broken do
  def ok(x), do: x

  def bad(x) do
    case x do
      1 -> :one

  def later(y) do
    y
  end
end
`, []string{"module Broken 1-11", "function Broken.ok/1 2-2", "function Broken.bad/1 4-6", "function Broken.later/1 8-10"}},
		{"missing end of a def with a do block", `defmodule Broken do
  def ok(x), do: x

  def bad(x) do
    x

  def later(y) do
    y
  end
end
`, []string{"module Broken 1-10", "function Broken.ok/1 2-2", "function Broken.bad/1 4-5", "function Broken.later/1 7-9"}},
		{"unterminated heredoc", "defmodule H do\n  def a, do: 1\n  @doc \"\"\"\n  never closed\n  def b, do: 2\nend\n",
			[]string{"module H 1-6", "function H.a/0 2-2"}},
		{"garbage at the top", ")))\ndefmodule G do\n  def a, do: 1\nend\n", nil},
		{"operator without its operand", "defmodule E1 do\n  def a do\n    1\n  end\n\n  def b(x) do\n    x +\n  end\nend\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := chunkString(t, "lib/x.ex", tt.src, Options{Strategy: Semantic})
			if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "syntax error") {
				t.Errorf("warnings %q, want a syntax error", res.Warnings)
			}
			lines := strings.Count(strings.TrimRight(tt.src, "\n"), "\n") + 1
			for _, w := range res.Warnings {
				var n int
				_, at, _ := strings.Cut(w, ": line ")
				if _, err := fmt.Sscanf(at, "%d:", &n); err != nil || n < 1 || n > lines {
					t.Errorf("warning %q is not at a line of the %d-line file", w, lines)
				}
			}
			if len(res.Chunks) == 0 {
				t.Fatal("no chunks")
			}
			if tt.want != nil {
				got := outline(res)
				if len(got) > len(tt.want) {
					got = got[:len(tt.want)]
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("outline (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestElixirHybridKeepsHeredocsWhole(t *testing.T) {
	var b strings.Builder
	b.WriteString("defmodule Big do\n  @doc \"\"\"\n")
	for i := range 80 {
		fmt.Fprintf(&b, "  Documentation line %d of a long heredoc.\n", i)
	}
	b.WriteString("  \"\"\"\n  def big(x) do\n")
	for i := range 200 {
		fmt.Fprintf(&b, "    x = x + %d\n", i)
	}
	b.WriteString("    ~S\"\"\"\n")
	for i := range 60 {
		fmt.Fprintf(&b, "    sigil heredoc line %d\n", i)
	}
	b.WriteString("    \"\"\" <> x\n  end\nend\n")
	src := b.String()
	res := chunkString(t, "lib/big.ex", src, Options{MaxBytes: 1024})
	var pieces []Chunk
	for _, c := range res.Chunks {
		if strings.HasPrefix(c.Name, "Big.big/1") {
			pieces = append(pieces, c)
		}
	}
	if len(pieces) < 5 {
		t.Fatalf("got %d pieces: %q", len(pieces), outline(res))
	}
	for i, p := range pieces {
		if want := fmt.Sprintf("Big.big/1#%d", i+1); p.Name != want {
			t.Errorf("piece %d named %q, want %q", i, p.Name, want)
		}
		if i > 0 && p.StartByte != pieces[i-1].EndByte {
			t.Errorf("piece %d starts at %d, previous ends at %d", i, p.StartByte, pieces[i-1].EndByte)
		}
		text := src[p.StartByte:p.EndByte]
		// A cut inside a heredoc would leave a piece with an odd number
		// of triple quotes.
		if n := strings.Count(text, `"""`); n%2 != 0 {
			t.Errorf("piece %s cuts a heredoc (%d triple quotes):\n%s", p.Name, n, text)
		}
		if p.EndByte-p.StartByte > 1024 && !strings.Contains(text, `"""`) {
			t.Errorf("piece %s has %d bytes and holds no heredoc", p.Name, p.EndByte-p.StartByte)
		}
	}
	if last := pieces[len(pieces)-1]; !strings.HasSuffix(src[:last.EndByte], "  end") {
		t.Errorf("last piece ends at %q", src[last.EndByte-10:last.EndByte])
	}
}

// unclosedCases are literals left open on line 3 (line 4 for the last)
// of unclosedSource, and what the Elixir 1.14 compiler says of each.
var unclosedCases = []struct{ opener, msg string }{
	{`~s"abc`, `missing terminator: " (for sigil ~s" starting at line 3)`},
	{`~r/abc`, `missing terminator: / (for sigil ~r/ starting at line 3)`},
	{`~w[abc`, `missing terminator: ] (for sigil ~w[ starting at line 3)`},
	{`~c{abc`, `missing terminator: } (for sigil ~c{ starting at line 3)`},
	{`~S|abc`, `missing terminator: | (for sigil ~S| starting at line 3)`},
	{`~s(abc`, `missing terminator: ) (for sigil ~s( starting at line 3)`},
	{`~s<abc`, `missing terminator: > (for sigil ~s< starting at line 3)`},
	{"\"\"\"\n  abc", `missing terminator: """ (for heredoc starting at line 3)`},
	{"'''\n  abc", `missing terminator: ''' (for heredoc starting at line 3)`},
	{"~S\"\"\"\n  abc", `missing terminator: """ (for heredoc starting at line 3)`},
	{`"abc`, `missing terminator: " (for string starting at line 3)`},
	{`'abc`, `missing terminator: ' (for string starting at line 3)`},
	{`:"abc`, `missing terminator: " (for atom starting at line 3)`},
	{"\"a #{\n  \"b", `missing terminator: " (for string starting at line 4)`},
}

// unclosedSource is a module whose line 3 opens a literal that is never
// closed.
func unclosedSource(opener string) string {
	return "defmodule A do\n  def a, do: 1\n  def f, do: " + opener + "\n  def g, do: 1\nend\n"
}

// TestElixirUnclosedLiteral: a string, heredoc, sigil or quoted atom left
// open is reported on the line where it starts, with the missing
// terminator, in the compiler's words (TestElixirUnclosedAgreesWithCompiler
// checks them against the real elixir).
func TestElixirUnclosedLiteral(t *testing.T) {
	for _, tc := range unclosedCases {
		res := chunkString(t, "lib/a.ex", unclosedSource(tc.opener), Options{Strategy: Semantic})
		line := tc.msg[strings.LastIndexByte(tc.msg, ' ')+1 : len(tc.msg)-1]
		w := "lib/a.ex: line " + line + ": syntax error: " + tc.msg
		if !slices.Equal(res.Warnings, []string{w}) {
			t.Errorf("%q: warnings %q, want %q", tc.opener, res.Warnings, w)
		}
		if len(res.Chunks) == 0 {
			t.Errorf("%q: no chunks", tc.opener)
		}
	}
}

// TestElixirDelegateList: the deprecated list form of defdelegate defines
// each function listed; each has a unit of its own name, all of the same
// bytes, referring to its own target, and a later clause of one of them
// joins its unit.
func TestElixirDelegateList(t *testing.T) {
	src := `defmodule MyApp.Accounts do
  def a, do: 1

  @doc "Delegated."
  defdelegate [list_users(a), count_users(), find(id, opts \\ [])], to: MyApp.Users

  def b, do: 2
end
`
	res := chunkString(t, "lib/accounts.ex", src, Options{Strategy: Semantic})
	want := []string{
		"module MyApp.Accounts 1-8",
		"function MyApp.Accounts.a/0 2-2",
		"delegate MyApp.Accounts.list_users/1 4-5",
		"delegate MyApp.Accounts.count_users/0 4-5",
		"delegate MyApp.Accounts.find/2 4-5 defaults=1",
		"function MyApp.Accounts.b/0 7-7",
	}
	if diff := cmp.Diff(want, outline(res)); diff != "" {
		t.Errorf("outline (-want +got):\n%s", diff)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("warnings %q", res.Warnings)
	}
	for _, c := range res.Chunks[3:5] {
		if c.StartByte != res.Chunks[2].StartByte || c.EndByte != res.Chunks[2].EndByte {
			t.Errorf("%s [%d,%d) is not the bytes of %s", c.Name, c.StartByte, c.EndByte, res.Chunks[2].Name)
		}
	}
	for _, c := range res.Chunks[2:5] {
		// Each its own target; the other heads listed are not calls.
		// Each its own target, of its own arity; the other heads listed
		// are not calls.
		if want := []string{"MyApp.Users." + strings.TrimPrefix(c.Name, "MyApp.Accounts.")}; !slices.Equal(withoutDefinitions(c.Refs), want) {
			t.Errorf("%s refs %q, want %q", c.Name, c.Refs, want)
		}
	}
}
