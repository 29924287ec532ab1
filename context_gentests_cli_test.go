package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestContextTaskGenTests: aiex context --task gen-tests shows what gen
// tests would send: with the target, the existing tests of its module.
func TestContextTaskGenTests(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	root := newProject(t)
	test := "defmodule AppTest do\n  use ExUnit.Case\n\n  test \"says hello\" do\n    assert App.hello(\"x\") == \"hi x\"\n  end\nend\n"
	if err := os.MkdirAll(filepath.Join(root, "test"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "test/app_test.exs"), []byte(test), 0o644); err != nil {
		t.Fatal(err)
	}
	s.index(root)
	out := s.mustRunIn(root, "context", "--window", "4096", "--task", "gen-tests", "App.hello/1").stdout
	if !strings.Contains(out, "  target  App.hello/1") || !regexp.MustCompile(`\n  test +AppTest +test/app_test.exs:1-2 `).MatchString(out) {
		t.Errorf("context --task gen-tests:\n%s\nwant the test module's header as a test", out)
	}
	// Explain has the test as a caller, not the test module.
	if out := s.mustRunIn(root, "context", "--window", "4096", "App.hello/1").stdout; strings.Contains(out, "AppTest") {
		t.Errorf("context (explain) carries the test module:\n%s", out)
	}
}
