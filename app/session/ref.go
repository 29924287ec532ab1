package session

import (
	"strings"

	"github.com/aiex-dev/aiex/app/usererr"
)

// MinPrefix is the shortest prefix of an id that names a session.
const MinPrefix = minPrefix

// CheckRef refuses, as a usage mistake, a reference that cannot name a
// session whatever the store holds: empty, or new where a session must
// exist (newOK false). An interface checks it before it opens the store,
// so that such a mistake leaves no data dir behind. A reference too short
// to be a prefix is left to the store, which names the sessions it may
// have meant. verb says what the session is named for ("show", "resume").
func CheckRef(ref string, newOK bool, verb string) error {
	id := strings.TrimSpace(ref)
	or := "or last"
	if newOK {
		or = "last, or new"
	}
	switch {
	case id == "":
		return usererr.Usage("name the session to %s: its id (or %d or more of its first characters), %s", verb, MinPrefix, or)
	case Ref(id) == RefNew && !newOK:
		return usererr.Usage("name a session that exists to %s: its id (or %d or more of its first characters), %s; a question starts a new one (aiex ask --session new)", verb, MinPrefix, or)
	}
	return nil
}
