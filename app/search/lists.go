package search

import (
	"bytes"
	"math/bits"
	"strings"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/db/words"
)

// A big struct is a list, as a const group is: each field with its comment
// says a few words, and all of them together say nearly every word of a
// question about the program. rqlite's (v8.43.4) cmd/rqlited Config, 58
// fields over 1,434 tokens, each with a line of comment, held all of "how
// are writes queued and batched" ("Queued Writes queue batch size") and
// came first, above the queue that batches them; it was 10th for "how does
// the node decide which address to advertise" ("Advertised Raft
// communication address", "Unique ID for node"), and first, above
// (*Config).Validate, which decides it, in a cut-down copy
// (lists_fixture_test.go). Now it is 9th and 32nd.
//
// Its match is spread thin: the words come from two of its fields or
// more, and its own doc ("Config represents all configuration options")
// says fewer than half of them. Such a struct weighs as a group of names
// (groupShare), and so does its similarity to the query when embeddings
// are on: its embedding is of its fields, as spread as its words, and a
// model finds it like any question about what it configures. Unless the
// query names it or one of its fields, or asks about configuration, flags
// or options (aboutConfig). A struct whose doc
// says the words (queue.Queue: "a batching queue") is about them, and one
// whose words come from one field is where that field is declared.

// listTokens is how long a type's chunk is at least to be a list: a struct
// of 16 fields with a short comment each. Only such chunks among the hits
// are read from their files.
const listTokens = 256

// thinLists returns the hits (by id) that are lists whose match of the
// query's words (gs) is spread thin: Go types of listTokens or more, not
// named by the query (typed, mentioned, in its words or as runs of them),
// their text read from the project's files. A file changed since it was
// indexed is left alone. None when the query asks about configuration.
func (f *projectFiles) thinLists(hits []*Hit, gs []group, q roleQuery) map[int64]bool {
	if q.config {
		return nil
	}
	var thin map[int64]bool
	for _, h := range hits {
		fn := h.Kind == chunk.KindFunction || h.Kind == chunk.KindMethod
		if h.filler || h.Kind != chunk.KindType && !fn || h.Tokens < listTokens || h.Exact || h.bonus > 0 || h.cover > 0 ||
			!strings.HasSuffix(h.Path, ".go") || q.runs[lastIdent(h.Name)] {
			continue
		}
		if f.Root() == "" {
			break // unknown: no lists
		}
		text, ok := f.text(h)
		if !ok || !fn && !thinList(text, gs, q.runs) || fn && !thinFunc(text, gs, q.runs) {
			continue
		}
		if thin == nil {
			thin = map[int64]bool{}
		}
		thin[h.ID] = true
	}
	return thin
}

// lastIdent is a name's last identifier, folded and without underscores,
// as roleQuery.runs holds the query's: main.Config: config.
func lastIdent(name string) string {
	last := ""
	words.Scan([]byte(name), func(w []byte) { last = string(w) })
	return strings.ReplaceAll(words.Fold(last), "_", "")
}

// thinList reports whether the text of a Go struct or interface type is a
// list whose match of the groups' words is spread thin: two of its items
// or more (a field or method with its comments) hold them, its doc (the
// comment before it, and its first line) holds fewer than half of those it
// holds, and none of its items is named by a run of the query's words
// (runs: WriteQueueBatchSz is named by "write queue batch sz").
func thinList(text []byte, gs []group, runs map[string]bool) bool {
	holds := holder(gs)
	lines := bytes.Split(text, []byte("\n"))
	// The line opening the body, after the doc: none in a piece of a
	// type split in several (tls.Config#2), all items.
	open := 0
	for open < len(lines) && (len(bytes.TrimSpace(lines[open])) == 0 || bytes.HasPrefix(bytes.TrimSpace(lines[open]), []byte("//"))) {
		open++
	}
	if l := bytes.TrimSpace(lines[min(open, len(lines)-1)]); !bytes.HasPrefix(l, []byte("type ")) || !bytes.HasSuffix(l, []byte("{")) {
		open = -1
	}
	var doc uint64
	if open >= 0 {
		doc = holds(bytes.Join(lines[:open+1], []byte("\n")))
	}
	var all uint64
	holding := 0
	var comment []byte
	for _, l := range lines[open+1:] {
		l = bytes.TrimSpace(l)
		switch {
		case len(l) == 0:
			comment = comment[:0]
			continue
		case bytes.HasPrefix(l, []byte("//")):
			comment = append(append(comment, l...), '\n')
			continue
		case l[0] == '}':
			continue
		}
		var name []byte
		words.Scan(l, func(w []byte) {
			if name == nil {
				name = w
			}
		})
		if runs[strings.ReplaceAll(words.Fold(string(name)), "_", "")] {
			return false
		}
		if m := holds(comment) | holds(l); m != 0 {
			all |= m
			holding++
		}
		comment = comment[:0]
	}
	return holding >= 2 && 2*bits.OnesCount64(doc) < bits.OnesCount64(all|doc)
}

// holder returns a function telling which of the groups (a bit each, the
// first 64) a text holds in some form.
func holder(gs []group) func(b []byte) uint64 {
	form := map[string]uint64{} // a word: the groups it is a form of
	for i, g := range gs {
		if g.prefix || g.df <= 0 || i >= 64 {
			continue
		}
		for _, f := range g.forms {
			form[f] |= 1 << i
		}
	}
	return func(b []byte) uint64 {
		var m uint64
		words.Scan(b, func(w []byte) { m |= form[words.Fold(string(w))] })
		return m
	}
}

// A big function can be a list too: rqlite's main.Forge (v8.43.4, 2,624
// tokens) registers each flag of the node on a line, with its help text
// ("Queued Writes queue batch size", "Advertised Raft communication
// address"), and came third for "how are writes queued and batched" and
// first, above (*Config).Validate, in a cut-down copy of "how does the
// node decide which address to advertise" (forge_fixture_test.go). Such a
// function is a table written as code: most of its lines hold a string.

// listLines is how many lines with a string a function has at least to be
// a list, as a list type has some 16 fields.
const listLines = 16

// thinFunc reports whether the text of a Go function is a list whose match
// of the groups' words is spread thin: listLines or more of its body's
// lines hold a string, two thirds of them or more; two of its lines or
// more hold the words; its doc (the comment before it) holds fewer than
// half of those they hold; and no line names in its code (not its
// strings) an identifier the query is a run of (WriteQueueBatchSz).
func thinFunc(text []byte, gs []group, runs map[string]bool) bool {
	holds := holder(gs)
	lines := bytes.Split(text, []byte("\n"))
	open := 0
	for open < len(lines) && !bytes.HasPrefix(lines[open], []byte("func ")) {
		open++
	}
	if open == len(lines) {
		return false
	}
	doc := holds(bytes.Join(lines[:open+1], []byte("\n")))
	var all uint64
	holding, stmts, strs := 0, 0, 0
	for _, l := range lines[open+1:] {
		l = bytes.TrimSpace(l)
		if len(l) == 0 || bytes.HasPrefix(l, []byte("//")) || len(bytes.Trim(l, "{}()")) == 0 {
			continue
		}
		stmts++
		code, quoted := outsideStrings(l)
		if quoted {
			strs++
		}
		named := false
		words.Scan(code, func(w []byte) {
			// A name of several words: a single one is any word.
			if compoundName(w) && runs[strings.ReplaceAll(words.Fold(string(w)), "_", "")] {
				named = true
			}
		})
		if named {
			return false
		}
		if m := holds(l); m != 0 {
			all |= m
			holding++
		}
	}
	return strs >= listLines && 3*strs >= 2*stmts && holding >= 2 &&
		2*bits.OnesCount64(doc) < bits.OnesCount64(all|doc)
}

// outsideStrings returns a line of Go without its string literals, and
// whether it held any.
func outsideStrings(l []byte) ([]byte, bool) {
	var out []byte
	quoted := false
	for i := 0; i < len(l); i++ {
		c := l[i]
		if c != '"' && c != '`' {
			out = append(out, c)
			continue
		}
		quoted = true
		for i++; i < len(l) && l[i] != c; i++ {
			if c == '"' && l[i] == '\\' {
				i++
			}
		}
		out = append(out, ' ')
	}
	return out, quoted
}

// compoundName reports whether an identifier is of several words: a
// capital after its first letter, or an underscore inside.
func compoundName(w []byte) bool {
	for i := 1; i < len(w); i++ {
		if 'A' <= w[i] && w[i] <= 'Z' || w[i] == '_' && i < len(w)-1 {
			return true
		}
	}
	return false
}
