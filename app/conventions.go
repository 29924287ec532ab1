package app

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/app/internal/within"
	"github.com/aiex-dev/aiex/app/tokens"
)

// ConventionsFile is the file whose text goes into every prompt about a
// project's code as the project's conventions: AGENTS.md, where coding
// agents of many makers look for a project's own rules (how to build and
// test it, its style, what not to touch). The one nearest the code the
// prompt is about counts: in the target's directory, else the closest
// directory above it, up to the project's root. A directory without one
// may hold ConventionsFallback instead, the same rules written for one
// maker's agent; AGENTS.md wins where a directory has both.
const (
	ConventionsFile     = "AGENTS.md"
	ConventionsFallback = "CLAUDE.md"
)

// Conventions says what of the project's conventions file went into a
// prompt.
type Conventions struct {
	Path   string `json:"path"`   // relative to the project's root, slash-separated
	Tokens int    `json:"tokens"` // what its text counts in the prompt
	// Cut is set when the file was longer than its share of the window:
	// its first lines went in, and a line saying the rest was left out.
	Cut bool `json:"cut,omitempty"`
}

// conventionsShare: a project's conventions take at most
// 1/conventionsShare of the model's window (512 tokens of a 4,096-token
// one), so that they leave the code room. maxConventionsTokens caps them
// in large windows too, and maxConventionsBytes bounds what is read.
const (
	conventionsShare     = 8
	maxConventionsTokens = 4096
	maxConventionsBytes  = 256 << 10
)

// projectConventions reads the conventions file nearest dir (slash-separated,
// relative to root; "" for the root itself) and fits it into its share of
// window, counting with count. It returns "" and nil when there is no such
// file. A file that is not text (a NUL byte, invalid UTF-8) or cannot be
// read is left out with an error saying why, which the caller logs: the
// request goes on without it.
func projectConventions(root, dir string, window int, count tokens.Counter) (string, *Conventions, error) {
	rel := nearestConventions(root, dir)
	if rel == "" {
		return "", nil, nil
	}
	path := filepath.Join(root, filepath.FromSlash(rel))
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("conventions file %s left out: %w", path, err)
	}
	if real, err := filepath.EvalSymlinks(root); err != nil || !within.Root(real, path) {
		f.Close()
		return "", nil, fmt.Errorf("conventions file %s left out: a symlink to a file outside the project", path)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return "", nil, fmt.Errorf("conventions file %s left out: not a regular file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxConventionsBytes+1))
	if err != nil {
		return "", nil, fmt.Errorf("conventions file %s left out: %w", path, err)
	}
	more := len(b) > maxConventionsBytes
	if more {
		b = b[:maxConventionsBytes]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1] // a character cut at the end
		}
	}
	if strings.IndexByte(string(b), 0) >= 0 || !utf8.Valid(b) {
		return "", nil, fmt.Errorf("conventions file %s left out: not UTF-8 text", path)
	}
	text := strings.TrimSpace(strings.ReplaceAll(string(b), "\r\n", "\n"))
	if text == "" {
		return "", nil, nil
	}
	budget := min(window/conventionsShare, maxConventionsTokens)
	text, cut := fitLines(text, budget, more, filepath.Base(path), count)
	if text == "" {
		return "", nil, nil
	}
	return text, &Conventions{Path: rel, Tokens: count.Count(text), Cut: cut}, nil
}

// nearestConventions returns the path, relative to root, of the
// conventions file in dir or the closest directory above it up to root,
// or "" when there is none.
func nearestConventions(root, dir string) string {
	for d := path.Clean("/" + dir)[1:]; ; d = path.Dir(d) {
		if d == "." {
			d = ""
		}
		for _, name := range []string{ConventionsFile, ConventionsFallback} {
			// A file, or a link to one (a link that leads outside the
			// project is refused by the caller, with a reason); a
			// directory or a dangling link of that name does not hide the
			// files above it.
			rel := path.Join(d, name)
			if fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel))); err == nil && fi.Mode().IsRegular() {
				return rel
			}
		}
		if d == "" {
			return ""
		}
	}
}

// conventionsCut ends conventions of the file name that were cut to fit.
func conventionsCut(name string) string {
	return "(The rest of the project's " + name + " is left out to fit the model's window.)"
}

// fitLines returns text, or as many of its first lines as fit in budget
// tokens with conventionsCut(name) after them, and whether it cut. more
// says that text is already only the start of the file.
func fitLines(text string, budget int, more bool, name string, count tokens.Counter) (string, bool) {
	cutNote := conventionsCut(name)
	if !more && count.Count(text) <= budget {
		return text, false
	}
	lines := strings.Split(text, "\n")
	if more {
		lines = lines[:len(lines)-1] // the last line read may be cut short
	}
	// The longest start of the file that fits, found by halving: counting
	// is linear in the text, and files run to thousands of lines.
	fits := func(n int) bool {
		return count.Count(strings.Join(lines[:n], "\n")+"\n"+cutNote) <= budget
	}
	lo, hi := 0, len(lines)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	kept := strings.TrimSpace(strings.Join(lines[:lo], "\n"))
	if kept == "" {
		return "", true
	}
	return kept + "\n" + cutNote, true
}
