package tokens

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/tiktoken-go/tokenizer/codec"
)

// bpe counts with one of OpenAI's encodings. The codec package is imported
// rather than its parent so that only the two encodings used here are
// linked into the binary (the parent's Get reaches all five).
//
// The encoding's tables are built on first use, once per process: about
// 10 ms and 3 MB of heap for cl100k_base, 30 ms and 6 MB for o200k_base.
// After that a codec is read-only apart from its regexp's pool of
// matchers, which has its own lock, so one codec serves every goroutine
// (codec.Decode is the exception — it fills a map lazily — and is not used).
//
// A text is cut into the encoding's pieces here (split.go), and each piece
// is counted by the codec — whose own split of a piece is the piece — once:
// the counts of pieces seen are kept (pieces), as the same identifiers,
// keywords and indentation make most of any code.
type bpe struct {
	family Family
	load   func() *codec.Codec
	split  func(t string, i int) int // the end of the piece at t[i]

	once   sync.Once
	codec  *codec.Codec
	pieces pieceCounts
}

// The two exact counters. They hold no state but their lazily loaded,
// read-only tables and the counts of the pieces they have seen.
var (
	o200k  = &bpe{family: FamilyO200k, load: codec.NewO200kBase, split: splitO200k}
	cl100k = &bpe{family: FamilyCl100k, load: codec.NewCl100kBase, split: splitCl100k}
)

// Count returns the exact number of tokens in text, without special
// tokens: "<|endoftext|>" counts as the ordinary text it is.
func (b *bpe) Count(text string) int {
	if text == "" {
		return 0
	}
	b.once.Do(func() { b.codec = b.load() })
	total := 0
	for i := 0; i < len(text); {
		end := b.split(text, i)
		piece := text[i:end]
		n, ok := b.pieces.get(piece)
		if !ok {
			n = b.countPiece(piece)
			b.pieces.put(piece, n)
		}
		total += n
		i = end
	}
	return total
}

// maxMergePiece bounds the bytes the codec merges at once. Its merge
// loop takes time quadratic in a piece's length: a 100 kB run of letters
// (a minified line, a hex blob, a prompt of one long word) took 3.4 s and
// 1 MB took six and a half minutes. A longer piece is counted in parts of
// at most this many bytes, cut at rune starts: 1 MB then takes ~0.3 s.
// Each cut splits the tokens around it, so such a piece counts a few
// tokens more per part (on a run of the alphabet, cl100k_base counted 2.5
// more per cut, o200k_base 1) — more, not fewer, wherever measured: the side a budget
// can bear. Pieces of ordinary text are far shorter and counted exactly.
const maxMergePiece = 512

// countPiece counts one piece of the encoding's split.
func (b *bpe) countPiece(piece string) int {
	n := 0
	for len(piece) > maxMergePiece {
		cut := maxMergePiece
		for cut > 0 && !utf8.RuneStart(piece[cut]) {
			cut--
		}
		if cut == 0 {
			cut = maxMergePiece // no rune starts there: not UTF-8 anyway
		}
		n += b.countPiece(piece[:cut])
		piece = piece[cut:]
	}
	c, err := b.codec.Count(piece)
	if err != nil {
		// The split regexp can only fail on a match timeout, and none is
		// set; should it fail anyway, an estimate beats no count.
		c = Estimate{Family: b.family}.Count(piece)
	}
	return n + c
}

// Bounds of the pieces' counts kept: pieces longer than maxPieceLen are
// rare (long runs of white space or of punctuation) and counted each time;
// after maxPieces, the counts kept are let go and kept anew. 64k pieces of
// code take about 4 MB.
const (
	maxPieceLen = 32
	maxPieces   = 1 << 16
)

// pieceCounts keeps the token counts of pieces, safe for concurrent use.
type pieceCounts struct {
	mu sync.RWMutex
	m  map[string]int32
}

func (p *pieceCounts) get(piece string) (int, bool) {
	if len(piece) > maxPieceLen {
		return 0, false
	}
	p.mu.RLock()
	n, ok := p.m[piece]
	p.mu.RUnlock()
	return int(n), ok
}

func (p *pieceCounts) put(piece string, n int) {
	if len(piece) > maxPieceLen {
		return
	}
	p.mu.Lock()
	if p.m == nil || len(p.m) >= maxPieces {
		p.m = make(map[string]int32, 1024)
	}
	p.m[strings.Clone(piece)] = int32(n) // not the text's: it would keep the text
	p.mu.Unlock()
}
