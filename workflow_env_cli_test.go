package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestRefusedWriteAudited: a proposal that writes into .git is refused by
// the dry run's sandbox check, and the refusal is in the audit log, once,
// as a refused write naming the rule.
func TestRefusedWriteAudited(t *testing.T) {
	proj := goProject(t)
	s := newSandbox(t, providertest.NewOllama(t, providertest.WithReply(addFiles(map[string]string{".git/config": "[core]"}))).URL())
	r := s.in(proj, "", "refactor", "calc.Max", "--goal", "x", "-m", "tiny", "--no-build")
	if r.code != 1 || !strings.Contains(r.stderr, "✗ sandbox: refused: .git/config is in a .git directory") {
		t.Fatalf("refactor into .git: exit %d: %s", r.code, r.stderr)
	}
	r = s.in(proj, "", "--json", "audit", "-n", "0")
	var rows []struct{ Op, Path, Result, Detail string }
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &rows) != nil {
		t.Fatalf("audit: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	real, _ := filepath.EvalSymlinks(proj)
	refused := slices.DeleteFunc(rows, func(r struct{ Op, Path, Result, Detail string }) bool { return r.Result != "refused" })
	if len(refused) != 1 || refused[0].Op != "write" || refused[0].Path != real+"/.git/config" || !strings.HasPrefix(refused[0].Detail, "rule git-dir: ") {
		t.Fatalf("refused rows %+v; want one refused write of .git/config, rule git-dir", refused)
	}
}

// TestRefusalsFoundBeforeWritingAudited: a refusal the dry run finds
// itself — a file over the sandbox's size limit — is audited too, once,
// under the path the proposal named.
func TestRefusalsFoundBeforeWritingAudited(t *testing.T) {
	proj := goProject(t)
	real, _ := filepath.EvalSymlinks(proj)
	for _, tc := range []struct{ file, content, rule string }{
		{"big.txt", strings.Repeat("x\n", 600), "size-limit"},
	} {
		s := newSandbox(t, providertest.NewOllama(t, providertest.WithReply(addFiles(map[string]string{tc.file: tc.content}))).URL())
		s.writeConfig("[sandbox]\nmax_file_size = 1000\n")
		r := s.in(proj, "", "refactor", "calc.Max", "--goal", "x", "-m", "tiny", "--no-build")
		if r.code != 1 || !strings.Contains(r.stderr, "✗ sandbox: refused: ") {
			t.Fatalf("refactor writing %s: exit %d: %s", tc.file, r.code, r.stderr)
		}
		r = s.in(proj, "", "--json", "audit", "-n", "0")
		var rows []struct{ Op, Path, Result, Detail string }
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &rows) != nil {
			t.Fatalf("audit: exit %d: %s %s", r.code, r.stdout, r.stderr)
		}
		refused := slices.DeleteFunc(rows, func(r struct{ Op, Path, Result, Detail string }) bool { return r.Result != "refused" })
		if len(refused) != 1 || refused[0].Op != "write" || refused[0].Path != real+"/"+tc.file || !strings.HasPrefix(refused[0].Detail, "rule "+tc.rule+": ") {
			t.Errorf("writing %s: refused rows %+v; want one refused write of it, rule %s", tc.file, refused, tc.rule)
		}
	}
}

// TestGoChecksFreshHome: with the default sandbox (Landlock where the
// kernel has it) and a home without ~/.cache, as in a fresh container,
// the go checks of a good change pass: the build cache is made for them.
func TestGoChecksFreshHome(t *testing.T) {
	proj := goProject(t)
	s := newSandbox(t, providertest.NewOllama(t, providertest.WithReply(maxDiff)).URL())
	s.env = slices.DeleteFunc(s.env, func(e string) bool { return strings.HasPrefix(e, "GOCACHE=") })
	r := s.in(proj, "", "refactor", "calc.Max", "--goal", "x", "-m", "tiny")
	if r.code != 0 || !strings.Contains(r.stderr, "✓ go build") || !strings.Contains(r.stderr, "✓ go vet") {
		t.Fatalf("refactor in a fresh home: exit %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(s.home, ".cache", "go-build")); err != nil {
		t.Fatalf("no build cache in the fresh home: %v", err)
	}
}

// TestCheckpointListBySession: checkpoint list --session takes the
// session as the session commands do — last, or a prefix of its id.
func TestCheckpointListBySession(t *testing.T) {
	proj := goProject(t)
	s := newSandbox(t, providertest.NewOllama(t, providertest.WithReply(maxDiff)).URL())
	if r := s.in(proj, "", "refactor", "calc.Max", "--goal", "x", "-m", "tiny", "--no-build", "--apply", "--yes"); r.code != 0 {
		t.Fatalf("refactor --apply: exit %d: %s", r.code, r.stderr)
	}
	var list []struct {
		ID      string `json:"id"`
		Session string `json:"session_id"`
	}
	if r := s.in(proj, "", "--json", "checkpoint", "list"); r.code != 0 || json.Unmarshal([]byte(r.stdout), &list) != nil || len(list) != 1 || list[0].Session == "" {
		t.Fatalf("checkpoint list: %+v (exit %d: %s)", list, r.code, r.stderr)
	}
	for _, ref := range []string{"last", list[0].Session[:5], list[0].Session} {
		var got []struct{ ID string }
		r := s.in(proj, "", "--json", "checkpoint", "list", "--session", ref)
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &got) != nil || len(got) != 1 || got[0].ID != list[0].ID {
			t.Errorf("checkpoint list --session %s: %+v (exit %d: %s)", ref, got, r.code, r.stderr)
		}
	}
}
