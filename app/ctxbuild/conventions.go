package ctxbuild

import (
	"path"
	"slices"
	"strings"
)

// conventionsFiles are the names of the files a project's conventions
// are read from (app's ConventionsFile and ConventionsFallback, which
// this package cannot import): AGENTS.md, else CLAUDE.md.
var conventionsFiles = []string{"AGENTS.md", "CLAUDE.md"}

// isConventionsFile reports whether p names a conventions file. The
// search finds those of every directory as it finds any text; they are
// rules for an agent working in their directory, not code to read, and
// the one that applies to the target is in the prompt already, in its own
// share of the window: another directory's would only state rules that do
// not apply there (lib/sub/AGENTS.md for a target under lib), or again
// those that do (the root's for a target under lib/sub, whose own file
// wins).
func isConventionsFile(p string) bool {
	return slices.Contains(conventionsFiles, path.Base(p))
}

// notConventions returns items without those of a file whose text the
// prompt already holds as the project's conventions (Request.Conventions:
// an AGENTS.md, read by the caller): the search finds it as it finds any
// text, and it would spend the budget on the same lines twice. Any chunk
// of such a file is left out, not only those whose lines the conventions
// show: the file is the project's rules, cut to their share of the window
// when long, not code to read. The file is told by its text, as the
// conventions carry no path: a piece of them is the file's text, trimmed,
// or, when cut to fit, its first lines and a last line saying the rest
// was left out. A copy of the file under another name holds the same
// text, and stays out too.
func notConventions(items []*Item, conventions []string, files *fileCache) []*Item {
	if len(conventions) == 0 {
		return items
	}
	is := map[string]bool{} // by path: whether the file is conventions
	out := items[:0]
	for _, it := range items {
		conv, ok := is[it.Path]
		if !ok {
			if src, err := files.read(it.Path); err == nil {
				conv = holdsConventions(string(src), conventions)
			}
			is[it.Path] = conv
		}
		if !conv {
			out = append(out, it)
		}
	}
	return out
}

// holdsConventions reports whether src, a file's text, is one of the
// conventions pieces: the same text, trimmed and with CRLF line ends read
// as LF (as the caller reads the file), or, for a piece cut to fit — its
// last line the one saying so (cutNote) —, what its lines before that
// begin.
func holdsConventions(src string, conventions []string) bool {
	text := strings.TrimSpace(strings.ReplaceAll(src, "\r\n", "\n"))
	if text == "" {
		return false
	}
	for _, c := range conventions {
		if c == text {
			return true
		}
		i := strings.LastIndexByte(c, '\n')
		if i < 0 || !strings.HasPrefix(c[i+1:], cutNote) {
			continue
		}
		if kept := strings.TrimSpace(c[:i]); kept != "" && strings.HasPrefix(text, kept) {
			return true
		}
	}
	return false
}

// cutNote begins the line that ends conventions cut to their share of the
// window (app's conventionsCut: "(The rest of the project's AGENTS.md is
// left out to fit the model's window.)").
const cutNote = "(The rest of the project's "
