package cli

import (
	"cmp"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/sandbox"
	"github.com/aiex-dev/aiex/app/session"
)

// shown is a path or a chunk's name as the human-readable output shows
// it. Such names come from the project's files (a cloned repository
// names them) or from a model's diff: a newline in one would split its
// line in two and forge another, an escape sequence would drive the
// terminal, a bidi control would show it as another name. They are
// quoted as the sandbox's refusals quote paths (sandbox.QuoteName), so
// that the name on screen is the name on disk, escaped; --json needs
// none of this, its strings being encoded.
func shown(s string) string { return sandbox.QuoteName(s) }

// textLine is a message from elsewhere that may hold such a name (a
// parser's warning, a note) on one line: what a terminal would act on is
// dropped (session.Printable) and newlines are "; ".
func textLine(s string) string { return strings.ReplaceAll(session.Printable(s), "\n", "; ") }

// shownAll is names, each shown, joined by ", ".
func shownAll(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = shown(n)
	}
	return strings.Join(out, ", ")
}

// renamed is a file of a diff: its path before (OldPath, "" for a file
// added) and after (Path, "" for one deleted).
type renamed struct{ OldPath, Path string }

// diffShown is a diff as the output shows it: the header lines that name
// its files ("diff --git a/OLD b/NEW", "--- a/OLD", "+++ b/NEW",
// "rename from", "rename to") name them as shown does, quoted the way
// git quotes such names ("+++ \"b/new\nline.go\""), rather than forge
// lines or drive the terminal. The files are given, not read from the
// headers, since a name with a newline spans two lines there. The
// lines of the files' contents are left as they are.
func diffShown(diff string, files []renamed) string {
	type header struct{ raw, shown string }
	var hs []header
	add := func(raw, shown string) {
		if raw != shown {
			hs = append(hs, header{raw + "\n", shown + "\n"})
		}
	}
	for _, f := range files {
		if f.OldPath != "" {
			add("--- a/"+f.OldPath, "--- "+shown("a/"+f.OldPath))
			add("rename from "+f.OldPath, "rename from "+shown(f.OldPath))
		}
		if f.Path != "" {
			add("+++ b/"+f.Path, "+++ "+shown("b/"+f.Path))
			add("rename to "+f.Path, "rename to "+shown(f.Path))
		}
		old, cur := cmp.Or(f.OldPath, f.Path), cmp.Or(f.Path, f.OldPath)
		add("diff --git a/"+old+" b/"+cur, "diff --git "+shown("a/"+old)+" "+shown("b/"+cur))
	}
	if len(hs) == 0 {
		return diff
	}
	// Longest first: a name may be another with a newline and more after
	// it, and its header must not be taken for the other's.
	slices.SortStableFunc(hs, func(a, b header) int { return len(b.raw) - len(a.raw) })
	var b strings.Builder
	for rest := diff; rest != ""; {
		line := rest
		for _, h := range hs {
			if strings.HasPrefix(rest, h.raw) {
				b.WriteString(h.shown)
				rest = rest[len(h.raw):]
				line = ""
				break
			}
		}
		if line == "" {
			continue
		}
		end := strings.IndexByte(rest, '\n') + 1
		if end == 0 {
			end = len(rest)
		}
		b.WriteString(rest[:end])
		rest = rest[end:]
	}
	return b.String()
}
