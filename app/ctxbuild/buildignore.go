package ctxbuild

import (
	"bufio"
	"bytes"
	"go/build/constraint"
	"os"
	"path/filepath"
)

// A Go file whose build constraint no build satisfies (//go:build ignore,
// the convention for a generator beside a package, or cgo -godefs input
// such as runtime/defs_linux.go) is not part of its directory's package:
// the go tool leaves it out of every build. The index has it as any file,
// so a package target (goPackage) and a Go interface's implementations
// (implTypes) leave it out here.

// maxConstraintTags bounds the tags a constraint may name for it to be
// checked: each assignment of them is tried. A constraint of more is
// taken as satisfiable.
const maxConstraintTags = 10

// goIgnoredSrc reports whether src, a Go file, has a build constraint
// before its package clause that no build satisfies, the tag ignore set
// in none (as the go tool reads it: `go build -tags ignore` is no build
// of the package).
func goIgnoredSrc(src []byte) bool {
	sc := bufio.NewScanner(bytes.NewReader(src))
	sc.Buffer(nil, 64<<10)
	return goIgnoredLines(sc)
}

// goIgnoredLines is goIgnoredSrc of the lines sc reads: those before the
// first that is neither blank nor a line comment (the package clause, a
// doc comment's /* … */, or code) are read.
func goIgnoredLines(sc *bufio.Scanner) bool {
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if !bytes.HasPrefix(line, []byte("//")) {
			return false
		}
		s := string(line)
		if !constraint.IsGoBuild(s) && !constraint.IsPlusBuild(s) {
			continue
		}
		if x, err := constraint.Parse(s); err == nil && !satisfiable(x) {
			return true
		}
	}
	return false
}

// satisfiable reports whether some assignment of the tags x names, with
// ignore unset, satisfies it; true when x names more than
// maxConstraintTags.
func satisfiable(x constraint.Expr) bool {
	var tags []string
	seen := map[string]bool{"ignore": true}
	var walk func(constraint.Expr)
	walk = func(x constraint.Expr) { // Eval would stop at an && or || it settles
		switch x := x.(type) {
		case *constraint.TagExpr:
			if !seen[x.Tag] {
				seen[x.Tag] = true
				tags = append(tags, x.Tag)
			}
		case *constraint.NotExpr:
			walk(x.X)
		case *constraint.AndExpr:
			walk(x.X)
			walk(x.Y)
		case *constraint.OrExpr:
			walk(x.X)
			walk(x.Y)
		}
	}
	walk(x)
	if len(tags) > maxConstraintTags {
		return true
	}
	for set := 0; set < 1<<len(tags); set++ {
		ok := x.Eval(func(tag string) bool {
			for i, t := range tags {
				if t == tag {
					return set&(1<<i) != 0
				}
			}
			return false // ignore
		})
		if ok {
			return true
		}
	}
	return false
}

// goIgnored reports whether the Go file at p (slash-separated, relative
// to the root) is one the go tool ignores (goIgnoredSrc), reading only
// its lines up to its package clause, once a build; false for a file
// that cannot be read now (the unit read later says why).
func (f *fileCache) goIgnored(p string) bool {
	if v, ok := f.ignored[p]; ok {
		return v
	}
	if f.ignored == nil {
		f.ignored = map[string]bool{}
	}
	var v bool
	if src, ok := f.src[p]; ok {
		v = goIgnoredSrc(src)
	} else if abs := filepath.Join(f.root, filepath.FromSlash(p)); f.privateErr(p, abs) == nil {
		if fh, err := os.Open(abs); err == nil {
			sc := bufio.NewScanner(fh)
			sc.Buffer(nil, 64<<10)
			v = goIgnoredLines(sc)
			fh.Close()
		}
	}
	f.ignored[p] = v
	return v
}
