package testgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"go/build"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/aiex-dev/aiex/app/usererr"
)

// Languages Run knows.
const (
	LangGo     = "go"
	LangElixir = "elixir"
)

// LangOf returns the language of a source or test file from its name:
// LangGo for .go, LangElixir for .ex and .exs, "" otherwise.
func LangOf(p string) string {
	switch path.Ext(p) {
	case ".go":
		return LangGo
	case ".ex", ".exs":
		return LangElixir
	}
	return ""
}

// ErrPath is wrapped by the errors of TestPath and Run for paths they
// cannot use: absolute, leaving the project, of another language, or
// already a test file.
var ErrPath = errors.New("unusable path")

// maxGen bounds the _genN_ suffixes TestPath tries.
const maxGen = 100

// TestPath returns where the test file for the source file targetPath
// goes, relative to root and slash-separated:
//
//	dir/foo.go                → dir/foo_test.go
//	lib/my_app/foo.ex         → test/my_app/foo_test.exs
//	apps/x/lib/x/foo.ex       → apps/x/test/x/foo_test.exs  (umbrella)
//
// The Elixir test dir is test/ beside the nearest mix.exs above the file
// (lib/ dropped from the path); without a mix.exs, beside the first lib/.
// When that file exists it returns foo_gen_test.go (.exs), then
// foo_gen2_test.go, …, so a generated file never replaces one the user
// wrote; so too when a file under the Elixir test dir already defines
// the module named after the path (test/my_app/foo_test.exs →
// MyApp.FooTest, which the prompt asks the model to define), as a flat
// test/foo_test.exs may; a build constraint in a Go file's name stays last, where Go
// reads it (foo_linux.go: foo_gen_linux_test.go). TestPath only reads
// the project.
func TestPath(root, targetPath string) (string, error) {
	rel, err := relPath(targetPath)
	if err != nil {
		return "", fmt.Errorf("testgen.TestPath: %w", err)
	}
	var stem, constraint, ext, testDir string
	switch path.Ext(rel) {
	case ".go":
		if strings.HasSuffix(rel, "_test.go") {
			return "", pathError("%s is a test file; give the code to test: a .go file of its package, or a symbol in it", rel)
		}
		// A build constraint in the name (_linux, _amd64) must stay just
		// before _test: foo_linux.go → foo_gen_linux_test.go.
		stem, constraint = splitConstraint(strings.TrimSuffix(rel, ".go"))
		ext = ".go"
	case ".ex":
		stem, testDir = elixirTestStem(root, strings.TrimSuffix(rel, ".ex"))
		ext = ".exs"
	case ".exs":
		return "", pathError("%s is a script or a test (.exs); give the code to test: a .ex module, or a symbol in it", rel)
	default:
		return "", pathError("%s is neither a .go nor a .ex file; aiex gen tests writes Go and ExUnit tests", rel)
	}
	var taken map[string]bool // the test modules of an Elixir project
	if testDir != "" {
		taken = testModules(root, testDir)
	}
	for i := 1; i <= maxGen; i++ {
		var p string
		switch i {
		case 1:
			p = stem + constraint + "_test" + ext
		case 2:
			p = stem + "_gen" + constraint + "_test" + ext
		default:
			p = fmt.Sprintf("%s_gen%d%s_test%s", stem, i-1, constraint, ext)
		}
		_, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p)))
		if errors.Is(err, fs.ErrNotExist) {
			if taken[testModuleName(testDir, p)] {
				continue
			}
			return p, nil
		}
		if err != nil {
			return "", fmt.Errorf("testgen.TestPath: %w", err)
		}
	}
	return "", pathError("%s%s_test%s and its %d generated variants all exist or name test modules the project already defines; remove or rename some of them", stem, constraint, ext, maxGen-1)
}

// pathError is a target TestPath cannot write tests for, said to the user:
// its cause is ErrPath.
func pathError(format string, args ...any) error {
	return usererr.Wrap(ErrPath, format, args...)
}

// splitConstraint splits a Go file's stem into the name and its build
// constraint suffix (_GOOS, _GOARCH or _GOOS_GOARCH), "" when it has none.
func splitConstraint(stem string) (name, constraint string) {
	for range 2 {
		i := strings.LastIndexByte(stem, '_')
		if i <= strings.LastIndexByte(stem, '/')+1 || !constrains(stem[i+1:]) {
			break
		}
		stem, constraint = stem[:i], stem[i:]+constraint
	}
	return stem, constraint
}

// constrains says whether _elem at the end of a Go file's name limits the
// systems it builds on (a GOOS or GOARCH Go knows), as go/build reads it:
// a file so named does not match a context with a system no file names.
func constrains(elem string) bool {
	ok, err := noSystem.MatchFile("", "x_"+elem+".go")
	return err == nil && !ok
}

// noSystem is a build context for no GOOS or GOARCH that exists, reading
// every file as an empty package.
var noSystem = func() build.Context {
	c := build.Default
	c.GOOS, c.GOARCH = "none", "none"
	c.BuildTags, c.ToolTags, c.ReleaseTags = nil, nil, nil
	c.OpenFile = func(string) (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("package p\n")), nil }
	return c
}()

// relPath cleans a project-relative path given with either separator and
// refuses one that is absolute or leaves the project.
func relPath(p string) (string, error) {
	if p == "" {
		return "", pathError("name the code to test: a .go or .ex file of the project, or a symbol")
	}
	s := filepath.ToSlash(p)
	if path.IsAbs(s) || filepath.IsAbs(p) {
		return "", pathError("%s is absolute; give it relative to the project root", p)
	}
	s = path.Clean(s)
	if s == ".." || strings.HasPrefix(s, "../") || s == "." {
		return "", pathError("%s is not a file inside the project", p)
	}
	return s, nil
}

// elixirTestStem maps lib/…/foo (no extension) to test/…/foo, relative to
// the mix project the file belongs to, and says which test dir that is.
func elixirTestStem(root, stem string) (testStem, testDir string) {
	// The nearest directory above the file holding a mix.exs.
	proj := ""
	found := false
	for d := path.Dir(stem); ; d = path.Dir(d) {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(d), "mix.exs")); err == nil {
			proj, found = d, true
			break
		}
		if d == "." {
			break
		}
	}
	if !found {
		// No mix.exs: the first lib/ segment marks the project.
		parts := strings.Split(stem, "/")
		for i, p := range parts[:len(parts)-1] {
			if p == "lib" {
				dir := path.Join(append(parts[:i:i], "test")...)
				return path.Join(dir, path.Join(parts[i+1:]...)), dir
			}
		}
		return path.Join("test", stem), "test"
	}
	in := stem
	if proj != "." {
		in = strings.TrimPrefix(stem, proj+"/")
	}
	in = strings.TrimPrefix(in, "lib/")
	return path.Join(proj, "test", in), path.Join(proj, "test")
}

// Deps lists the dependencies of the project a target belongs to, for the
// prompt (so the model uses go-cmp or StreamData only where the project
// has them): for a Go target the module paths the nearest go.mod requires
// directly (not // indirect); for an Elixir target the mix deps of the
// nearest mix.exs (and, in an umbrella app, of the umbrella's), as names
// without the colon ("stream_data", "propcheck"), leaving out deps only
// for :dev or :prod. target is relative to root; "" means the root's own
// go.mod and mix.exs. mix.exs is read, never run. Files that are missing
// or unreadable give no deps.
func Deps(root, target string) []string {
	dir := "."
	lang := ""
	if target != "" {
		rel, err := relPath(target)
		if err != nil {
			return nil
		}
		dir, lang = path.Dir(rel), LangOf(rel)
	}
	var out []string
	seen := map[string]bool{}
	add := func(names []string) {
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	if lang == "" || lang == LangGo {
		if b, ok := nearest(root, dir, "go.mod"); ok {
			add(goRequires(b))
		}
	}
	if lang == "" || lang == LangElixir {
		// All mix.exs files from the target up: an umbrella app's own
		// deps, then the umbrella's.
		for d := dir; ; d = path.Dir(d) {
			if b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(d), "mix.exs")); err == nil {
				add(mixDeps(b))
			}
			if d == "." {
				break
			}
		}
	}
	return out
}

// nearest reads the file name in dir or the nearest directory above it
// (up to root).
func nearest(root, dir, name string) ([]byte, bool) {
	for d := dir; ; d = path.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(d), name)); err == nil {
			return b, true
		}
		if d == "." {
			return nil, false
		}
	}
}

// goRequires returns the module paths of go.mod's direct requirements.
func goRequires(gomod []byte) []string {
	var out []string
	inBlock := false
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		line := sc.Text()
		indirect := strings.Contains(line, "// indirect")
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
			continue
		case inBlock && f[0] == ")":
			inBlock = false
			continue
		case f[0] == "require" && len(f) >= 2 && f[1] == "(":
			inBlock = true
			continue
		case f[0] == "require" && len(f) >= 3:
			f = f[1:]
		case !inBlock:
			continue
		}
		if len(f) >= 2 && !indirect {
			out = append(out, strings.Trim(f[0], "\"`"))
		}
	}
	return out
}

var (
	// depsFun finds the deps function of a mix.exs (`defp deps do`).
	depsFun = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?m)^([ \t]*)defp?[ \t]+deps(?:\(\))?[ \t]+do[ \t]*$`)
	})
	// depName finds a dep tuple's name.
	depName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{\s*:([a-z_][a-zA-Z0-9_]*)\s*,`) })
	// onlyOpt finds a dep's only: option.
	onlyOpt = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`only:\s*(\[[^\]]*\]|:[a-z_]+)`) })
)

// mixDeps returns the dep names in mix.exs's deps function (or, if it has
// none, anywhere in the file), skipping deps limited to other environments
// than :test.
func mixDeps(src []byte) []string {
	text := stripExComments(string(src))
	if m := depsFun().FindStringSubmatchIndex(text); m != nil {
		indent := text[m[2]:m[3]]
		body := text[m[1]:]
		end := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(indent) + `end\b`)
		if e := end.FindStringIndex(body); e != nil {
			body = body[:e[0]]
		}
		text = body
	}
	var out []string
	for _, m := range depName().FindAllStringSubmatchIndex(text, -1) {
		tuple := balanced(text[m[0]:])
		if o := onlyOpt().FindStringSubmatch(tuple); o != nil && !strings.Contains(o[1], ":test") {
			continue
		}
		out = append(out, text[m[2]:m[3]])
	}
	return out
}

// balanced returns s up to the bracket that closes its first one.
func balanced(s string) string {
	depth := 0
	for i, c := range s {
		switch c {
		case '{', '[', '(':
			depth++
		case '}', ']', ')':
			depth--
			if depth == 0 {
				return s[:i+1]
			}
		}
	}
	return s
}

// stripExComments removes # comments from Elixir source, leaving # inside
// double-quoted strings alone (a git URL's fragment, an interpolation).
func stripExComments(s string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		inStr := false
		cut := len(line)
		for i := 0; i < len(line); i++ {
			switch line[i] {
			case '\\':
				i++
			case '"':
				inStr = !inStr
			case '#':
				if !inStr {
					cut = i
				}
			}
			if cut < len(line) {
				break
			}
		}
		b.WriteString(line[:cut])
		if cut < len(line) && strings.HasSuffix(line, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// testModuleName is the module a test file at p under testDir is named
// after: test/my_app/foo_gen2_test.exs → MyApp.FooGen2Test, each path
// element camelized as Macro.camelize does.
func testModuleName(testDir, p string) string {
	rel := strings.TrimSuffix(strings.TrimPrefix(p, testDir+"/"), ".exs")
	var names []string
	for _, elem := range strings.Split(rel, "/") {
		var b strings.Builder
		for _, w := range strings.Split(elem, "_") {
			if w != "" {
				b.WriteString(strings.ToUpper(w[:1]) + w[1:])
			}
		}
		names = append(names, b.String())
	}
	return strings.Join(names, ".")
}

// testModules are the modules the Elixir files under testDir (relative
// to root) define at their top level. Unreadable files define none.
func testModules(root, testDir string) map[string]bool {
	mods := map[string]bool{}
	filepath.WalkDir(filepath.Join(root, filepath.FromSlash(testDir)), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || LangOf(p) != LangElixir {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		for _, m := range topModule().FindAllSubmatch(b, -1) {
			mods[string(m[1])] = true
		}
		return nil
	})
	return mods
}
