package checkpoint_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/aiex-dev/aiex/app/checkpoint"
)

func TestDirFS(t *testing.T) {
	root := t.TempDir()
	d, err := checkpoint.DirFS(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.WriteFile(ctx, "x/y/z.txt", []byte("hello"), 0o640); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "x/y/z.txt")); err != nil || string(b) != "hello" {
		t.Fatalf("%q %v", b, err)
	}
	if fi, err := d.Stat(ctx, "x/y/z.txt"); err != nil || fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v %v", fi.Mode(), err)
	}
	if _, err := d.ReadFile(ctx, "missing"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	// Nothing outside the root, by .. or by a link.
	if err := os.Symlink(t.TempDir(), filepath.Join(root, "out")); err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	for name, target := range map[string]string{
		"up":   "../" + filepath.Base(outside) + "/f", // relative, out by ..
		"abs":  filepath.Join(outside, "f"),           // absolute
		"loop": "loop",
	} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"../escape", "out/escape", "up", "abs", "loop"} {
		if err := d.WriteFile(ctx, p, []byte("x"), 0o644); err == nil {
			t.Errorf("wrote %s outside the root", p)
		}
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("written outside the root: %v", ents)
	}
	// A write that fails at the rename (a directory is in the way) leaves
	// the target as it was and no temporary file.
	if err := d.WriteFile(ctx, "x/y", []byte("x"), 0o644); err == nil {
		t.Fatal("wrote over a directory")
	}
	ents, _ := os.ReadDir(filepath.Join(root, "x"))
	if len(ents) != 1 || ents[0].Name() != "y" {
		t.Errorf("left in x/: %v", ents)
	}
	if err := d.Remove(ctx, "x/y/z.txt"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Stat(ctx, "x/y/z.txt"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("removed file: %v", err)
	}
}
