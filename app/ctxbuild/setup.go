package ctxbuild

import (
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db"
)

// setupSource is a chunk of a test's preamble whose callees are the
// test's too: a setup block of its describe block or module, or the
// module's header when its setup lines are there. names, when not nil,
// are the only names to take of its callees: a header also refers to
// what `use ExUnit.Case` and its aliases name, which the test does not
// run.
type setupSource struct {
	id    int64
	names map[string]bool
}

// setupSources returns, for an ExUnit test, the chunks of pre (its
// preamble) that say what runs before it: `setup [:attach_payment]` in
// its describe block names a function of the module, which the test's
// own code never calls, and which makes its context (%{card: card}).
func setupSources(target *Item, pre []*Item) []setupSource {
	if target == nil || target.Kind != chunk.KindTest {
		return nil
	}
	var out []setupSource
	for _, it := range pre {
		if it.id <= 0 {
			continue // no chunk of the index's: its references are not known
		}
		switch it.Role {
		case RoleSetup:
			out = append(out, setupSource{id: it.id})
		case RoleHeader:
			names := map[string]bool{}
			lines := strings.Split(it.full, "\n")
			if strings.HasPrefix(strings.TrimSpace(lines[0]), "defmodule ") {
				lines = lines[1:] // the module's body: its expressions
			}
			for _, e := range elixirExprs(lines) {
				if !isSetup([]byte(e.head)) {
					continue
				}
				for _, l := range e.lines {
					for w := range strings.FieldsFuncSeq(l, func(r rune) bool { return !isIdentRune(r) }) {
						names[w] = true
					}
				}
			}
			if len(names) > 0 {
				out = append(out, setupSource{id: it.id, names: names})
			}
		}
	}
	return out
}

// takes reports whether c, a callee of the source, is one its setup
// names: any, or one whose function name (attach_payment of
// Shop.BigTest.attach_payment/1) its setup lines hold.
func (s setupSource) takes(c db.CodeChunk) bool {
	if s.names == nil {
		return true
	}
	name, _, _ := strings.Cut(c.Name, "/")
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	return s.names[strings.TrimRight(name, "?!")] || s.names[name]
}

func isIdentRune(r rune) bool {
	return r == '_' || r == '?' || r == '!' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || r >= 0x80
}
