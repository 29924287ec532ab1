package testgen

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// writeFiles writes files (slash paths relative to root → contents).
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, body := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// treeHash describes every entry under root: its kind, mode, size,
// modification time and content hash (files) or target (symlinks).
func treeHash(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		desc := info.Mode().String()
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			desc += " -> " + target
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			desc += " " + hex.EncodeToString(sum[:]) + " " + info.ModTime().Format(time.RFC3339Nano)
		case d.IsDir():
			desc += " " + info.ModTime().Format(time.RFC3339Nano)
		}
		out[filepath.ToSlash(rel)] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// unchanged fails the test if root differs from before.
func unchanged(t *testing.T, root string, before map[string]string) {
	t.Helper()
	if d := cmp.Diff(before, treeHash(t, root)); d != "" {
		t.Errorf("Run changed the project (-before +after):\n%s", d)
	}
}

// unitOf returns the text and lines of the first block of src that starts
// with prefix and ends at the first line that is just end (indented as
// the prefix line).
func unitOf(t *testing.T, src, prefix, end string) Target {
	t.Helper()
	i := strings.Index(src, prefix)
	if i < 0 {
		t.Fatalf("no %q in source", prefix)
	}
	j := strings.Index(src[i:], "\n"+end+"\n")
	if j < 0 {
		t.Fatalf("no end %q after %q", end, prefix)
	}
	text := src[i : i+j+1+len(end)]
	start := 1 + strings.Count(src[:i], "\n")
	return Target{Source: text, StartLine: start, EndLine: start + strings.Count(text, "\n")}
}

// logReport logs a report's timings and summary.
func logReport(t *testing.T, name string, r *Report) {
	t.Helper()
	var ms []string
	for _, m := range r.Mutants {
		ms = append(ms, m.Duration.Round(time.Millisecond).String())
	}
	t.Logf("%s: total %s, unmutated run %s, mutant runs [%s]; %s", name,
		r.Total.Round(time.Millisecond), r.Duration.Round(time.Millisecond), strings.Join(ms, " "), r.Summary)
}

func near(a, b float64) bool { return a-b < 0.005 && b-a < 0.005 }
