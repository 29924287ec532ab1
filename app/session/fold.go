package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/db"
)

// state is a session folded from its events: exactly the rows of the
// projections (so that loading it from them loses nothing), plus whether
// the stream has ended. It is the projection's events.Fold, the live
// writer's state and, as JSON, the snapshot. Live appends and replay fold
// the same decoded payloads through apply; the rows written are a function
// of the state alone.
type state struct {
	Session db.SessionRow     `json:"session"`
	Turns   []db.SessionTurn  `json:"turns"`
	Usage   []db.SessionUsage `json:"usage"` // by provider, model
	Removed bool              `json:"removed,omitempty"`

	dirty dirty // what live writes must write since the last append
	// refs: where in the events read from the log (by id) a replay can
	// copy each turn's prompt, answer and context from, by turn.
	refs map[int64]*db.TextRef
}

// dirty is what changed since the state was last written.
type dirty struct {
	turns      map[int64]bool
	usage      map[[2]string]bool
	dropTurns  bool // archived: its turns leave session_turns
	writeTurns bool // unarchived: all of its turns come back
}

// stateSchema is the version of the snapshot JSON; a change to state
// that old snapshots cannot be read as bumps it (old snapshots are then
// ignored, or, for pruned streams, must be converted in NewFold).
const stateSchema = 1

var _ events.Fold = (*state)(nil)

func newState(id string) *state {
	return &state{Session: db.SessionRow{ID: id}, Turns: []db.SessionTurn{}, Usage: []db.SessionUsage{}}
}

// Version implements events.Fold.
func (st *state) Version() int64 { return st.Session.Version }

// Ended implements events.Fold.
func (st *state) Ended() bool { return st.Removed }

// Skip implements events.Fold.
func (st *state) Skip(ev *events.Event) { st.Session.Version = ev.Version }

// Snapshot implements events.Fold.
func (st *state) Snapshot() (int, json.RawMessage, error) {
	b, err := json.Marshal(st)
	return stateSchema, b, err
}

// errInvalid wraps the reasons an event cannot follow the ones before it.
var errInvalid = errors.New("invalid")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errInvalid, fmt.Sprintf(format, args...))
}

// Apply implements events.Fold. It checks everything before it changes
// anything, so a refused event leaves the state as it was.
func (st *state) Apply(ev *events.Event, p events.Payload) error {
	s := &st.Session
	t := ev.Time.UTC()
	if st.Removed {
		return invalid("session was removed")
	}
	if _, ok := p.(*Started); !ok && s.Version == 0 {
		return invalid("%s before %s", ev.Type, TypeStarted)
	}
	switch p := p.(type) {
	case *Started:
		if s.Version != 0 {
			return invalid("session started twice")
		}
		*s = db.SessionRow{ID: s.ID, Project: p.Project, Status: db.SessionActive, Actor: ev.Actor, Node: ev.Node, CreatedAt: t}
	case *TurnStarted:
		if s.Status != db.SessionActive {
			return invalid("turn started in an archived session")
		}
		if p.Turn != int64(len(st.Turns))+1 {
			return invalid("turn %d started after turn %d", p.Turn, len(st.Turns))
		}
		st.Turns = append(st.Turns, db.SessionTurn{SessionID: s.ID, Turn: p.Turn, Status: db.TurnRunning, Prompt: p.Prompt,
			Provider: p.Provider, Model: p.Model, Context: contextJSON(p.Context), Owner: p.Owner, Key: p.Key,
			Actor: ev.Actor, StartedAt: t})
		st.refStarted(ev, &st.Turns[p.Turn-1])
		s.Turns = int64(len(st.Turns))
		if s.Title == "" {
			s.Title = title(p.Prompt)
		}
		st.markTurn(p.Turn)
	case *TurnCompleted:
		if err := st.end(ev, p.Turn, db.TurnCompleted, &p.Outcome, db.TurnRunning, db.TurnInterrupted); err != nil {
			return err
		}
	case *TurnInterrupted:
		if err := st.end(ev, p.Turn, db.TurnInterrupted, &p.Outcome, db.TurnRunning); err != nil {
			return err
		}
	case *TurnFailed:
		if err := st.end(ev, p.Turn, db.TurnFailed, &p.Outcome, db.TurnRunning); err != nil {
			return err
		}
	case *TurnProposal:
		if err := st.proposal(p); err != nil {
			return err
		}
	case *Archived:
		if s.Status != db.SessionActive {
			return invalid("archived twice")
		}
		s.Status = db.SessionArchived
		st.dirty.dropTurns, st.dirty.writeTurns = true, false
		st.dirty.turns = nil
	case *Unarchived:
		if s.Status != db.SessionArchived {
			return invalid("unarchived but not archived")
		}
		s.Status = db.SessionActive
		st.dirty.dropTurns, st.dirty.writeTurns = false, true
	case *Removed:
		st.Removed = true
	default:
		return invalid("%s is not a session event", ev.Type)
	}
	s.Version = ev.Version
	// A session is as recent as its last turn (or its start): archiving
	// or unarchiving it is no use of it, and "last" (the most recently
	// updated session) must not pick one merely brought back; nor is
	// recording what became of a turn's proposal, which a checkpoint
	// restore does in whichever session made the write it undid.
	switch p.(type) {
	case *Archived, *Unarchived, *Removed, *TurnProposal:
	default:
		s.UpdatedAt = t
	}
	return nil
}

// end records how turn n ended, if its status is one of was. A turn
// that ended with usage counts toward the session's usage; a late answer
// to an interrupted turn replaces what the interruption counted.
func (st *state) end(ev *events.Event, n int64, status string, o *Outcome, was ...string) error {
	if n < 1 || n > int64(len(st.Turns)) {
		return invalid("turn %d %s but the session has %d turns", n, status, len(st.Turns))
	}
	tr := &st.Turns[n-1]
	ok := false
	for _, w := range was {
		ok = ok || tr.Status == w
	}
	if !ok {
		return invalid("turn %d %s but it is %s", n, status, tr.Status)
	}
	st.count(tr, -1)
	tr.Status = status
	tr.Answer = o.Answer
	if o.Provider != "" || o.Model != "" {
		tr.Provider, tr.Model = o.Provider, o.Model
	}
	tr.Node, tr.InteractionID = o.Node, o.InteractionID
	tr.PromptTokens, tr.CompletionTokens, tr.CostNUSD = o.PromptTokens, o.CompletionTokens, o.CostNUSD
	tr.TTFTMillis, tr.TotalMillis = o.TTFTMillis, o.TotalMillis
	if hasContext(o.Context) {
		// A turn ended again (a late answer to one marked interrupted)
		// keeps what became of its proposal, if that was recorded.
		prop := proposalOf(tr.Context)
		tr.Context = contextJSON(o.Context)
		if prop != nil {
			tr.Context = withProposal(tr.Context, prop)
		}
	}
	tr.Error = o.Reason
	tr.FinishedAt = ev.Time.UTC()
	st.count(tr, +1)
	st.refEnded(ev, tr, hasContext(o.Context))
	// The session's model is the one that last answered in full; until one
	// did, the one that answered (or was asked) at all, so that a session
	// of cancelled turns does not list as of no model.
	if status == db.TurnCompleted || (st.Session.Model == "" && tr.Model != "") {
		st.Session.Provider, st.Session.Model = tr.Provider, tr.Model
	}
	st.markTurn(n)
	return nil
}

// count adds (sign +1) or takes away (-1) what an ended turn counts
// toward the session's usage.
func (st *state) count(tr *db.SessionTurn, sign int64) {
	if tr.Status == db.TurnRunning || (tr.Provider == "" && tr.Model == "") {
		return
	}
	s := &st.Session
	s.PromptTokens += sign * tr.PromptTokens
	s.CompletionTokens += sign * tr.CompletionTokens
	s.CostNUSD += sign * tr.CostNUSD
	key := [2]string{tr.Provider, tr.Model}
	i := sort.Search(len(st.Usage), func(i int) bool {
		u := st.Usage[i]
		return u.Provider > key[0] || (u.Provider == key[0] && u.Model >= key[1])
	})
	if i == len(st.Usage) || st.Usage[i].Provider != key[0] || st.Usage[i].Model != key[1] {
		st.Usage = append(st.Usage, db.SessionUsage{})
		copy(st.Usage[i+1:], st.Usage[i:])
		st.Usage[i] = db.SessionUsage{SessionID: s.ID, Provider: key[0], Model: key[1]}
	}
	u := &st.Usage[i]
	u.Turns += sign
	u.PromptTokens += sign * tr.PromptTokens
	u.CompletionTokens += sign * tr.CompletionTokens
	u.CostNUSD += sign * tr.CostNUSD
	if st.dirty.usage == nil {
		st.dirty.usage = map[[2]string]bool{}
	}
	st.dirty.usage[key] = true
}

// ref is turn n's TextRef, made if need be.
func (st *state) ref(n int64) *db.TextRef {
	if st.refs == nil {
		st.refs = map[int64]*db.TextRef{}
	}
	r := st.refs[n]
	if r == nil {
		r = &db.TextRef{}
		st.refs[n] = r
	}
	return r
}

// refStarted records where in ev's payload a replay can copy the prompt
// and context of tr, which ev started, from (else the row carries them).
func (st *state) refStarted(ev *events.Event, tr *db.SessionTurn) {
	if ev.ID <= 0 {
		return // not read from the log: nothing to copy from
	}
	if sp, ok := textSpan(ev, promptKey, tr.Prompt); ok {
		st.ref(tr.Turn).PromptSpan = sp
	}
	if sp, ok := rawSpan(ev, contextKey, tr.Context); ok {
		st.ref(tr.Turn).ContextSpan = sp
	}
}

// refEnded records where in ev's payload a replay can copy the answer of
// tr, which ev ended, from (and its context, if ev replaced it): what an
// earlier end of the turn recorded no longer holds.
func (st *state) refEnded(ev *events.Event, tr *db.SessionTurn, newContext bool) {
	if st.refs[tr.Turn] == nil && (ev.ID <= 0 || (tr.Answer == "" && !newContext)) {
		return // nothing recorded, nothing to record
	}
	r := st.ref(tr.Turn)
	r.AnswerSpan, _ = textSpan(ev, answerKey, tr.Answer)
	if newContext {
		r.ContextSpan, _ = rawSpan(ev, contextKey, tr.Context)
	}
}

// Keys as encoding/json writes them, followed by the start of a string
// value where the value is one.
var (
	promptKey  = []byte(`"prompt":"`)
	answerKey  = []byte(`"answer":"`)
	contextKey = []byte(`"context":`)
)

// rawSpan is where s is in the payload of ev (an event read from the
// log), byte for byte, right after the first key: what SQLite can copy
// instead of s being sent again. ok is false if s is empty or not there
// as it is.
func rawSpan(ev *events.Event, key []byte, s string) (db.PayloadSpan, bool) {
	if ev.ID <= 0 || s == "" {
		return db.PayloadSpan{}, false
	}
	i := bytes.Index(ev.Payload, key)
	if i < 0 {
		return db.PayloadSpan{}, false
	}
	off := i + len(key)
	if len(ev.Payload)-off < len(s) || string(ev.Payload[off:off+len(s)]) != s {
		return db.PayloadSpan{}, false
	}
	return db.PayloadSpan{Event: ev.ID, Off: off, Len: len(s)}, true
}

// textSpan is where the JSON string s, the value of key (which ends with
// the string's opening quote), is in ev's payload: its bytes, if it has
// no escapes; else the string itself, if it is s as encoding/json writes
// it — SQLite's ->> '$' unescapes that to s exactly, s being valid UTF-8
// (Go decoded it) with no NUL (where ->> would stop). Checked byte for
// byte: a payload written some other way (other escapes, the key twice,
// in other case) gets no span, and its text travels.
func textSpan(ev *events.Event, key []byte, s string) (db.PayloadSpan, bool) {
	if sp, ok := rawSpan(ev, key, s); ok {
		return sp, true
	}
	if ev.ID <= 0 || s == "" || strings.IndexByte(s, 0) >= 0 {
		return db.PayloadSpan{}, false
	}
	i := bytes.Index(ev.Payload, key)
	if i < 0 {
		return db.PayloadSpan{}, false
	}
	off := i + len(key) - 1 // the opening quote
	enc, err := json.Marshal(s)
	if err != nil || !bytes.HasPrefix(ev.Payload[off:], enc) {
		return db.PayloadSpan{}, false
	}
	return db.PayloadSpan{Event: ev.ID, Off: off, Len: len(enc), JSON: true}, true
}

func (st *state) markTurn(n int64) {
	if st.dirty.turns == nil {
		st.dirty.turns = map[int64]bool{}
	}
	st.dirty.turns[n] = true
}

// liveStmts are the statements that bring the projections from the state
// last written to this one: the session's row, the turns and usage rows
// that changed; on archive its turns leave, on unarchive they all come
// back; on removal every row goes, and the snapshot — unless a prune made
// it the base the stream's remaining events replay from: then the prune
// that finds the stream ended deletes it with them.
func (st *state) liveStmts() []db.Statement {
	id := st.Session.ID
	if st.Removed {
		return append(db.DeleteSessionStmts(id), db.DeleteUnprunedSnapshotStmt(Stream(id)))
	}
	stmts := db.UpsertSessionsStmts([]db.SessionRow{st.Session})
	switch {
	case st.dirty.dropTurns:
		stmts = append(stmts, db.DeleteSessionTurnsStmt(id))
	case st.dirty.writeTurns:
		stmts = append(stmts, db.UpsertSessionTurnsStmts(st.Turns)...)
	case st.Session.Status == db.SessionActive && len(st.dirty.turns) > 0:
		rows := make([]db.SessionTurn, 0, len(st.dirty.turns))
		for _, tr := range st.Turns {
			if st.dirty.turns[tr.Turn] {
				rows = append(rows, tr)
			}
		}
		stmts = append(stmts, db.UpsertSessionTurnsStmts(rows)...)
	}
	if len(st.dirty.usage) > 0 {
		rows := make([]db.SessionUsage, 0, len(st.dirty.usage))
		for _, u := range st.Usage {
			if st.dirty.usage[[2]string{u.Provider, u.Model}] {
				rows = append(rows, u)
			}
		}
		stmts = append(stmts, db.UpsertSessionUsageStmts(rows)...)
	}
	return stmts
}

// written forgets what changed: the rows are written.
func (st *state) written() { st.dirty = dirty{} }

// running lists the turns still running.
func (st *state) running() []*db.SessionTurn {
	var out []*db.SessionTurn
	for i := range st.Turns {
		if st.Turns[i].Status == db.TurnRunning {
			out = append(out, &st.Turns[i])
		}
	}
	return out
}

// turnByKey is the turn started with key, or nil.
func (st *state) turnByKey(key string) *db.SessionTurn {
	for i := len(st.Turns) - 1; i >= 0; i-- {
		if st.Turns[i].Key == key {
			return &st.Turns[i]
		}
	}
	return nil
}

// hasContext reports whether a payload carries a context.
func hasContext(c json.RawMessage) bool { return len(c) > 0 && string(c) != "null" }

// contextJSON is the context a turn row keeps: the payload's bytes.
func contextJSON(c json.RawMessage) string {
	if string(c) == "null" {
		return ""
	}
	return string(c)
}

// titleRunes bounds a session's title.
const titleRunes = 72

// title is the first non-empty line of a prompt, shortened.
func title(prompt string) string {
	line := ""
	for l := range strings.SplitSeq(prompt, "\n") {
		if line = strings.TrimSpace(l); line != "" {
			break
		}
	}
	if utf8.RuneCountInString(line) <= titleRunes {
		return line
	}
	r := []rune(line)
	return strings.TrimSpace(string(r[:titleRunes-1])) + "…"
}
