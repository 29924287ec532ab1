package chunk

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/internal/corpora"
)

// elixirCorpus returns the Elixir 1.14 source tree that scripts/corpora
// fetches. With AIEX_CORPORA=1 it runs the script (which fetches what is
// missing); otherwise it uses a copy already in the cache, or skips.
func elixirCorpus(t testing.TB) string {
	t.Helper()
	if os.Getenv("AIEX_CORPORA") == "1" {
		out, err := exec.Command("../../scripts/corpora").Output()
		if err != nil {
			t.Fatalf("scripts/corpora: %v", err)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if dir, ok := strings.CutPrefix(line, "elixir="); ok {
				return dir
			}
		}
		t.Fatalf("scripts/corpora printed no elixir= line: %q", out)
	}
	dir, ok := corpora.Elixir("")
	if !ok {
		t.Skip("no Elixir corpus: set AIEX_CORPORA=1 (scripts/corpora fetches it)")
	}
	return dir
}

// elixirLibFiles lists the corpus's .ex files under lib/ (271 in 1.14),
// and with exs its .exs files too (536 files in all).
func elixirLibFiles(t testing.TB, dir string, exs bool) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(dir, "lib"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".ex") || exs && strings.HasSuffix(p, ".exs")) {
			files = append(files, p)
		}
		return err
	})
	if err != nil || len(files) < 100 {
		t.Fatalf("only %d .ex files under %s/lib: %v", len(files), dir, err)
	}
	return files
}
