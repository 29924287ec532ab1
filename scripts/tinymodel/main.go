// Command tinymodel writes a tiny llama-architecture GGUF model with seeded
// random weights, for tests and development against a real Ollama server
// (see scripts/ollama-dev).
//
//	go run ./scripts/tinymodel -o DIR/tiny.gguf
//
// The model is 2 layers, dim 64, 4 heads / 2 KV heads, FFN 128, all F32, with
// a SentencePiece ("llama") vocabulary of a few hundred tokens: <unk>, <s>,
// </s>, the 256 byte tokens (spelled <0x0A>: llama.cpp looks them up by that
// exact spelling and aborts the whole server if <0x0A> is missing), single
// characters and some English words.
//
// Its output is gibberish, but short and never empty. The weights are random
// except for a small "level" structure in the embedding and output matrices:
// every generated word belongs to one of numLevels levels, and the current
// token's level strongly selects a word of the next level as the next token.
// Prompt tokens (characters, bytes, specials) point at level 0. EOS competes
// with the next level from level minLevelEOS on, ever more strongly, and always
// wins after the last level. So an answer has between minLevelEOS+1 and
// numLevels words, chosen by the random weights and the context. Greedy
// decoding (temperature 0) makes it deterministic.
package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/ollama/ollama/fs/ggml"
)

// Model shape.
const (
	numLayers   = 2
	dim         = 64
	numHeads    = 4
	numKVHeads  = 2
	headDim     = dim / numHeads
	ffnDim      = 128
	contextLen  = 8192
	rmsEpsilon  = 1e-5
	ropeFreq    = 10000
	numLevels   = 16 // words per answer at most
	minLevelEOS = 4  // EOS may follow a word of this level or later: at least 5 words
)

// Token ids fixed by the usual llama SentencePiece layout.
const (
	unkID = 0
	bosID = 1
	eosID = 2
)

// llama.cpp token types (enum llama_token_type).
const (
	typeNormal  = 1
	typeUnknown = 2
	typeControl = 3
	typeByte    = 6
)

// Structure of the embedding and output matrices. Dimension 0 is "start"
// (carried by every token that is not a generated word); dimension l+1 is
// "level l". The remaining dimensions hold random per-token identity.
const (
	levelDims     = numLevels + 1
	levelSignal   = 4.0  // embedding value on the token's level dimension
	identityScale = 0.5  // embedding noise on identity dimensions
	outputLevel   = 3.0  // output weight selecting the next level
	outputNoise   = 0.3  // output noise on identity dimensions
	eosRampLow    = 0.95 // EOS weight (× outputLevel) at minLevelEOS ...
	eosRampHigh   = 1.2  // ... rising to this at the next to last level
	eosLastLevel  = 1.5  // after the last level EOS has no competitor
)

// words are the generated vocabulary; each gets the SentencePiece word
// boundary prefix ▁.
var words = []string{
	"the", "of", "and", "to", "in", "is", "it", "that", "for", "on",
	"with", "as", "was", "at", "by", "this", "from", "or", "but", "not",
	"are", "be", "have", "one", "all", "we", "can", "will", "an", "which",
	"there", "their", "if", "do", "so", "up", "out", "about", "what", "when",
	"more", "some", "time", "very", "like", "just", "into", "over", "then", "now",
	"hello", "world", "model", "token", "small", "quiet", "river", "stone", "green", "light",
	"code", "file", "test", "run", "build", "read", "write", "line", "word", "name",
	"tree", "cloud", "rain", "sun", "moon", "star", "blue", "red", "cold", "warm",
	"fast", "slow", "old", "new", "good", "long", "short", "high", "low", "open",
	"door", "road", "hill", "sea", "bird", "fish", "leaf", "seed", "root", "wind",
	"paper", "glass", "metal", "wood", "sand", "snow", "fire", "water", "earth", "air",
	"yes", "no", "maybe", "again", "always", "never", "often", "here", "where", "why",
	"go", "come", "see", "say", "make", "take", "give", "find", "keep", "let",
}

// pieces are characters and fragments that are never generated; they let the
// tokenizer spell prompts in roughly two characters a token instead of one
// (pieces longer than one character only form from smaller pieces present
// here, e.g. "▁the" from "▁t" and "he").
var pieces = []string{
	"▁", "e", "t", "a", "o", "i", "n", "s", "r", "h", "l", "d", "c", "u", "m",
	"f", "p", "g", "w", "y", "b", "v", "k", "x", "j", "q", "z",
	"▁t", "▁a", "▁s", "▁c", "▁i", "▁o", "▁w", "▁f", "▁p", "▁b", "▁m", "▁d",
	"▁r", "▁h", "▁e", "▁l", "▁n", "▁g", "▁u", "▁v", "▁I",
	"th", "he", "in", "er", "an", "re", "on", "at", "en", "nd", "ti", "es",
	"or", "te", "of", "ed", "is", "it", "al", "ar", "st", "to", "nt", "ng",
	"se", "ha", "as", "ou", "io", "le", "ve", "co", "me", "de", "hi", "ri",
	"ro", "ic", "ne", "ea", "ra", "ce", "ll", "ly", "ion", "ing", "tion",
	".", ",", "!", "?", ":", ";", "'", "\"", "-", "(", ")", "{", "}", "[", "]",
	"=", "/", "_", "*", "<", ">", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
	"▁▁", "▁▁▁▁", "()", "▁{", "▁=", "▁:=", "//", "▁//",
}

type vocab struct {
	tokens []string
	scores []float32
	types  []int32
	level  []int // level of a generated word, -1 for every other token
}

func buildVocab() vocab {
	var v vocab
	add := func(tok string, score float32, typ int32, level int) {
		v.tokens = append(v.tokens, tok)
		v.scores = append(v.scores, score)
		v.types = append(v.types, typ)
		v.level = append(v.level, level)
	}
	add("<unk>", 0, typeUnknown, -1)
	add("<s>", 0, typeControl, -1)
	add("</s>", 0, typeControl, -1)
	for b := range 256 {
		add(fmt.Sprintf("<0x%02X>", b), 0, typeByte, -1)
	}
	// SentencePiece merges the adjacent pair whose merged piece scores
	// highest; longer pieces score higher here, whole words highest.
	for i, p := range pieces {
		add(p, -100+float32(utf8.RuneCountInString(p))-float32(i)/1000, typeNormal, -1)
	}
	for i, w := range words {
		add("▁"+w, -10-float32(i)/10, typeNormal, i%numLevels)
	}
	return v
}

// generator draws the seeded random weights.
type generator struct {
	rng *rand.Rand
}

func (g *generator) normal(n int, scale float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(g.rng.NormFloat64() * scale)
	}
	return out
}

func constant(n int, v float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = v
	}
	return out
}

// tensor makes an F32 tensor. shape is in GGUF/ggml order: shape[0] is the
// fastest-varying dimension, i.e. a matrix mapping n inputs to m outputs is
// {n, m} and is stored as m rows of n values.
func tensor(name string, data []float32, shape ...uint64) (*ggml.Tensor, error) {
	n := uint64(1)
	for _, d := range shape {
		n *= d
	}
	if n != uint64(len(data)) {
		return nil, fmt.Errorf("tensor %s: shape %v holds %d values, have %d", name, shape, n, len(data))
	}
	buf := make([]byte, 4*len(data))
	for i, f := range data {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(f))
	}
	return &ggml.Tensor{
		Name:     name,
		Kind:     uint32(ggml.TensorTypeF32),
		Shape:    shape,
		WriterTo: bytes.NewReader(buf),
	}, nil
}

// eosWeight is EOS's output weight on the dimension of level l.
func eosWeight(l int) float32 {
	switch {
	case l < minLevelEOS:
		return 0
	case l == numLevels-1:
		return eosLastLevel * outputLevel
	default:
		frac := float64(l-minLevelEOS) / float64(max(1, numLevels-2-minLevelEOS))
		return float32((eosRampLow + frac*(eosRampHigh-eosRampLow)) * outputLevel)
	}
}

// build returns the model's metadata and tensors.
func build(seed uint64) (ggml.KV, []*ggml.Tensor, error) {
	v := buildVocab()
	nVocab := len(v.tokens)
	g := &generator{rng: rand.New(rand.NewPCG(seed, 0x7469_6e79))}

	// Token embeddings: {dim, nVocab}, one row of dim values per token.
	embd := make([]float32, 0, dim*nVocab)
	for id := range nVocab {
		row := make([]float32, dim)
		if l := v.level[id]; l >= 0 {
			row[l+1] = levelSignal
		} else {
			row[0] = levelSignal
		}
		copy(row[levelDims:], g.normal(dim-levelDims, identityScale))
		embd = append(embd, row...)
	}

	// Output projection: {dim, nVocab}; logit(token) = row(token) · h.
	out := make([]float32, 0, dim*nVocab)
	for id := range nVocab {
		row := make([]float32, dim)
		switch {
		case id == eosID:
			for l := range numLevels {
				row[l+1] = eosWeight(l)
			}
		case v.level[id] >= 0:
			// Selected when the current token is of the previous level
			// (level 0 follows "start").
			row[v.level[id]] = outputLevel
			copy(row[levelDims:], g.normal(dim-levelDims, outputNoise))
		default:
			copy(row[levelDims:], g.normal(dim-levelDims, outputNoise))
		}
		out = append(out, row...)
	}

	var ts []*ggml.Tensor
	add := func(name string, data []float32, shape ...uint64) error {
		t, err := tensor(name, data, shape...)
		if err != nil {
			return err
		}
		ts = append(ts, t)
		return nil
	}
	kvDim := uint64(numKVHeads * headDim)
	errs := []error{
		add("token_embd.weight", embd, dim, uint64(nVocab)),
		add("output_norm.weight", constant(dim, 1), dim),
		add("output.weight", out, dim, uint64(nVocab)),
	}
	for i := range numLayers {
		p := fmt.Sprintf("blk.%d.", i)
		errs = append(errs,
			add(p+"attn_norm.weight", constant(dim, 1), dim),
			add(p+"attn_q.weight", g.normal(dim*dim, 0.15), dim, dim),
			add(p+"attn_k.weight", g.normal(dim*int(kvDim), 0.15), dim, kvDim),
			add(p+"attn_v.weight", g.normal(dim*int(kvDim), 0.125), dim, kvDim),
			add(p+"attn_output.weight", g.normal(dim*dim, 0.03), dim, dim),
			add(p+"ffn_norm.weight", constant(dim, 1), dim),
			add(p+"ffn_gate.weight", g.normal(dim*ffnDim, 0.125), dim, ffnDim),
			add(p+"ffn_up.weight", g.normal(dim*ffnDim, 0.125), dim, ffnDim),
			add(p+"ffn_down.weight", g.normal(ffnDim*dim, 0.04), ffnDim, dim),
		)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}

	kv := ggml.KV{
		"general.architecture":                   "llama",
		"general.name":                           "aiex tiny",
		"general.file_type":                      ggml.FileTypeF32,
		"general.alignment":                      uint32(32),
		"llama.vocab_size":                       uint32(nVocab),
		"llama.block_count":                      uint32(numLayers),
		"llama.context_length":                   uint32(contextLen),
		"llama.embedding_length":                 uint32(dim),
		"llama.feed_forward_length":              uint32(ffnDim),
		"llama.attention.head_count":             uint32(numHeads),
		"llama.attention.head_count_kv":          uint32(numKVHeads),
		"llama.attention.layer_norm_rms_epsilon": float32(rmsEpsilon),
		"llama.rope.dimension_count":             uint32(headDim),
		"llama.rope.freq_base":                   float32(ropeFreq),
		"tokenizer.ggml.model":                   "llama",
		"tokenizer.ggml.tokens":                  v.tokens,
		"tokenizer.ggml.scores":                  v.scores,
		"tokenizer.ggml.token_type":              v.types,
		"tokenizer.ggml.bos_token_id":            uint32(bosID),
		"tokenizer.ggml.eos_token_id":            uint32(eosID),
		"tokenizer.ggml.unknown_token_id":        uint32(unkID),
		"tokenizer.ggml.add_bos_token":           true,
		"tokenizer.ggml.add_eos_token":           false,
	}
	return kv, ts, nil
}

// write writes the model to path atomically (temporary file, then rename).
func write(path string, seed uint64) (err error) {
	kv, ts, err := build(seed)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tinymodel-*.gguf")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := ggml.WriteGGUF(f, kv, ts); err != nil {
		return fmt.Errorf("write gguf: %w", err)
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("tinymodel", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output `file` (required), e.g. DIR/tiny.gguf")
	seed := fs.Uint64("seed", 1, "random seed for the weights")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("usage: tinymodel -o FILE [-seed N]")
	}
	return write(*out, *seed)
}

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tinymodel:", err)
		}
		os.Exit(1)
	}
}
