package testgen

import (
	"errors"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/google/go-cmp/cmp"
)

func TestTestPath(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod":                    "module example.com/p\n",
		"pkg/a.go":                  "package pkg\n",
		"pkg/b.go":                  "package pkg\n",
		"pkg/b_test.go":             "package pkg\n",
		"pkg/c.go":                  "package pkg\n",
		"pkg/c_test.go":             "package pkg\n",
		"pkg/c_gen_test.go":         "package pkg\n",
		"pkg/c_gen2_test.go":        "package pkg\n",
		"pkg/d_linux.go":            "package pkg\n",
		"pkg/d_linux_test.go":       "package pkg\n",
		"pkg/e_linux_amd64.go":      "package pkg\n",
		"pkg/e_linux_amd64_test.go": "package pkg\n",
		"pkg/f_unix.go":             "package pkg\n",
		"pkg/f_unix_test.go":        "package pkg\n",
		"mix.exs":                   "",
		"lib/my_app/foo.ex":         "",
		"lib/my_app/bar.ex":         "",
		"test/my_app/bar_test.exs":  "",
		"lib/top.ex":                "",
		// An umbrella: each app has its own mix.exs.
		"umb/mix.exs":                "",
		"umb/apps/x/mix.exs":         "",
		"umb/apps/x/lib/x/foo.ex":    "",
		"umb/apps/x/lib/x/deep/q.ex": "",
		"loose/lib/z/foo.ex":         "",
	})
	tests := []struct {
		target, want string
		err          error
	}{
		{"pkg/a.go", "pkg/a_test.go", nil},
		{"pkg/b.go", "pkg/b_gen_test.go", nil},
		{"pkg/c.go", "pkg/c_gen3_test.go", nil},
		// A file name's build constraint (_GOOS, _GOARCH) stays last.
		{"pkg/d_linux.go", "pkg/d_gen_linux_test.go", nil},
		{"pkg/e_linux_amd64.go", "pkg/e_gen_linux_amd64_test.go", nil},
		{"pkg/f_unix.go", "pkg/f_unix_gen_test.go", nil}, // unix is no GOOS in a file name
		{"./pkg/../pkg/a.go", "pkg/a_test.go", nil},
		{"new.go", "new_test.go", nil},
		{"lib/my_app/foo.ex", "test/my_app/foo_test.exs", nil},
		{"lib/my_app/bar.ex", "test/my_app/bar_gen_test.exs", nil},
		{"lib/top.ex", "test/top_test.exs", nil},
		{"umb/apps/x/lib/x/foo.ex", "umb/apps/x/test/x/foo_test.exs", nil},
		{"umb/apps/x/lib/x/deep/q.ex", "umb/apps/x/test/x/deep/q_test.exs", nil},
		// The root's mix.exs is the nearest: its test/ mirrors the path.
		{"loose/lib/z/foo.ex", "test/loose/lib/z/foo_test.exs", nil},
		{"pkg/a_test.go", "", ErrPath},
		{"lib/x.exs", "", ErrPath},
		{"README.md", "", ErrPath},
		{"/etc/a.go", "", ErrPath},
		{"../a.go", "", ErrPath},
		{"", "", ErrPath},
	}
	for _, tc := range tests {
		got, err := TestPath(root, tc.target)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("TestPath(%q) = %q, %v; want %q, %v", tc.target, got, err, tc.want, tc.err)
		}
	}
	// Without any mix.exs, the first lib/ marks the project.
	bare := t.TempDir()
	for target, want := range map[string]string{
		"lib/a/b.ex":        "test/a/b_test.exs",
		"apps/x/lib/x/b.ex": "apps/x/test/x/b_test.exs",
		"src/b.ex":          "test/src/b_test.exs",
	} {
		if got, err := TestPath(bare, target); got != want || err != nil {
			t.Errorf("TestPath(%q) without mix.exs = %q, %v; want %q", target, got, err, want)
		}
	}
}

const testGoMod = `module example.com/p

go 1.22

require github.com/google/go-cmp v0.7.0

require (
	golang.org/x/sync v0.23.0
	"example.com/quoted" v1.0.0 // a comment
	golang.org/x/text v0.42.0 // indirect
)

replace example.com/quoted => ../quoted
`

const testMixExs = `defmodule MyApp.MixProject do
  use Mix.Project

  def project do
    [app: :my_app, deps: deps(), releases: [{:my_app, []}]]
  end

  def application do
    [extra_applications: [:logger]]
  end

  defp deps do
    [
      {:jason, "~> 1.4"},
      # {:commented_out, "~> 1.0"},
      {:stream_data, "~> 1.0", only: [:dev, :test]},
      {:credo, "~> 1.7", only: [:dev], runtime: false},
      {:dialyxir, "~> 1.4", only: :dev},
      {:propcheck, "~> 1.4", only: :test},
      {:plug, git: "https://github.com/elixir-plug/plug.git#main"},
      {:local, path: "../local"} # trailing comment {:not_a_dep, 1}
    ]
  end

  defp aliases do
    [{:setup, ["deps.get"]}]
  end
end
`

func TestDeps(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod":  testGoMod,
		"mix.exs": testMixExs,
		"umb/mix.exs": `defmodule Umb.MixProject do
  use Mix.Project
  def project, do: [apps_path: "apps", deps: deps()]
  defp deps do
    [{:ex_doc, "~> 0.30", only: :dev}, {:mox, "~> 1.0", only: :test}]
  end
end
`,
		"umb/apps/x/mix.exs": `defmodule X.MixProject do
  use Mix.Project
  def project, do: [app: :x, deps: [{:jason, "~> 1.4"}, {:y, in_umbrella: true}]]
end
`,
		"umb/apps/x/lib/x.ex": "",
		"sub/go.mod":          "module example.com/sub\n\nrequire example.com/only v1.0.0\n",
		"sub/pkg/a.go":        "",
	})
	goDeps := []string{"github.com/google/go-cmp", "golang.org/x/sync", "example.com/quoted"}
	exDeps := []string{"jason", "stream_data", "propcheck", "plug", "local"}
	tests := []struct {
		target string
		want   []string
	}{
		{"", append(append([]string{}, goDeps...), exDeps...)},
		{"pkg/a.go", goDeps},
		{"sub/pkg/a.go", []string{"example.com/only"}},
		{"lib/my_app/a.ex", exDeps},
		// An umbrella app: its own deps, then the umbrella's, then the
		// root's (a repository holding the umbrella).
		{"umb/apps/x/lib/x.ex", append([]string{"jason", "y", "mox"}, exDeps[1:]...)},
		{"../x.go", nil},
	}
	for _, tc := range tests {
		if d := cmp.Diff(tc.want, Deps(root, tc.target)); d != "" {
			t.Errorf("Deps(%q) (-want +got):\n%s", tc.target, d)
		}
	}
	if got := Deps(t.TempDir(), ""); got != nil {
		t.Errorf("Deps of an empty dir = %q", got)
	}
}

// TestTestPathSaysWhatToGive: a target no tests can be written for is
// refused with one sentence for the user, naming it and what to give
// instead, without the package's own prefixes.
func TestTestPathSaysWhatToGive(t *testing.T) {
	root := t.TempDir()
	for target, want := range map[string]string{
		"test/shop/cart_test.exs": "test/shop/cart_test.exs is a script or a test (.exs); give the code to test: a .ex module, or a symbol in it",
		"pkg/a_test.go":           "pkg/a_test.go is a test file; give the code to test: a .go file of its package, or a symbol in it",
		"README.md":               "README.md is neither a .go nor a .ex file; aiex gen tests writes Go and ExUnit tests",
	} {
		_, err := TestPath(root, target)
		ue := usererr.As(err)
		if ue == nil || ue.Error() != want || !errors.Is(err, ErrPath) {
			t.Errorf("TestPath(%s): %v; want the user error %q", target, err, want)
		}
	}
}
