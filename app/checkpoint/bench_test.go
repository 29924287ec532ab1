package checkpoint_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/checkpoint"
)

// source is ~4 KiB of Go-like text that differs with seed.
func source(r *rand.Rand, seed int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "package p\n\n// version %d\n", seed)
	for b.Len() < 4096 {
		fmt.Fprintf(&b, "func f%d(x int) int {\n\treturn x * %d // %x\n}\n\n", r.IntN(1000), r.IntN(100), r.Uint64())
	}
	return b.String()
}

// BenchmarkApply20Files: a 20-file refactor (every file ~4 KiB, changed)
// checkpointed and written atomically through DirFS, on a single-node
// store: what the assistant adds to a refactor besides the model's time.
// The target is 200 ms.
func BenchmarkApply20Files(b *testing.B) {
	for _, sync := range []bool{true, false} {
		name := "fsync"
		if !sync {
			name = "nofsync"
		}
		b.Run(name, func(b *testing.B) {
			e := newEnv(b)
			e.dir.NoSync = !sync
			r := rand.New(rand.NewPCG(1, 2))
			files := map[string]string{}
			for i := range 20 {
				files[fmt.Sprintf("pkg%d/file%02d.go", i%4, i)] = source(r, 0)
			}
			e.write(files)
			paths := keys(files)
			// The changes are made before the clock starts: the model's part.
			changes := make([][]checkpoint.Change, b.N)
			for n := range changes {
				for _, p := range paths {
					changes[n] = append(changes[n], edit(p, source(r, n+1)))
				}
			}
			b.ResetTimer()
			for n := range b.N {
				res, err := e.cs.Apply(ctx, changes[n], checkpoint.Meta{Session: "bench", Turn: int64(n + 1), Reason: "refactor"})
				if err != nil || res.Checkpoint.NFiles != 20 {
					b.Fatalf("apply: %v", err)
				}
			}
		})
	}
}

// BenchmarkRestore20Files: restoring such a refactor (checks, reads the
// blobs, checkpoints the restore, writes).
func BenchmarkRestore20Files(b *testing.B) {
	e := newEnv(b)
	r := rand.New(rand.NewPCG(3, 4))
	files := map[string]string{}
	for i := range 20 {
		files[fmt.Sprintf("file%02d.go", i)] = source(r, 0)
	}
	e.write(files)
	var changes []checkpoint.Change
	for _, p := range keys(files) {
		changes = append(changes, edit(p, source(r, 1)))
	}
	c := e.apply(checkpoint.Meta{}, changes...)
	b.ResetTimer()
	for range b.N {
		// Restoring, then restoring the restore: two restores per loop.
		res, err := e.cs.Restore(ctx, c.ID, checkpoint.RestoreOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.cs.Restore(ctx, res.Checkpoint.ID, checkpoint.RestoreOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
