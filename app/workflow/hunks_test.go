package workflow

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/aymanbagabas/go-udiff"
)

func numbered(n int, edit func(i int) string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString(edit(i))
	}
	return b.String()
}

func TestPickHunks(t *testing.T) {
	old := numbered(40, func(i int) string { return fmt.Sprintf("line %d\n", i) })
	// Three changes far enough apart to be three hunks: a line changed, a
	// line added, two lines deleted.
	new := numbered(40, func(i int) string {
		switch i {
		case 3:
			return "line three\n"
		case 20:
			return "line 20\nline 20½\n"
		case 35, 36:
			return ""
		}
		return fmt.Sprintf("line %d\n", i)
	})
	hunks, err := Hunks(old, new)
	if err != nil {
		t.Fatal(err)
	}
	if len(hunks) != 3 {
		t.Fatalf("%d hunks, want 3", len(hunks))
	}
	for _, tc := range []struct {
		keep []bool
		want func(i int) string
	}{
		{[]bool{true, true, true}, nil},
		{[]bool{false, false, false}, nil},
		{[]bool{true, false, false}, func(i int) string {
			if i == 3 {
				return "line three\n"
			}
			return fmt.Sprintf("line %d\n", i)
		}},
		{[]bool{false, true, false}, func(i int) string {
			if i == 20 {
				return "line 20\nline 20½\n"
			}
			return fmt.Sprintf("line %d\n", i)
		}},
		{[]bool{false, false, true}, func(i int) string {
			if i == 35 || i == 36 {
				return ""
			}
			return fmt.Sprintf("line %d\n", i)
		}},
	} {
		want := ""
		switch {
		case tc.want != nil:
			want = numbered(40, tc.want)
		case tc.keep[0]:
			want = new
		default:
			want = old
		}
		if got := Pick(old, hunks, tc.keep); got != want {
			t.Errorf("keep %v:\n%s\nwant:\n%s", tc.keep, got, want)
		}
	}
}

// TestPickRandom: on random edits of random texts (with and without a
// final newline), keeping every hunk gives the new text and keeping none
// the old; keeping some gives a text whose hunks against old are exactly
// the kept ones.
func TestPickRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	words := []string{"a", "b", "c", "end", "do", "x = 1", ""}
	text := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(words[r.IntN(len(words))])
			b.WriteByte('\n')
		}
		s := b.String()
		if r.IntN(4) == 0 {
			s = strings.TrimSuffix(s, "\n")
		}
		return s
	}
	for i := range 500 {
		old := text(r.IntN(60))
		new := old
		// Mutate a few lines.
		ls := strings.SplitAfter(new, "\n")
		for range 1 + r.IntN(4) {
			j := r.IntN(len(ls))
			switch r.IntN(3) {
			case 0:
				ls[j] = words[r.IntN(len(words))] + "!\n"
			case 1:
				ls = append(ls[:j], ls[j+1:]...)
			default:
				ls = append(ls[:j], append([]string{"new\n"}, ls[j:]...)...)
			}
			if len(ls) == 0 {
				ls = []string{""}
			}
		}
		new = strings.Join(ls, "")
		hunks, err := Hunks(old, new)
		if err != nil {
			t.Fatal(err)
		}
		all, none := make([]bool, len(hunks)), make([]bool, len(hunks))
		for k := range all {
			all[k] = true
		}
		if got := Pick(old, hunks, all); got != new {
			t.Fatalf("case %d: all kept:\n%q\nwant\n%q", i, got, new)
		}
		if got := Pick(old, hunks, none); got != old {
			t.Fatalf("case %d: none kept:\n%q\nwant\n%q", i, got, old)
		}
		if len(hunks) < 2 {
			continue
		}
		some := make([]bool, len(hunks))
		kept := 0
		for k := range some {
			some[k] = r.IntN(2) == 0
			if some[k] {
				kept++
			}
		}
		got := Pick(old, hunks, some)
		// Every hunk kept changes the text as it did; the result is
		// between old and new: applying the rest to it gives new.
		rest, err := Hunks(got, new)
		if err != nil {
			t.Fatal(err)
		}
		if kept == len(hunks) && len(rest) != 0 || kept < len(hunks) && got == new && countChanges(hunks, some) > 0 {
			t.Fatalf("case %d: keep %v: %d hunks left", i, some, len(rest))
		}
		if got2 := Pick(got, rest, ones(len(rest))); got2 != new {
			t.Fatalf("case %d: the rest does not lead to new", i)
		}
	}
}

func ones(n int) []bool {
	b := make([]bool, n)
	for i := range b {
		b[i] = true
	}
	return b
}

// countChanges counts the changed lines of the hunks not kept.
func countChanges(hunks []*udiff.Hunk, keep []bool) int {
	n := 0
	for i, h := range hunks {
		if keep[i] {
			continue
		}
		for _, l := range h.Lines {
			if l.Kind != udiff.Equal {
				n++
			}
		}
	}
	return n
}
