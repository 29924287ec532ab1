package parse

import (
	"fmt"
	"strings"
	"testing"
)

// bigAnswer builds a model answer of about n bytes: prose, Elixir and Go
// blocks, and diffs, fenced and bare.
func bigAnswer(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "## Step %d\n\nThe cache in `lib/my_app/cache_%d.ex` returns `nil` on a miss, which callers\nconfuse with a stored `nil`. Return a tagged tuple instead; see below.\n\n", i, i)
		fmt.Fprintf(&b, "```elixir\ndefmodule MyApp.Cache%d do\n  def get(cache, key) do\n    case :ets.lookup(cache, key) do\n      [{^key, value}] -> {:ok, value}\n      [] -> :error\n    end\n  end\nend\n```\n\n", i)
		fmt.Fprintf(&b, "```diff\ndiff --git a/lib/my_app/cache_%d.ex b/lib/my_app/cache_%d.ex\n--- a/lib/my_app/cache_%d.ex\n+++ b/lib/my_app/cache_%d.ex\n@@ -2,6 +2,6 @@ defmodule MyApp.Cache%d do\n   def get(cache, key) do\n     case :ets.lookup(cache, key) do\n-      [{^key, value}] -> value\n-      [] -> nil\n+      [{^key, value}] -> {:ok, value}\n+      [] -> :error\n     end\n   end\n```\n\n", i, i, i, i, i)
		fmt.Fprintf(&b, "In Go the same idea reads:\n\n```go\nfunc (c *Cache) Get(key string) (Value, bool) {\n\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tv, ok := c.m[key]\n\treturn v, ok\n}\n```\n\n")
		fmt.Fprintf(&b, "and the caller changes like this:\n\n--- a/cmd/app/main_%d.go\n+++ b/cmd/app/main_%d.go\n@@ -10,3 +10,3 @@ func main() {\n \tc := cache.New()\n-\tv := c.Get(\"k\")\n+\tv, _ := c.Get(\"k\")\n \tfmt.Println(v)\n\nThat keeps the zero value useful.\n\n", i, i)
	}
	return b.String()
}

func BenchmarkCodeBlocks(b *testing.B) {
	answer := bigAnswer(20 << 10)
	b.SetBytes(int64(len(answer)))
	for b.Loop() {
		if len(CodeBlocks(answer)) == 0 {
			b.Fatal("no blocks")
		}
	}
}

func BenchmarkDiffs(b *testing.B) {
	answer := bigAnswer(20 << 10)
	b.SetBytes(int64(len(answer)))
	for b.Loop() {
		ds, err := Diffs(answer)
		if err != nil || len(ds) == 0 {
			b.Fatal(len(ds), err)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	answer := bigAnswer(20 << 10)
	ds, err := Diffs(answer)
	if err != nil {
		b.Fatal(err)
	}
	read := func(path string) ([]byte, error) {
		if strings.HasSuffix(path, ".go") {
			return []byte("package main\n\n" + strings.Repeat("// filler\n", 6) + "func main() {\n\tc := cache.New()\n\tv := c.Get(\"k\")\n\tfmt.Println(v)\n}\n"), nil
		}
		var i int
		fmt.Sscanf(path, "lib/my_app/cache_%d.ex", &i)
		return []byte(fmt.Sprintf("defmodule MyApp.Cache%d do\n  def get(cache, key) do\n    case :ets.lookup(cache, key) do\n      [{^key, value}] -> value\n      [] -> nil\n    end\n  end\nend\n", i)), nil
	}
	if _, err := Check(ds, read); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Check(ds, read); err != nil {
			b.Fatal(err)
		}
	}
}
