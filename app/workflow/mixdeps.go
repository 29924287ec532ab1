package workflow

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/aiex-dev/aiex/app/parse"
)

// A change to mix.exs is compiled as the change leaves it (mix compile
// runs in a copy of the project with the changed files written), but a
// dependency it adds is not in the project's deps/ yet, and the checks
// cannot fetch it: they have no network, and Hex may not be installed.
// mix then stops before it compiles anything, which says nothing of the
// change.

// mixDepSigns are mix's words for a dependency it does not have and
// cannot get here.
var mixDepSigns = []string{
	"the dependency is not available, run \"mix deps.get\"",
	"Could not find an SCM for dependency",
	"Could not find Hex, which is needed to build dependency",
	"Can't continue due to errors on dependencies",
}

// mixDepName is a dependency mix names in those words.
var mixDepName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?m)^\* (\w+) \(|dependency :(\w+)`)
})

// mixUnfetched decides the failed mix compile c, whose command printed
// out: if the changes touch mix.exs or mix.lock and mix stopped for
// dependencies it does not have, the change was not checked, and c is
// skipped saying so and what to do. Otherwise c stands.
func mixUnfetched(changes []parse.Change, c Check, out string) Check {
	if c.Status != Failed || !slices.ContainsFunc(changes, func(ch parse.Change) bool {
		b := path.Base(ch.Path)
		return b == "mix.exs" || b == "mix.lock"
	}) || !slices.ContainsFunc(mixDepSigns, func(s string) bool { return strings.Contains(out, s) }) {
		return c
	}
	var deps []string
	for _, m := range mixDepName().FindAllStringSubmatch(out, -1) {
		if d := m[1] + m[2]; !slices.Contains(deps, d) {
			deps = append(deps, d)
		}
	}
	needs := "dependencies"
	if len(deps) > 0 {
		needs = strings.Join(deps, ", ")
	}
	return Check{Name: c.Name, Status: Skipped, Detail: fmt.Sprintf(
		"could not check the change: it needs %s, which the project's deps/ does not have, and the checks cannot fetch them (they have no network): "+
			"add them to mix.exs and run mix deps.get in the project (outside aiex), then try again\n%s", needs, tail(out, 30))}
}
