package chunk

import (
	"runtime"
	"strings"
	"testing"
)

// allocBytes returns the bytes File allocates chunking src as path, the
// mean of a few runs.
func allocBytes(t *testing.T, path, src string) uint64 {
	t.Helper()
	const runs = 3
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for range runs {
		if _, err := File(path, []byte(src), Options{}); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&m1)
	return (m1.TotalAlloc - m0.TotalAlloc) / runs
}

// A function of long pipelines: the refs of its |> calls were added one
// at a time to a slice with no spare room, copying all the refs before
// them each time, and each piece of the function Hybrid cuts read all the
// function's refs, so the memory (and time) grew with the square of the
// pipes. Twice the pipes must cost about twice the memory.
func TestElixirPipesAllocateLinearly(t *testing.T) {
	pipes := func(n int) string {
		return "defmodule P do\n  def run(x) do\n    x\n" + strings.Repeat("    |> f()\n", n) + "  end\nend\n"
	}
	small := allocBytes(t, "lib/p.ex", pipes(1200))
	large := allocBytes(t, "lib/p.ex", pipes(2400))
	if ratio := float64(large) / float64(small); ratio > 2.6 {
		t.Errorf("chunking 2400 pipes allocated %d bytes, 1200 pipes %d: %.1f× for 2× the pipes", large, small, ratio)
	}
}
