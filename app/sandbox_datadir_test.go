package app_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/sandbox"
	"github.com/aiex-dev/aiex/app/workflow"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// keyText stands for the node's key file in these tests.
const keyText = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ\n"

// dataDirProject is a Go project whose data dir is inside it (as with
// AIEX_DATA_DIR=.aiex run in its root), holding a key file, and an App on
// that data dir whose model answers reply.
func dataDirProject(t *testing.T, reply string) (a *app.App, root, data string) {
	t.Helper()
	root = calcProject(t)
	data = filepath.Join(root, ".aiex")
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "secret.key"), []byte(keyText), 0o600); err != nil {
		t.Fatal(err)
	}
	fake := providertest.NewOllama(t, providertest.WithReply(reply))
	t.Setenv("OLLAMA_HOST", fake.URL())
	a, err := app.New(context.Background(), app.Config{DataDir: data, ConfigPath: filepath.Join(root, "aiex.toml"), File: app.File{Model: "tiny"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	return a, root, data
}

// TestRefactorIntoDataDirRefused: a refactor whose diff writes a join
// file into a data dir inside the project is refused, naming rule
// aiex-state; applied all the same — that change, one deleting the key
// file, one writing the config file (when it lies in the project) —
// nothing is written, no checkpoint (which would copy the key into the
// store) is made, and each refusal is audited.
func TestRefactorIntoDataDirRefused(t *testing.T) {
	ctx := context.Background()
	reply := "```diff\n--- /dev/null\n+++ b/.aiex/join\n@@ -0,0 +1 @@\n+10.0.0.9:7000\n" +
		"--- a/calc/calc.go\n+++ b/calc/calc.go\n@@ -3,2 +3,2 @@\n // Add adds.\n-func Add(a, b int) int { return a + b }\n+func Add(a, b int) int { return b + a }\n```\n"
	a, root, data := dataDirProject(t, reply)
	// The diff is refused as it is read (its new file's path is looked at
	// through the sandbox), or its dry run fails the sandbox check.
	res, err := a.Refactor(ctx, app.TaskRequest{Root: root, Target: "calc/calc.go", Goal: "g", Actor: "test"}, func(string) error { return nil })
	var detail string
	switch {
	case err != nil:
		detail = err.Error()
	case res != nil && res.Proposal != nil:
		for _, c := range res.Proposal.Checks {
			if c.Name == "sandbox" && c.Status == workflow.Failed {
				detail = c.Detail
			}
		}
	}
	if !strings.Contains(detail, "(rule: aiex-state)") || !strings.Contains(detail, ".aiex/join") {
		t.Errorf("refactor: %v, %+v; want it refused naming .aiex/join and rule aiex-state", err, res)
	}

	// Applied whatever the dry run said (a proposal sent to a node's API,
	// or one made before the data dir was protected).
	proposed := []parse.Change{
		{Path: ".aiex/join", Content: []byte("10.0.0.9:7000\n"), Base: parse.NoFile},
		{Path: "calc/calc.go", OldPath: "calc/calc.go", Content: []byte("package calc\n\n// Add adds.\nfunc Add(a, b int) int { return b + a }\n"),
			Base: base("package calc\n\n// Add adds.\nfunc Add(a, b int) int { return a + b }\n")},
	}
	// Applied whatever the dry run said (a proposal sent to a node's API).
	for _, changes := range [][]parse.Change{
		proposed,
		{{Path: ".aiex/secret.key", OldPath: ".aiex/secret.key", Delete: true, Base: base(keyText)}},
		{{Path: "aiex.toml", Content: []byte("[sandbox]\nmode = \"off\"\n"), Base: parse.NoFile}},
	} {
		_, err := a.Apply(ctx, app.ApplyRequest{Root: root, Changes: changes, Actor: "test", Reason: "refactor"})
		if err == nil || !strings.Contains(err.Error(), "(rule: aiex-state)") {
			t.Errorf("Apply(%s) = %v; want a refusal by rule aiex-state", changes[0].Path, err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(data, "secret.key")); err != nil || string(b) != keyText {
		t.Errorf("the key file changed: %q, %v", b, err)
	}
	for _, p := range []string{filepath.Join(data, "join"), filepath.Join(root, "aiex.toml")} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(root, "calc/calc.go")); strings.Contains(string(b), "b + a") {
		t.Error("calc.go was written: the change was applied in part")
	}
	cps, err := a.Checkpoint(ctx, app.CheckpointRequest{Op: app.CheckpointList, Root: root, Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cps.List) != 0 {
		t.Errorf("checkpoints made: %+v; a checkpoint must never capture the data dir", cps.List)
	}
	rows, err := a.AuditLog(ctx, app.AuditRequest{})
	if err != nil {
		t.Fatal(err)
	}
	refused := map[string]bool{}
	for _, r := range rows.Rows {
		if r.Result == "refused" && strings.Contains(r.Detail, "rule aiex-state") {
			refused[strings.TrimPrefix(r.Path, root+"/")] = true
		}
	}
	for _, p := range []string{".aiex/join", ".aiex/secret.key", "aiex.toml"} {
		if !refused[p] {
			t.Errorf("no refusal of %s audited (refused: %v)", p, refused)
		}
	}
}

// TestExplainDataDirRefused: the key file of a data dir inside the project
// never reaches a prompt: the context of explaining it, by path or
// PATH:LINE, is not built.
func TestExplainDataDirRefused(t *testing.T) {
	ctx := context.Background()
	a, root, _ := dataDirProject(t, "it is a key")
	if _, err := a.IndexProject(ctx, app.IndexRequest{Root: root}, nil); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{".aiex/secret.key", ".aiex/secret.key:1"} {
		b, err := a.BuildContext(ctx, app.ContextRequest{Task: "explain", Root: root, Target: target, Window: 8192})
		js, _ := json.Marshal(b)
		if strings.Contains(string(js), "AGE-SECRET-KEY") || err == nil {
			t.Errorf("explain %s: context built (%v): %s", target, err, js)
		}
		if want := ".aiex/secret.key is aiex's own state"; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("explain %s: %v; want an error starting %q", target, err, want)
		}
	}
}

// TestGenTestsCannotReadDataDir: the tests gen tests runs are the model's
// code; one that reads the key file of a data dir inside the project, or
// the config file there, gets nothing of them: neither the check's output
// nor the result holds their text, while the test itself ran.
func TestGenTestsCannotReadDataDir(t *testing.T) {
	needGo(t)
	probe, err := sandbox.New(t.TempDir(), sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ll := probe.Landlock()
	probe.Close(context.Background())
	if !ll.Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	reply := "```go\npackage calc\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\nfunc TestAdd(t *testing.T) {\n" +
		"\tfor _, p := range []string{\"../.aiex/secret.key\", \"../aiex.toml\"} {\n" +
		"\t\tb, err := os.ReadFile(p)\n\t\tt.Errorf(\"read %s: %q, %v\", p, b, err)\n\t}\n}\n```\n"
	a, root, _ := dataDirProject(t, reply)
	if err := os.WriteFile(filepath.Join(root, "aiex.toml"), []byte("# sk-CONFIG-TEXT\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := a.GenTests(context.Background(), app.TaskRequest{Root: root, Target: "calc/calc.go", Actor: "test", Toolchain: true, Sandbox: "auto"},
		func(string) error { return nil })
	if err != nil || res == nil || res.Proposal == nil {
		t.Fatalf("gen tests: %v %+v", err, res)
	}
	js, _ := json.Marshal(res)
	if strings.Contains(string(js), "AGE-SECRET-KEY") || strings.Contains(string(js), "sk-CONFIG-TEXT") {
		t.Errorf("the tests read aiex's state: %s", js)
	}
	if !strings.Contains(string(js), "read ../.aiex/secret.key") || !strings.Contains(string(js), "permission denied") {
		t.Errorf("the tests did not run, or their reads were not refused: %s", js)
	}
}

// TestRefactorBuildsBesideDataDir: with aiex's data dir and config file
// in the project's root, which the checks' commands may not read, the
// project still builds and vets under them as before: every other entry
// of the root is theirs to read, and the root theirs to list.
func TestRefactorBuildsBesideDataDir(t *testing.T) {
	needGo(t)
	reply := "```diff\n--- a/calc/calc.go\n+++ b/calc/calc.go\n@@ -3,2 +3,2 @@\n // Add adds.\n-func Add(a, b int) int { return a + b }\n+func Add(a, b int) int { return b + a }\n```\n"
	a, root, _ := dataDirProject(t, reply)
	if err := os.WriteFile(filepath.Join(root, "aiex.toml"), []byte("# config\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "main.go"), []byte("package main\n\nimport \"example.com/c/calc\"\n\nfunc main() { println(calc.Add(1, 2)) }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := a.Refactor(context.Background(), app.TaskRequest{Root: root, Target: "calc/calc.go", Goal: "g", Actor: "test", Toolchain: true, Sandbox: "auto"},
		func(string) error { return nil })
	if err != nil || res == nil || res.Proposal == nil {
		t.Fatalf("refactor: %v %+v", err, res)
	}
	built := map[string]bool{}
	for _, c := range res.Proposal.Checks {
		if c.Status != workflow.OK {
			t.Errorf("check %s: %s %s", c.Name, c.Status, c.Detail)
		}
		built[c.Name] = true
	}
	if !built["go build"] || !built["go vet"] {
		t.Errorf("checks %+v; want go build and go vet", res.Proposal.Checks)
	}
}
