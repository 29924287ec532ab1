package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/aiex-dev/aiex/app/ctxbuild"
	"github.com/aiex-dev/aiex/app/events"
)

// StreamPrefix starts the name of every session's event stream:
// "session/<id>".
const StreamPrefix = "session/"

// Stream is the event stream of session id.
func Stream(id string) string { return StreamPrefix + id }

// Event type names. Every type is at schema version 1; a change to a
// payload adds a version and an upcaster from the one before (see Types).
const (
	TypeStarted         = "session.started"
	TypeTurnStarted     = "turn.started"
	TypeTurnCompleted   = "turn.completed"
	TypeTurnInterrupted = "turn.interrupted"
	TypeTurnFailed      = "turn.failed"
	TypeArchived        = "session.archived"
	TypeUnarchived      = "session.unarchived"
	TypeRemoved         = "session.removed"
)

// Types are the session event types, for the log's registry
// (events.NewRegistry(session.Types()...)).
func Types() []events.Type {
	return []events.Type{
		{Name: TypeStarted, Version: 1, New: func() events.Payload { return new(Started) }},
		{Name: TypeTurnStarted, Version: 1, New: func() events.Payload { return new(TurnStarted) }},
		{Name: TypeTurnCompleted, Version: 1, New: func() events.Payload { return new(TurnCompleted) }},
		{Name: TypeTurnInterrupted, Version: 1, New: func() events.Payload { return new(TurnInterrupted) }},
		{Name: TypeTurnFailed, Version: 1, New: func() events.Payload { return new(TurnFailed) }},
		{Name: TypeArchived, Version: 1, New: func() events.Payload { return new(Archived) }},
		{Name: TypeUnarchived, Version: 1, New: func() events.Payload { return new(Unarchived) }},
		{Name: TypeRemoved, Version: 1, New: func() events.Payload { return new(Removed) }},
		{Name: TypeTurnProposal, Version: 1, New: func() events.Payload { return new(TurnProposal) }},
	}
}

// Started opens a session's stream (version 1). Who started it and where
// are the event's actor and node.
type Started struct {
	Project string `json:"project"`
}

// TurnStarted records the user's prompt as a turn begins, before the
// request goes out.
type TurnStarted struct {
	Turn     int64  `json:"turn"`
	Prompt   string `json:"prompt"`
	Provider string `json:"provider,omitempty"` // as asked for; the answer says what answered
	Model    string `json:"model,omitempty"`
	// Owner is the process that runs the turn ("node/instance"); Key makes
	// a retried start recognisable.
	Owner string `json:"owner"`
	Key   string `json:"key"`
	// Context is a ContextSummary, kept as the JSON it was written as: a
	// replay stores those bytes without decoding and encoding them again.
	Context json.RawMessage `json:"context,omitempty"`
}

// Outcome is how a turn ended: the answer (or the part of it that
// arrived), what answered it, what it cost.
type Outcome struct {
	Answer           string `json:"answer,omitempty"`
	Provider         string `json:"provider,omitempty"`
	Model            string `json:"model,omitempty"`
	Node             string `json:"node,omitempty"` // the node that answered
	InteractionID    string `json:"interaction_id,omitempty"`
	PromptTokens     int64  `json:"prompt_tokens,omitempty"`
	CompletionTokens int64  `json:"completion_tokens,omitempty"`
	CostNUSD         int64  `json:"cost_nusd,omitempty"` // USD × 1e9
	// CostUnknown: the model had no known price, and CostNUSD leaves out
	// what it cost (a reader of the live event stream sees it at once;
	// a session read again marks it from the request's record).
	CostUnknown bool            `json:"cost_unknown,omitempty"`
	TTFTMillis  int64           `json:"ttft_ms,omitempty"`
	TotalMillis int64           `json:"total_ms,omitempty"`
	Context     json.RawMessage `json:"context,omitempty"` // a ContextSummary, as in TurnStarted
	Reason      string          `json:"reason,omitempty"`  // why it was interrupted, or the error
}

// TurnCompleted records a turn's answer.
type TurnCompleted struct {
	Turn int64 `json:"turn"`
	Outcome
}

// TurnInterrupted records a turn cut short: cancelled, the provider died
// mid-answer, or the process answering it ended.
type TurnInterrupted struct {
	Turn int64 `json:"turn"`
	Outcome
}

// TurnFailed records a turn that got no answer (no provider reachable, a
// spend cap, an error before any token).
type TurnFailed struct {
	Turn int64 `json:"turn"`
	Outcome
}

// Archived takes a session out of the hot projections (its turns leave
// session_turns); Unarchived brings it back; Removed ends its stream.
type (
	Archived   struct{}
	Unarchived struct{}
	Removed    struct{}
)

// EventType implements events.Payload.
func (*Started) EventType() string         { return TypeStarted }
func (*TurnStarted) EventType() string     { return TypeTurnStarted }
func (*TurnCompleted) EventType() string   { return TypeTurnCompleted }
func (*TurnInterrupted) EventType() string { return TypeTurnInterrupted }
func (*TurnFailed) EventType() string      { return TypeTurnFailed }
func (*Archived) EventType() string        { return TypeArchived }
func (*Unarchived) EventType() string      { return TypeUnarchived }
func (*Removed) EventType() string         { return TypeRemoved }

// Validate implements events.Validator.
func (p *Started) Validate() error {
	if p.Project == "" {
		return errors.New("no project")
	}
	return nil
}

func (p *TurnStarted) Validate() error {
	if p.Turn < 1 {
		return fmt.Errorf("turn %d", p.Turn)
	}
	return validContext(p.Context)
}

func (p *TurnCompleted) Validate() error   { return validTurn(p.Turn, &p.Outcome) }
func (p *TurnInterrupted) Validate() error { return validTurn(p.Turn, &p.Outcome) }
func (p *TurnFailed) Validate() error      { return validTurn(p.Turn, &p.Outcome) }

func validTurn(n int64, o *Outcome) error {
	if n < 1 {
		return fmt.Errorf("turn %d", n)
	}
	if o.PromptTokens < 0 || o.CompletionTokens < 0 || o.CostNUSD < 0 {
		return errors.New("negative usage")
	}
	return validContext(o.Context)
}

// validContext accepts no context or a JSON object (Unmarshal has checked
// that it is JSON).
func validContext(c json.RawMessage) error {
	if len(c) == 0 || string(c) == "null" || c[0] == '{' {
		return nil
	}
	return errors.New("context is not an object")
}

// encodeContext is c as a payload carries it (nil: none).
func encodeContext(c *ContextSummary) json.RawMessage {
	if c == nil {
		return nil
	}
	b, _ := json.Marshal(c) // plain data: cannot fail
	return b
}

// ContextSummary is what context a turn's prompt carried: which chunks,
// how many tokens of what budget.
type ContextSummary struct {
	Window  int            `json:"window,omitempty"` // the model's context window
	Budget  int            `json:"budget,omitempty"` // what the prompt could take
	Tokens  int            `json:"tokens"`           // what it took
	Chunks  []ContextChunk `json:"chunks,omitempty"` // in prompt order
	Dropped int            `json:"dropped,omitempty"`
	// HistoryTurns and HistoryTokens: earlier turns of the session sent
	// with the prompt.
	HistoryTurns  int `json:"history_turns,omitempty"`
	HistoryTokens int `json:"history_tokens,omitempty"`
	// Target is the code the prompt was about, as a later turn names it
	// (ctxbuild.Context.TargetRef); "" for none. See Session.Target.
	Target string `json:"target,omitempty"`
	// TargetName is the name of the unit Target resolved to
	// (ctxbuild.Context.TargetName), by which a later turn takes the same
	// code when a PATH or PATH:LINE Target no longer leads to it; "" for
	// a file or a package, and in turns recorded before it was.
	TargetName string `json:"target_name,omitempty"`
}

// ContextChunk is one chunk of code in a prompt.
type ContextChunk struct {
	Path      string `json:"path"`
	Name      string `json:"name"`
	Kind      string `json:"kind,omitempty"`
	Form      string `json:"form,omitempty"` // full, signature, …
	StartLine int    `json:"start_line,omitempty"`
	EndLine   int    `json:"end_line,omitempty"`
	Tokens    int    `json:"tokens"`
}

// SummarizeContext is the summary of a context built by app/ctxbuild
// (nil gives nil).
func SummarizeContext(c *ctxbuild.Context) *ContextSummary {
	if c == nil {
		return nil
	}
	s := &ContextSummary{Window: c.Window, Budget: c.Budget, Tokens: c.Tokens, Dropped: len(c.Dropped), Target: c.TargetRef,
		TargetName: c.TargetName}
	for _, it := range c.Included {
		s.Chunks = append(s.Chunks, ContextChunk{Path: it.Path, Name: it.Name, Kind: it.Kind, Form: it.Form,
			StartLine: it.StartLine, EndLine: it.EndLine, Tokens: it.Tokens})
	}
	return s
}

// DecodeContext is the ContextSummary a payload carries (nil if none or
// unreadable), for readers of the events.
func DecodeContext(raw json.RawMessage) *ContextSummary {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var c ContextSummary
	if json.Unmarshal(raw, &c) != nil {
		return nil
	}
	return &c
}

// NanoUSD converts dollars to the integer nano-dollars events and
// projections keep (sums of integers are the same in any order, and
// survive JSON and SQLite bit for bit).
func NanoUSD(usd float64) int64 { return int64(math.Round(usd * 1e9)) }

// USD converts nano-dollars to dollars.
func USD(nusd int64) float64 { return float64(nusd) / 1e9 }
