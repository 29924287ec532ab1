package sandbox

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkSweepTemp: what the first temporary directory of a process
// costs it on a temp dir of 300 entries — other programs' files and
// directories, and aiex directories of live processes (this one's) — of
// which none is stale: one ReadDir, and a look at each aiex directory.
func BenchmarkSweepTemp(b *testing.B) {
	dir := b.TempDir()
	m := me()
	for i := range 300 {
		name := fmt.Sprintf("other-%d", i)
		switch {
		case i%10 == 0:
			name = fmt.Sprintf("aiex-cmd-%d-%d-%d-%d", m.pid, m.start, m.ns, i)
		case i%3 == 0:
			name = fmt.Sprintf("go-build%d", i)
		}
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			b.Fatal(err)
		}
	}
	later := time.Now().Add(time.Hour)
	logger := slog.New(slog.DiscardHandler)
	b.ResetTimer()
	for range b.N {
		if removed := sweepTemp(dir, later, logger); len(removed) != 0 {
			b.Fatalf("removed %q", removed)
		}
	}
}
