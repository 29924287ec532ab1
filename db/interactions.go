package db

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Interaction is one row of llm_interaction.
type Interaction struct {
	ID           string `json:"id"`
	SessionID    string `json:"session_id,omitempty"`
	Node         string `json:"node"`
	Provider     string `json:"provider"`
	Model        string `json:"model"` // the model that answered, as the provider names it
	Prompt       string `json:"prompt"`
	Response     string `json:"response"`
	PromptTokens int    `json:"prompt_tokens"`
	// PromptEstimate is the coordinator's own estimate of the prompt's
	// tokens (app/tokens), to compare with what the provider counted.
	PromptEstimate   int        `json:"prompt_estimate,omitempty"`
	CompletionTokens int        `json:"completion_tokens"`
	TTFTMillis       *float64   `json:"ttft_ms"`
	TotalMillis      *float64   `json:"total_ms"`
	Status           string     `json:"status"`
	Error            string     `json:"error,omitempty"`
	CostUSD          float64    `json:"cost_usd"`
	StartedAt        time.Time  `json:"started_at"`
	FinishedAt       *time.Time `json:"finished_at"`
	Strategy         string     `json:"strategy,omitempty"`
	Attempts         int        `json:"attempts"`
	ErrorKind        string     `json:"error_kind,omitempty"`
	Route            []Attempt  `json:"route"`
	// RequestedModel is the model the provider was asked for. It differs
	// from Model when the provider answers an alias with a dated ID
	// (Anthropic: claude-sonnet-4-5 → claude-sonnet-4-5-20250929).
	RequestedModel string `json:"requested_model,omitempty"`
	// StopReason is why the answer ended, as the provider said it
	// ("stop", "end_turn", "length", "max_tokens", "refusal", …): an ok
	// answer cut off at the output limit says so here
	// (providers.Incomplete).
	StopReason string `json:"stop_reason,omitempty"`
	// CostUnknown says whether CostUSD leaves out part of what the request
	// cost: it used tokens of a cloud model whose price was not known when
	// it was recorded. The coordinator decides it then, from the prices it
	// had. nil for a request recorded before the store kept it (migration
	// 0022): its reader judges by the provider and the prices it knows
	// (app.CostUnknown).
	CostUnknown *bool `json:"cost_unknown,omitempty"`
}

// Attempt is one try of a request on one provider and model, in the order
// the coordinator made them.
type Attempt struct {
	Provider string  `json:"provider"`
	Model    string  `json:"model"`
	Outcome  string  `json:"outcome"`         // "ok", an error kind, or why it was skipped
	Error    string  `json:"error,omitempty"` // the provider's message
	Millis   float64 `json:"ms"`              // how long the attempt took
	// TTFTMillis is how long the attempt waited for its first token (0:
	// none came). The request's own TTFTMillis counts from the request's
	// start, earlier attempts and backoffs included.
	TTFTMillis float64 `json:"ttft_ms,omitempty"`
	Retry      int     `json:"retry,omitempty"` // 0 for the first try on this target
	// What the provider reported the attempt used, and its cost: a failed
	// attempt may have been billed too.
	PromptTokens     int     `json:"prompt_tokens,omitempty"`
	CompletionTokens int     `json:"completion_tokens,omitempty"`
	CostUSD          float64 `json:"cost_usd,omitempty"`
	// The tokens are estimates: the answer was cut off (Ctrl-C, a broken
	// stream) before the provider's count arrived.
	Estimated bool `json:"estimated,omitempty"`
}

// Interaction statuses.
const (
	StatusRunning     = "running"
	StatusOK          = "ok"
	StatusError       = "error"
	StatusInterrupted = "interrupted"
	StatusCancelled   = "cancelled"
)

// InsertInteractionStmt is the statement that records an interaction as it
// starts; callers batch it with others (an event) in one Execute. What the
// prompt is estimated to use and cost (PromptEstimate, CostUSD,
// CostUnknown) is recorded from the start: the prompt is sent, and billed,
// even if the process is killed before the answer ends, and the next start
// charges it then (InterruptRunningStmt).
func InsertInteractionStmt(in *Interaction) Statement {
	return Stmt(`INSERT INTO llm_interaction
		(id, session_id, node, provider, model, requested_model, prompt, status, started_at, prompt_estimate, cost_usd, cost_unknown)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		in.ID, in.SessionID, in.Node, in.Provider, in.Model, in.RequestedModel, in.Prompt, in.Status, in.StartedAt,
		in.PromptEstimate, in.CostUSD, boolOrNil(in.CostUnknown))
}

// FinishInteractionStmt is the statement that records how an interaction ended.
func FinishInteractionStmt(in *Interaction) Statement {
	route, _ := json.Marshal(in.Route)
	if in.Route == nil {
		route = []byte("[]")
	}
	return Stmt(`UPDATE llm_interaction SET
		provider = ?, model = ?, response = ?, prompt_tokens = ?, completion_tokens = ?,
		ttft_ms = ?, total_ms = ?, status = ?, error = ?, cost_usd = ?, finished_at = ?,
		strategy = ?, attempts = ?, error_kind = ?, route = ?, prompt_estimate = ?, requested_model = ?, stop_reason = ?,
		cost_unknown = ?
		WHERE id = ?`,
		in.Provider, in.Model, in.Response, in.PromptTokens, in.CompletionTokens,
		floatOrNil(in.TTFTMillis), floatOrNil(in.TotalMillis), in.Status, in.Error, in.CostUSD,
		timeOrNil(in.FinishedAt), in.Strategy, in.Attempts, in.ErrorKind, string(route), in.PromptEstimate, in.RequestedModel, in.StopReason,
		boolOrNil(in.CostUnknown), in.ID)
}

// InterruptRunningStmt marks interrupted, with reason as the error, every
// interaction of node still recorded as running. It is for the process
// that has just opened node's store: the data dir's lock admits one
// process at a time, so a request of node still running then was left by
// a process that ended before recording how it ended (killed, crashed).
// Its prompt was sent, and a cloud provider bills it: the request is
// charged the prompt's estimate (and the estimate's cost, recorded at its
// start: InsertInteractionStmt), as one cut short by Ctrl-C is, so that
// usage and the spend caps count it. What the answer used and when it
// ended are not known; they stay unset.
func InterruptRunningStmt(node, reason string) Statement {
	// status is written out: the partial index llm_interaction_running
	// serves only a query that names it (migration 0013).
	// A note already on the record (the answer arrived whole but its end
	// could not be written: app's noteUnrecorded) is what became of the
	// request, and stays its reason.
	return Stmt(`UPDATE llm_interaction SET status = ?, error_kind = ?, error = CASE WHEN COALESCE(error, '') <> '' THEN error ELSE ? END,
		prompt_tokens = CASE WHEN prompt_tokens = 0 THEN prompt_estimate ELSE prompt_tokens END
		WHERE node = ? AND status = 'running'`, StatusInterrupted, StatusInterrupted, reason, node)
}

const interactionColumns = `id, session_id, node, provider, model, prompt, response,
	prompt_tokens, completion_tokens, ttft_ms, total_ms, status, error, cost_usd,
	started_at, finished_at, strategy, attempts, error_kind, route, requested_model, stop_reason, prompt_estimate, cost_unknown`

// Interactions returns the most recent interactions, newest first; limit
// <= 0 means all. A request still running whose node was removed from the
// cluster is shown interrupted, and marked so (see orphans.go).
func (s *Store) Interactions(ctx context.Context, limit int) ([]Interaction, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.Query(ctx, `SELECT `+interactionColumns+` FROM llm_interaction
		ORDER BY started_at DESC, rowid DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("db: interactions: %w", err)
	}
	out := make([]Interaction, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, scanInteraction(r))
	}
	s.recordGone(ctx, s.markGone(ctx, out))
	return out, nil
}

// Interaction returns one interaction by ID; ok is false if there is none.
// One still running whose node was removed from the cluster is shown
// interrupted.
func (s *Store) Interaction(ctx context.Context, id string) (in Interaction, ok bool, err error) {
	rows, err := s.Query(ctx, `SELECT `+interactionColumns+` FROM llm_interaction WHERE id = ?`, id)
	if err != nil {
		return in, false, fmt.Errorf("db: interaction: %w", err)
	}
	if len(rows.Values) == 0 {
		return in, false, nil
	}
	ins := []Interaction{scanInteraction(rows.Values[0])}
	s.markGone(ctx, ins)
	return ins[0], true, nil
}

func scanInteraction(r []any) Interaction {
	return Interaction{
		ID:               asString(r[0]),
		SessionID:        asString(r[1]),
		Node:             asString(r[2]),
		Provider:         asString(r[3]),
		Model:            asString(r[4]),
		Prompt:           asString(r[5]),
		Response:         asString(r[6]),
		PromptTokens:     int(asInt(r[7])),
		CompletionTokens: int(asInt(r[8])),
		TTFTMillis:       asFloatPtr(r[9]),
		TotalMillis:      asFloatPtr(r[10]),
		Status:           asString(r[11]),
		Error:            asString(r[12]),
		CostUSD:          asFloat(r[13]),
		StartedAt:        time.UnixMilli(asInt(r[14])),
		FinishedAt:       asTimePtr(r[15]),
		Strategy:         asString(r[16]),
		Attempts:         int(asInt(r[17])),
		ErrorKind:        asString(r[18]),
		Route:            asRoute(r[19]),
		RequestedModel:   asString(r[20]),
		StopReason:       asString(r[21]),
		PromptEstimate:   int(asInt(r[22])),
		CostUnknown:      asBoolPtr(r[23]),
	}
}

// boolOrNil is b as the store keeps it: 1 or 0, NULL for nil.
func boolOrNil(b *bool) any {
	if b == nil {
		return nil
	}
	if *b {
		return 1
	}
	return 0
}

func asBoolPtr(v any) *bool {
	if v == nil {
		return nil
	}
	b := asInt(v) != 0
	return &b
}

func asRoute(v any) []Attempt {
	out := []Attempt{}
	_ = json.Unmarshal([]byte(asString(v)), &out)
	return out
}

func floatOrNil(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func timeOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func asString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}

func asInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	}
	return 0
}

func asFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return 0
}

func asFloatPtr(v any) *float64 {
	if v == nil {
		return nil
	}
	f := asFloat(v)
	return &f
}

func asTimePtr(v any) *time.Time {
	if v == nil {
		return nil
	}
	t := time.UnixMilli(asInt(v))
	return &t
}

// StartInteraction records in as it starts (status running), so that an
// interaction cut short by a crash still leaves a row behind.
// The insert ignores a row already there, so it is safe to send again to a
// new leader when the old one was lost mid-write.
func (s *Store) StartInteraction(ctx context.Context, in *Interaction) error {
	_, err := s.ExecuteIdempotent(ctx, InsertInteractionStmt(in))
	return err
}

// FinishInteraction records how in ended and appends ev, in one
// transaction. It is safe to send again: the coordinator tries it again
// when the store failed (a leader lost mid-write, a full disk), and the
// store resends it to a new leader when the old one was lost after it was
// sent. Only a row not finished yet is updated, and ev is appended only if
// it was, so a write that had landed after all changes nothing the second
// time: no second event, and no earlier finish overwritten (a node that
// rewrote the record of a request it cut by quitting).
func (s *Store) FinishInteraction(ctx context.Context, in *Interaction, ev *Event) error {
	_, err := s.ExecuteIdempotent(ctx, finishOnceStmt(in), appendIfChangedStmt(ev))
	return err
}

// finishOnceStmt is FinishInteractionStmt for a row not finished yet.
func finishOnceStmt(in *Interaction) Statement {
	st := FinishInteractionStmt(in)
	st.SQL += ` AND finished_at IS NULL`
	return st
}

// appendIfChangedStmt is AppendEventStmt, appending ev only if the
// statement before it in the transaction changed a row. SQLite's changes()
// is the count of the last statement completed on the connection, which
// inside the insert is still the statement before it; HAVING makes the
// aggregate select, which returns one row even over no events, return none.
func appendIfChangedStmt(ev *Event) Statement {
	st := AppendEventStmt(ev)
	st.SQL += ` HAVING changes() > 0`
	return st
}

// SessionRequests returns the requests of session made on node that are
// over, oldest first: those whose end was recorded (finished_at set), and
// those marked interrupted because their process ended first
// (InterruptRunningStmt, markGone: no end recorded). A session turn whose
// process ended before it recorded the turn's end is told from these
// (app/session): the request's record may have landed though the turn's
// end did not (a full disk took the one and not the other), and a request
// whose process was killed is charged its prompt's estimate, which its
// turn must show as history does.
func (s *Store) SessionRequests(ctx context.Context, session, node string) ([]Interaction, error) {
	rows, err := s.Query(ctx, `SELECT `+interactionColumns+` FROM llm_interaction
		WHERE session_id = ? AND node = ? AND (finished_at IS NOT NULL OR status = ?)
		ORDER BY started_at, rowid`, session, node, StatusInterrupted)
	if err != nil {
		return nil, fmt.Errorf("db: session requests: %w", err)
	}
	out := make([]Interaction, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, scanInteraction(r))
	}
	return out, nil
}

// UnknownCostRequests returns the ids of the requests of sessions recorded
// as of unknown cost (CostUnknown), by session: a session's cost leaves
// theirs out, and its views say so.
func (s *Store) UnknownCostRequests(ctx context.Context, sessions []string) (map[string][]string, error) {
	out := map[string][]string{}
	if len(sessions) == 0 {
		return out, nil
	}
	args := make([]any, len(sessions))
	for i, id := range sessions {
		args[i] = id
	}
	// cost_unknown = 1 is written out: the partial index
	// llm_interaction_cost_unknown serves only a query that names it
	// (migration 0022).
	rows, err := s.Query(ctx, `SELECT session_id, id FROM llm_interaction
		WHERE cost_unknown = 1 AND session_id IN (?`+strings.Repeat(", ?", len(sessions)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("db: requests of unknown cost: %w", err)
	}
	for _, r := range rows.Values {
		sid := asString(r[0])
		out[sid] = append(out[sid], asString(r[1]))
	}
	return out, nil
}
