package tokens

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// benchChunks cuts a big Go file, the Elixir sample and the prose sample
// into 200–2000 byte chunks, as the index does.
func benchChunks(b *testing.B) (chunks []string, bytes int64) {
	b.Helper()
	for _, f := range []corpusFile{
		{"go", "goroot", "src/net/http/server.go", filepath.Join(runtime.GOROOT(), "src/net/http/server.go")},
		{"elixir", "testdata", "samples/budget.ex", "testdata/samples/budget.ex"},
		{"prose", "testdata", "samples/notes.md", "testdata/samples/notes.md"},
	} {
		text, err := os.ReadFile(f.full)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range chunkFile(f, string(text), 0) {
			chunks = append(chunks, c.text)
			bytes += int64(len(c.text))
		}
	}
	return chunks, bytes
}

func BenchmarkCount(b *testing.B) {
	chunks, n := benchChunks(b)
	file, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src/net/http/server.go"))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		c    Counter
	}{
		{"estimate", Estimate{Family: FamilyLlama3}},
		{"o200k", o200k},
		{"cl100k", cl100k},
	} {
		c.c.Count("warm up: load the tables")
		b.Run(c.name+"/chunks", func(b *testing.B) {
			b.SetBytes(n)
			for b.Loop() {
				for _, s := range chunks {
					c.c.Count(s)
				}
			}
		})
		b.Run(c.name+"/chunks-parallel", func(b *testing.B) {
			b.SetBytes(n)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					for _, s := range chunks {
						c.c.Count(s)
					}
				}
			})
		})
		if bp, ok := c.c.(*bpe); ok {
			// The first count of a text in a process: no piece seen.
			b.Run(c.name+"/file-cold", func(b *testing.B) {
				b.SetBytes(int64(len(file)))
				s := string(file)
				for b.Loop() {
					bp.pieces.mu.Lock()
					bp.pieces.m = nil
					bp.pieces.mu.Unlock()
					c.c.Count(s)
				}
			})
		}
		b.Run(c.name+"/file", func(b *testing.B) {
			b.SetBytes(int64(len(file)))
			s := string(file)
			for b.Loop() {
				c.c.Count(s)
			}
		})
	}
}

func BenchmarkFamilyOf(b *testing.B) {
	for b.Loop() {
		FamilyOf("ollama", "llama3.1:8b-instruct-q4_K_M")
	}
}

// BenchmarkCountLongPiece: a 1 MB run of letters, one piece of the
// encodings' split (a minified line, a blob): counted in parts, it takes
// a fraction of a second; whole, the codec's quadratic merging took more
// than six minutes.
func BenchmarkCountLongPiece(b *testing.B) {
	text := strings.Repeat("abcdefghij", 100_000)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		o200k.pieces = pieceCounts{}
		o200k.Count(text)
	}
}
