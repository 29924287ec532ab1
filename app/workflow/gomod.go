package workflow

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/parse"
)

// A change that makes Go code use a new module changes go.mod and go.sum
// too: the build must see them as the change leaves them, or it refuses
// the new import ("no required module provides package") and blames the
// change for what it has done right. The go command reads go.mod, go.sum
// and go.work through its -overlay as it reads Go files, so they are laid
// over the project with the changed Go files, and nothing is written to
// the project.

// goModuleFile reports whether the file at p (slash-separated) is one of
// the go command's module files, which say which modules a build uses.
func goModuleFile(p string) bool {
	switch path.Base(p) {
	case "go.mod", "go.sum", "go.work", "go.work.sum":
		return true
	}
	return false
}

// BuildLang is the language whose build checks a change to the file at p
// (slash-separated): chunk.Lang's, and "go" for the go command's module
// files, without which no Go code builds. (Mix's mix.exs and mix.lock
// need no such care: they are an .exs file and a file of the project's
// copy, which mix compile builds as the change leaves them.)
func BuildLang(p string) string {
	if goModuleFile(p) {
		return "go"
	}
	return chunk.Lang(p)
}

// layModuleFile lays the changed module file c (the i-th change) over
// the project at root, in the overlay whose files are under tmp. It
// reports whether the file is the module's at modRoot (its go.mod or
// go.sum) or a workspace's above it: either changes which versions of
// other modules every package of the module builds with.
func layModuleFile(root, modRoot, tmp string, i int, c parse.Change, overlay map[string]string) (bool, error) {
	abs := filepath.Join(root, filepath.FromSlash(c.Path))
	if c.Delete {
		overlay[abs] = ""
	} else {
		f := filepath.Join(tmp, fmt.Sprintf("%d-%s", i, path.Base(c.Path)))
		if err := os.WriteFile(f, c.Content, 0o600); err != nil {
			return false, err
		}
		overlay[abs] = f
	}
	if c.OldPath != "" && c.OldPath != c.Path {
		overlay[filepath.Join(root, filepath.FromSlash(c.OldPath))] = ""
	}
	dir := filepath.Dir(abs)
	if strings.HasPrefix(path.Base(c.Path), "go.work") {
		rel, err := filepath.Rel(dir, modRoot)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)), nil
	}
	return dir == modRoot, nil
}

// withAll is pkgs and then every other package of the module, in order.
func (g *goPackages) withAll(pkgs []string) []string {
	var rest []string
	for d := range g.dirs {
		if !slices.Contains(pkgs, d) {
			rest = append(rest, d)
		}
	}
	slices.Sort(rest)
	return append(slices.Clone(pkgs), rest...)
}

// unfetchedSigns are what the go command says when it could not get a
// module it needs into the module cache for want of a network (the
// checks have none), of a proxy (GOPROXY=off), or of the right to add to
// the cache (the sandbox keeps it read-only): a problem of where the
// check runs, not of the change. A module or version that does not exist
// is told otherwise (404 Not Found, unknown revision).
var unfetchedSigns = []string{
	"module lookup disabled by GOPROXY=off",
	"dial tcp",
	"no such host",
	"connection refused",
	"network is unreachable",
	"i/o timeout",
	"proxyconnect",
	"Temporary failure in name resolution",
	"server misbehaving",
	"TLS handshake timeout",
}

// unfetched decides the failed go build c, whose command, run in modRoot,
// printed out: if the go command stopped because modules the change
// needs are missing from the module cache and could not be fetched here,
// and for nothing else, the change was not checked, and c is skipped
// saying so, what to fetch and how. Otherwise c stands.
func unfetched(c Check, modRoot, out string) Check {
	if c.Status != Failed {
		return c
	}
	loads := loadErrors(diagnostics(out, modRoot, nil), false)
	if len(loads) == 0 {
		return c
	}
	cache := moduleCache()
	for _, d := range loads {
		refused := strings.Contains(d.text, "permission denied") && strings.Contains(d.text, cache)
		if !refused && !slices.ContainsFunc(unfetchedSigns, func(s string) bool { return strings.Contains(d.text, s) }) {
			return c // not only a fetch: an import no module provides, a broken go.mod
		}
	}
	mods := missingModules(out)
	if len(mods) == 0 {
		return c
	}
	var args []string
	for _, m := range mods {
		args = append(args, strings.Replace(m, " ", "@", 1))
	}
	verb := " is"
	if len(mods) > 1 {
		verb = " are"
	}
	why := fmt.Sprintf("could not check the change: it needs %s, which%s not in the Go module cache, and the checks cannot download it "+
		"(they have no network and may read the module cache but not add to it): run go mod download %s in the project (outside aiex), then try again",
		strings.Join(mods, ", "), verb, strings.Join(args, " "))
	return Check{Name: c.Name, Status: Skipped, Detail: why + "\n" + tail(joinDiagnostics(loads), 30)}
}

// missingSum finds what the go command says of a module whose go.sum
// lines are missing: the package it could not verify the module of, or
// the module (path@version) whose go.mod file it could not.
var missingSum = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`missing go.sum entry for module providing package (\S+)|(\S+)@(\S+): missing go.sum entry for go.mod file`)
})

// unsummed decides the failed go build c, whose command, run in modRoot,
// printed out: if the go command stopped only because go.sum lacks the
// lines of modules the change's go.mod (the module's, at modRoot)
// requires, the change was not checked, and c is skipped saying so and
// what to run once it is written. A model writes the require line of a
// module it adds but cannot know the module's hashes, and the go command
// builds nothing without them, so failing the change would refuse every
// change that adds a module. Otherwise c stands.
func unsummed(c Check, root, modRoot string, changes []parse.Change, out string) Check {
	if c.Status != Failed {
		return c
	}
	var required map[string]string
	for _, ch := range changes {
		abs := filepath.Join(root, filepath.FromSlash(ch.Path))
		if !ch.Delete && path.Base(ch.Path) == "go.mod" && filepath.Dir(abs) == modRoot {
			required = requires(ch.Content)
		}
	}
	loads := loadErrors(diagnostics(out, modRoot, nil), false)
	if len(required) == 0 || len(loads) == 0 {
		return c
	}
	var mods []string
	for _, d := range loads {
		m := missingSum().FindStringSubmatch(d.text)
		if m == nil {
			return c // not only go.sum: an import no module provides, a broken go.mod
		}
		mod := m[2]
		if mod == "" {
			mod = providing(m[1], required)
		}
		v, ok := required[mod]
		if !ok {
			return c // a module the change does not require: not the change's go.sum to fill
		}
		if mod += " " + v; !slices.Contains(mods, mod) {
			mods = append(mods, mod)
		}
	}
	why := fmt.Sprintf("could not check the change: it needs go.sum lines for %s, which it does not have (they hold the module's hashes, "+
		"which no model can know), and the go command builds nothing without them: run go mod tidy in the project after writing the change, "+
		"which adds them, then go build ./... to check it", strings.Join(mods, ", "))
	return Check{Name: c.Name, Status: Skipped, Detail: why + "\n" + tail(joinDiagnostics(loads), 30)}
}

// requires are the modules (path → version) the go.mod file src requires.
func requires(src []byte) map[string]string {
	mods := map[string]string{}
	block := false
	for l := range strings.Lines(string(src)) {
		l, _, _ = strings.Cut(l, "//")
		f := strings.Fields(l)
		switch {
		case len(f) == 0:
		case block && f[0] == ")":
			block = false
		case block && len(f) >= 2:
			mods[strings.Trim(f[0], "\"`")] = f[1]
		case f[0] == "require" && len(f) == 2 && f[1] == "(":
			block = true
		case f[0] == "require" && len(f) >= 3:
			mods[strings.Trim(f[1], "\"`")] = f[2]
		}
	}
	return mods
}

// providing is the module of required whose path is the longest prefix
// of the import path pkg: the one that provides it; "" if none does.
func providing(pkg string, required map[string]string) string {
	best := ""
	for m := range required {
		if (pkg == m || strings.HasPrefix(pkg, m+"/")) && len(m) > len(best) {
			best = m
		}
	}
	return best
}
