package app_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/usererr"
)

// applyEnv is an App and a project with files to apply changes to.
type applyEnv struct {
	t    *testing.T
	a    *app.App
	root string
}

func newApplyEnv(t *testing.T) *applyEnv {
	t.Helper()
	a, err := app.New(context.Background(), app.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	return &applyEnv{t: t, a: a, root: t.TempDir()}
}

func (e *applyEnv) write(rel, s string) {
	e.t.Helper()
	if err := os.WriteFile(filepath.Join(e.root, rel), []byte(s), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// base is the Base of a change computed from content s.
func base(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestApplyRefusesStale: a proposal is not written over files changed
// since it was made — edited, or a new file's path taken — and a rename's
// new path must be free; as proposed, it is written.
func TestApplyRefusesStale(t *testing.T) {
	ctx := context.Background()
	e := newApplyEnv(t)
	a, root, write := e.a, e.root, e.write
	read := func(rel string) string {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			return "(none)"
		}
		return string(b)
	}
	write("a.go", "package a\n")
	write("taken.go", "package b\n")
	for _, c := range []struct {
		name   string
		change parse.Change
	}{
		{"edited since", parse.Change{Path: "a.go", OldPath: "a.go", Content: []byte("package a // new\n"), Base: base("package a // old\n")}},
		{"new path taken", parse.Change{Path: "taken.go", Content: []byte("package c\n"), Base: parse.NoFile}},
		{"renamed onto a file", parse.Change{Path: "taken.go", OldPath: "a.go", Content: []byte("package a\n"), Base: base("package a\n")}},
	} {
		_, err := a.Apply(ctx, app.ApplyRequest{Root: root, Changes: []parse.Change{c.change}, Actor: "test"})
		var se *checkpoint.StaleError
		if !errors.As(err, &se) || usererr.As(err) == nil {
			t.Errorf("%s: %v, want a stale-file user error", c.name, err)
		}
		if read("a.go") != "package a\n" || read("taken.go") != "package b\n" {
			t.Errorf("%s: files changed: a.go %q, taken.go %q", c.name, read("a.go"), read("taken.go"))
		}
	}
	// As proposed: a rename to a free path.
	if _, err := a.Apply(ctx, app.ApplyRequest{Root: root, Actor: "test", Changes: []parse.Change{
		{Path: "b.go", OldPath: "a.go", Content: []byte("package a // moved\n"), Base: base("package a\n")},
	}}); err != nil {
		t.Fatal(err)
	}
	if read("a.go") != "(none)" || read("b.go") != "package a // moved\n" {
		t.Errorf("after the rename: a.go %q, b.go %q", read("a.go"), read("b.go"))
	}
}

// TestApplyConcurrent: proposals made from the same file, applied at once
// (the TUI's and a CLI's through one node): one is written, the others
// are refused as stale; none writes over another.
func TestApplyConcurrent(t *testing.T) {
	ctx := context.Background()
	e := newApplyEnv(t)
	e.write("a.go", "package a\n")
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = e.a.Apply(ctx, app.ApplyRequest{Root: e.root, Actor: "test", Changes: []parse.Change{
				{Path: "a.go", OldPath: "a.go", Content: fmt.Appendf(nil, "package a // %d\n", i), Base: base("package a\n")},
			}})
		})
	}
	wg.Wait()
	written := 0
	for i, err := range errs {
		var se *checkpoint.StaleError
		switch {
		case err == nil:
			written++
		case !errors.As(err, &se):
			t.Errorf("apply %d: %v", i, err)
		}
	}
	if written != 1 {
		t.Errorf("%d of %d applies wrote; want exactly one", written, n)
	}
}

// TestApplyRenameKeepsMode: a renamed file keeps its mode, as git keeps
// it: a private file (0600) does not become readable to all by a rename.
func TestApplyRenameKeepsMode(t *testing.T) {
	e := newApplyEnv(t)
	e.write("secret.go", "package a\n")
	if err := os.Chmod(filepath.Join(e.root, "secret.go"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := e.a.Apply(context.Background(), app.ApplyRequest{Root: e.root, Actor: "test", Changes: []parse.Change{
		{Path: "private.go", OldPath: "secret.go", Content: []byte("package a // moved\n"), Base: base("package a\n")},
	}}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(e.root, "private.go"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the renamed file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
}
