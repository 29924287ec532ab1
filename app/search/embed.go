package search

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/internal/within"
	"github.com/aiex-dev/aiex/db"
)

// Embedding the index: chunks are embedded by content, once per model in
// the whole cluster (code_embeddings is keyed by the chunk's hash), in
// batches, from the files' current text.

// embedBatch is how many chunks go in one embedding request, and
// embedMaxBytes how much of a chunk: embedding models read a few thousand
// tokens at most, and the start of a unit (its doc and signature) says
// most about it.
const (
	embedBatch    = 32
	embedMaxBytes = 4000
)

// EmbedStats is what Embed did.
type EmbedStats struct {
	Embedded int `json:"embedded"` // chunks embedded by this run
	Stale    int `json:"stale"`    // chunks skipped: their file changed since it was indexed
}

// Embed embeds every chunk of the project at root that the configured
// model has not embedded yet. progress, if set, is called after each batch
// with the number of chunks embedded so far.
func (s *Searcher) Embed(ctx context.Context, proj db.CodeProject, node string, progress func(done int)) (EmbedStats, error) {
	var stats EmbedStats
	if s.cfg.Embedder == nil || s.cfg.EmbedModel == "" {
		return stats, errors.New("search: no embedding model configured")
	}
	// Chunks whose text could not be read this run stay unembedded, so
	// every query returns them again: they are skipped by id (another
	// chunk with the same content may well be current), and each query
	// asks for that many more rows. A round that finds only such chunks
	// grows the set and asks again; one that finds nothing new has seen
	// them all.
	skip := map[int64]bool{}
	files := map[string][]byte{}
	for {
		cs, err := s.cfg.Store.CodeUnembedded(ctx, proj.ID, s.cfg.EmbedKey, embedBatch+len(skip))
		if err != nil {
			return stats, err
		}
		var batch []db.CodeChunk
		var texts []string
		inBatch := map[string]bool{} // hashes: one embedding serves all chunks of a content
		stale := 0
		for _, c := range cs {
			if skip[c.ID] || inBatch[c.Hash] || len(batch) == embedBatch {
				continue
			}
			src, ok := files[c.Path]
			if !ok {
				path := filepath.Join(proj.Root, filepath.FromSlash(c.Path))
				src = nil
				if within.Root(proj.Root, path) { // not a link out of the project since indexed
					src, _ = os.ReadFile(path)
				}
				clear(files) // chunks come in id order: one file at a time
				files[c.Path] = src
			}
			text, ok := chunkText(src, c)
			if !ok {
				skip[c.ID] = true
				stale++
				continue
			}
			inBatch[c.Hash] = true
			batch = append(batch, c)
			texts = append(texts, text)
		}
		stats.Stale += stale
		if len(batch) == 0 {
			if stale > 0 {
				continue
			}
			return stats, nil
		}
		vecs, err := s.cfg.Embedder.Embed(ctx, s.cfg.EmbedModel, texts)
		if err != nil {
			return stats, fmt.Errorf("search: embed with %s: %w", s.cfg.EmbedModel, err)
		}
		if len(vecs) != len(batch) {
			return stats, fmt.Errorf("search: embed with %s: %d vectors for %d inputs", s.cfg.EmbedModel, len(vecs), len(batch))
		}
		rows := make(map[string][]float32, len(batch))
		for i, c := range batch {
			rows[c.Hash] = vecs[i]
		}
		if _, err := s.cfg.Store.Execute(ctx, db.CodeEmbeddingStmts(s.cfg.EmbedKey, node, rows)...); err != nil {
			return stats, fmt.Errorf("search: store embeddings: %w", err)
		}
		stats.Embedded += len(batch)
		if progress != nil {
			progress(stats.Embedded)
		}
	}
}

// chunkText is the text of chunk c in its file's current content src, cut
// to embedMaxBytes; ok is false if the file no longer holds it (changed
// since it was indexed).
func chunkText(src []byte, c db.CodeChunk) (string, bool) {
	text, ok := chunkBytes(src, c)
	if len(text) > embedMaxBytes {
		text = text[:embedMaxBytes]
	}
	return string(text), ok
}

// chunkBytes is the text of chunk c in its file's current content src; ok
// is false if the file no longer holds it (changed since it was indexed).
func chunkBytes(src []byte, c db.CodeChunk) (text []byte, ok bool) {
	if c.StartByte < 0 || c.EndByte > len(src) || c.StartByte >= c.EndByte {
		return nil, false
	}
	text = src[c.StartByte:c.EndByte]
	if c.Hash != "" && chunk.Hash(text) != c.Hash {
		return nil, false
	}
	return text, true
}
