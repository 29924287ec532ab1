package app_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/sandbox"
	"github.com/aiex-dev/aiex/app/workflow"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestTaskRemovesStaleTempDirs: a task that builds its result removes the
// scratch directory a killed aiex left in the temp dir (its overlay and
// its commands' go-build directories inside), and makes its own named for
// this process, removed when it ends; an aiex process that runs keeps
// its own.
func TestTaskRemovesStaleTempDirs(t *testing.T) {
	needGo(t)
	ctx := context.Background()
	// This process's temp dir name, and so its pid namespace.
	t.Setenv("TMPDIR", t.TempDir())
	mine, err := sandbox.MkdirTemp("task", nil)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(strings.TrimPrefix(filepath.Base(mine), "aiex-task-"), "-")
	if len(parts) != 4 {
		t.Fatalf("MkdirTemp made %s", mine)
	}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}

	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	stale := fmt.Sprintf("aiex-task-%d-12345-%s-1", dead.Process.Pid, parts[2])
	live := fmt.Sprintf("aiex-cmd-%s-%s-%s-2", parts[0], parts[1], parts[2]) // this process's
	for _, d := range []string{filepath.Join(stale, "aiex-overlay-3"), filepath.Join(stale, "go-build4"), live} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, stale, "aiex-overlay-3", "0.go"), []byte("package c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Minute)
	for _, d := range []string{stale, live} {
		if err := os.Chtimes(filepath.Join(tmp, d), old, old); err != nil {
			t.Fatal(err)
		}
	}

	fake := providertest.NewOllama(t, providertest.WithReply("```go\n// Package cache keeps values.\npackage cache\n\n// Get finds nothing yet.\nfunc Get(string) bool { return false }\n```\n"))
	a := taskApp(t, fake.URL())
	root := writeProject(t, map[string]string{"go.mod": "module example.com/c\n\ngo 1.22\n",
		"internal/cache/store.go": "package cache\n\n// Put stores nothing yet.\nfunc Put(string) {}\n"})
	res, err := a.GenModule(ctx, app.TaskRequest{Root: root, Name: "internal/cache", Description: "x", Actor: "test", Toolchain: true, Sandbox: "off"},
		func(string) error { return nil })
	if err != nil || res.Proposal == nil {
		t.Fatalf("gen module: %v %+v", err, res)
	}
	if !slices.ContainsFunc(res.Proposal.Checks, func(c workflow.Check) bool { return c.Name == "go build" && c.Status == workflow.OK }) {
		t.Fatalf("the task did not build its result: %+v", res.Proposal.Checks)
	}
	ents, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range ents {
		left = append(left, e.Name())
	}
	if len(left) != 1 || left[0] != live {
		t.Errorf("the temp dir after the task holds %q; want only %s, a live process's", left, live)
	}
}
