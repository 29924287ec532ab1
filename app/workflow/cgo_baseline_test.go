package workflow

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// needCgo skips a test of cgo packages where this machine has no C
// compiler for the go command to run (the C compiler's own messages are
// what the test is about), but fails it on CI, which has one (the store's
// SQLite is cgo).
func needCgo(t *testing.T) {
	t.Helper()
	cc, err := exec.Command("go", "env", "CC").Output()
	if err == nil {
		_, err = exec.LookPath(strings.TrimSpace(string(cc)))
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no C compiler for cgo (%s): CI needs one to run this test", err)
		}
		t.Skipf("no C compiler (%q) for cgo: %v", strings.TrimSpace(string(cc)), err)
	}
	t.Setenv("CGO_ENABLED", "1")
}

// needGit skips a test that runs git where it is not installed, but fails
// it on CI, which has it.
func needGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("git is not installed: CI needs it to run this test")
		}
		t.Skip("git is not installed")
	}
}

// A project whose cgo package imports the package lib and has never
// built: a C file (cgoPkg with cgoHelper) or its cgo preamble (cgoPre)
// includes a header that does not exist. user imports lib too, and
// builds.
const (
	cgoLib    = "package lib\n\nfunc Add(a, b int) int {\n\treturn a + b\n}\n"
	cgoHelper = "#include \"missing/header.h\"\nint f(void) { return 1; }\n"
	cgoPkg    = "package cgopkg\n\nimport \"C\"\n\nimport \"example.com/r3/lib\"\n\n// Sum sums.\nfunc Sum() int { return lib.Add(1, 2) }\n"
	cgoPre    = "package cgopkg\n\n// #include \"missing/header.h\"\nimport \"C\"\n\nimport \"example.com/r3/lib\"\n\n// Sum sums.\nfunc Sum() int { return lib.Add(1, 2) }\n"
	cgoUser   = "package user\n\nimport \"example.com/r3/lib\"\n\n// Sum sums.\nfunc Sum() int { return lib.Add(1, 2) }\n"
)

// TestBuildImporterCgoAlreadyFailing: the C compiler's errors in a
// package that imports the changed one, there before the change as after
// it, are not the change's, wherever they are: in a .c file, whose
// messages name no Go file, or in a cgo preamble. Nor do they say the
// change is right: the go command compiles no Go file of a package whose
// cgo step fails, nor of the packages that import it, so what the change
// does to them is unknown. A change that adds no error is skipped, naming
// the importers not checked and why, their errors counted; one that
// breaks an importer that builds fails with that error alone.
func TestBuildImporterCgoAlreadyFailing(t *testing.T) {
	needCgo(t)
	for tree, files := range map[string]map[string]string{
		"C file":   {"cgopkg/c.go": cgoPkg, "cgopkg/helper.c": cgoHelper},
		"preamble": {"cgopkg/c.go": cgoPre},
	} {
		files["go.mod"] = "module example.com/r3\n\ngo 1.22\n"
		files["lib/lib.go"] = cgoLib
		files["user/user.go"] = cgoUser
		files["cmd/app/main.go"] = "package main\n\nimport \"example.com/r3/cgopkg\"\n\nfunc main() { println(cgopkg.Sum()) }\n"
		root := writeTree(t, files)
		before := treeHash(t, root)
		cErr := map[string]string{"C file": "helper.c:1:10: fatal error: missing/header.h", "preamble": "cgopkg/c.go:3:11: fatal error: missing/header.h"}[tree]
		for name, tc := range map[string]struct {
			code, checks string
			detail       []string
		}{
			"doc comment": {strings.Replace(cgoLib, "func Add", "// Add returns a+b.\nfunc Add", 1), "applies ok,syntax ok,go build skipped,go vet skipped", []string{
				"could not check cgopkg, which depends on lib: its C code already fails to compile (" + cErr,
				"), so its Go files are not compiled",
				// cmd/app is not compiled either: a package it imports fails.
				"could not check app, which depends on lib: example.com/r3/cgopkg, which it imports, already fails to build",
				"already failing before the change: 1\n# example.com/r3/cgopkg\n" + cErr,
			}},
			"signature": {strings.Replace(cgoLib, "a, b int", "a, b, c int", 1), "applies ok,syntax ok,go build failed", []string{
				"user/user.go:6:36: not enough arguments in call to lib.Add",
				"already failing before the change: 1",
			}},
		} {
			t.Run(tree+"/"+name, func(t *testing.T) {
				p := proposeFile(t, root, "lib/lib.go", tc.code)
				if got := strings.Join(checkNames(p), ","); got != tc.checks {
					t.Fatalf("checks %s; want %s\n%+v\nnotes %q", got, tc.checks, p.Checks, p.Notes)
				}
				build := p.Checks[2]
				for _, want := range tc.detail {
					if !strings.Contains(build.Detail, want) {
						t.Errorf("build detail\n%s\nlacks %q", build.Detail, want)
					}
				}
				if build.Status == Failed {
					if f := p.Failures(); len(f) != 1 || !strings.Contains(f[0], "not enough arguments in call to lib.Add") {
						t.Errorf("failures %q; want the error the change adds", f)
					}
					if strings.Contains(build.Detail, "missing/header.h") {
						t.Errorf("build detail %q lists the errors of before", build.Detail)
					}
				}
				for _, n := range p.Notes {
					if strings.Contains(n, "adds none") {
						t.Errorf("note %q claims the change adds no error, where the importers were not compiled", n)
					}
				}
			})
		}
		if treeHash(t, root) != before {
			t.Fatal("validation wrote into the project")
		}
	}
}

// TestUncheckedImporters: of the packages that import the changed one and
// that the go command did not compile, a few are named, with why, and the
// others counted; one stopped for the reason the changed package was (a
// package of another module that does not build) is not named again.
func TestUncheckedImporters(t *testing.T) {
	g := &goPackages{module: "example.com/r3", dirs: map[string]bool{}, users: map[string][]string{}, paths: map[string]string{}}
	add := func(dir string, imports ...string) {
		g.dirs[dir], g.paths[dir] = true, g.module+pathSuffix(dir)
		for _, imp := range imports {
			g.users[g.module+pathSuffix(imp)] = append(g.users[g.module+pathSuffix(imp)], dir)
		}
	}
	add("./lib")
	add("./cgopkg", "./lib")
	for i := 1; i <= 7; i++ {
		add(fmt.Sprintf("./cmd/a%d", i), "./cgopkg")
	}
	b := baseline{modRoot: "/src/r3", root: "/src/r3", changed: []string{"./lib"}, graph: g}
	const cOut = "# example.com/r3/cgopkg\nhelper.c:1:10: fatal error: missing/header.h: No such file or directory\n    1 | #include \"missing/header.h\"\ncompilation terminated.\n"
	want := "could not check cgopkg, which depends on lib: its C code already fails to compile (helper.c:1:10: fatal error: missing/header.h: No such file or directory), so its Go files are not compiled\n" +
		"could not check a1, which depends on lib: example.com/r3/cgopkg, which it imports, already fails to build\n" +
		"could not check a2, which depends on lib: example.com/r3/cgopkg, which it imports, already fails to build\n" +
		"could not check a3, which depends on lib: example.com/r3/cgopkg, which it imports, already fails to build\n" +
		"could not check a4, which depends on lib: example.com/r3/cgopkg, which it imports, already fails to build\n" +
		"could not check 3 other packages that depend on the changed ones, for reasons like these"
	if got := b.unchecked(diagnostics(cOut, b.modRoot, nil), false); got != want {
		t.Errorf("unchecked:\n got %q\nwant %q", got, want)
	}
	const outsideOut = "# github.com/mattn/go-isatty\n/root/go/pkg/mod/github.com/mattn/go-isatty@v0.0.20/isatty_tcgets.go:12:9: undefined: unix.IoctlGetTermios\n"
	want = "could not check lib: github.com/mattn/go-isatty, which the build needs, already fails to build"
	if got := b.unchecked(diagnostics(outsideOut, b.modRoot, nil), false); got != want {
		t.Errorf("unchecked:\n got %q\nwant %q", got, want)
	}
}
