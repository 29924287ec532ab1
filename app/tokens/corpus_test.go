package tokens

import (
	"go/build"
	"hash/fnv"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The calibration corpus: chunk-sized pieces of real files, in three
// domains. Files are split between fitting and testing by a hash of their
// path, so no file contributes to both.

// chunk is one piece of a corpus file.
type chunk struct {
	domain     string // "go", "elixir" or "prose"
	root       string // a key of corpusRoots
	path       string // relative to the root
	start, end int    // byte offsets in the file
	text       string
}

// id names the chunk across runs: root:path:start:end.
func (c chunk) id() string {
	return c.root + ":" + c.path + ":" + strconv.Itoa(c.start) + ":" + strconv.Itoa(c.end)
}

// corpusRoots are the directories the corpus is read from. Only goroot and
// testdata are on every machine that runs the tests.
func corpusRoots(corpora string) map[string]string {
	return map[string]string{
		"goroot":   runtime.GOROOT(),
		"testdata": "testdata",
		"corpora":  corpora,
		"npm":      "/usr/lib/node_modules/npm/docs",
		"licenses": "/usr/share/common-licenses",
		"modcache": modCache(),
	}
}

// modCache is the Go module cache, for its many Markdown files.
func modCache() string {
	if d := os.Getenv("GOMODCACHE"); d != "" {
		return d
	}
	return filepath.Join(build.Default.GOPATH, "pkg", "mod")
}

// corpusSource is a set of files of one domain under one root.
type corpusSource struct {
	domain string
	root   string
	dir    string // under the root
	match  func(rel string) bool
}

func suffix(s ...string) func(string) bool {
	return func(rel string) bool {
		for _, x := range s {
			if strings.HasSuffix(rel, x) {
				return true
			}
		}
		return false
	}
}

var corpusSources = []corpusSource{
	{"go", "goroot", "src", suffix(".go")},
	{"elixir", "corpora", ".", suffix(".ex", ".exs")},
	{"elixir", "testdata", "samples", suffix(".ex")},
	{"prose", "goroot", ".", suffix(".md")},
	{"prose", "goroot", "doc", suffix(".html")},
	{"prose", "corpora", ".", suffix(".md")},
	{"prose", "npm", ".", suffix(".md")},
	{"prose", "modcache", ".", suffix(".md")},
	{"prose", "licenses", ".", func(rel string) bool { return !strings.Contains(rel, "/") }},
	{"prose", "testdata", "samples", suffix(".md")},
}

// heldOut reports whether a file belongs to the test split: a fifth of the
// files, and every sample under testdata (written for the tests, never
// fitted).
func heldOut(root, rel string) bool {
	if root == "testdata" {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(rel))
	return h.Sum32()%5 == 0
}

// corpusFile is a file of a source, not yet read.
type corpusFile struct {
	domain, root, rel string
	full              string
}

// listCorpus lists the files of every source whose root exists, sorted,
// with their split.
func listCorpus(corpora string) (train, test []corpusFile) {
	roots := corpusRoots(corpora)
	for _, s := range corpusSources {
		base := roots[s.root]
		dir := filepath.Join(base, s.dir)
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			rel, err := filepath.Rel(base, p)
			if err != nil || !s.match(filepath.ToSlash(rel)) {
				return nil
			}
			rel = filepath.ToSlash(rel)
			f := corpusFile{s.domain, s.root, rel, p}
			if heldOut(s.root, rel) {
				test = append(test, f)
			} else {
				train = append(train, f)
			}
			return nil
		})
	}
	cmp := func(a, b corpusFile) int { return strings.Compare(a.root+":"+a.rel, b.root+":"+b.rel) }
	slices.SortFunc(train, cmp)
	slices.SortFunc(test, cmp)
	return train, test
}

// chunkFile cuts a file into pieces of 200 to 2000 bytes at line ends, the
// length of each drawn at random (seeded by the path). Lines longer than
// the piece are cut at a rune boundary. Pieces that are not valid UTF-8,
// and a last piece under 200 bytes, are dropped.
// Variants of a file are cut with different seeds.
func chunkFile(f corpusFile, text string, variant uint64) []chunk {
	h := fnv.New64a()
	h.Write([]byte(f.root + ":" + f.rel))
	r := rand.New(rand.NewPCG(h.Sum64(), 1+variant))
	var out []chunk
	for off := 0; off < len(text); {
		target := 200 + r.IntN(1801)
		end := off
		for end < len(text) && end-off < target {
			nl := strings.IndexByte(text[end:], '\n')
			if nl < 0 {
				end = len(text)
				break
			}
			end += nl + 1
		}
		if end-off > 2000 {
			end = off + 2000
			for end > off && !utf8.RuneStart(text[end]) {
				end--
			}
		}
		piece := text[off:end]
		if len(piece) >= 200 && utf8.ValidString(piece) {
			out = append(out, chunk{f.domain, f.root, f.rel, off, end, piece})
		}
		off = end
	}
	return out
}

// sampleChunks reads files in a random order (fixed by seed) and returns up
// to max chunks per domain, at most perFile from any one file so that a few
// big files do not dominate.
func sampleChunks(tb testing.TB, files []corpusFile, seed uint64, max map[string]int, perFile int) []chunk {
	tb.Helper()
	files = slices.Clone(files)
	r := rand.New(rand.NewPCG(seed, 2))
	r.Shuffle(len(files), func(i, j int) { files[i], files[j] = files[j], files[i] })
	n := map[string]int{}
	var out []chunk
	for _, f := range files {
		if n[f.domain] >= max[f.domain] {
			continue
		}
		b, err := os.ReadFile(f.full)
		if err != nil {
			tb.Fatal(err)
		}
		cs := chunkFile(f, string(b), 0)
		r.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
		for i, c := range cs {
			if i == perFile || n[f.domain] >= max[f.domain] {
				break
			}
			out = append(out, c)
			n[f.domain]++
		}
	}
	return out
}

// sampleVariants cuts every file variants times, each time differently, and
// returns every chunk: for the few small samples under testdata.
func sampleVariants(tb testing.TB, files []corpusFile, variants int) []chunk {
	tb.Helper()
	var out []chunk
	seen := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f.full)
		if err != nil {
			tb.Fatal(err)
		}
		for v := range variants {
			for _, c := range chunkFile(f, string(b), uint64(v)) {
				if !seen[c.id()] {
					seen[c.id()] = true
					out = append(out, c)
				}
			}
		}
	}
	return out
}
