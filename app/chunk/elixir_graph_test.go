package chunk_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestElixirDelegateEdges: indexed into a real store, a defdelegate's ref
// resolves to the function it delegates to, so the symbol graph links the
// two both ways: through `as:`, through an alias, and to a module nested
// as __MODULE__.Inner.
func TestElixirDelegateEdges(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	for rel, src := range map[string]string{
		"lib/accounts.ex": `defmodule Core.Accounts do
  alias Core.Email

  defdelegate normalize(email), to: Core.Email, as: :downcase
  defdelegate valid?(email), to: Email
  defdelegate inner(x), to: __MODULE__.Inner

  defmodule Inner do
    def inner(x), do: x
  end
end
`,
		"lib/email.ex": `defmodule Core.Email do
  def downcase(e), do: String.downcase(e)
  def downcase(e, _locale), do: downcase(e)
  def valid?(e), do: String.contains?(e, "@")
end
`,
	} {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := dbtest.Open(t)
	if _, err := index.New(index.Config{Store: s}).Index(ctx, root, index.Options{}); err != nil {
		t.Fatal(err)
	}
	real, _ := filepath.EvalSymlinks(root)
	p, ok, err := s.FindCodeProject(ctx, real)
	if err != nil || !ok {
		t.Fatalf("project %s: %v %v", real, ok, err)
	}
	named := func(name string) db.CodeChunk {
		t.Helper()
		cs, err := s.CodeChunksNamed(ctx, p.ID, name)
		if err != nil || len(cs) != 1 {
			t.Fatalf("chunks named %s: %+v, %v; want one", name, cs, err)
		}
		return cs[0]
	}
	names := func(cs []db.CodeChunk, err error) []string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range cs {
			out = append(out, c.Name)
		}
		return out
	}
	for _, tt := range []struct{ from, to string }{
		{"Core.Accounts.normalize/1", "Core.Email.downcase/1"},
		{"Core.Accounts.valid?/1", "Core.Email.valid?/1"},
		{"Core.Accounts.inner/1", "Core.Accounts.Inner.inner/1"},
	} {
		if got := names(s.CodeCallees(ctx, named(tt.from).ID)); !slices.Contains(got, tt.to) {
			t.Errorf("callees of %s: %q, want %s among them", tt.from, got, tt.to)
		}
		if got := names(s.CodeCallers(ctx, named(tt.to).ID)); !slices.Contains(got, tt.from) {
			t.Errorf("callers of %s: %q, want %s among them", tt.to, got, tt.from)
		}
	}
}
