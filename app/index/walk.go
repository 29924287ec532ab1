package index

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"

	ignore "github.com/sabhiram/go-gitignore"
)

// defaultExts are the file name extensions Index takes when Config.Exts is
// nil: the languages the chunker understands, plus Phoenix templates and
// Markdown, which it cuts into runs of lines.
var defaultExts = []string{".go", ".ex", ".exs", ".heex", ".eex", ".leex", ".md"}

// Skip reasons that the walk finds without reading the file. Reasons found
// by reading (binary, not UTF-8) come from the chunker.
const (
	reasonTooLarge   = "too large"
	reasonNotRegular = "not a regular file"
	reasonSymlinkDir = "symlink to a directory (not followed)"
	reasonLoop       = "symlink loop"
	reasonBroken     = "broken symlink"
	reasonBadName    = "path is not valid UTF-8"
	reasonUnreadable = "unreadable"
)

// entry is a file the walk found: one with an indexed extension, or a
// symlink it did not follow.
type entry struct {
	rel   string // slash-separated, relative to the root
	size  int64
	mtime int64 // ns since the epoch
	skip  string
	why   string // details of skip, for the summary
}

// ignoreFile is one .gitignore and the directory it applies to.
type ignoreFile struct {
	dir string // slash-separated, relative to the root, "" or ending in "/"
	gi  *ignore.GitIgnore
}

// walker lists a project's files as git would see them: .git is never
// entered, and paths matched by a .gitignore (in the root or in any
// directory above the path) or by .git/info/exclude are left out.
// Symlinks to files are followed; symlinks to directories are not (git
// does not follow them either), so the walk cannot loop.
type walker struct {
	root    string
	exts    map[string]bool
	maxSize int64
	start   string // the directory the walk starts in
	out     []entry
	dirErrs []entry // directories it could not read
}

// walk lists the files under the directory under ("" for the root, else
// slash-separated and relative to it), with the .gitignore files of the
// directories above it in force.
func (w *walker) walk(under string) error {
	var stack []ignoreFile
	if gi, err := ignore.CompileIgnoreFile(filepath.Join(w.root, ".git", "info", "exclude")); err == nil {
		stack = append(stack, ignoreFile{"", gi})
	}
	rel := ""
	if under != "" {
		for _, name := range strings.Split(under, "/") {
			if gi, err := ignore.CompileIgnoreFile(filepath.Join(w.root, filepath.FromSlash(rel), ".gitignore")); err == nil {
				stack = append(stack, ignoreFile{rel, gi})
			}
			rel += name + "/"
			if name == ".git" || ignored(stack, rel) {
				return nil // nothing under an ignored directory is indexed
			}
		}
	}
	w.start = rel
	return w.dir(rel, stack)
}

// dir walks the directory rel ("" or ending in "/").
func (w *walker) dir(rel string, stack []ignoreFile) error {
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
	for _, e := range ents {
		if e.Name() == ".gitignore" && e.Type().IsRegular() {
			if gi, err := ignore.CompileIgnoreFile(filepath.Join(abs, ".gitignore")); err == nil {
				stack = append(stack[:len(stack):len(stack)], ignoreFile{rel, gi})
			}
			break
		}
	}
	for _, e := range ents {
		name := e.Name()
		p := rel + name
		typ := e.Type()
		switch {
		case typ.IsDir():
			if name == ".git" || ignored(stack, p+"/") {
				continue
			}
			if err := w.dir(p+"/", stack); err != nil {
				return err
			}
		case typ&fs.ModeSymlink != 0:
			if ignored(stack, p) {
				continue
			}
			w.symlink(p, filepath.Join(abs, name))
		case !w.exts[path.Ext(name)] || ignored(stack, p):
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
	default:
		w.file(rel, fi)
	}
}

// file records a regular file, skipped unread when it is too large.
func (w *walker) file(rel string, fi fs.FileInfo) {
	e := entry{rel: rel, size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if e.size > w.maxSize {
		e.skip, e.why = reasonTooLarge, sizeText(e.size)+", over the "+sizeText(w.maxSize)+" limit"
	}
	w.out = append(w.out, e)
}

// ignored reports whether a .gitignore on the stack matches p (a directory
// when it ends in "/"). Each file sees p relative to its own directory.
// A negation ("!pattern") undoes matches of its own file only: git's rule
// that a deeper file overrides a higher one is not kept.
func ignored(stack []ignoreFile, p string) bool {
	for _, f := range stack {
		if strings.HasPrefix(p, f.dir) && f.gi.MatchesPath(p[len(f.dir):]) {
			return true
		}
	}
	return false
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
