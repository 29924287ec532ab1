package workflow

import (
	"bufio"
	"fmt"
	"go/build"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// The go command loads every package a build names, and all they import,
// before it compiles any: when one of them cannot be loaded (a module
// missing from the module cache, which the checks may read but not add
// to; an import no module provides), it prints why, under no "# package"
// header, and stops. Nothing was compiled then, the changed packages
// included, so a build that failed so before the change and fails the
// same way after it says nothing of the change.

// goProgress reports whether l is one of the go command's progress lines
// ("go: downloading golang.org/x/sys v0.35.0"), which say what it set out
// to do, not what went wrong, or one of its notes that it could not keep
// a record in the module cache ("go: writing stat cache: open
// …/@v/v0.0.0-….info967130755.tmp: permission denied"), after which it
// goes on as if it had: neither is an error of the build. The checks'
// module cache is read-only, and a note names a temp file whose random
// suffix differs from run to run, so it would pass for an error the
// change added.
func goProgress(l string) bool {
	for _, p := range []string{"go: downloading ", "go: finding module for package ", "go: found ", "go: extracting ",
		"go: writing stat cache: ", "go: writing go.mod cache: "} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// loadErrors are the diagnostics of ds the go command printed while it
// loaded packages, before it compiled any: go build prints everything
// else under a "# package" header. go vet prints its analyzers' findings
// under none, but only for the packages it vets, which are the module's:
// of its lines under no header, those naming another module's file or
// none are the go command's own.
func loadErrors(ds []diagnostic, vet bool) []diagnostic {
	var out []diagnostic
	for _, d := range ds {
		if d.header == "" && !strings.HasPrefix(d.text, "go: warning: ") && (!vet || d.file == "" || outside(d.file)) {
			out = append(out, d)
		}
	}
	return out
}

// notLoaded is why the go command, whose load errors are loads, compiled
// nothing: the package it could not load first, and what it said.
func (b baseline) notLoaded(loads []diagnostic) string {
	d := loads[0]
	if d.file == "" {
		return "the go command stopped before it compiled any package: " + d.text
	}
	return "the go command stopped before it compiled any package: " + b.filePackage(d) +
		" could not be loaded (" + strings.SplitN(d.msg, "\n", 2)[0] + ")"
}

// outside reports whether the module-relative file f (as diagnostics name
// files) is outside the module: in the module cache, or in a directory a
// replace directive names.
func outside(f string) bool {
	return filepath.IsAbs(filepath.FromSlash(f)) || f == ".." || strings.HasPrefix(f, "../")
}

// filePackage is the import path of the package diagnostic d's file is in.
func (b baseline) filePackage(d diagnostic) string {
	if !outside(d.file) {
		return b.importPath("./" + path.Dir(d.file))
	}
	if h := strings.Trim(strings.TrimPrefix(d.header, "# "), "[]"); h != "" {
		h, _, _ = strings.Cut(h, " ")
		return h
	}
	abs := filepath.FromSlash(d.file)
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(b.modRoot, abs)
	}
	return outsidePackage(filepath.Dir(abs), moduleCache())
}

// moduleCache is the directory of the Go module cache.
func moduleCache() string {
	if c := os.Getenv("GOMODCACHE"); c != "" {
		return c
	}
	return filepath.Join(build.Default.GOPATH, "pkg", "mod")
}

// outsidePackage is the import path of the package in dir, a directory
// outside the module: in the module cache (cache) its path there tells
// (github.com/mattn/go-isatty@v0.0.20/sub → github.com/mattn/go-isatty/sub),
// elsewhere the go.mod above it does; dir itself when neither does.
func outsidePackage(dir, cache string) string {
	if rel, err := filepath.Rel(cache, dir); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		elems := strings.Split(filepath.ToSlash(rel), "/")
		for i, e := range elems {
			if mod, _, ok := strings.Cut(e, "@"); ok {
				elems[i] = mod
				return unescapeModPath(strings.Join(elems, "/"))
			}
		}
	}
	if root, ok := findUp(dir, "go.mod"); ok {
		if mod := modulePath(filepath.Join(root, "go.mod")); mod != "" {
			rel, _ := filepath.Rel(root, dir)
			return mod + pathSuffix("./"+filepath.ToSlash(rel))
		}
	}
	return dir
}

// unescapeModPath undoes the module cache's escaping of capital letters
// (github.com/!burnt!sushi → github.com/BurntSushi).
func unescapeModPath(p string) string {
	var b strings.Builder
	up := false
	for _, r := range p {
		switch {
		case r == '!':
			up = true
		case up:
			b.WriteRune(unicode.ToUpper(r))
			up = false
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// modulePath is the module path the go.mod file at f declares; "" if it
// cannot be read or declares none.
func modulePath(f string) string {
	fh, err := os.Open(f)
	if err != nil {
		return ""
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		l, _, _ := strings.Cut(sc.Text(), "//")
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "module"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t' || rest[0] == '"') {
			return strings.Trim(strings.TrimSpace(rest), "\"`")
		}
	}
	return ""
}

// missingModule finds the modules the go command set out to download or
// could not lock in the module cache: "go: downloading M V", or a path
// …/cache/download/M/@v/V.lock (or .zip, .mod, .info).
var missingModule = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^go: downloading (\S+) (\S+)$|cache/download/(\S+?)/@v/(v[^/\s]+?)\.(?:lock|zip|mod|info|ziphash)\b`)
})

// missingModules are the modules (path and version) the go command's
// output out says it needed and did not find in the module cache.
func missingModules(out string) []string {
	var mods []string
	for _, m := range missingModule().FindAllStringSubmatch(out, -1) {
		mod := m[1] + " " + m[2]
		if m[1] == "" {
			mod = unescapeModPath(m[3]) + " " + m[4]
		}
		if !slices.Contains(mods, mod) {
			mods = append(mods, mod)
		}
	}
	return mods
}

// loadHint is what to do about a go command that stopped at packages it
// could not load, whose output was out: when it needed modules the module
// cache lacks, fetch them where the cache may be written to; "" when out
// names none.
func loadHint(out string) string {
	mods := missingModules(out)
	if len(mods) == 0 {
		return ""
	}
	return fmt.Sprintf("%s not in the Go module cache, which the checks may read but not add to: run go mod download in the project (outside aiex), then try again.",
		strings.Join(mods, ", ")+map[bool]string{true: " is", false: " are"}[len(mods) == 1])
}

// moduleCacheHint adds to a failed build's output, when the build was
// refused the Go module cache (which the sandbox keeps read-only: code
// written there would run in the user's later builds), what to do. The
// go command's note that it could not record what it looked up there
// (goProgress) is not such a refusal: it goes on without, and no
// download would stop the note.
func moduleCacheHint(detail string) string {
	cache := moduleCache()
	for l := range strings.Lines(detail) {
		if strings.Contains(l, "permission denied") && strings.Contains(l, cache) && !goProgress(l) {
			return detail + "\nThe sandbox lets checks read the Go module cache but not add to it: run go mod download in the project, then try again."
		}
	}
	return detail
}
