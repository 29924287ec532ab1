package app_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/app/workflow"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// calcAddTests is a model's answer to gen tests calc/calc.go.
const calcAddTests = "```go\npackage calc\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n" +
	"\tif got := Add(1, 2); got != 3 {\n\t\tt.Errorf(\"Add(1, 2) = %d\", got)\n\t}\n}\n```\n"

// calcProject is a Go module with package calc in calc/.
func calcProject(t *testing.T) string {
	t.Helper()
	return writeProject(t, map[string]string{"go.mod": "module example.com/c\n\ngo 1.22\n",
		"calc/calc.go": "package calc\n\n// Add adds.\nfunc Add(a, b int) int { return a + b }\n"})
}

// machineCheck finds the check named name and fails unless it is skipped
// as a problem of this machine whose detail holds want.
func machineCheck(t *testing.T, res *app.TaskResult, err error, name, want string) {
	t.Helper()
	if err != nil || res == nil || res.Proposal == nil {
		t.Fatalf("task: %v %+v", err, res)
	}
	if !res.Proposal.OK() || len(res.Proposal.Changes) != 1 {
		t.Fatalf("proposal %+v", res.Proposal)
	}
	for _, c := range res.Proposal.Checks {
		if c.Name == name {
			if c.Status != workflow.Skipped || !strings.Contains(c.Detail, "(a problem of this machine, not of the change)") ||
				!strings.Contains(c.Detail, want) || strings.Contains(c.Detail, "testgen.Run") {
				t.Fatalf("%s check %+v; want skipped as this machine's problem, with %q", name, c, want)
			}
			return
		}
	}
	t.Fatalf("no %s check in %+v", name, res.Proposal.Checks)
}

// TestGenTestsNoTempDir: where the temp dir is gone, gen tests shows its
// proposal with the tests check skipped as this machine's problem, as
// refactor shows its own with the build skipped, rather than failing
// with an internal error and no proposal.
func TestGenTestsNoTempDir(t *testing.T) {
	needGo(t)
	ctx := context.Background()
	fake := providertest.NewOllama(t, providertest.WithReply(calcAddTests))
	a := taskApp(t, fake.URL())
	root := calcProject(t)
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "gone"))
	res, err := a.GenTests(ctx, app.TaskRequest{Root: root, Target: "calc/calc.go", Actor: "test", Toolchain: true, Sandbox: "off"}, func(string) error { return nil })
	machineCheck(t, res, err, "tests", "no such file or directory")

	refactor := "```diff\n--- a/calc/calc.go\n+++ b/calc/calc.go\n@@ -3,2 +3,2 @@\n // Add adds.\n-func Add(a, b int) int { return a + b }\n+func Add(a, b int) int { return b + a }\n```\n"
	fake = providertest.NewOllama(t, providertest.WithReply(refactor))
	a = taskApp(t, fake.URL())
	res, err = a.Refactor(ctx, app.TaskRequest{Root: root, Target: "calc/calc.go", Goal: "g", Actor: "test", Toolchain: true, Sandbox: "off"}, func(string) error { return nil })
	machineCheck(t, res, err, "toolchain", "no such file or directory")
	parsed := false
	for _, c := range res.Proposal.Checks {
		parsed = parsed || c.Name == "syntax" && c.Status == workflow.OK
	}
	if !parsed {
		t.Errorf("the change was not checked without the toolchain: %+v", res.Proposal.Checks)
	}
}

// TestGenTestsFullDisk: with the temp dir on a full disk, gen tests shows
// its proposal with the tests check skipped, saying that disk is full and
// what to do. It mounts a small tmpfs, so it runs as root only.
func TestGenTestsFullDisk(t *testing.T) {
	needGo(t)
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs takes root")
	}
	ctx := context.Background()
	fake := providertest.NewOllama(t, providertest.WithReply(calcAddTests))
	a := taskApp(t, fake.URL())
	root := calcProject(t)
	small := t.TempDir()
	if err := syscall.Mount("tmpfs", small, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(small, syscall.MNT_DETACH) })
	f, err := os.Create(filepath.Join(small, "fill"))
	if err != nil {
		t.Fatal(err)
	}
	for block := make([]byte, 64<<10); err == nil; {
		_, err = f.Write(block)
	}
	f.Close()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("filling the tmpfs: %v", err)
	}
	t.Setenv("TMPDIR", small)
	res, err := a.GenTests(ctx, app.TaskRequest{Root: root, Target: "calc/calc.go", Actor: "test", Toolchain: true, Sandbox: "off"}, func(string) error { return nil })
	machineCheck(t, res, err, "tests", "the disk holding the temp dir "+small+" is full; free some space there and run the command again")
}

// TestGenModulePackageExists: gen module of a Go package whose file of
// its name exists says that the package is there and how to name a new
// file in it, before the model is asked; the form it names works.
func TestGenModulePackageExists(t *testing.T) {
	ctx := context.Background()
	fake := providertest.NewOllama(t, providertest.WithReply("```go\npackage calc\n\n// Div divides.\nfunc Div(a, b int) int { return a / b }\n```\n"))
	a := taskApp(t, fake.URL())
	root := calcProject(t)
	_, err := a.GenModule(ctx, app.TaskRequest{Root: root, Name: "calc", Description: "x", Actor: "test"}, func(string) error { return nil })
	ue := usererr.As(err)
	if ue == nil || strings.Contains(ue.Msg, "\n") ||
		!strings.Contains(ue.Msg, "calc is a Go package already (calc/calc.go exists); name the new file: aiex gen module calc/NEWFILE.go --desc") {
		t.Fatalf("gen module of a package that exists: %v", err)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Fatalf("the model was asked %d times", n)
	}
	res, err := a.GenModule(ctx, app.TaskRequest{Root: root, Name: "calc/div.go", Description: "x", Actor: "test"}, func(string) error { return nil })
	if err != nil || res.Proposal == nil || !res.Proposal.OK() || res.Proposal.Changes[0].Path != "calc/div.go" {
		t.Fatalf("gen module calc/div.go: %v %+v", err, res)
	}
}

// TestGenTestsPackageAlreadyBroken: a package that does not build without
// the generated tests either (a dependency it cannot load) gets its tests
// check skipped, saying so, not failed as the change's fault.
func TestGenTestsPackageAlreadyBroken(t *testing.T) {
	needGo(t)
	ctx := context.Background()
	fake := providertest.NewOllama(t, providertest.WithReply(calcAddTests))
	a := taskApp(t, fake.URL())
	root := writeProject(t, map[string]string{
		"go.mod":       "module example.com/c\n\ngo 1.22\n\nrequire example.com/missing v1.0.0\n\nreplace example.com/missing => ./nowhere\n",
		"calc/calc.go": "package calc\n\nimport \"example.com/missing\"\n\n// Add adds.\nfunc Add(a, b int) int { return a + b + missing.Zero }\n"})
	res, err := a.GenTests(ctx, app.TaskRequest{Root: root, Target: "calc/calc.go", Actor: "test", Toolchain: true, Sandbox: "off"}, func(string) error { return nil })
	if err != nil || res == nil || res.Proposal == nil {
		t.Fatalf("gen tests: %v %+v", err, res)
	}
	for _, c := range res.Proposal.Checks {
		if c.Name == "tests compile" {
			if c.Status != workflow.Skipped || !strings.Contains(c.Detail, "could not check") {
				t.Fatalf("tests compile %+v; want skipped: the package does not build without them", c)
			}
			return
		}
	}
	t.Fatalf("no tests compile check in %+v", res.Proposal.Checks)
}
