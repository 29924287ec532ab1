package tokens

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
	"github.com/tiktoken-go/tokenizer/codec"
)

// The encodings' split expressions, as the library compiles them.
var splitPatterns = map[string]string{
	"o200k":  `[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
	"cl100k": `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
}

var splitters = map[string]func(string, int) int{"o200k": splitO200k, "cl100k": splitCl100k}

// regexpPieces cuts text with re, as the library does: its pieces are
// made of runes, an invalid byte being U+FFFD.
func regexpPieces(t *testing.T, re *regexp2.Regexp, text string) []string {
	t.Helper()
	var out []string
	m, err := re.FindStringMatch(text)
	for ; m != nil && err == nil; m, err = re.FindNextMatch(m) {
		out = append(out, m.String())
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ourPieces cuts text with split, each piece as the library would see it.
func ourPieces(split func(string, int) int, text string) []string {
	var out []string
	for i := 0; i < len(text); {
		end := split(text, i)
		if end <= i {
			panic("split made no progress")
		}
		out = append(out, string([]rune(text[i:end])))
		i = end
	}
	return out
}

// checkSplit compares the two cuts of text, reporting the first piece
// that differs.
func checkSplit(t *testing.T, name string, re *regexp2.Regexp, what, text string) bool {
	t.Helper()
	want, got := regexpPieces(t, re, text), ourPieces(splitters[name], text)
	if slices.Equal(got, want) {
		return true
	}
	i := 0
	for i < min(len(got), len(want)) && got[i] == want[i] {
		i++
	}
	ctx := func(ps []string) []string { return ps[max(i-2, 0):min(i+3, len(ps))] }
	t.Errorf("%s %s: piece %d differs: got %q, regexp %q", name, what, i, ctx(got), ctx(want))
	return false
}

// TestSplitAgainstRegexp checks that the pieces cut here are the
// library's, on real code and prose, and on random strings of runes of
// every class the expressions tell apart (TestSplitClasses checks each
// rune's classes).
func TestSplitAgainstRegexp(t *testing.T) {
	files := splitSample(t)
	rng := rand.New(rand.NewPCG(8, 200))
	alphabet := []string{
		"a", "b", "s", "t", "d", "m", "l", "r", "e", "v", "S", "T", "L", "R", "E", "V", "D", "M", "Q",
		"ǅ", "ʰ", "中", "\u0301", "\u0903", "٣", "½", "Ⅻ", "0", "7", " ", "  ", "\t", "\n", "\r", "\r\n",
		"\u00a0", "\u2028", "\u3000", "\v", "\f", "\u0085", "'", "’", "/", "!", "-", "{", "\xff", "\xe2\x82",
		"\u0130", "\u212a", "ſ", "ß", "İ", "\u200d", "😀", "é", "É",
	}
	var random []string
	n := 50000
	if testing.Short() || raceEnabled {
		n = 5000
	}
	for range n {
		var b strings.Builder
		for range 1 + rng.IntN(16) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		random = append(random, b.String())
	}
	for name, pat := range splitPatterns {
		re := regexp2.MustCompile(pat, regexp2.None)
		for path, text := range files {
			checkSplit(t, name, re, path, text)
		}
		bad := 0
		for _, s := range random {
			if !checkSplit(t, name, re, "random", s) {
				if bad++; bad > 10 {
					break
				}
			}
		}
	}
}

// TestSplitClasses checks the classes of every rune against the
// library's engine: the runs of each class in a text of all runes, in
// order, are the same.
func TestSplitClasses(t *testing.T) {
	var b strings.Builder
	step := rune(1)
	if testing.Short() || raceEnabled {
		step = 13 // every 13th rune: runs of a class are long
	}
	for r := rune(0); r <= utf8.MaxRune; r += step {
		if !utf8.ValidRune(r) {
			continue
		}
		b.WriteRune(r)
	}
	b.WriteString("\xff\xfe") // invalid: U+FFFD, each
	all := b.String()
	contractionLetter := func(r rune) bool { return strings.ContainsRune("strevmld", unicode.ToLower(r)) }
	for _, c := range []struct {
		pattern string
		is      func(r rune, c uint8) bool
	}{
		{`\p{L}`, func(_ rune, c uint8) bool { return c&cLetter != 0 }},
		{`\p{N}`, func(_ rune, c uint8) bool { return c&cNumber != 0 }},
		{`\s`, func(_ rune, c uint8) bool { return c&cSpace != 0 }},
		{`[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`, func(_ rune, c uint8) bool { return c&cUpper != 0 }},
		{`[\p{Ll}\p{Lm}\p{Lo}\p{M}]`, func(_ rune, c uint8) bool { return c&cLower != 0 }},
		{`[\r\n]`, func(_ rune, c uint8) bool { return c&cNewline != 0 }},
		{`[^\r\n\p{L}\p{N}]`, func(_ rune, c uint8) bool { return prefix(c) }},
		{`[^\s\p{L}\p{N}]`, func(_ rune, c uint8) bool { return punct(c) }},
		{`(?i:s|t|r|e|v|m|l|d)`, func(r rune, _ uint8) bool { return contractionLetter(r) }},
	} {
		want := regexpPieces(t, regexp2.MustCompile("(?:"+c.pattern+")+", regexp2.None), all)
		var got []string
		var run []rune
		for i := 0; i < len(all); {
			r, rc, n := at(all, i)
			if c.is(r, rc) {
				run = append(run, r)
			} else if run != nil {
				got, run = append(got, string(run)), nil
			}
			i += n
		}
		if run != nil {
			got = append(got, string(run))
		}
		if !slices.Equal(got, want) {
			i := 0
			for i < min(len(got), len(want)) && got[i] == want[i] {
				i++
			}
			first := func(ps []string) string {
				if i < len(ps) {
					r := []rune(ps[i])
					return fmt.Sprintf("U+%04X…U+%04X", r[0], r[len(r)-1])
				}
				return "none"
			}
			t.Errorf("%s: run %d is %s; the library's is %s", c.pattern, i, first(got), first(want))
		}
	}
}

// splitSample reads some of the standard library's files, Go and not, and
// the samples in testdata.
func splitSample(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	every, most := 80, 1<<30 // most bytes read
	if testing.Short() || raceEnabled {
		every, most = 400, 200<<10
	}
	i, read := 0, 0
	src := filepath.Join(runtime.GOROOT(), "src")
	filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if i++; i%every != 0 && !strings.HasSuffix(p, "unicode/utf8/utf8_test.go") {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil && len(b) < 1<<20 && read+len(b) <= most {
			out[p] = string(b)
			read += len(b)
		}
		return nil
	})
	samples, _ := filepath.Glob("testdata/samples/*")
	for _, p := range samples {
		if b, err := os.ReadFile(p); err == nil {
			out[p] = string(b)
		}
	}
	if len(out) < 10 {
		t.Fatalf("only %d files to compare on", len(out))
	}
	return out
}

// TestCountEqualsLibrary checks whole counts against the library's own,
// pieces kept or not. A text with pieces longer than maxMergePiece (the
// binary files of the sample) is counted in parts there, a few tokens more
// per cut, never fewer.
func TestCountEqualsLibrary(t *testing.T) {
	files := splitSample(t)
	for _, enc := range []struct {
		name string
		c    *bpe
		lib  *codec.Codec
	}{{"o200k", o200k, codec.NewO200kBase()}, {"cl100k", cl100k, codec.NewCl100kBase()}} {
		fresh := &bpe{family: enc.c.family, load: enc.c.load, split: enc.c.split}
		for p, text := range files {
			want, err := enc.lib.Count(text)
			if err != nil {
				t.Fatal(err)
			}
			cuts := 0
			for i := 0; i < len(text); {
				end := enc.c.split(text, i)
				cuts += (end - i - 1) / maxMergePiece
				i = end
			}
			for _, again := range []string{"", " counted again"} {
				if got := fresh.Count(text); got < want || got > want+3*cuts {
					t.Errorf("%s %s%s: %d tokens, library %d (%d cuts in long pieces)", enc.name, p, again, got, want, cuts)
				}
			}
		}
	}
}
