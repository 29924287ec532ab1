package index

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/db/dbtest"
)

const exUnitTest = `defmodule FooTest do
  use ExUnit.Case
  describe "math" do
    test "adds" do
      assert 1 + 1 == 2
    end
  end
end
`

// TestAnalyzerKeyHasExtension: the chunks of one content depend on its
// file's extension, not only on its language (in .exs files ExUnit's
// describe and test blocks are units, in .ex files they are not), so the
// analysis cached for a content under one extension is not taken for the
// other. Another name with the same extension still shares it.
func TestAnalyzerKeyHasExtension(t *testing.T) {
	ctx := context.Background()
	root := writeTree(t, map[string]string{"test/foo_test.ex": exUnitTest, "README.md": "# Notes\n\nSome text.\n"})
	s := dbtest.Open(t)
	ix, _ := newIndexer(t, s)
	kinds := func(rel string) []string {
		t.Helper()
		cs, err := s.CodeChunks(ctx, mustProject(t, s, root), rel)
		if err != nil || len(cs) == 0 {
			t.Fatalf("chunks of %s: %v %v", rel, cs, err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.Kind+" "+c.Name)
		}
		return out
	}
	rename := func(from, to string) {
		t.Helper()
		if err := os.Rename(filepath.Join(root, from), filepath.Join(root, to)); err != nil {
			t.Fatal(err)
		}
	}

	if sum := index(t, ix, root, Options{}); sum.Analyzed != 2 {
		t.Fatalf("first run: %+v", sum)
	}
	asEx := kinds("test/foo_test.ex")
	if slices.ContainsFunc(asEx, func(k string) bool { return strings.HasPrefix(k, "test ") || strings.HasPrefix(k, "describe ") }) {
		t.Fatalf("a .ex file has ExUnit units: %q", asEx)
	}

	// The same bytes as .exs are chunked again, as a test file.
	rename("test/foo_test.ex", "test/foo_test.exs")
	if sum := index(t, ix, root, Options{}); sum.Changed != 1 || sum.Analyzed != 1 || sum.Cached != 0 {
		t.Errorf("renamed to .exs: %+v", sum)
	}
	want := []string{`module FooTest`, `header FooTest`, `describe describe "math"`, `test describe "math" / test "adds"`}
	if diff := cmp.Diff(want, kinds("test/foo_test.exs")); diff != "" {
		t.Errorf(".exs chunks (-want +got):\n%s", diff)
	}

	// Back to .ex: the analysis of the .ex file, from the cache.
	rename("test/foo_test.exs", "test/foo_test.ex")
	if sum := index(t, ix, root, Options{}); sum.Cached != 1 || sum.Analyzed != 0 {
		t.Errorf("renamed back to .ex: %+v", sum)
	}
	if diff := cmp.Diff(asEx, kinds("test/foo_test.ex")); diff != "" {
		t.Errorf(".ex chunks after the .exs ones (-first +now):\n%s", diff)
	}

	// The file name is not part of the key: chunks named after their file
	// are cached with names relative to it.
	rename("README.md", "NOTES.md")
	if sum := index(t, ix, root, Options{}); sum.Cached != 1 || sum.Analyzed != 0 {
		t.Errorf("README.md renamed NOTES.md: %+v", sum)
	}
	if diff := cmp.Diff([]string{"text NOTES.md"}, kinds("NOTES.md")); diff != "" {
		t.Errorf("NOTES.md chunks (-want +got):\n%s", diff)
	}
}
