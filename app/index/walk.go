package index

import (
	"errors"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/app/internal/within"
	"github.com/aiex-dev/aiex/db"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// defaultExts are the file name extensions Index takes when Config.Exts is
// nil: the languages the chunker understands, plus Phoenix templates and
// Markdown, which it cuts into runs of lines.
var defaultExts = []string{".go", ".ex", ".exs", ".heex", ".eex", ".leex", ".md"}

// Takes reports whether an Indexer with the default extensions takes the
// file at path: one it does not take (go.mod, a .txt or .toml file) has no
// chunks however often the project is indexed.
func Takes(path string) bool {
	return slices.Contains(defaultExts, filepath.Ext(path))
}

// Skip reasons that the walk finds without reading the file. Reasons found
// by reading (binary, not UTF-8) come from the chunker.
const (
	reasonTooLarge   = "too large"
	reasonNotRegular = "not a regular file"
	reasonSymlinkDir = "symlink to a directory (not followed)"
	reasonLoop       = "symlink loop"
	reasonBroken     = "broken symlink"
	reasonOutside    = "symlink to a file outside the project (not followed)"
	reasonBadName    = "path is not valid UTF-8"
	reasonUnreadable = "unreadable"
)

// entry is a file the walk found: one with an indexed extension, or a
// symlink it did not follow.
type entry struct {
	rel   string // slash-separated, relative to the root
	size  int64
	mtime int64 // ns since the epoch
	ctime int64 // the inode's change time, ns since the epoch; 0 where the system has none
	skip  string
	why   string // details of skip, for the summary
}

// ignoreRule is one pattern of a .gitignore file or of .git/info/exclude.
type ignoreRule struct {
	pat gitignore.Pattern
	// base: the pattern has no slash (a trailing one aside), so git
	// matches it against the last name of a path only.
	base  bool
	depth int // the number of names in the path of the file's directory
}

// walker lists a project's files as git would see them: .git is never
// entered, and paths that .git/info/exclude or a .gitignore (in the root
// or in any directory above the path) ignores are left out, with git's
// precedence: of the lines that match, the last decides, a deeper file's
// lines coming after a higher one's. So a deeper file can re-include what
// a higher one ignores, but nothing untracked below an ignored directory
// is seen. A path git's index tracks is listed whatever the rules say, as
// git ls-files lists it: an ignored directory is entered when the index
// holds paths below it, and only those come back.
// Symlinks to files inside the project are followed; symlinks to
// directories are not (git does not follow them either), so the walk
// cannot loop, nor are symlinks to files outside the project: a cloned
// project's lib/x.ex could lead to the user's credentials, which would go
// into prompts as code.
type walker struct {
	root    string
	real    string // root with its symlinks resolved, once a symlink needs it
	exts    map[string]bool
	maxSize int64
	start   string // the directory the walk starts in
	out     []entry
	dirErrs []entry  // directories it could not read
	scratch []string // for ignored
	// leftOut says why walkFile listed nothing: the file is ignored, or
	// not of a kind the index takes.
	leftOut string
	git     *trackedPaths // the git index's paths, once read (tracked)
	logger  *slog.Logger  // for an index that cannot be read; nil discards
}

// lies says where a directory lies, as descend finds it.
type lies int

const (
	inOpen    lies = iota // in no ignored directory
	inIgnored             // in an ignored directory: only tracked paths count
	inGit                 // in .git
)

// walk lists the files under the directory under ("" for the root, else
// slash-separated and relative to it), with the .gitignore files of the
// directories above it in force.
func (w *walker) walk(under string) error {
	rel, names, rules, in := w.descend(under)
	switch {
	case in == inGit:
		w.leftOut = "git's own files are not indexed"
		return nil
	case in == inIgnored && !w.tracked().holds(rel):
		w.leftOut = ".gitignore leaves it out" // nothing untracked under an ignored directory is indexed
		return nil
	}
	w.start = rel
	return w.dir(rel, names, rules, in == inIgnored)
}

// walkFile lists the file file (slash-separated, relative to the root) as
// a walk of its directory would: with the .gitignore files of the
// directories above it in force, nothing if they ignore it.
func (w *walker) walkFile(file string) error {
	dir, name := path.Split(file)
	rel, names, rules, in := w.descend(strings.TrimSuffix(dir, "/"))
	switch {
	case in == inGit:
		w.leftOut = "git's own files are not indexed"
		return nil
	case in == inIgnored && !w.tracked().has(file):
		w.leftOut = "it lies in a directory .gitignore leaves out"
		return nil
	}
	abs := filepath.Join(w.root, filepath.FromSlash(rel))
	if in == inOpen {
		rules = append(rules, readIgnore(filepath.Join(abs, ".gitignore"), names)...)
	}
	parts := append(names[:len(names):len(names)], name)
	fi, err := os.Lstat(filepath.Join(abs, name))
	p := rel + name
	switch {
	case err != nil:
		return err
	case in == inOpen && w.ignored(rules, parts, false) && !w.tracked().has(p):
		w.leftOut = ".gitignore leaves it out"
	case fi.Mode()&fs.ModeSymlink != 0:
		w.symlink(p, filepath.Join(abs, name))
	case !w.exts[path.Ext(name)]:
		w.leftOut = "the index takes " + strings.Join(slices.Sorted(maps.Keys(w.exts)), " ") + " files"
	case !utf8.ValidString(p):
		w.out = append(w.out, entry{rel: p, skip: reasonBadName, why: "the store keeps paths as UTF-8 text"})
	case !fi.Mode().IsRegular():
		w.out = append(w.out, entry{rel: p, skip: reasonNotRegular, why: fi.Mode().Type().String()})
	default:
		w.file(p, fi)
	}
	return nil
}

// Ignored says why the walk of the project at root (symlinks resolved)
// leaves out the file rel (slash-separated, relative to root) by .gitignore,
// .git/info/exclude or as git's own: ".gitignore leaves it out", …; "" when
// no rule does, or when git's index tracks the file. Its extension is not
// judged: a file whose language is not indexed is left out for that, which
// its caller can tell.
func Ignored(root, rel string) string {
	w := &walker{root: root, exts: map[string]bool{path.Ext(rel): true}}
	if err := w.walkFile(rel); err != nil {
		return ""
	}
	return w.leftOut
}

// descend goes from the root down to the directory under ("" for the
// root), gathering the .gitignore rules of the directories above it. It
// returns the directory as the walk names it ("" or ending in "/"), its
// path's names, the rules, and where it lies: in .git, in an ignored
// directory (where no rules are gathered, since everything is ignored
// there), or neither.
func (w *walker) descend(under string) (rel string, names []string, rules []ignoreRule, in lies) {
	rules = readIgnore(filepath.Join(w.root, ".git", "info", "exclude"), nil)
	if under == "" {
		return "", nil, rules, inOpen
	}
	in = inOpen
	for _, name := range strings.Split(under, "/") {
		if name == ".git" {
			return "", nil, nil, inGit
		}
		if in == inOpen {
			rules = append(rules, readIgnore(filepath.Join(w.root, filepath.FromSlash(rel), ".gitignore"), names)...)
		}
		rel += name + "/"
		names = append(names, name)
		if in == inOpen && w.ignored(rules, names, true) {
			in, rules = inIgnored, nil
		}
	}
	return rel, names, rules, in
}

// dir walks the directory rel ("" or ending in "/"), whose path is names,
// with rules in force (in ascending order of precedence). In a directory
// the rules ignore (ignoredDir), every path is ignored and only the index's
// paths are listed.
func (w *walker) dir(rel string, names []string, rules []ignoreRule, ignoredDir bool) error {
	abs := filepath.Join(w.root, filepath.FromSlash(rel))
	ents, err := os.ReadDir(abs)
	if err != nil {
		if rel == w.start {
			return err
		}
		w.dirErrs = append(w.dirErrs, entry{rel: strings.TrimSuffix(rel, "/"), skip: reasonUnreadable, why: errText(err)})
		if len(ents) == 0 {
			return nil
		}
	}
	// An aiex data dir in the project (AIEX_DATA_DIR=.aiex) holds aiex's
	// key file and store, not the project's code: it is not walked,
	// whatever .gitignore says, so that no file of it reaches the index.
	if rel != "" && slices.ContainsFunc(ents, func(e fs.DirEntry) bool { return e.Type().IsRegular() && db.DataDirMarker(e.Name()) }) {
		return nil
	}
	// In an ignored directory every path is ignored whatever its own
	// .gitignore says, so that is not read.
	for _, e := range ents {
		if ignoredDir {
			break
		}
		if e.Name() == ".gitignore" && e.Type().IsRegular() {
			if own := readIgnore(filepath.Join(abs, ".gitignore"), names); len(own) > 0 {
				rules = append(rules[:len(rules):len(rules)], own...)
			}
			break
		}
	}
	// parts holds the names of each entry's path in turn (a subdirectory's
	// walk makes its own).
	parts := append(make([]string, 0, len(names)+1), names...)
	parts = append(parts, "")
	for _, e := range ents {
		name := e.Name()
		p := rel + name
		parts[len(names)] = name
		typ := e.Type()
		switch {
		case typ.IsDir():
			if name == ".git" {
				continue
			}
			ignored := ignoredDir || w.ignored(rules, parts, true)
			if ignored && !w.tracked().holds(p+"/") {
				continue
			}
			if err := w.dir(p+"/", parts, rules, ignored); err != nil {
				return err
			}
		case typ&fs.ModeSymlink != 0:
			if (ignoredDir || w.ignored(rules, parts, false)) && !w.tracked().has(p) {
				continue
			}
			w.symlink(p, filepath.Join(abs, name))
		case !w.exts[path.Ext(name)] || (ignoredDir || w.ignored(rules, parts, false)) && !w.tracked().has(p):
		case !utf8.ValidString(p):
			w.out = append(w.out, entry{rel: p, skip: reasonBadName, why: "the store keeps paths as UTF-8 text"})
		case !typ.IsRegular():
			w.out = append(w.out, entry{rel: p, skip: reasonNotRegular, why: typ.String()})
		default:
			fi, err := e.Info()
			if err != nil {
				w.out = append(w.out, entry{rel: p, skip: reasonUnreadable, why: errText(err)})
				continue
			}
			w.file(p, fi)
		}
	}
	return nil
}

// symlink follows a link to see what it names.
func (w *walker) symlink(rel, abs string) {
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, syscall.ELOOP):
		w.out = append(w.out, entry{rel: rel, skip: reasonLoop, why: linkTarget(abs)})
	case errors.Is(err, fs.ErrNotExist):
		if w.exts[path.Ext(rel)] {
			w.out = append(w.out, entry{rel: rel, skip: reasonBroken, why: linkTarget(abs)})
		}
	case err != nil:
		w.out = append(w.out, entry{rel: rel, skip: reasonUnreadable, why: errText(err)})
	case fi.IsDir():
		w.out = append(w.out, entry{rel: rel, skip: reasonSymlinkDir, why: linkTarget(abs)})
	case !w.exts[path.Ext(rel)]:
	case !utf8.ValidString(rel):
		w.out = append(w.out, entry{rel: rel, skip: reasonBadName, why: "the store keeps paths as UTF-8 text"})
	case !fi.Mode().IsRegular():
		w.out = append(w.out, entry{rel: rel, skip: reasonNotRegular, why: fi.Mode().Type().String()})
	case !within.Root(w.realRoot(), abs):
		w.out = append(w.out, entry{rel: rel, skip: reasonOutside, why: linkTarget(abs)})
	default:
		w.file(rel, fi)
	}
}

// realRoot is the root with its symlinks resolved.
func (w *walker) realRoot() string {
	if w.real == "" {
		w.real = w.root
		if r, err := filepath.EvalSymlinks(w.root); err == nil {
			w.real = r
		}
	}
	return w.real
}

// file records a regular file, skipped unread when it is too large.
func (w *walker) file(rel string, fi fs.FileInfo) {
	e := entry{rel: rel, size: fi.Size(), mtime: fi.ModTime().UnixNano(), ctime: CtimeNS(fi)}
	if e.size > w.maxSize {
		e.skip, e.why = reasonTooLarge, sizeText(e.size)+", over the "+sizeText(w.maxSize)+" limit"
	}
	w.out = append(w.out, e)
}

// ignored reports whether rules ignore the path names (a directory's if
// isDir): the last rule that matches it decides. The directories above it
// are not ignored (the walk does not enter those that are).
func (w *walker) ignored(rules []ignoreRule, names []string, isDir bool) bool {
	for i := len(rules) - 1; i >= 0; i-- {
		r := &rules[i]
		p := names
		if r.base && len(names) > r.depth+1 {
			// The library would try the pattern on every name below its
			// directory, and a negation such as "!*/" would then
			// re-include a file because of its parent.
			p = append(append(w.scratch[:0], names[:r.depth]...), names[len(names)-1])
			w.scratch = p
		}
		switch r.pat.Match(p, isDir) {
		case gitignore.Exclude:
			return true
		case gitignore.Include:
			return false
		}
	}
	return false
}

// utf8BOM starts some files written on Windows; git skips it.
const utf8BOM = "\ufeff"

// readIgnore reads the ignore file at abs, in the directory whose path is
// dir, as git does: one pattern a line, "#" starting a comment, a CR
// before the newline and a leading BOM dropped. A missing or unreadable
// file has no rules.
func readIgnore(abs string, dir []string) []ignoreRule {
	b, err := os.ReadFile(abs)
	if err != nil {
		return nil
	}
	var rules []ignoreRule
	for line := range strings.SplitSeq(strings.TrimPrefix(string(b), utf8BOM), "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		rules = append(rules, ignoreRule{pat: gitignore.ParsePattern(line, dir), base: basePattern(line), depth: len(dir)})
	}
	return rules
}

// basePattern reports whether git matches a pattern line against the last
// name of a path only: whether, once the leading "!", the trailing spaces
// (not an escaped one) and a trailing slash are dropped, as
// gitignore.ParsePattern drops them, it has no slash.
func basePattern(line string) bool {
	line = strings.TrimPrefix(line, "!")
	if !strings.HasSuffix(line, `\ `) {
		line = strings.TrimRight(line, " ")
	}
	return !strings.Contains(strings.TrimSuffix(line, "/"), "/")
}

func linkTarget(abs string) string {
	t, err := os.Readlink(abs)
	if err != nil {
		return errText(err)
	}
	return "-> " + t
}

// errText is an error's text without the path, which the summary shows
// beside it.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// sizeText writes a byte count for people.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
