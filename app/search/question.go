package search

import (
	"strings"

	"github.com/aiex-dev/aiex/app/index"
	"github.com/aiex-dev/aiex/db/words"
)

// A question's asking words say that it is a question, not what it is
// about: in "how are floats parsed" the subject is floats and parsing.
// Counted as words, they rank the code whose comments ask or explain in
// prose first: on BurntSushi/toml the flag set-up of cmd/tomlv, whose
// help says "Show how long the parsing took", came before the float
// parser. The index keeps them in bodies (a stop word is left out of
// bodies too, and changing those is a re-index); a query leaves them out.
//
// asking are left out wherever a question says them: no name holds them
// but a handful (in the Go standard library's index "how" is in 892
// chunks and 4 names, unix.OpenHow; "what" in 866 and none; "why" in
// 265 and 12, go mod why's). opening are left out when they open the
// question or a sentence of it, with the asking words before them:
// "where", "which" and "should" are also words of code (sql's where,
// Supervisor.which_children/1, ir.ShouldCheckPtr) and count elsewhere.
//
// light are the forms of a verb whose sense is its object's: "how are
// reads made consistent" asks about consistent reads. They are left out
// of a question that asks (an asking or opening word before them): rare
// in code but for prose ("made" is in 16 chunks of rqlite v8.43.4, none
// of them about consistency), such a word was the rarest of the question,
// and the chunks saying it came before store.(*Store).Query, which says
// "read" and "consistency", not in the first 40 then.
var (
	light   = wordSet("make makes made making")
	asking  = wordSet("how what why")
	opening = wordSet(`how what why where which when who whom whose
		do does did is are was were am be been can could should would will shall may might must
		has have had`)
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for w := range strings.FieldsSeq(s) {
		m[w] = true
	}
	return m
}

// questionWords returns the words of a question, folded, that ask
// (asking anywhere, opening at the start of a sentence, light after
// either) and are no part
// of what it asks about. A symbol (http.Server) or any other word ends a
// sentence's opening.
func questionWords(query string) map[string]bool {
	out := map[string]bool{}
	start := true
	for field := range strings.FieldsSeq(query) {
		w := strings.Trim(field, "\"'`‘’“”()[]{},;:")
		end := strings.TrimRight(w, ".?!")
		s := words.Fold(end)
		switch {
		case s == "":
		case !letters(s):
			start = false
		case start && opening[s], asking[s], light[s] && len(out) > 0:
			out[s] = true
		default:
			start = false
		}
		if end != w {
			start = true // the next word opens a sentence
		}
	}
	return out
}

// withoutQuestion returns the words of ws that do not ask (asked, from
// questionWords) and the words left out; ws and none when nothing else is
// left: "what is" asks about "what".
func withoutQuestion(ws []index.QueryWord, asked map[string]bool) ([]index.QueryWord, map[string]bool) {
	if len(asked) == 0 {
		return ws, nil
	}
	var out []index.QueryWord
	for _, w := range ws {
		if !asked[w.Term] {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return ws, nil
	}
	return out, asked
}
