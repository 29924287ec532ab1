package node

import (
	"errors"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// userMessager is an error from below app whose message is fit for the
// user as it is (db.NoQuorumError): ui/cli prints it so when it runs the
// command itself.
type userMessager interface{ UserMessage() string }

// userError returns err as the user error a command of this machine
// prints, or nil if it is none: a usererr as it is, and an error that
// says what to do itself (no quorum) with its sentence instead of the Go
// calls it passed through ("events: append: …", "db.Remove X: …"), which
// the command could not find once the error has crossed the socket.
func userError(err error) *usererr.Error {
	if ue := usererr.As(err); ue != nil {
		return ue
	}
	if nq := (*db.NoQuorumError)(nil); errors.As(err, &nq) {
		return &usererr.Error{Msg: NoQuorumMessage(nq), Err: err}
	}
	if um := userMessager(nil); errors.As(err, &um) {
		return &usererr.Error{Msg: um.UserMessage(), Err: err}
	}
	return nil
}

// noQuorumHeader marks an error answer whose text is the store's
// no-quorum sentence (userError): the client shows it as it is and makes
// it match db.ErrNoQuorum again.
const noQuorumHeader = "Aiex-No-Quorum"

// noQuorumFromWire returns the error a client makes of an error answer's text,
// given whether the node marked it as a no-quorum sentence.
func noQuorumFromWire(msg string) error {
	return &usererr.Error{Msg: msg, Err: db.ErrNoQuorum}
}

// NoQuorumMessage is the line a command prints when its cluster has no
// quorum, the store's own (db.NoQuorumError.UserMessage): what is wrong,
// that writes wait for a quorum, and what to do — with recovery last, for
// nodes lost for good (aiex cluster recover refuses while they answer) —
// the same whether the command ran here or through the node.
func NoQuorumMessage(nq *db.NoQuorumError) string { return nq.UserMessage() }
