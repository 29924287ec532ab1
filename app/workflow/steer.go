package workflow

import (
	"path"
	"strings"

	"github.com/aiex-dev/aiex/app/sandbox"
)

// A steering file is a file whose text does more than describe code: it
// is read later as instructions, by aiex itself or by a program that runs
// what it says. A model that is led astray (by a hostile file it was
// shown, say) and writes one of these gets more than one bad change: the
// change goes on acting after it is accepted. So a proposal that touches
// one says so, in its Warnings, for the user to read it closely. Nothing
// is refused: changing these files is often what the user asked for.

// steering returns why writing (or deleting, or renaming) the file at p,
// slash-separated and relative to the project's root, needs a closer
// look, or "" when it is an ordinary file.
func steering(p string) string {
	base := path.Base(p)
	switch {
	case base == "AGENTS.md" || base == "CLAUDE.md":
		// app.ConventionsFile and app.ConventionsFallback; workflow sits
		// below app and cannot name them.
		return "its text goes into every later prompt about this project's code as the project's rules"
	case strings.HasPrefix(p, ".github/workflows/") || base == ".gitlab-ci.yml" || strings.HasPrefix(p, ".circleci/"):
		return "CI runs what it says, with the repository's secrets"
	case base == ".envrc":
		return "direnv runs it when a shell enters the directory"
	case strings.HasPrefix(p, ".vscode/") || strings.HasPrefix(p, ".devcontainer/"):
		return "the editor runs the tasks and tools it names"
	case strings.HasPrefix(p, ".githooks/") || strings.HasPrefix(p, ".husky/"):
		return "git hooks run what it says"
	}
	return ""
}

// steeringWarnings lists, one line each, the steering files a proposal's
// changes touch.
func steeringWarnings(files []FileChange) []string {
	var out []string
	for _, f := range files {
		for _, p := range []string{f.OldPath, f.Path} {
			if p == "" { // OldPath is set for renames only
				continue
			}
			if why := steering(p); why != "" {
				out = append(out, "the change "+verbOf(f, p)+" "+sandbox.QuoteName(p)+": "+why+"; read it closely before you accept")
			}
		}
	}
	return out
}

// verbOf says what f does to p, one of its two names.
func verbOf(f FileChange, p string) string {
	switch {
	case f.Status == "deleted":
		return "deletes"
	case f.Status == "added":
		return "creates"
	case f.Status == "renamed" && p == f.OldPath:
		return "renames away"
	case f.Status == "renamed":
		return "renames a file to"
	}
	return "modifies"
}
