package search

import (
	"context"
	"strconv"
	"strings"

	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/db"
)

// A light verb's sense is its object's (question.go): "how is a request
// made with a timeout" asks about requests with timeouts, and "made" is
// left out of the words every hit must hold. But the verb with its
// neighbour is a phrase code's comments say in the passive as the
// question does: http.Client's Timeout "specifies a time limit for
// requests made by this Client". Held so, the question's words, near
// each other, say more than each alone: http.Client (979 tokens, its
// match in one field of many) is 103rd by bm25 of the 151 chunks of the
// standard library holding "request" and "timeout", past the 60
// candidates, and was first when "made" was a word to hold. The chunks holding every word and
// a neighbour of the verb next to one of its forms (nearLight) are hits
// holding every word, ranked among themselves; on rqlite v8.43.4 no chunk
// says "reads made" or "made consistent", and store.(*Store).Database's
// "no guarantees are made about the read consistency" held every word
// already.

// nearDistance is how many words may come between the verb and its
// neighbour: "requests made", "requests are made by", "a copy is made of".
const nearDistance = 1

// maxNearForms bounds the forms of a neighbour looked for near the verb
// (the word as typed first, then its shortest other forms: sortForms):
// each is a NEAR group for each of lightForms, and FTS5 opens the
// doclists of each. The query takes 2-3 ms on the standard library's
// index, with 3 as with 8.
const maxNearForms = 3

// lightForms are the forms of the light verbs looked for near their
// neighbours: a question's "made" is a comment's "makes" as often. Not
// "make": it is Go's builtin, in 8,471 chunks of the standard library
// ("made" is in 268, "makes" in 465), and near a neighbour mostly code
// (make([]byte, n) near "slice"); reading its positions for each
// neighbour's form took 5 ms a question.
var lightForms = []string{"made", "makes", "making"}

// nearLight adds the chunks holding every word of held and, near a light
// verb the question left out (asked), one of the words next to it in the
// question (typed, its words in order, asked ones too), in one of their
// forms; with their bm25 among themselves, as hits holding every word
// (addLexical), and never as fillers: the query does not depend on the
// number of hits asked for.
func (s *Searcher) nearLight(ctx context.Context, project int64, typed []index.QueryWord, asked map[string]bool, held []group, q roleQuery, add func(c db.CodeChunk, lex float64) *Hit) error {
	near := lightNear(typed, asked, held)
	if near == "" {
		return nil
	}
	hits, err := s.cfg.Store.SearchCode(ctx, project, exprs(held, " AND ")+" AND ("+near+")", s.cfg.Candidates)
	if err != nil {
		return err
	}
	s.addLexical(hits, 1, q, func(c db.CodeChunk, lex float64) *Hit {
		h := add(c, lex)
		h.filler = false
		return h
	})
	return nil
}

// lightNear is the FTS5 query of the forms of the words next to the
// question's light verbs (in held: not asked, held by some chunk, not
// typed in part) NEAR the verbs' forms, ORed; "" when there is none.
func lightNear(typed []index.QueryWord, asked map[string]bool, held []group) string {
	groups := map[string]group{}
	for _, g := range held {
		if !g.prefix {
			groups[g.term] = g
		}
	}
	var nears []string
	seen := map[string]bool{}
	for i, w := range typed {
		if !light[w.Term] || !asked[w.Term] {
			continue
		}
		for _, j := range []int{i - 1, i + 1} {
			if j < 0 || j >= len(typed) || seen[typed[j].Term] {
				continue
			}
			g, ok := groups[typed[j].Term]
			if !ok {
				continue
			}
			seen[g.term] = true
			for _, f := range g.forms[:min(len(g.forms), maxNearForms)] {
				for _, v := range lightForms {
					nears = append(nears, "NEAR("+quote([]string{f, v}, " ")+", "+strconv.Itoa(nearDistance)+")")
				}
			}
		}
	}
	return strings.Join(nears, " OR ")
}
