package testgen

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// codeGuard is a langRun whose runs happen in a copy of the project
// (Elixir): a test that writes the project's code there — as it would
// write the project's own when mix test runs it — changes what every
// later run builds, so that each mutant fails for it, not for the
// mutant. Run asks after each run which files of code the run changed.
type codeGuard interface {
	// changed lists the files of the project's code (slash paths
	// relative to Spec.Root) that differ in the copy from what the runs
	// wrote there: changed, removed, new, or no longer readable.
	changed() []string
}

// codeSnapshot is the code of a copy of the project as it was laid out,
// to tell what tests changed.
type codeSnapshot struct {
	root  string
	files map[string][]byte // slash path → content
}

// exCodeExt are the extensions of the files of code a mix project
// compiles or loads (mix.exs and config/*.exs included).
var exCodeExt = []string{".ex", ".exs", ".erl", ".hrl", ".eex", ".heex", ".leex"}

// isExCode reports whether the slash path rel is Elixir code that a run
// builds or loads; _build and deps hold what mix writes itself.
func isExCode(rel string, dir bool) (code, skip bool) {
	if dir {
		base := rel[strings.LastIndexByte(rel, '/')+1:]
		return false, base == "_build" || base == "deps"
	}
	return slices.Contains(exCodeExt, filepath.Ext(rel)), false
}

// snapCode reads the code under root.
func snapCode(root string) (*codeSnapshot, error) {
	s := &codeSnapshot{root: root, files: map[string][]byte{}}
	err := walkCode(root, func(rel, p string) error {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		s.files[rel] = b
		return nil
	}, nil)
	return s, err
}

// walkCode calls fn with each file of code under root (see isExCode).
// A directory that cannot be read is passed to bad (nil: the walk
// stops with its error).
func walkCode(root string, fn func(rel, p string) error, bad func(rel string)) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		rel, rerr := filepath.Rel(root, p)
		if rerr != nil {
			return rerr
		}
		rel = filepath.ToSlash(rel)
		switch {
		case err != nil && bad != nil:
			bad(rel)
			return nil
		case err != nil:
			return err
		case rel == ".":
			return nil
		}
		code, skip := isExCode(rel, d.IsDir())
		switch {
		case skip:
			return filepath.SkipDir
		case !code || !d.Type().IsRegular():
			return nil
		}
		return fn(rel, p)
	})
}

// expect records that a run wrote b to rel itself (a mutant).
func (s *codeSnapshot) expect(rel string, b []byte) { s.files[rel] = bytes.Clone(b) }

// changed lists the files of code that differ from the snapshot, sorted.
func (s *codeSnapshot) changed() []string {
	var out []string
	seen := map[string]bool{}
	walkCode(s.root, func(rel, p string) error {
		seen[rel] = true
		want, ok := s.files[rel]
		if b, err := os.ReadFile(p); err != nil || !ok || !bytes.Equal(b, want) {
			out = append(out, rel)
		}
		return nil
	}, func(rel string) {
		// Unreadable: what the tests left there is unknown.
		for f := range s.files {
			if rel == "." || strings.HasPrefix(f, rel+"/") || f == rel {
				seen[f] = true
				out = append(out, f)
			}
		}
	})
	for rel := range s.files {
		if !seen[rel] {
			out = append(out, rel)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// changedCode is what a report says of tests that changed the files of
// code changed as they ran.
func changedCode(files []string) string {
	return "the tests change the project's code: " + strings.Join(files, ", ") +
		" (run in the project, they would rewrite it; each later run would build the rewritten code)"
}
