package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aymanbagabas/go-udiff"

	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/usererr"
)

// writeTree writes files (relative path → content) under a new temp dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// needMix skips a test that runs mix where it is not installed, but fails
// it on CI, which installs Elixir so that the test runs.
func needMix(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("mix"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("mix is not installed: CI installs Elixir (scripts/corpora)")
		}
		t.Skip("mix is not installed (Debian's elixir package); CI runs this test")
	}
}

func reader(root string) Reader {
	return func(p string) ([]byte, error) { return os.ReadFile(filepath.Join(root, filepath.FromSlash(p))) }
}

// treeHash hashes every file under root, to show nothing was written.
func treeHash(t *testing.T, root string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		fmt.Fprintf(h, "%s %x\n", p, sha256.Sum256(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

const goMod = "module example.com/calc\n\ngo 1.22\n"

const goCalc = `package calc

// Add adds.
func Add(a, b int) int {
	return a + b
}

// Max is the larger of a and b.
func Max(a, b int) int {
	if a > b {
		return a
	}
	return b
}
`

const goodDiff = "Here is the change:\n\n```diff\n--- a/calc.go\n+++ b/calc.go\n@@ -8,7 +8,7 @@\n // Max is the larger of a and b.\n func Max(a, b int) int {\n-\tif a > b {\n+\tif a >= b {\n \t\treturn a\n \t}\n \treturn b\n```\n"

func TestFromDiffValidates(t *testing.T) {
	root := writeTree(t, map[string]string{"go.mod": goMod, "calc.go": goCalc})
	before := treeHash(t, root)
	p, err := FromDiff("refactor", "calc.Max", goodDiff, reader(root))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 1 || p.Files[0] != (FileChange{Path: "calc.go", Status: "modified", Added: 1, Removed: 1}) {
		t.Fatalf("files %+v", p.Files)
	}
	// The change remembers what it was computed from.
	if sum := sha256.Sum256([]byte(goCalc)); p.Changes[0].Base != hex.EncodeToString(sum[:]) {
		t.Errorf("base %q, want calc.go's hash", p.Changes[0].Base)
	}
	if !strings.Contains(p.Diff, "-\tif a > b {\n+\tif a >= b {\n") || !strings.HasPrefix(p.Diff, "--- a/calc.go\n+++ b/calc.go\n") {
		t.Fatalf("diff:\n%s", p.Diff)
	}
	Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
	want := []string{"applies ok", "syntax ok", "go build ok", "go vet ok"}
	if got := checkNames(p); strings.Join(got, ",") != strings.Join(want, ",") || !p.OK() {
		t.Fatalf("checks %v; want %v\n%+v", got, want, p.Checks)
	}
	if treeHash(t, root) != before {
		t.Fatal("validation wrote into the project")
	}
}

func checkNames(p *Proposal) []string {
	var out []string
	for _, c := range p.Checks {
		out = append(out, c.Name+" "+c.Status)
	}
	return out
}

// TestValidateFailures: a result that does not parse, one that does not
// build, one that vet rejects — each a failed check saying why; missing
// toolchains are skipped checks.
func TestValidateFailures(t *testing.T) {
	root := writeTree(t, map[string]string{"go.mod": goMod, "calc.go": goCalc})
	before := treeHash(t, root)
	for name, tc := range map[string]struct {
		code   string
		checks string
		detail string
	}{
		"syntax": {strings.Replace(goCalc, "return b\n}", "return b\n", 1), "applies ok,syntax failed", "calc.go: line 14:2: syntax error"},
		"build":  {strings.Replace(goCalc, "return b", "return c", 1), "applies ok,syntax ok,go build failed", "undefined: c"},
		"vet":    {strings.Replace(goCalc, "return a + b", "_ = fmt.Sprintf(\"%d\")\n\treturn a + b", 1) + "", "", ""},
	} {
		t.Run(name, func(t *testing.T) {
			code := tc.code
			if name == "vet" {
				code = strings.Replace(code, "package calc\n", "package calc\n\nimport \"fmt\"\n", 1)
				tc.checks, tc.detail = "applies ok,syntax ok,go build ok,go vet failed", "Sprintf format %d reads arg #1, but call has 0 args"
			}
			answer := "```go calc.go\n" + code + "```\n"
			p, err := FromFile("refactor", "", answer, "", "go", reader(root))
			if err != nil {
				t.Fatal(err)
			}
			Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
			if got := strings.Join(checkNames(p), ","); got != tc.checks || p.OK() {
				t.Fatalf("checks %s; want %s", got, tc.checks)
			}
			if f := p.Failures(); len(f) != 1 || !strings.Contains(p.Checks[len(p.Checks)-1].Detail, tc.detail) {
				t.Fatalf("failures %q; detail %q; want %q", f, p.Checks[len(p.Checks)-1].Detail, tc.detail)
			}
			if d := p.Checks[len(p.Checks)-1].Detail; strings.Count(d, "calc.go:") > 1 {
				t.Errorf("detail %q names the file twice", d)
			}
			// The compiler read the change from an overlay file; the
			// message names the project's file, where the line is.
			if d := p.Checks[len(p.Checks)-1].Detail; name != "syntax" && (!regexp.MustCompile(`(^|\s)calc\.go:\d+:\d+: `).MatchString(d) ||
				strings.Contains(d, "aiex-overlay") || strings.Contains(d, "0.go")) {
				t.Errorf("detail %q does not name calc.go", d)
			}
		})
	}
	p, _ := FromDiff("refactor", "", goodDiff, reader(root))
	Validate(context.Background(), root, p, ValidateOptions{Toolchain: true, LookPath: func(string) (string, error) { return "", exec.ErrNotFound }})
	if got := strings.Join(checkNames(p), ","); got != "applies ok,syntax ok,go build skipped" || !p.OK() {
		t.Fatalf("without go: %s", got)
	}
	if treeHash(t, root) != before {
		t.Fatal("validation wrote into the project")
	}
}

// TestValidateBuildsImporters: a change is built with the packages that
// import what it changes, directly or not (cmd/use reaches calc through
// internal/use), so a change of signature, or a deleted file, that breaks
// a caller fails; a deletion that breaks nothing passes.
func TestValidateBuildsImporters(t *testing.T) {
	root := writeTree(t, map[string]string{
		"go.mod":              goMod,
		"calc.go":             goCalc,
		"min.go":              "package calc\n\n// Min is unused.\nfunc Min(a int) int { return a }\n",
		"cmd/use/main.go":     "package main\n\nimport \"example.com/calc/internal/use\"\n\nfunc main() { println(use.Max(1, 2)) }\n",
		"internal/use/use.go": "package use\n\nimport \"example.com/calc\"\n\n// Max is calc's.\nfunc Max(a, b int) int { return calc.Max(a, b) }\n",
	})
	before := treeHash(t, root)
	minLines := "-package calc\n-\n-// Min is unused.\n-func Min(a int) int { return a }\n"
	for name, tc := range map[string]struct{ answer, checks, detail string }{
		"signature": {strings.Replace(goodDiff, " func Max(a, b int) int {\n", "-func Max(a, b int) int {\n+func Max(a, b, c int) int {\n", 1),
			"applies ok,syntax ok,go build failed", "internal/use/use.go"},
		"deleted, used": {"```diff\n--- a/calc.go\n+++ /dev/null\n@@ -1,15 +0,0 @@\n-" + strings.ReplaceAll(strings.TrimSuffix(goCalc, "\n"), "\n", "\n-") + "\n```\n",
			"applies ok,syntax skipped,go build failed", "internal/use/use.go:6:38: undefined: calc.Max"},
		"deleted, unused": {"```diff\n--- a/min.go\n+++ /dev/null\n@@ -1,4 +0,0 @@\n" + minLines + "```\n",
			"applies ok,syntax skipped,go build ok,go vet ok", ""},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := FromDiff("refactor", "calc.Max", tc.answer, reader(root))
			if err != nil {
				t.Fatal(err)
			}
			Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
			if got := strings.Join(checkNames(p), ","); got != tc.checks {
				t.Fatalf("checks %s; want %s\n%+v", got, tc.checks, p.Checks)
			}
			if d := p.Checks[len(p.Checks)-1].Detail; !strings.Contains(d, tc.detail) {
				t.Fatalf("detail %q lacks %q", d, tc.detail)
			}
		})
	}
	if treeHash(t, root) != before {
		t.Fatal("validation wrote into the project")
	}
}

func TestFromDiffErrors(t *testing.T) {
	root := writeTree(t, map[string]string{"go.mod": goMod, "calc.go": goCalc})
	for name, tc := range map[string]struct{ answer, want string }{
		"does not apply":  {strings.Replace(goodDiff, "if a > b", "if a < b", 1), "does not apply, nothing was written: calc.go: hunk 1"},
		"no diff":         {"I cannot do that safely: Max is used by reflection.", "has no diff, nothing was written; it said: I cannot do that safely"},
		"empty":           {"", "answer was empty"},
		"changes nothing": {"```diff\n--- a/calc.go\n+++ b/calc.go\n@@ -1,2 +1,2 @@\n package calc\n \n```\n", "has a diff that changes nothing, nothing was written"},
		"missing file":    {strings.ReplaceAll(goodDiff, "calc.go", "nope.go"), "nope.go"},
	} {
		_, err := FromDiff("refactor", "", tc.answer, reader(root))
		ue := usererr.As(err)
		if ue == nil || !strings.Contains(ue.Msg, tc.want) {
			t.Errorf("%s: %v; want a user error with %q", name, err, tc.want)
		}
		if name == "no diff" && !errors.Is(err, ErrNoCode) {
			t.Errorf("no diff: %v is not ErrNoCode", err)
		}
	}
}

func TestFromFile(t *testing.T) {
	root := writeTree(t, map[string]string{"mix.exs": "defmodule X.MixProject do\nend\n"})
	answer := "```elixir lib/x/cache.ex\ndefmodule X.Cache do\nend\n```\nIt is small."
	p, err := FromFile("gen-module", "X.Cache", answer, "", "elixir", reader(root))
	if err != nil || len(p.Files) != 1 || p.Files[0].Path != "lib/x/cache.ex" || p.Files[0].Status != "added" || p.Files[0].Added != 2 {
		t.Fatalf("%+v, %v", p, err)
	}
	if p.Changes[0].Base != parse.NoFile {
		t.Errorf("a new file's base %q, want %q", p.Changes[0].Base, parse.NoFile)
	}
	// The command's path wins over the block's.
	p, err = FromFile("gen-module", "X.Cache", answer, "lib/x/store.ex", "elixir", reader(root))
	if err != nil || p.Files[0].Path != "lib/x/store.ex" {
		t.Fatalf("%+v, %v", p, err)
	}
	for name, tc := range map[string]struct{ answer, want string }{
		"cut short":   {"```elixir lib/x/a.ex\ndefmodule X.A do\n", "stopped inside its code block"},
		"no code":     {"Sorry.", "has no elixir block"},
		"escape":      {"```elixir ../../etc/x.ex\nx\n```\n", "no usable file path"},
		"absolute":    {"```elixir /etc/x.ex\nx\n```\n", "no usable file path"},
		"same as now": {"```elixir mix.exs\ndefmodule X.MixProject do\nend\n```\n", "as it already is"},
	} {
		_, err := FromFile("gen-module", "", tc.answer, "", "elixir", reader(root))
		if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, tc.want) {
			t.Errorf("%s: %v; want %q", name, err, tc.want)
		}
	}
}

// TestMixCompile: an Elixir change compiles in a copy of the project; a
// broken one fails with mix's message; the project is not touched.
func TestMixCompile(t *testing.T) {
	needMix(t)
	root := writeTree(t, map[string]string{
		"mix.exs":       "defmodule Shop.MixProject do\n  use Mix.Project\n  def project, do: [app: :shop, version: \"0.1.0\", elixir: \"~> 1.14\"]\nend\n",
		"lib/shop.ex":   "defmodule Shop do\n  def total(items), do: Enum.sum(items)\nend\n",
		"lib/.keep.txt": "",
	})
	before := treeHash(t, root)
	good := "```elixir lib/shop.ex\ndefmodule Shop do\n  def total(items), do: items |> Enum.sum()\nend\n```\n"
	bad := "```elixir lib/shop.ex\ndefmodule Shop do\n  def total(items), do: Enum.summ(items, nope)\nend\n```\n"
	for answer, want := range map[string]string{good: "ok", bad: "failed"} {
		p, err := FromFile("refactor", "Shop.total/1", answer, "", "elixir", reader(root))
		if err != nil {
			t.Fatal(err)
		}
		Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
		last := p.Checks[len(p.Checks)-1]
		if last.Name != "mix compile" || last.Status != want || (want == "failed" && !strings.Contains(last.Detail, "undefined function nope/0")) {
			t.Fatalf("%s: %+v", want, p.Checks)
		}
	}
	if treeHash(t, root) != before {
		t.Fatal("mix compile wrote into the project")
	}
}

func TestModuleFile(t *testing.T) {
	mix := writeTree(t, map[string]string{"mix.exs": "defmodule MyApp.MixProject do\nend\n", "lib/my_app/cache.ex": ""})
	umbrella := writeTree(t, map[string]string{"mix.exs": "defmodule U.MixProject do\n  def project, do: [apps_path: \"apps\"]\nend\n",
		"apps/shop/mix.exs": "", "apps/shop_web/mix.exs": ""})
	gomod := writeTree(t, map[string]string{"go.mod": goMod})
	for _, tc := range []struct {
		root, name string
		want       NewModule
		err        string
	}{
		{mix, "MyApp.HTTPClient.V2Api", NewModule{Name: "MyApp.HTTPClient.V2Api", Lang: "elixir", Path: "lib/my_app/http_client/v2_api.ex"}, ""},
		{mix, "MyApp.Cache", NewModule{}, "lib/my_app/cache.ex already exists"},
		{mix, "Elixir.MyApp.RateLimiter", NewModule{Name: "MyApp.RateLimiter", Lang: "elixir", Path: "lib/my_app/rate_limiter.ex"}, ""},
		{mix, "my_app/cache", NewModule{}, "not an Elixir module name"},
		{umbrella, "ShopWeb.Router", NewModule{Name: "ShopWeb.Router", Lang: "elixir", Path: "apps/shop_web/lib/shop_web/router.ex", App: "shop_web"}, ""},
		{umbrella, "Billing.Invoice", NewModule{}, "no app in apps/ is called billing (from Billing); its apps: shop, shop_web"},
		{gomod, "internal/rate-limit", NewModule{Name: "internal/rate-limit", Lang: "go", Path: "internal/rate-limit/rate_limit.go", Package: "ratelimit",
			ImportPath: "example.com/calc/internal/rate-limit"}, ""},
		{gomod, "cache/store.go", NewModule{Name: "cache/store.go", Lang: "go", Path: "cache/store.go", Package: "cache", ImportPath: "example.com/calc/cache"}, ""},
		{gomod, "cache/", NewModule{Name: "cache", Lang: "go", Path: "cache/cache.go", Package: "cache", ImportPath: "example.com/calc/cache"}, ""},
		{gomod, "tool.go", NewModule{Name: "tool.go", Lang: "go", Path: "tool.go", Package: "main", ImportPath: "example.com/calc"}, ""},
		{gomod, "MyApp.Cache", NewModule{}, "not a Go package path"},
		{t.TempDir(), "x", NewModule{}, "neither a Mix project"},
	} {
		got, err := ModuleFile(tc.root, tc.name)
		if tc.err != "" {
			if ue := usererr.As(err); ue == nil || !strings.Contains(ue.Msg, tc.err) {
				t.Errorf("%s: %v; want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
}

func TestUnderscore(t *testing.T) {
	for in, want := range map[string]string{"MyApp": "my_app", "HTTPClient": "http_client", "V2Api": "v2_api", "A": "a", "ABC": "abc", "FooBAR": "foo_bar"} {
		if got := Underscore(in); got != want {
			t.Errorf("Underscore(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestModuleCacheHint: a build the sandbox refused the module cache (a
// module not downloaded yet) says what to do; other failures are left as
// the compiler wrote them.
func TestModuleCacheHint(t *testing.T) {
	t.Setenv("GOMODCACHE", "/home/u/go/pkg/mod")
	refused := "go: downloading example.com/dep v1.0.0\nx.go:3:8: mkdir /home/u/go/pkg/mod/cache: permission denied"
	if got := moduleCacheHint(refused); !strings.HasPrefix(got, refused) || !strings.Contains(got, "run go mod download") {
		t.Errorf("refused cache: %q", got)
	}
	for _, other := range []string{"x.go:3:8: undefined: y", "open /etc/shadow: permission denied"} {
		if got := moduleCacheHint(other); got != other {
			t.Errorf("%q became %q", other, got)
		}
	}
}

// TestModuleCheck: generated code must define what gen module was asked
// for: the Elixir module (nested or among others), the Go package of its
// directory — the package already there, else the directory's name.
func TestModuleCheck(t *testing.T) {
	mix := writeTree(t, map[string]string{"mix.exs": "defmodule MyApp.MixProject do\nend\n"})
	gomod := writeTree(t, map[string]string{"go.mod": goMod, "store/store.go": "package kv\n", "store/store_test.go": "package kv_test\n"})
	for _, tc := range []struct {
		root, name, code string
		check, detail    string
	}{
		{mix, "MyApp.RateLimiter", "defmodule MyApp.RateLimiter do\nend\n", "defines MyApp.RateLimiter ok", ""},
		{mix, "MyApp.RateLimiter", "defmodule MyApp do\n  defmodule RateLimiter do\n  end\nend\n", "defines MyApp.RateLimiter ok", ""},
		{mix, "MyApp.RateLimiter", "defmodule Elixir.MyApp.RateLimiter do\nend\n", "defines MyApp.RateLimiter ok", ""},
		{mix, "Elixir.MyApp.RateLimiter", "defmodule MyApp.RateLimiter do\nend\n", "defines MyApp.RateLimiter ok", ""},
		{mix, "MyApp.RateLimiter", "defmodule MyApp.Cache do\nend\n", "defines MyApp.RateLimiter failed",
			"lib/my_app/rate_limiter.ex defines MyApp.Cache, not MyApp.RateLimiter"},
		{mix, "MyApp.RateLimiter", "# nothing\n", "defines MyApp.RateLimiter failed", "defines no module"},
		{gomod, "internal/cache2", "// Package cache2 caches.\npackage cache2\n", "package cache2 ok", ""},
		{gomod, "internal/cache2", "package wrong\n", "package cache2 failed",
			"internal/cache2/cache2.go is package wrong; a file in internal/cache2 should be package cache2"},
		{gomod, "store/ttl.go", "package kv\n", "package kv ok", ""},
		{gomod, "store/ttl.go", "package store\n", "package kv failed", "store/ttl.go is package store, but store/store.go is package kv"},
		{gomod, "internal/cache2", "func x() {}\n", "package cache2 failed", "has no package clause"},
	} {
		m, err := ModuleFile(tc.root, tc.name)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		c := m.Check(tc.root, []byte(tc.code))
		if got := c.Name + " " + c.Status; got != tc.check || !strings.Contains(c.Detail, tc.detail) {
			t.Errorf("%s, %q: %s (%s); want %s (%s)", tc.name, tc.code, got, c.Detail, tc.check, tc.detail)
		}
	}
}

// TestResolveLinks: where a write would land, through the symlinks on its
// way: into .git, out of the project, into a directory not made yet.
func TestResolveLinks(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	for _, d := range []string{".git", "lib/sub"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		"gl": ".git", "lib/up": "..", "out": outside, "lib/sub/file.ex": "../real.ex", "loop1": "loop2", "loop2": "loop1",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		rel    string
		follow bool
		want   string
	}{
		{"a/b.go", true, root + "/a/b.go"},
		{"gl/config", true, root + "/.git/config"},
		{"lib/up/gl/hooks/x", true, root + "/.git/hooks/x"},
		{"out/x.go", true, outside + "/x.go"},
		{"lib/sub/file.ex", true, root + "/lib/real.ex"},
		{"lib/sub/file.ex", false, root + "/lib/sub/file.ex"},
		{"gl", false, root + "/gl"},
		{"lib/sub/new/x.ex", true, root + "/lib/sub/new/x.ex"},
	} {
		got, err := ResolveLinks(root, tc.rel, tc.follow)
		if err != nil || got != tc.want {
			t.Errorf("ResolveLinks(%s, %v) = %q, %v; want %q", tc.rel, tc.follow, got, err, tc.want)
		}
	}
	if _, err := ResolveLinks(root, "loop1/x", true); !errors.Is(err, ErrLinkLoop) {
		t.Errorf("a loop: %v", err)
	}
}

// TestProposalDiffLines: a proposal's diff, and its hunks, show the lines
// that change and no unchanged one as removed and added back.
func TestProposalDiffLines(t *testing.T) {
	root := writeTree(t, map[string]string{"go.mod": goMod, "calc.go": goCalc})
	sub := "// Sub subtracts.\nfunc Sub(a, b int) int {\n\treturn a - b\n}\n\n"
	code := strings.Replace(goCalc, "// Max is", sub+"// Max is", 1)
	p, err := FromFile("refactor", "", "```go calc.go\n"+code+"```\n", "", "go", reader(root))
	if err != nil {
		t.Fatal(err)
	}
	if f := p.Files[0]; f.Added != 5 || f.Removed != 0 || strings.Contains(p.Diff, "\n-") {
		t.Fatalf("%+v:\n%s", f, p.Diff)
	}
	hunks, err := Hunks(goCalc, code)
	if err != nil || len(hunks) != 1 {
		t.Fatalf("%d hunks, %v", len(hunks), err)
	}
	for _, l := range hunks[0].Lines {
		if l.Kind == udiff.Delete {
			t.Fatalf("hunk removes %q", l.Content)
		}
	}
}

// waitRunner runs commands that end only when their context does.
type waitRunner struct{}

func (waitRunner) Run(ctx context.Context, c Command) (int, error) {
	<-ctx.Done()
	return -1, ctx.Err()
}

// TestRunInterrupted: a command cut short by its time limit says so,
// with the limit; one interrupted (Ctrl-C) does not claim to have timed
// out.
func TestRunInterrupted(t *testing.T) {
	if c := run(context.Background(), ValidateOptions{Runner: waitRunner{}, Timeout: 10 * time.Millisecond}, "", nil, "go build", "go", "build"); c.Detail != "took longer than 10ms" {
		t.Errorf("timed out: %+v", c)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if c := run(ctx, ValidateOptions{Runner: waitRunner{}, Timeout: time.Hour}, "", nil, "go build", "go", "build"); c.Status != Failed || c.Detail != "interrupted" {
		t.Errorf("interrupted: %+v", c)
	}
}

// TestValidateToolchainBroken: a go command that cannot set itself up (no
// usable build cache, as in a fresh home under the sandbox) is a skipped
// check that says the machine is at fault: the change is not blamed for
// it, and it does not fail the proposal.
func TestValidateToolchainBroken(t *testing.T) {
	root := writeTree(t, map[string]string{"go.mod": goMod, "calc.go": goCalc})
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOCACHE", filepath.Join(notDir, "go-build")) // cannot be made
	p, err := FromDiff("refactor", "calc.Max", goodDiff, reader(root))
	if err != nil {
		t.Fatal(err)
	}
	Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
	if got := strings.Join(checkNames(p), ","); got != "applies ok,syntax ok,go build skipped,go vet skipped" || !p.OK() {
		t.Fatalf("checks %s; want go build skipped\n%+v", got, p.Checks)
	}
	if d := p.Checks[2].Detail; !strings.Contains(d, "not of the change") || !strings.Contains(d, "failed to initialize build cache") {
		t.Errorf("detail %q", d)
	}
	// A change that does not build still fails.
	bad := strings.Replace(goodDiff, "+\tif a >= b {", "+\tif a >= c {", 1)
	if p, err = FromDiff("refactor", "calc.Max", bad, reader(root)); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOCACHE", t.TempDir())
	Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
	if p.OK() {
		t.Fatalf("a change that does not build passed: %+v", p.Checks)
	}
}

// TestVetNewPackage: a new package is vetted although its directory is
// not on disk (in a stand-in for the module: the project is not written
// to), so a vet error in it fails the check, naming the project's file;
// one that vet passes is ok.
func TestVetNewPackage(t *testing.T) {
	root := writeTree(t, map[string]string{"go.mod": goMod, "calc.go": goCalc})
	before := treeHash(t, root)
	const code = "package cache\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/calc\"\n)\n\n// Big says which is bigger.\nfunc Big(a, b int) string {\n\treturn fmt.Sprintf(%s, calc.Max(a, b))\n}\n"
	for name, tc := range map[string]struct{ format, checks, detail string }{
		"vet error": {`"%s"`, "applies ok,syntax ok,go build ok,go vet failed", "internal/cache/cache.go:11:22: fmt.Sprintf format %s has arg calc.Max(a, b) of wrong type int"},
		"clean":     {`"%d"`, "applies ok,syntax ok,go build ok,go vet ok", ""},
	} {
		t.Run(name, func(t *testing.T) {
			answer := "```go\n" + fmt.Sprintf(code, tc.format) + "```\n"
			p, err := FromFile("gen-module", "internal/cache", answer, "internal/cache/cache.go", "go", reader(root))
			if err != nil {
				t.Fatal(err)
			}
			Validate(context.Background(), root, p, ValidateOptions{Toolchain: true})
			if got := strings.Join(checkNames(p), ","); got != tc.checks {
				t.Fatalf("checks %s; want %s\n%+v", got, tc.checks, p.Checks)
			}
			if d := p.Checks[len(p.Checks)-1].Detail; !strings.Contains(d, tc.detail) || strings.Contains(d, "aiex-overlay") {
				t.Fatalf("detail %q lacks %q", d, tc.detail)
			}
		})
	}
	if treeHash(t, root) != before {
		t.Fatal("validation wrote into the project")
	}
	if _, err := os.Stat(filepath.Join(root, "internal")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("validation made a directory in the project: %v", err)
	}
}
