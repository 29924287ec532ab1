package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// addFiles is a refactoring answer whose diff adds files (path → content).
func addFiles(files map[string]string) string {
	var b strings.Builder
	b.WriteString("Here they are.\n\n```diff\n")
	for p, c := range files {
		lines := strings.SplitAfter(strings.TrimSuffix(c, "\n"), "\n")
		fmt.Fprintf(&b, "--- /dev/null\n+++ b/%s\n@@ -0,0 +1,%d @@\n", p, len(lines))
		for _, l := range lines {
			b.WriteString("+" + strings.TrimSuffix(l, "\n") + "\n")
		}
	}
	b.WriteString("```\n")
	return b.String()
}

// checkpointStatuses lists the statuses of the project's checkpoints.
func checkpointStatuses(t *testing.T, s *sandbox, proj string) []string {
	t.Helper()
	var list []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	r := s.in(proj, "", "--json", "checkpoint", "list")
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &list) != nil {
		t.Fatalf("checkpoint list: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	var out []string
	for _, c := range list {
		out = append(out, c.Status)
	}
	return out
}

// TestRefactorDryRunRefusesWhatApplyWould: what the sandbox would refuse
// at --apply the dry run refuses already, naming the rule — a file over
// the size limit, a path that leads into .git or a read-only directory
// through a symlink — so that no rolled-back checkpoint is left; and a
// build error names the project's file, not the compiler's overlay.
func TestRefactorDryRunRefusesWhatApplyWould(t *testing.T) {
	proj := goProject(t)
	shared := t.TempDir()
	if err := os.Mkdir(filepath.Join(proj, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"gl": ".git", "protos": shared} {
		if err := os.Symlink(target, filepath.Join(proj, link)); err != nil {
			t.Fatal(err)
		}
	}
	for name, tc := range map[string]struct{ reply, want string }{
		"over the size limit": {addFiles(map[string]string{"big.txt": strings.Repeat("x", 3000)}),
			"refused: big.txt would be 3001 bytes, over the sandbox's limit of 2048 bytes (rule: size-limit)"},
		"into .git by a link": {addFiles(map[string]string{"gl/config": "[core]"}),
			"refused: gl/config (through a symlink, .git/config) is in a .git directory, which the assistant never writes (rule: git-dir)"},
		"into a read-only dir by a link": {addFiles(map[string]string{"protos/x.proto": "syntax = 1;"}),
			"refused: protos/x.proto (through a symlink, " + shared + "/x.proto) is in " + shared + ", which is allowlisted read-only (rule: read-only)"},
	} {
		t.Run(name, func(t *testing.T) {
			s := newSandbox(t, providertest.NewOllama(t, providertest.WithReply(tc.reply)).URL())
			s.writeConfig(fmt.Sprintf("[sandbox]\nmax_file_size = 2048\nread_only = [%q]\n", shared))
			r := s.in(proj, "", "refactor", "calc.Max", "--goal", "x", "-m", "tiny", "--no-build")
			if r.code != 1 || !strings.Contains(r.stderr, "✗ sandbox: "+tc.want) || strings.Contains(r.stderr, "add --apply") {
				t.Fatalf("dry run: exit %d: %s", r.code, r.stderr)
			}
			r = s.in(proj, "", "refactor", "calc.Max", "--goal", "x", "-m", "tiny", "--no-build", "--apply", "--yes")
			if r.code != 1 || !strings.Contains(r.stderr, "failed its checks") {
				t.Fatalf("apply: exit %d: %s", r.code, r.stderr)
			}
			if st := checkpointStatuses(t, s, proj); len(st) != 0 {
				t.Fatalf("checkpoints %v; want none", st)
			}
		})
	}
	if ents, _ := os.ReadDir(shared); len(ents) != 0 || func() bool { _, err := os.Stat(filepath.Join(proj, ".git", "config")); return err == nil }() {
		t.Fatal("a refused file was written")
	}

	s := newSandbox(t, providertest.NewOllama(t, providertest.WithReply(strings.Replace(maxDiff, "+\tif a >= b {", "+\tif a >= c {", 1))).URL())
	r := s.in(proj, "", "refactor", "calc.Max", "--goal", "x", "-m", "tiny")
	if r.code != 1 || !strings.Contains(r.stderr, "\ncalc.go:10:10: undefined: c\n") || strings.Contains(r.stderr, "aiex-overlay") {
		t.Fatalf("a build error: exit %d: %s", r.code, r.stderr)
	}
}

// TestGenModuleDefinesName: generated code must define what was asked
// for, else nothing is written; Elixir.MyApp.X is MyApp.X.
func TestGenModuleDefinesName(t *testing.T) {
	gproj := goProject(t)
	gs := newSandbox(t, providertest.NewOllama(t, providertest.WithReply("```go\n// Package wrong is misnamed.\npackage wrong\n```\n")).URL())
	r := gs.in(gproj, "", "gen", "module", "internal/cache2", "--desc", "a cache", "-m", "tiny", "--apply", "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "✗ package cache2: internal/cache2/cache2.go is package wrong") ||
		!strings.Contains(r.stderr, "nothing was written") {
		t.Fatalf("gen module (Go), wrong package: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(gproj, "internal")); err == nil {
		t.Fatal("internal/cache2 was written")
	}

	proj := project(t)
	writeFiles(t, proj, map[string]string{"mix.exs": strings.ReplaceAll(shopMixExs, "Shop", "MyApp")})
	fake := providertest.NewOllama(t, providertest.WithReply("```elixir\ndefmodule MyApp.Cache do\n  @moduledoc \"A cache.\"\nend\n```\n"))
	s := newSandbox(t, fake.URL())
	r = s.in(proj, "", "gen", "module", "Elixir.MyApp.RateLimiter", "--desc", "limits rates", "-m", "tiny", "--no-build", "--apply", "--yes")
	if r.code != 1 || !strings.Contains(r.stdout, "+++ b/lib/my_app/rate_limiter.ex") ||
		!strings.Contains(r.stderr, "✗ defines MyApp.RateLimiter: lib/my_app/rate_limiter.ex defines MyApp.Cache, not MyApp.RateLimiter") {
		t.Fatalf("gen module (Elixir), wrong module: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if msg := userMessage(fake.Requests()[0]); !strings.Contains(msg, "Write the module MyApp.RateLimiter in lib/my_app/rate_limiter.ex.") {
		t.Fatalf("prompt:\n%s", msg)
	}
	if _, err := os.Stat(filepath.Join(proj, "lib")); err == nil {
		t.Fatal("lib/ was written")
	}
}

// TestGenTestsTimeoutNamed: tests that never end are stopped at the
// limit, which the failure names; the tests line gives the score once.
func TestGenTestsTimeoutNamed(t *testing.T) {
	forever := strings.Replace(maxTests, "\tfor _, tc := range", "\tfor {\n\t}\n\tfor _, tc := range", 1)
	s := newSandbox(t, providertest.NewOllama(t, providertest.WithReply(forever)).URL())
	proj := goProject(t)
	r := s.in(proj, "", "gen", "tests", "calc.Max", "-m", "tiny", "--timeout", "3s")
	if r.code != 1 || !strings.Contains(r.stderr, "✗ tests pass: timed out after 3s") || !strings.Contains(r.stderr, "(gen tests --timeout sets the limit)") {
		t.Fatalf("tests that never end: exit %d: %s", r.code, r.stderr)
	}
	s = newSandbox(t, providertest.NewOllama(t, providertest.WithReply(maxTests)).URL())
	r = s.in(proj, "", "gen", "tests", "calc.Max", "-m", "tiny")
	if r.code != 0 || strings.Count(r.stderr, "score") != 1 || !strings.Contains(r.stderr, "tests: 4 tests pass") {
		t.Fatalf("gen tests: exit %d: %s", r.code, r.stderr)
	}
}

// TestApplyInterrupted: Ctrl-C while --apply writes 300 files, with and
// without a node: the write goes on to the end, the checkpoint is
// applied (not left "applying"), and the last line says what was written
// and how to undo it.
func TestApplyInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("a multi-process test")
	}
	files := map[string]string{}
	for i := range 300 {
		files[fmt.Sprintf("notes/%03d.txt", i)] = fmt.Sprintf("note %d\n", i)
	}
	reply := addFiles(files)
	for _, viaNode := range []bool{false, true} {
		t.Run(map[bool]string{false: "in process", true: "through a node"}[viaNode], func(t *testing.T) {
			s := newSandbox(t, providertest.NewOllama(t, providertest.WithReply(reply)).URL())
			proj := goProject(t)
			if viaNode {
				s.startNode()
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := s.command(ctx, "", "refactor", "calc.Max", "--goal", "notes", "-m", "tiny", "--no-build", "--apply", "--yes")
			cmd.Dir = proj
			errw := newWatch("syntax")
			cmd.Stderr = errw
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			go func() { cmd.Wait(); close(exited) }()
			// Ctrl-C once the first files are written.
			for {
				ents, _ := os.ReadDir(filepath.Join(proj, "notes"))
				if len(ents) > 0 {
					break
				}
				select {
				case <-exited:
					t.Fatalf("exited before writing: %s", errw.String())
				case <-ctx.Done():
					t.Fatalf("nothing written: %s", errw.String())
				case <-time.After(time.Millisecond):
				}
			}
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			<-exited
			code, stderr := cmd.ProcessState.ExitCode(), errw.String()
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			last := lines[len(lines)-1]
			written := 0
			for p := range files {
				if _, err := os.Stat(filepath.Join(proj, p)); err == nil {
					written++
				}
			}
			statuses := checkpointStatuses(t, s, proj)
			if code != 0 || written != 300 || !strings.HasPrefix(last, "wrote 300 files (") || !strings.Contains(last, ", and 297 more) (checkpoint ") || !strings.Contains(last, "; undo: aiex checkpoint restore ") ||
				len(statuses) != 1 || statuses[0] != "applied" {
				t.Fatalf("exit %d, %d files written, checkpoints %v; stderr:\n%s", code, written, statuses, stderr)
			}
			if !strings.Contains(stderr, "interrupted after the write had begun") {
				t.Errorf("no word of the interruption:\n%s", stderr)
			}
			id := last[strings.LastIndex(last, " ")+1 : len(last)-1]
			if r := s.in(proj, "", "checkpoint", "restore", id, "--yes"); r.code != 0 {
				t.Fatalf("restore %s: exit %d: %s", id, r.code, r.stderr)
			}
			if _, err := os.Stat(filepath.Join(proj, "notes")); err == nil {
				t.Fatal("restore left notes/")
			}
		})
	}
}
