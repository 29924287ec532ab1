package checkpoint_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/checkpoint"
)

func TestDiff(t *testing.T) {
	e := newEnv(t)
	e.write(map[string]string{"a.go": "package a\n\nfunc A() {}\n", "b.go": "package b\n", "img": "\x00PNG"})
	c := e.apply(checkpoint.Meta{}, edit("a.go", "package a\n\nfunc A() int { return 1 }\n"), remove("b.go"),
		edit("n.go", "package n\n"), edit("img", "\x00GIF"))

	d, err := e.cs.Diff(ctx, c.ID, checkpoint.DiffOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := `diff --git a/a.go b/a.go
--- a/a.go
+++ b/a.go
@@ -1,3 +1,3 @@
 package a
 
-func A() {}
+func A() int { return 1 }
diff --git a/b.go b/b.go
--- a/b.go
+++ /dev/null
@@ -1 +0,0 @@
-package b
diff --git a/img b/img
Binary files differ
diff --git a/n.go b/n.go
--- /dev/null
+++ b/n.go
@@ -0,0 +1 @@
+package n
`
	if got := d.Text(); got != want {
		t.Errorf("diff (-want +got):\n%s", cmp.Diff(want, got))
	}
	kinds := []string{}
	for _, f := range d.Files {
		kinds = append(kinds, f.Path+" "+f.Kind)
	}
	if diff := cmp.Diff([]string{"a.go modified", "b.go deleted", "img modified", "n.go added"}, kinds); diff != "" {
		t.Errorf("kinds: %s", diff)
	}

	// --current: from before the checkpoint to now, changes since included.
	e.write(map[string]string{"n.go": "package n // edited\n"})
	d, err = e.cs.Diff(ctx, c.ID, checkpoint.DiffOptions{Current: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Text(); !strings.Contains(got, "+package n // edited\n") || !strings.Contains(got, "+func A() int") {
		t.Errorf("current diff:\n%s", got)
	}
	// After a (forced) restore, the files are as before the checkpoint.
	if _, err := e.cs.Restore(ctx, c.ID, checkpoint.RestoreOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	d, _ = e.cs.Diff(ctx, c.ID, checkpoint.DiffOptions{Current: true})
	if got := d.Text(); got != "" {
		t.Errorf("current diff after the restore: %q", got)
	}
}
