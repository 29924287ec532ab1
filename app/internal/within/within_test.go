package within

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRoot(t *testing.T) {
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(base, "proj")
	for _, d := range []string{"proj/lib", "proj-other", "outside"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"proj/lib/a.ex", "proj-other/b.ex", "outside/secret"} {
		if err := os.WriteFile(filepath.Join(base, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"proj/lib/alias.ex":  "a.ex",
		"proj/up.ex":         "lib/a.ex",
		"proj/secret.ex":     "../outside/secret",
		"proj/sibling.ex":    "../proj-other/b.ex", // shares root's name as a prefix
		"proj/absolute.ex":   filepath.Join(base, "outside/secret"),
		"proj/dangling.ex":   "nothing.ex",
		"proj/lib/hop.ex":    "../secret.ex", // inside, to a link that leads out
		"proj/lib/indir":     "../../outside",
		"proj/lib/viadir.ex": "indir/secret",
	}
	for l, to := range links {
		if err := os.Symlink(to, filepath.Join(base, l)); err != nil {
			t.Fatal(err)
		}
	}
	for path, want := range map[string]bool{
		"proj/lib/a.ex":      true,
		"proj/lib/alias.ex":  true,
		"proj/up.ex":         true,
		"proj":               true,
		"proj/secret.ex":     false,
		"proj/sibling.ex":    false,
		"proj/absolute.ex":   false,
		"proj/dangling.ex":   false,
		"proj/lib/hop.ex":    false,
		"proj/lib/viadir.ex": false,
		"outside/secret":     false,
	} {
		if got := Root(root, filepath.Join(base, path)); got != want {
			t.Errorf("Root(%s) = %v, want %v", path, got, want)
		}
	}
}
