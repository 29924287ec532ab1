package checkpoint

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/aiex-dev/aiex/db"
)

// hashOf is the blob hash of content: hex SHA-256.
func hashOf(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Compression: source code shrinks 3–5× under zstd, for a few µs per
// file. Blobs are kept compressed only when that saves at least an eighth,
// and small ones are kept as they are.
const (
	encZstd       = "zstd"
	compressAbove = 256 // bytes
)

// codec compresses and decompresses blobs. The encoder and decoder are
// made on first use and are safe for concurrent use.
type codec struct {
	once sync.Once
	enc  *zstd.Encoder
	dec  *zstd.Decoder
	err  error
}

func (c *codec) init() error {
	c.once.Do(func() {
		c.enc, c.err = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedDefault))
		if c.err == nil {
			c.dec, c.err = zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(1<<30))
		}
	})
	return c.err
}

// blob is content as it is stored.
func (c *codec) blob(hash string, data []byte) (db.Blob, error) {
	b := db.Blob{Hash: hash, Size: int64(len(data)), Data: data}
	if len(data) < compressAbove {
		return b, nil
	}
	if err := c.init(); err != nil {
		return b, fmt.Errorf("checkpoint: zstd: %w", err)
	}
	z := c.enc.EncodeAll(data, make([]byte, 0, len(data)/2))
	if len(z) <= len(data)-len(data)/8 {
		b.Enc, b.Data = encZstd, z
	}
	return b, nil
}

// content is a stored blob's content, checked against its hash.
func (c *codec) content(b db.Blob) ([]byte, error) {
	data := b.Data
	switch b.Enc {
	case "":
	case encZstd:
		if err := c.init(); err != nil {
			return nil, fmt.Errorf("checkpoint: zstd: %w", err)
		}
		var err error
		if data, err = c.dec.DecodeAll(b.Data, make([]byte, 0, b.Size)); err != nil {
			return nil, fmt.Errorf("checkpoint: blob %s is corrupt: it does not decompress (%w)", short(b.Hash), err)
		}
	default:
		return nil, fmt.Errorf("checkpoint: blob %s: unknown encoding %q", short(b.Hash), b.Enc)
	}
	if hashOf(data) != b.Hash {
		return nil, fmt.Errorf("checkpoint: blob %s is corrupt: its content does not match its hash", short(b.Hash))
	}
	return data, nil
}

// close releases the decoder's goroutines.
func (c *codec) close() {
	if c.dec != nil {
		c.dec.Close()
	}
}

// short is a hash cut to 12 digits, for messages.
func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
