package tokens

import (
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/tiktoken-go/tokenizer/codec"
)

// The token ids below were produced by an independent implementation of
// the same encodings (js-tiktoken 1.0.21, encode with no special tokens),
// not by the library under test.
var knownEncodings = []struct {
	text          string
	o200k, cl100k []uint
}{
	{"hello world", []uint{24912, 2375}, []uint{15339, 1917}},
	{"Hello, world!", []uint{13225, 11, 2375, 0}, []uint{9906, 11, 1917, 0}},
	{" ", []uint{220}, []uint{220}},
	{"\n\n\n", []uint{2499}, []uint{1432}},
	{"func main() {\n\tfmt.Println(\"hi\")\n}\n",
		[]uint{5652, 2758, 416, 405, 24728, 28250, 568, 3686, 1896, 739},
		[]uint{2900, 1925, 368, 341, 11254, 12701, 446, 6151, 1158, 534}},
	{"defmodule Foo do\n  def bar(x), do: x |> Enum.map(&(&1 * 2))\nend\n",
		[]uint{1314, 8056, 69516, 621, 198, 220, 1056, 3608, 4061, 936, 621, 25, 1215, 160583, 35827, 7975, 4366, 4366, 16, 425, 220, 17, 2210, 419, 198},
		[]uint{755, 4450, 34528, 656, 198, 220, 711, 3703, 2120, 705, 656, 25, 865, 59821, 14416, 4875, 2146, 2146, 16, 353, 220, 17, 1192, 408, 198}},
	// Special tokens count as the text they are.
	{"<|endoftext|>", []uint{27, 91, 419, 1440, 919, 91, 29}, []uint{27, 91, 8862, 728, 428, 91, 29}},
	// Digits go in groups of at most three.
	{"1234567", []uint{7633, 19354, 22}, []uint{4513, 10961, 22}},
	{"日本語のテキスト", []uint{9048, 40909, 3385, 16056, 18368, 38236}, []uint{9080, 22656, 45918, 252, 16144, 57933, 62903, 71634}},
	{"naïve café 🙂", []uint{1503, 9954, 737, 30469, 26192}, []uint{3458, 38672, 588, 53050, 28584}},
	// o200k splits words at case changes; cl100k does not.
	{"HTTPServerError", []uint{17893, 6444, 2255}, []uint{9412, 39609}},
	{"getElementById", []uint{522, 2394, 1582, 906}, []uint{76757, 2787}},
}

func TestBPEKnownEncodings(t *testing.T) {
	for _, enc := range []struct {
		name  string
		c     Counter
		codec *codec.Codec
		ids   func(int) []uint
	}{
		{"o200k", FamilyO200k.Counter(), codec.NewO200kBase(), func(i int) []uint { return knownEncodings[i].o200k }},
		{"cl100k", FamilyCl100k.Counter(), codec.NewCl100kBase(), func(i int) []uint { return knownEncodings[i].cl100k }},
	} {
		for i, k := range knownEncodings {
			ids, _, err := enc.codec.Encode(k.text)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(enc.ids(i), ids); diff != "" {
				t.Errorf("%s %q ids (-want +got):\n%s", enc.name, k.text, diff)
			}
			if got := enc.c.Count(k.text); got != len(enc.ids(i)) {
				t.Errorf("%s Count(%q) = %d, want %d", enc.name, k.text, got, len(enc.ids(i)))
			}
		}
	}
	if n := FamilyCl100k.Counter().Count("hello world"); n != 2 {
		t.Errorf(`cl100k "hello world" = %d tokens, want 2 ("hello", " world")`, n)
	}
	if n := FamilyO200k.Counter().Count(""); n != 0 {
		t.Errorf("empty text = %d tokens", n)
	}
}

// TestBPEAgainstReference compares the Go BPE with the reference counts of
// the held-out chunks (js-tiktoken, see calibrate_test.go).
func TestBPEAgainstReference(t *testing.T) {
	rows := heldOutRows(t)
	if raceEnabled {
		// BPE is ~30 times slower under the race detector, and this test
		// is about counts, not concurrency: keep one row in ten.
		var some []heldOutRow
		for i := 0; i < len(rows); i += 10 {
			some = append(some, rows[i])
		}
		rows = some
	}
	for _, enc := range []struct {
		ref string
		c   Counter
	}{{"o200k", o200k}, {"cl100k", cl100k}} {
		i := refIndex(enc.ref)
		got := parallelMap(rows, func(r heldOutRow) int { return enc.c.Count(r.text) })
		for j, r := range rows {
			if got[j] != r.counts[i] {
				t.Errorf("%s %s: %d tokens, reference %d", enc.ref, r.id, got[j], r.counts[i])
			}
		}
	}
}

// TestConcurrentCount counts the same texts from many goroutines, starting
// with counters whose tables are not loaded yet, and expects the counts of
// a single goroutine. Run with -race.
func TestConcurrentCount(t *testing.T) {
	texts := []string{knownEncodings[4].text, knownEncodings[5].text, strings.Repeat("concurrency is not parallelism. ", 40)}
	counters := map[string]func() Counter{
		"o200k":    func() Counter { return &bpe{family: FamilyO200k, load: codec.NewO200kBase, split: splitO200k} },
		"cl100k":   func() Counter { return &bpe{family: FamilyCl100k, load: codec.NewCl100kBase, split: splitCl100k} },
		"estimate": func() Counter { return Estimate{Family: FamilyLlama3, Margin: 0.05} },
	}
	for name, mk := range counters {
		want := make([]int, len(texts))
		for i, s := range texts {
			want[i] = mk().Count(s)
		}
		c := mk()
		var wg sync.WaitGroup
		got := make([][]int, 8)
		for g := range got {
			wg.Go(func() {
				for range 5 {
					got[g] = got[g][:0]
					for _, s := range texts {
						got[g] = append(got[g], c.Count(s))
					}
				}
			})
		}
		wg.Wait()
		for g := range got {
			if !slices.Equal(got[g], want) {
				t.Errorf("%s goroutine %d counted %v, want %v", name, g, got[g], want)
			}
		}
	}
}

// TestOffline checks that the package cannot reach the network: the
// encodings are compiled in, and nothing it links can open a connection.
func TestOffline(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "net" || strings.HasPrefix(dep, "net/") || dep == "os/exec" || dep == "plugin" {
			t.Errorf("app/tokens depends on %s", dep)
		}
	}
}

// TestLongPieceCountedInParts: a piece longer than maxMergePiece (a run of
// letters with no break, which the encodings keep as one piece) is counted
// in parts, since the codec's merging is quadratic in a piece's length. The
// count is the sum of its parts' and lies between the exact count and a
// few tokens more per part; text of ordinary pieces is counted exactly.
func TestLongPieceCountedInParts(t *testing.T) {
	for _, b := range []*bpe{o200k, cl100k} {
		b.once.Do(func() { b.codec = b.load() })
		long := strings.Repeat("abcdefghijklmnopqrstuvwxyzé", 200) // 5,600 bytes, one piece
		if end := b.split(long, 0); end != len(long) {
			t.Fatalf("%s: the test text is not one piece (%d of %d bytes)", b.family, end, len(long))
		}
		exact, err := b.codec.Count(long)
		if err != nil {
			t.Fatal(err)
		}
		got := b.Count(long)
		parts := (len(long) + maxMergePiece - 1) / maxMergePiece
		if got < exact || got > exact+3*parts {
			t.Errorf("%s: %d-byte piece counts %d; want %d to %d", b.family, len(long), got, exact, exact+parts)
		}
		sum, rest := 0, long
		for len(rest) > 0 {
			cut := min(maxMergePiece, len(rest))
			for cut < len(rest) && !utf8.RuneStart(rest[cut]) {
				cut--
			}
			n, _ := b.codec.Count(rest[:cut])
			sum, rest = sum+n, rest[cut:]
		}
		if got != sum {
			t.Errorf("%s: counted %d; its parts count %d", b.family, got, sum)
		}
		if text := "func main() {\n\tfmt.Println(\"hi\")\n}\n"; b.Count(text) != len(mustEncode(t, b, text)) {
			t.Errorf("%s: ordinary text is not counted exactly", b.family)
		}
		if n := b.Count(strings.Repeat("\x80", 600)); n <= 0 {
			t.Errorf("%s: 600 continuation bytes count %d", b.family, n)
		}
	}
}

func mustEncode(t *testing.T, b *bpe, text string) []uint {
	t.Helper()
	ids, _, err := b.codec.Encode(text)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}
