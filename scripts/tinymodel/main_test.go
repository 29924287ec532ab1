package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/ollama/ollama/fs/ggml"
)

func writeModel(t *testing.T, seed uint64) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tiny.gguf")
	if err := run([]string{"-o", path, "-seed", strconv.FormatUint(seed, 10)}, os.Stderr); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, data
}

func TestModelDecodes(t *testing.T) {
	path, data := writeModel(t, 1)
	if len(data) > 2<<20 {
		t.Errorf("model is %d bytes, want it small", len(data))
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := ggml.Decode(f, -1)
	if err != nil {
		t.Fatal(err)
	}
	kv := m.KV()
	if got := kv.Architecture(); got != "llama" {
		t.Errorf("architecture = %q", got)
	}
	for key, want := range map[string]uint32{
		"block_count":             numLayers,
		"embedding_length":        dim,
		"feed_forward_length":     ffnDim,
		"attention.head_count":    numHeads,
		"attention.head_count_kv": numKVHeads,
		"rope.dimension_count":    headDim,
	} {
		if got := kv.Uint(key); got != want {
			t.Errorf("%s = %d, want %d", key, got, want)
		}
	}
	if got := kv.String("tokenizer.ggml.model"); got != "llama" {
		t.Errorf("tokenizer model = %q", got)
	}

	tokens := kv.Strings("tokenizer.ggml.tokens")
	if n := len(tokens); n < 300 || n > 1000 {
		t.Errorf("vocabulary has %d tokens, want a few hundred", n)
	}
	if len(kv.Floats("tokenizer.ggml.scores")) != len(tokens) || len(kv.Ints("tokenizer.ggml.token_type")) != len(tokens) {
		t.Error("scores or token types do not match the tokens")
	}
	// llama.cpp looks byte tokens up by exactly this spelling.
	for _, tok := range []string{"<0x00>", "<0x0A>", "<0xFF>", "<unk>", "<s>", "</s>", "▁hello"} {
		if !slices.Contains(tokens, tok) {
			t.Errorf("vocabulary lacks %q", tok)
		}
	}
	seen := map[string]bool{}
	for _, tok := range tokens {
		if seen[tok] {
			t.Errorf("token %q appears twice", tok)
		}
		seen[tok] = true
	}
	if slices.Contains(tokens, "<0x0a>") || slices.Contains(tokens, "<0X0A>") {
		t.Error("byte tokens spelled wrongly")
	}
	if tokens[eosID] != "</s>" || kv.Uint("tokenizer.ggml.eos_token_id") != eosID {
		t.Error("EOS is not </s>")
	}

	shapes := map[string][]uint64{}
	for _, tt := range m.Tensors().Items() {
		shapes[tt.Name] = tt.Shape
		if tt.Kind != uint32(ggml.TensorTypeF32) {
			t.Errorf("%s has kind %d, want F32", tt.Name, tt.Kind)
		}
	}
	nv := uint64(len(tokens))
	want := map[string][]uint64{
		"token_embd.weight":        {dim, nv},
		"output.weight":            {dim, nv},
		"output_norm.weight":       {dim},
		"blk.1.attn_norm.weight":   {dim},
		"blk.1.attn_q.weight":      {dim, dim},
		"blk.1.attn_k.weight":      {dim, numKVHeads * headDim},
		"blk.1.attn_v.weight":      {dim, numKVHeads * headDim},
		"blk.1.attn_output.weight": {dim, dim},
		"blk.1.ffn_norm.weight":    {dim},
		"blk.1.ffn_gate.weight":    {dim, ffnDim},
		"blk.1.ffn_up.weight":      {dim, ffnDim},
		"blk.1.ffn_down.weight":    {ffnDim, dim},
		"blk.0.attn_output.weight": {dim, dim},
	}
	for name, w := range want {
		if !slices.Equal(shapes[name], w) {
			t.Errorf("%s shape = %v, want %v", name, shapes[name], w)
		}
	}
	if len(shapes) != 3+9*numLayers {
		t.Errorf("%d tensors, want %d", len(shapes), 3+9*numLayers)
	}
}

func TestDeterministic(t *testing.T) {
	_, a := writeModel(t, 1)
	_, b := writeModel(t, 1)
	if !bytes.Equal(a, b) {
		t.Error("same seed gave different files")
	}
	_, c := writeModel(t, 2)
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same file")
	}
}

func TestEOSRamp(t *testing.T) {
	for l := range numLevels {
		w := eosWeight(l)
		switch {
		case l < minLevelEOS && w != 0:
			t.Errorf("level %d: EOS weight %v before minLevelEOS", l, w)
		case l == numLevels-1 && w <= outputLevel:
			t.Errorf("last level: EOS weight %v must beat every word", w)
		case l > 0 && w < eosWeight(l-1):
			t.Errorf("level %d: EOS weight falls", l)
		}
	}
}

func TestUsage(t *testing.T) {
	var buf bytes.Buffer
	if err := run(nil, &buf); err == nil {
		t.Error("no -o: want an error")
	}
}
