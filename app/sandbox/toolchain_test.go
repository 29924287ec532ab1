package sandbox_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/sandbox"
)

// freshHome makes HOME an empty directory (no ~/.cache, no go env file)
// and leaves the caches' places to the go command's defaults, as in a
// fresh container.
func freshHome(t *testing.T) string {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	if err := os.Mkdir(home, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	for _, v := range []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOENV", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "GOFLAGS"} {
		t.Setenv(v, "") // set for t's restore, then unset
		os.Unsetenv(v)
	}
	return home
}

// TestCommandGoBuildFreshHome: a confined go build works in a home
// without ~/.cache: the build cache is made before the child is confined
// (confined, the child may not make it), and only the cache is writable,
// not ~/.cache around it.
func TestCommandGoBuildFreshHome(t *testing.T) {
	needGo(t)
	home := freshHome(t)
	s, project, _, _, _ := commandFixture(t, sandbox.ModeAuto)
	if !s.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	for name, src := range map[string]string{
		"go.mod": "module example.com/p\n\ngo 1.21\n",
		"p.go":   "package p\n\nfunc F() int { return 1 }\n",
	} {
		if err := os.WriteFile(filepath.Join(project, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := s.Command(context.Background(), "go", "build", "./...")
	out, err := cmd.CombinedOutput()
	if !cmd.Confinement().Landlock {
		t.Fatalf("not confined: %s", cmd.Confinement())
	}
	if err != nil {
		t.Fatalf("confined go build in a fresh home: %v: %s", err, out)
	}
	if fi, err := os.Stat(filepath.Join(home, ".cache", "go-build")); err != nil || !fi.IsDir() {
		t.Fatalf("no build cache in the fresh home: %v", err)
	}
	// The cache is writable to the child; its parent is not.
	if _, out, err := runChild(t, s, "write:"+filepath.Join(home, ".cache", "planted")); err == nil || !strings.Contains(out, "permission denied") {
		t.Errorf("the confined child wrote ~/.cache (%v: %s)", err, out)
	}
}

// TestCommandGoCacheFromGoEnvFile: the build cache is where the go command
// says, its go env file (go env -w GOCACHE=…) included, not only where the
// environment says.
func TestCommandGoCacheFromGoEnvFile(t *testing.T) {
	needGo(t)
	home := freshHome(t)
	gocache := filepath.Join(t.TempDir(), "elsewhere", "go-build")
	if out, err := exec.Command("go", "env", "-w", "GOCACHE="+gocache).CombinedOutput(); err != nil {
		t.Fatalf("go env -w: %v: %s", err, out)
	}
	if _, err := os.Stat(filepath.Join(home, ".config", "go", "env")); err != nil {
		t.Fatalf("go env -w wrote no go env file in the fresh home: %v", err)
	}
	s, project, _, _, _ := commandFixture(t, sandbox.ModeAuto)
	if !s.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	if err := os.WriteFile(filepath.Join(project, "go.mod"), []byte("module example.com/p\n\ngo 1.21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(project, "p.go"), []byte("package p\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := s.Command(context.Background(), "go", "build", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("confined go build with GOCACHE from the go env file: %v: %s", err, out)
	}
	if entries, _ := os.ReadDir(gocache); len(entries) == 0 {
		t.Fatalf("the build cache %s the go env file names is empty", gocache)
	}
}

// needGo skips a test that runs the go command where it is not on PATH —
// a machine that runs the tests some other way — but fails it under CI,
// which installs Go: there the test must run.
func needGo(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("go is not on PATH; .ci/run runs the tests with it")
		}
		t.Skip("go is not on PATH")
	}
}

// TestCommandToolchainsFiltered: go test and mix test run confined,
// the seccomp filter and the namespaces included: neither needs a unix
// socket of its own, the Erlang VM starts programs (System.cmd) through a
// stream socket pair, which the filter leaves open, and a test's server
// on 127.0.0.1 (httptest, :gen_tcp) works on the command's own loopback.
func TestCommandToolchainsFiltered(t *testing.T) {
	for _, tc := range []struct {
		name  string
		need  func(*testing.T)
		files map[string]string
		argv  []string
		want  string
	}{{
		"go test", needGo, map[string]string{
			"go.mod":    "module example.com/p\n\ngo 1.21\n",
			"p.go":      "package p\n\nfunc Max(a, b int) int { return max(a, b) }\n",
			"p_test.go": "package p\n\nimport \"testing\"\n\nfunc TestMax(t *testing.T) {\n\tif Max(1, 2) != 2 {\n\t\tt.Fatal(\"Max\")\n\t}\n}\n",
			// A server on the command's own loopback, as generated HTTP
			// handler tests start one.
			"http_test.go": "package p\n\nimport (\n\t\"io\"\n\t\"net/http\"\n\t\"net/http/httptest\"\n\t\"testing\"\n)\n\n" +
				"func TestServer(t *testing.T) {\n\tsrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, \"pong\") }))\n" +
				"\tdefer srv.Close()\n\tres, err := http.Get(srv.URL)\n\tif err != nil {\n\t\tt.Fatal(err)\n\t}\n\tdefer res.Body.Close()\n" +
				"\tif b, _ := io.ReadAll(res.Body); string(b) != \"pong\" {\n\t\tt.Fatalf(\"%q\", b)\n\t}\n}\n",
		}, []string{"go", "test", "-count=1", "-v", "./..."}, "--- PASS: TestServer",
	}, {
		"mix test", needMix, map[string]string{
			"mix.exs":              "defmodule Shop.MixProject do\n  use Mix.Project\n  def project, do: [app: :shop, version: \"0.1.0\"]\nend\n",
			"lib/shop.ex":          "defmodule Shop do\n  def total(xs), do: Enum.sum(xs)\nend\n",
			"test/test_helper.exs": "ExUnit.start()\n",
			"test/shop_test.exs": "defmodule ShopTest do\n  use ExUnit.Case\n  test \"total\", do: assert(Shop.total([1, 2]) == 3)\n" +
				"  test \"a program\", do: assert({\"hi\\n\", 0} = System.cmd(\"echo\", [\"hi\"]))\n" +
				// TCP on the command's own loopback, as a test of a server does.
				"  test \"loopback\" do\n    {:ok, l} = :gen_tcp.listen(0, [:binary, ip: {127, 0, 0, 1}, active: false])\n" +
				"    {:ok, port} = :inet.port(l)\n    {:ok, c} = :gen_tcp.connect({127, 0, 0, 1}, port, [:binary, active: false])\n" +
				"    {:ok, s} = :gen_tcp.accept(l)\n    :ok = :gen_tcp.send(c, \"ping\")\n    assert {:ok, \"ping\"} = :gen_tcp.recv(s, 4)\n  end\nend\n",
		}, []string{"mix", "test"}, "3 tests, 0 failures",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			tc.need(t)
			s, project, _, _, _ := commandFixture(t, sandbox.ModeStrict)
			if !s.Landlock().Landlock {
				t.Skip("this kernel lacks Landlock: commands run unconfined")
			}
			for name, src := range tc.files {
				p := filepath.Join(project, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			cmd := s.Command(context.Background(), tc.argv[0], tc.argv[1:]...)
			out, err := cmd.CombinedOutput()
			if c := cmd.Confinement(); !c.Landlock || !c.Seccomp || !c.Isolated {
				t.Fatalf("not confined: %s", c)
			}
			if err != nil || !strings.Contains(string(out), tc.want) {
				t.Fatalf("%s, confined: %v: %s", strings.Join(tc.argv, " "), err, out)
			}
		})
	}
}

// needMix is needGo for mix.
func needMix(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("mix"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("mix is not on PATH; CI installs Elixir")
		}
		t.Skip("mix is not on PATH")
	}
}
