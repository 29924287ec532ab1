package workflow

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aiex-dev/aiex/app/english"
	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/workflow/linediff"
)

// vetNew vets the packages pkgs (./rel beneath modRoot, some of which the
// change creates) in a stand-in for the module, made under tmp. go vet
// runs its analysis tool in each package's directory, and an overlay
// cannot make a directory: a package the change creates has none in the
// project, and the project is not written to. The stand-in is the
// module's directory tree with real directories only on the way to the
// new packages (made empty) and a symbolic link to the project's entry
// everywhere else, so it costs a few links, not a copy; the changed files
// are laid over it by an overlay as they are over the project.
//
// The go command sees the stand-in's paths, so the module's packages the
// new ones import are compiled again under them (measured: under 0.1 s
// for a small module, 2–3 s for a new package importing a few packages of
// a 60-package module, cached after that). A go.work above the module
// would not list the stand-in, so a workspace's new package is not
// vetted. The output of a vet that fails comes back whole, with the
// project's file names, for baseline.judge.
func vetNew(ctx context.Context, o ValidateOptions, modRoot, tmp string, overlay map[string]string, pkgs []string) (Check, string) {
	const name = "go vet"
	if work, ok := findUp(modRoot, "go.work"); ok && os.Getenv("GOWORK") != "off" {
		return Check{Name: name, Status: Skipped, Detail: "a new package in the workspace of " + filepath.Join(work, "go.work") +
			": go vet reads a package from its directory, which is not yet on disk"}, ""
	}
	stand := filepath.Join(tmp, "module")
	var created []string
	for _, p := range pkgs {
		if fi, ok := statOK(filepath.Join(modRoot, filepath.FromSlash(p))); !ok || !fi.IsDir() {
			created = append(created, path.Clean(strings.TrimPrefix(p, "./")))
		}
	}
	if err := standIn(modRoot, stand, created); err != nil {
		return Check{Name: name, Status: Failed, Detail: "could not lay out the module to vet its new package: " + err.Error()}, ""
	}
	ov := map[string]string{}
	var names []string
	for f, to := range overlay {
		rel, err := filepath.Rel(modRoot, f)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue // outside the module: not reached through the stand-in
		}
		ov[filepath.Join(stand, rel)] = to
		if to != "" {
			names = append(names, outputNames(stand, to, filepath.Join(stand, rel))...)
		}
	}
	// The stand-in's own paths, where the go command gives them whole,
	// are the project's.
	names = append(names, stand+string(filepath.Separator), modRoot+string(filepath.Separator))
	b, _ := json.Marshal(map[string]any{"Replace": ov})
	ovFile := filepath.Join(tmp, "overlay-vet.json")
	if err := os.WriteFile(ovFile, b, 0o600); err != nil {
		return Check{Name: name, Status: Failed, Detail: err.Error()}, ""
	}
	vet, out := runOut(ctx, o, stand, nil, name, "go", append([]string{"vet", "-overlay=" + ovFile}, pkgs...)...)
	project := strings.NewReplacer(names...)
	vet.Detail = project.Replace(vet.Detail)
	return vet, project.Replace(out)
}

// standIn lays out at dst a stand-in for the directory tree at src in
// which each of dirs (slash-separated, relative) is a real, empty
// directory if src lacks it: the directories on the way to them are real
// too, and every other entry is a symbolic link to src's.
func standIn(src, dst string, dirs []string) error {
	real := map[string]bool{".": true}
	for _, d := range dirs {
		for ; d != "." && d != "/" && d != ""; d = path.Dir(d) {
			real[d] = true
		}
	}
	keys := make([]string, 0, len(real))
	for d := range real {
		keys = append(keys, d)
	}
	slices.Sort(keys) // parents before their children
	for _, d := range keys {
		if err := os.MkdirAll(filepath.Join(dst, filepath.FromSlash(d)), 0o755); err != nil {
			return err
		}
		entries, err := os.ReadDir(filepath.Join(src, filepath.FromSlash(d)))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		for _, e := range entries {
			child := path.Join(d, e.Name())
			if real[child] {
				continue
			}
			if err := os.Symlink(filepath.Join(src, filepath.FromSlash(child)), filepath.Join(dst, filepath.FromSlash(child))); err != nil {
				return err
			}
		}
	}
	return nil
}

// baseline is the project as it is, before the changes: a go build or go
// vet that fails with them is run again without them, and what it printed
// then is not the changes' doing. A project whose tests vet has always
// rejected (struct tags that are not key:"value") would otherwise refuse
// every change to their package; a command that has never built, every
// change to a package it imports. The second run is paid for only when
// the first fails.
type baseline struct {
	modRoot string
	root    string // the project's, which the changes' paths are relative to
	changes []parse.Change
	graph   *goPackages // the module's packages; nil when go list failed
	changed []string    // the packages (./rel) the changes leave files in
}

// existing keeps of pkgs (./rel beneath the module) those that have a Go
// file on disk: the others are not there before the changes, and the go
// command would refuse the whole run for them.
func (b baseline) existing(pkgs []string) []string {
	var out []string
	for _, p := range pkgs {
		entries, _ := os.ReadDir(filepath.Join(b.modRoot, filepath.FromSlash(p)))
		if slices.ContainsFunc(entries, func(e os.DirEntry) bool { return !e.IsDir() && strings.HasSuffix(e.Name(), ".go") }) {
			out = append(out, p)
		}
	}
	return out
}

// judge decides the failed check c, whose command printed out (with the
// project's file names), by running the command again as args on the
// project without the changes. If that fails too, the diagnostics it
// printed (a file, a message: the lines they are on may have moved) are
// taken out of c's; c fails with the ones left, and passes if none is,
// with a note that counts those taken out. If the second run passes or
// does not finish, c stands.
func (b baseline) judge(ctx context.Context, o ValidateOptions, c Check, out string, args []string) (Check, string) {
	if c.Status != Failed || out == "" || len(args) == 0 {
		return c, ""
	}
	was, wasOut := runOut(ctx, o, b.modRoot, nil, c.Name, "go", args...)
	if was.Status != Failed || wasOut == "" {
		return c, ""
	}
	renamed := map[string]string{}
	for _, ch := range b.changes {
		if ch.OldPath != "" && ch.OldPath != ch.Path {
			renamed[b.rel(ch.OldPath)] = b.rel(ch.Path)
		}
	}
	before := diagnostics(wasOut, b.modRoot, renamed)
	after := diagnostics(out, b.modRoot, nil)
	fresh, old := b.unexplained(before, after)
	counted := fmt.Sprintf("already failing before the change: %d", len(old))
	if why := b.unchecked(after, c.Name == "go vet"); len(fresh) == 0 && why != "" {
		// Nothing is known of the change: it is skipped, saying why, as a
		// check that cannot run here is. Failing it would blame the change
		// for what the project already had, and refuse every change to a
		// package whose dependency is broken, which is what the baseline
		// is for; passing it would let through any error the change adds.
		shown := old
		if loads := loadErrors(after, c.Name == "go vet"); len(loads) > 0 {
			shown = loads // the only errors there are, with or without a file
		}
		detail := why
		if len(old) > 0 {
			// A count of none would gainsay the reason above it, that
			// the project already failed to build.
			detail += "\n" + counted
		}
		if len(shown) > 0 {
			detail += "\n" + tail(joinDiagnostics(shown), 30)
		}
		if hint := loadHint(out); hint != "" {
			detail += "\n" + hint
		}
		return Check{Name: c.Name, Status: Skipped, Detail: detail}, ""
	}
	if len(fresh) == 0 && len(old) == 0 && len(after) > 0 {
		// Every line is one the command printed before the change too,
		// and none names a file: a linker's message about a main package
		// that imports the changed one, say. The linker runs after the
		// compiler has compiled every package it links, and nothing above
		// says a package was not compiled, so the change was checked and
		// adds nothing to what already failed.
		first := strings.SplitN(after[0].text, "\n", 2)[0]
		note := fmt.Sprintf("%s: already failing before the change, with the same output (%s); the change adds nothing to it", c.Name, first)
		return Check{Name: c.Name, Status: OK, Detail: "already failing before the change, with the same output:\n" + tail(joinDiagnostics(after), 30)}, note
	}
	if len(old) == 0 {
		return c, ""
	}
	if len(fresh) == 0 {
		first := strings.SplitN(old[0].text, "\n", 2)[0]
		if len(old) > 1 {
			first += ", …"
		}
		note := fmt.Sprintf("%s: %s (%s); the change adds none", c.Name, counted, first)
		return Check{Name: c.Name, Status: OK, Detail: counted + "\n" + tail(joinDiagnostics(old), 30)}, note
	}
	return Check{Name: c.Name, Status: Failed, Detail: tail(joinDiagnostics(fresh), 30) + "\n" + counted}, ""
}

// unchecked says which changed packages the go command, whose output
// with the changes is ds, did not examine, and why; "" if it examined
// them all. A go command that could not load a package compiled none
// (goload.go). A package that does not type-check stops the go command
// before it compiles (or vets) the packages that import it, and vet does
// not run its analyzers on a package whose files (tests included) do
// not type-check: the diagnostics of the changed files are then missing
// from its output with and without the changes, and their sameness says
// nothing. The compiler also stops at a syntax error, or after its first
// ten errors ("too many errors"), in a package, and compiles no Go file
// of a package whose C code (cgo's) fails to compile. The same holds of
// the packages that import a changed one, which go build builds to see
// whether the change breaks them: one the go command did not compile
// was not checked (go vet vets the changed packages alone).
func (b baseline) unchecked(ds []diagnostic, vet bool) string {
	var why []string
	reasons := map[string]bool{} // the changed packages'
	loads := loadErrors(ds, vet)
	if len(loads) > 0 && len(b.changed) == 0 {
		return "could not check the packages that import the changed ones: " + b.notLoaded(loads)
	}
	for _, c := range b.changed {
		if len(loads) > 0 {
			// The go command compiled nothing: see goload.go.
			why = append(why, "could not check "+b.name(c)+": "+b.notLoaded(loads))
		} else if r := b.blocked(c, ds, vet); r != "" {
			why = append(why, "could not check "+b.name(c)+": "+r)
			reasons[r] = true
		}
	}
	if len(loads) > 0 || vet || b.graph == nil {
		return strings.Join(why, "\n")
	}
	// A package that many import, failing, stops them all: a few say so,
	// and the rest are counted. One stopped for the reason a changed
	// package was (a package of another module that does not build) is
	// not told again.
	const shown = 5
	more := 0
	for _, imp := range b.graph.importers(b.changed) {
		r := b.blocked(imp, ds, false)
		switch {
		case r == "" || reasons[r]:
		case len(why) >= shown:
			more++
		default:
			why = append(why, "could not check "+b.name(imp)+", which depends on "+b.name(b.importedBy(imp))+": "+r)
		}
	}
	if more > 0 {
		why = append(why, fmt.Sprintf("could not check %s that depend on the changed ones, for reasons like these", english.CountAs(more, "other package", "other packages")))
	}
	return strings.Join(why, "\n")
}

// blocked is why the go command did not examine the package c (./rel),
// given its output ds; "" if nothing stopped it.
func (b baseline) blocked(c string, ds []diagnostic, vet bool) string {
	for _, d := range ds {
		dir := b.dir(d)
		switch {
		case outside(d.file):
			// A package of another module (the module cache's, or a
			// replacement directory's) that does not build: the build
			// does not say which of the packages it built needed it, so
			// any of them may not have been compiled.
			return b.filePackage(d) + ", which the build needs, already fails to build"
		case dir == "":
		case dir == c && d.msg == "too many errors":
			return "the compiler already stopped after its first errors in it before the change, so it cannot tell whether the change adds one"
		case dir == c && d.native:
			return "its C code already fails to compile (" + strings.SplitN(d.text, "\n", 2)[0] + "), so its Go files are not compiled"
		case dir == c && strings.Contains(d.msg, "syntax error"):
			return "its files already fail to parse (" + d.text + "), so it is not type-checked"
		case dir == c && vet && strings.HasPrefix(d.msg, "vet: "):
			return "its files already fail to type-check (" + strings.TrimPrefix(d.text, "vet: ") + "), so go vet does not analyze it"
		case dir != c && b.dependsOn(c, dir, vet):
			return b.importPath(dir) + ", which it imports, already fails to build"
		}
	}
	return ""
}

// importedBy is the first of the changed packages that the package imp
// (./rel) imports, directly or not.
func (b baseline) importedBy(imp string) string {
	for _, c := range b.changed {
		if slices.Contains(b.graph.importers([]string{c}), imp) {
			return c
		}
	}
	return b.changed[0]
}

// dependsOn says whether the package c imports dep, directly or not, as
// far as the package graph tells. Without one, a package whose errors
// were printed and that is not a changed one was built as a dependency.
// vet builds nothing but the dependencies of the packages it vets, their
// tests' included (which the graph does not list).
func (b baseline) dependsOn(c, dep string, vet bool) bool {
	switch {
	case b.graph != nil && slices.Contains(b.graph.importers([]string{dep}), c):
		return true
	case b.graph == nil || vet:
		return !slices.Contains(b.changed, dep)
	}
	return false
}

// dir is the package (./rel) diagnostic d is in: its file's directory,
// or for a line naming no file, the package of its "# path" header.
func (b baseline) dir(d diagnostic) string {
	if outside(d.file) {
		return "" // not the module's
	}
	if d.file != "" {
		return "./" + path.Dir(d.file)
	}
	h := strings.Trim(strings.TrimPrefix(d.header, "# "), "[]")
	h, _, _ = strings.Cut(h, " ")
	if b.graph != nil {
		for dir, p := range b.graph.paths {
			if p == h {
				return dir
			}
		}
	}
	return ""
}

// importPath is the package in dir's import path, or dir without a
// package graph.
func (b baseline) importPath(dir string) string {
	if b.graph != nil {
		return b.graph.importPath(dir)
	}
	return strings.TrimPrefix(dir, "./")
}

// name is the package in dir's name as a reader knows it: the last
// element of its import path.
func (b baseline) name(dir string) string { return path.Base(b.importPath(dir)) }

// rel is the module-relative, slash-separated name of the project's file
// p, as diagnostics name it.
func (b baseline) rel(p string) string {
	r, err := filepath.Rel(b.modRoot, filepath.Join(b.root, filepath.FromSlash(p)))
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}

// diagnostic is one message of the go command's output: a compiler or
// vet message (file.go:12:3: text, and the indented lines under it), or
// another line.
type diagnostic struct {
	header string // the "# package" line it came under
	text   string // as printed
	file   string // module-relative, slash-separated; "" for another line
	line   int
	msg    string // what follows the position, or the whole line
	// native: the C compiler's message (cgo's), about a Go file's cgo
	// preamble or about a C file. The C compiler names a C file as cgo
	// gave it, relative to its package's directory, and such a message
	// has no file: the "# package" header above it says whose it is.
	native bool
}

// diagLine is a compiler or vet message; vet prefixes type errors with
// "vet: ".
var diagLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(vet: )?(\S+\.go):(\d+)(?::\d+)?: (.*)$`) })

// nativeLine is a C compiler's message about a file of the kinds cgo
// compiles (C, C++, Objective-C, assembly, Fortran, and their headers).
var nativeLine = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\S+\.(?:c|h|cc|cpp|cxx|c\+\+|hh|hpp|hxx|m|mm|s|S|sx|f|F|for|f90):\d+(?::\d+)?: `)
})

// nativeMessage reports whether msg, a message about a Go file, is the C
// compiler's about its cgo preamble: the Go compiler's never start so.
func nativeMessage(msg string) bool {
	return strings.HasPrefix(msg, "error: ") || strings.HasPrefix(msg, "fatal error: ")
}

// diagnostics parses the go command's output, run in modRoot, naming each
// file by its name after the changes (renamed: before → after).
func diagnostics(out, modRoot string, renamed map[string]string) []diagnostic {
	var ds []diagnostic
	header := ""
	for l := range strings.Lines(out) {
		l = strings.TrimRight(l, "\r\n")
		switch {
		case strings.TrimSpace(l) == "", goProgress(l):
		case strings.HasPrefix(l, "# "):
			header = l
		case (l[0] == ' ' || l[0] == '\t') && len(ds) > 0:
			ds[len(ds)-1].text += "\n" + l // have/want, other declaration of x
		default:
			d := diagnostic{header: header, text: l, msg: l}
			if m := diagLine().FindStringSubmatch(l); m != nil {
				f := filepath.ToSlash(strings.TrimPrefix(strings.TrimPrefix(m[2], modRoot+string(filepath.Separator)), "./"))
				if to, ok := renamed[f]; ok {
					f = to
				}
				d.file, d.msg = f, m[1]+m[4]
				d.line, _ = strconv.Atoi(m[3])
				d.native = m[1] == "" && nativeMessage(m[4])
			} else {
				d.native = nativeLine().MatchString(l)
			}
			ds = append(ds, d)
		}
	}
	return ds
}

// unexplained splits after into the diagnostics before does not account
// for and the file diagnostics it does. Diagnostics are the same if they
// have the same file and message: the changes may have moved their line,
// and as many are accounted for as before has. Of those with the same
// text, one on the line before's has moved to (the changes' line map
// says) is the old one; the others are paired in order. A line that
// names no file is accounted for by the same line, but is no diagnostic
// unless it is the C compiler's (whose files are not the module's
// names: its line "compilation terminated." is no diagnostic).
func (b baseline) unexplained(before, after []diagnostic) (fresh, old []diagnostic) {
	type key struct{ file, msg string }
	moved := map[key][]int{} // before's lines, where the changes leave them (0: changed)
	for _, d := range before {
		k := key{d.file, d.msg}
		moved[k] = append(moved[k], b.lineAfter(d.file, d.line))
	}
	matched := make([]bool, len(after))
	// First the diagnostics whose lines moved where before's did.
	for i, d := range after {
		k := key{d.file, d.msg}
		if d.file == "" {
			continue
		}
		if j := slices.Index(moved[k], d.line); j >= 0 {
			moved[k] = slices.Delete(moved[k], j, j+1)
			matched[i] = true
		}
	}
	// Then the others, by count.
	for i, d := range after {
		k := key{d.file, d.msg}
		if !matched[i] && len(moved[k]) > 0 {
			moved[k] = moved[k][1:]
			matched[i] = true
		}
	}
	for i, d := range after {
		switch {
		case !matched[i]:
			fresh = append(fresh, d)
		case d.file != "" || d.native:
			old = append(old, d)
		}
	}
	return fresh, old
}

// lineAfter is where the changes move line n of file (module-relative,
// as after them); 0 if they change that line, or n if they leave the
// file alone or cannot tell.
func (b baseline) lineAfter(file string, n int) int {
	if file == "" {
		return n
	}
	for _, c := range b.changes {
		if c.Delete || b.rel(c.Path) != file {
			continue
		}
		was := c.Path
		if c.OldPath != "" {
			was = c.OldPath
		}
		old, err := os.ReadFile(filepath.Join(b.root, filepath.FromSlash(was)))
		if err != nil {
			return n
		}
		shift := 0
		for _, e := range linediff.Edits(string(old), string(c.Content)) {
			first := strings.Count(string(old[:e.Start]), "\n") + 1
			removed := lineCount(string(old[e.Start:e.End]))
			switch {
			case n < first:
				return n + shift
			case n < first+removed:
				return 0
			}
			shift += lineCount(e.New) - removed
		}
		return n + shift
	}
	return n
}

// lineCount is the number of lines s has (the last may lack its newline).
func lineCount(s string) int {
	n := strings.Count(s, "\n")
	if s != "" && !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}

// joinDiagnostics prints ds as the go command did, each under its
// "# package" line.
func joinDiagnostics(ds []diagnostic) string {
	var b strings.Builder
	header := ""
	for _, d := range ds {
		if d.header != header && d.header != "" {
			b.WriteString(d.header + "\n")
		}
		header = d.header
		b.WriteString(d.text + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}
