package checkpoint

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bluekeyes/go-gitdiff/gitdiff"
)

func TestUnifiedGolden(t *testing.T) {
	a := "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\n"
	b := "one\n2\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\nthirteen"
	want := `--- a/x
+++ b/x
@@ -1,5 +1,5 @@
 one
-two
+2
 three
 four
 five
@@ -10,3 +10,4 @@
 ten
 eleven
 twelve
+thirteen
\ No newline at end of file
`
	if got := unified([]byte(a), []byte(b), "a/x", "b/x"); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if got := unified(nil, []byte("x\n"), "/dev/null", "b/x"); got != "--- /dev/null\n+++ b/x\n@@ -0,0 +1 @@\n+x\n" {
		t.Errorf("new file: %q", got)
	}
	// A function inserted above another that starts like it: no line of
	// either is shown removed and added back.
	before := "func Add() {\n\treturn\n}\n\nfunc Div() {\n\treturn\n}\n"
	after := "func Add() {\n\treturn\n}\n\nfunc Sub() {\n\treturn\n}\n\nfunc Div() {\n\treturn\n}\n"
	if got := unified([]byte(before), []byte(after), "a/x", "b/x"); strings.Contains(got, "\n-") || strings.Count(got, "\n+") != 5 {
		t.Errorf("an insertion:\n%s", got)
	}
	if got := unified([]byte("same"), []byte("same"), "a", "b"); got != "" {
		t.Errorf("equal: %q", got)
	}
}

// randomText is n lines drawn from a few, with or without a final newline.
func randomText(r *rand.Rand, n int) []byte {
	words := []string{"a", "b", "c", "d", "func f() {", "}", ""}
	var b strings.Builder
	for i := range n {
		b.WriteString(words[r.IntN(len(words))])
		if i < n-1 || r.IntN(4) > 0 {
			b.WriteByte('\n')
		}
	}
	return []byte(b.String())
}

// lcs is the length of the longest common subsequence of a and b, by
// dynamic programming: the reference for a minimal diff.

// Every diff applies (by go-gitdiff, which parses and applies git's
// patches) to give the new text, and is minimal unless cut short.
// TestUnifiedApplies: the diffs we print apply with go-gitdiff (as git
// apply would) and give the new version back.
func TestUnifiedApplies(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		a, b := randomText(r, r.IntN(40)), randomText(r, r.IntN(40))
		if bytes.Equal(a, b) {
			continue
		}
		patch := unified(a, b, "a/f", "b/f")
		files, _, err := gitdiff.Parse(strings.NewReader("diff --git a/f b/f\n" + patch))
		if err != nil || len(files) != 1 {
			t.Fatalf("case %d: parse: %v\n%s", i, err, patch)
		}
		var got bytes.Buffer
		if err := gitdiff.Apply(&got, bytes.NewReader(a), files[0]); err != nil {
			t.Fatalf("case %d: apply: %v\na=%q\nb=%q\n%s", i, err, a, b, patch)
		}
		if !bytes.Equal(got.Bytes(), b) {
			t.Fatalf("case %d: applied gives %q, want %q\n%s", i, got.Bytes(), b, patch)
		}
	}
}

func TestUnifiedLargeRewriteIsFast(t *testing.T) {
	// 20,000 lines against 20,000 different ones.
	var a, b strings.Builder
	for i := range 20000 {
		a.WriteString("old line " + strings.Repeat("x", i%7) + "\n")
		b.WriteString("new line " + strings.Repeat("y", i%5) + "\n")
	}
	d := unified([]byte(a.String()), []byte(b.String()), "a/f", "b/f")
	if strings.Count(d, "\n-") != 20000 || strings.Count(d, "\n+") != 20001 { // + the header's
		t.Errorf("%d - and %d + lines", strings.Count(d, "\n-"), strings.Count(d, "\n+"))
	}
}
