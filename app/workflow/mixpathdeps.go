package workflow

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// A Mix project's path dependency ({:mydep, path: "../mydep"}) is
// compiled from where the path leads, relative to the mix.exs naming it.
// The checks compile a copy of the project in a scratch directory, where
// a path out of the project leads nowhere, and the confined commands may
// read the project and the scratch directory alone. So a dependency
// outside the project is copied into the scratch directory too, and the
// copies' mix.exs files are made to name it there. It is read only where
// the checks may read (ValidateOptions.Readable, the config's [sandbox]
// allow and read_only paths): the sandbox confines what aiex reads to the
// project and those paths, and a project cannot widen that by naming a
// directory in its mix.exs.

// mixPathOption is a path dependency's path: option, a string literal,
// in a dependency's tuple ({:mydep, path: "../mydep"}) on a line not
// commented out: a release's or an escript's path: option is none, nor
// is a dependency left in a comment. A path computed at load time
// (Path.expand(…)), or a tuple written over several lines, is not read:
// mix then does not find the dependency in the copy, and says so.
var mixPathOption = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^[^#\n]*\{\s*:\w+\s*,[^}\n]*\bpath:\s*"([^"#\\]+)"`)
})

// mixExsFiles are where a Mix project's mix.exs files are, relative to
// it: its own, and its umbrella apps' (in apps_path's default place).
var mixExsFiles = []string{"mix.exs", "apps/*/mix.exs"}

// mixCopier copies a Mix project for a check, with the path dependencies
// outside it that the check may read (deps, absolute and clean), leaving
// out of every copy aiex's own paths (private, ValidateOptions.Private).
type mixCopier struct {
	root    string
	deps    []string
	private []string
}

// newMixCopier finds the path dependencies outside the Mix project at
// root, in its mix.exs files as they are (read) and, for a dependency,
// in its own, as far as they lead. One the check may not read (it is in
// no directory of readable), is an error that says so in one line,
// naming it as the mix.exs does. One that does not exist is left to mix,
// which says it is not available. The copies leave out the paths of
// private.
func newMixCopier(root string, read func(rel string) ([]byte, error), readable, private []string) (mixCopier, error) {
	m := mixCopier{root: root, private: private}
	type owner struct {
		dir  string
		read func(string) ([]byte, error)
	}
	todo := []owner{{root, read}}
	for len(todo) > 0 {
		o := todo[0]
		todo = todo[1:]
		for _, f := range mixExsNames(o.dir) {
			src, err := o.read(f)
			if err != nil {
				continue
			}
			for _, lit := range mixPathOption().FindAllStringSubmatch(string(src), -1) {
				abs := filepath.Clean(lit[1])
				if !filepath.IsAbs(abs) {
					abs = filepath.Join(o.dir, filepath.Dir(filepath.FromSlash(f)), abs)
				}
				if within(root, abs) || slices.Contains(m.deps, abs) {
					continue
				}
				if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
					continue
				}
				if !readableBy(abs, readable) {
					named := f
					if o.dir != root {
						named = filepath.Join(o.dir, f)
					}
					return m, fmt.Errorf("could not check: path dependency %s (%s) lies outside the project, where the checks may not read; to have it checked, add %s to [sandbox] read_only in the config", lit[1], named, abs)
				}
				m.deps = append(m.deps, abs)
				todo = append(todo, owner{abs, func(rel string) ([]byte, error) { return os.ReadFile(filepath.Join(abs, filepath.FromSlash(rel))) }})
			}
		}
	}
	return m, nil
}

// mixExsNames are the mix.exs files of the Mix project at dir, relative
// to it, slash-separated.
func mixExsNames(dir string) []string {
	var names []string
	for _, g := range mixExsFiles {
		ms, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(g)))
		for _, m := range ms {
			if rel, err := filepath.Rel(dir, m); err == nil {
				names = append(names, filepath.ToSlash(rel))
			}
		}
	}
	return names
}

// within says whether p is dir or under it.
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// readableBy says whether the directory p is in one of dirs, also once
// symbolic links are followed (a link in a readable directory may lead
// anywhere).
func readableBy(p string, dirs []string) bool {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return false
	}
	for _, d := range dirs {
		if rd, err := filepath.EvalSymlinks(d); err == nil && within(rd, real) {
			return true
		}
	}
	return false
}

// copy copies the project to dir/project, calls then on that copy (which
// writes the changes into it), and copies the path dependencies beside
// it, making every mix.exs of the copies name them there. It returns
// the project's copy.
func (m mixCopier) copy(dir string, then func(project string) error) (string, error) {
	project := filepath.Join(dir, "project")
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", err
	}
	if err := CopyTree(m.root, project, SkipPrivate(m.root, m.private, MixCopySkip)); err != nil {
		return "", err
	}
	if then != nil {
		if err := then(project); err != nil {
			return "", err
		}
	}
	if len(m.deps) == 0 {
		return project, nil
	}
	copies := map[string]string{}
	for i, d := range m.deps {
		to := filepath.Join(dir, fmt.Sprintf("dep%d-%s", i, filepath.Base(d)))
		if err := CopyTree(d, to, SkipPrivate(d, m.private, mixDepCopySkip)); err != nil {
			return "", err
		}
		copies[d] = to
	}
	if err := repoint(project, m.root, copies); err != nil {
		return "", err
	}
	for _, d := range m.deps {
		if err := repoint(copies[d], d, copies); err != nil {
			return "", err
		}
	}
	return project, nil
}

// mixDepCopySkip leaves out of a path dependency's copy what MixCopySkip
// leaves out of the project's, and its build and dependencies: mix
// builds a path dependency, and fetches its dependencies, into the
// project's _build and deps.
func mixDepCopySkip(rel string, dir bool) bool {
	return dir && (rel == "_build" || rel == "deps") || MixCopySkip(rel, dir)
}

// repoint makes the mix.exs files of the copy at dir, of the project at
// orig, name the path dependencies where copies has them.
func repoint(dir, orig string, copies map[string]string) error {
	for _, f := range mixExsNames(dir) {
		p := filepath.Join(dir, filepath.FromSlash(f))
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		from := filepath.Join(orig, filepath.Dir(filepath.FromSlash(f)))
		out := mixPathOption().ReplaceAllStringFunc(string(src), func(s string) string {
			lit := mixPathOption().FindStringSubmatch(s)[1]
			abs := filepath.Clean(lit)
			if !filepath.IsAbs(abs) {
				abs = filepath.Join(from, abs)
			}
			if to, ok := copies[abs]; ok {
				return strings.Replace(s, `"`+lit+`"`, fmt.Sprintf("%q", to), 1)
			}
			return s
		})
		if out != string(src) {
			if err := os.WriteFile(p, []byte(out), fs.FileMode(0o644)); err != nil {
				return err
			}
		}
	}
	return nil
}
