package ctxbuild

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// TestMissingFileSuggestsFiles: a file's name that is not in the index is
// offered the files named like it — a longer name holding its stem
// (meta.go: metadata.go) — and never a symbol whose name its extension
// happens to spell (InnerForNextTest.G for "go").
func TestMissingFileSuggestsFiles(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"go.mod":      "module example.com/tm\n\ngo 1.22\n",
		"metadata.go": "package tm\n\n// MetaData is what a decode found.\ntype MetaData struct{ keys []string }\n\nfunc (md *MetaData) Keys() []string { return md.keys }\n",
		"inner.go":    "package tm\n\ntype InnerForNextTest struct{ G int }\n\nfunc (i InnerForNextTest) G2() int { return i.G }\n",
	})
	for target, want := range map[string]string{
		"meta.go:10":                         "did you mean metadata.go:10?",
		filepath.Join(e.root, "meta.go"):     "did you mean metadata.go?",
		"nosuchthing.go":                     "give PATH, PATH:LINE or a name",
		"metadata.og":                        "did you mean metadata.go?",
		filepath.Join(e.root, "inner.go:99"): "no code at line 99",
	} {
		_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: target, Window: 4096, Count: o200k})
		var ue *usererr.Error
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v; want a user error with %q", target, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "InnerForNextTest") {
			t.Errorf("%s: err = %v; offers a symbol for a file's name", target, err)
		}
	}
}

// TestExtLike: a typed extension reads as a file's when it is the file's
// or one typo from it, never as a symbol's last part.
func TestExtLike(t *testing.T) {
	for _, tt := range []struct {
		typed, ext string
		want       bool
	}{
		{".go", ".go", true}, {".og", ".go", true}, {".g", ".go", true}, {".goo", ".go", true},
		{".exs", ".ex", true}, {".xe", ".ex", true},
		{".get", ".go", false}, {".Go", ".go", false}, {".G", ".go", false}, {".x", ".go", false},
		{"", ".go", false}, {".md", ".go", false},
	} {
		if got := extLike(tt.typed, tt.ext); got != tt.want {
			t.Errorf("extLike(%q, %q) = %v; want %v", tt.typed, tt.ext, got, tt.want)
		}
	}
}
