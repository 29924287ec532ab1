package session

import (
	"context"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
)

// Info is what a session is, without its turns.
type Info struct {
	ID               string  `json:"id"`
	Project          string  `json:"project"`
	Title            string  `json:"title"`
	Status           string  `json:"status"` // active, archived
	Version          int64   `json:"version"`
	Turns            int64   `json:"turns"`
	PromptTokens     int64   `json:"prompt_tokens"`
	CompletionTokens int64   `json:"completion_tokens"`
	CostUSD          float64 `json:"cost_usd"`
	// CostUnknown: some of its requests were of a model no price was known
	// for, whose cost CostUSD leaves out (see db.Interaction.CostUnknown).
	CostUnknown bool      `json:"cost_unknown"`
	Provider    string    `json:"provider,omitempty"` // of the last answer
	Model       string    `json:"model,omitempty"`
	Actor       string    `json:"actor"` // the interface that started it
	Node        string    `json:"node"`  // the node it started on
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"` // its last turn's start or end (archiving does not count)
}

func infoOf(r db.SessionRow) Info {
	return Info{ID: r.ID, Project: r.Project, Title: r.Title, Status: r.Status, Version: r.Version, Turns: r.Turns,
		PromptTokens: r.PromptTokens, CompletionTokens: r.CompletionTokens, CostUSD: USD(r.CostNUSD),
		Provider: r.Provider, Model: r.Model, Actor: r.Actor, Node: r.Node, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// Usage is what a session spent with one provider and model.
type Usage struct {
	Provider         string  `json:"provider"`
	Model            string  `json:"model"`
	Turns            int64   `json:"turns"`
	PromptTokens     int64   `json:"prompt_tokens"`
	CompletionTokens int64   `json:"completion_tokens"`
	CostUSD          float64 `json:"cost_usd"`
	CostUnknown      bool    `json:"cost_unknown"` // as Info's
}

// Turn is one turn of a session: the prompt and its answer.
type Turn struct {
	N                int64           `json:"turn"`
	Status           string          `json:"status"` // running, completed, interrupted, failed
	Prompt           string          `json:"prompt"`
	Answer           string          `json:"answer"`
	Provider         string          `json:"provider,omitempty"`
	Model            string          `json:"model,omitempty"`
	Node             string          `json:"node,omitempty"` // the node it was asked on (Provider NODE/PROVIDER: another answered)
	InteractionID    string          `json:"interaction_id,omitempty"`
	Context          *ContextSummary `json:"context,omitempty"`
	PromptTokens     int64           `json:"prompt_tokens"`
	CompletionTokens int64           `json:"completion_tokens"`
	CostUSD          float64         `json:"cost_usd"`
	CostUnknown      bool            `json:"cost_unknown"` // its request's, as recorded
	TTFTMillis       int64           `json:"ttft_ms,omitempty"`
	TotalMillis      int64           `json:"total_ms,omitempty"`
	Reason           string          `json:"reason,omitempty"` // why it was interrupted, or the error
	Actor            string          `json:"actor"`
	StartedAt        time.Time       `json:"started_at"`
	FinishedAt       *time.Time      `json:"finished_at,omitempty"`
	// Orphaned: the turn is still running in the log but its process has
	// ended; it shows as interrupted (Open only; Begin marks it so).
	Orphaned bool `json:"orphaned,omitempty"`
	// Proposal is what became of the change a refactor or gen turn's
	// answer proposed: its checks, whether it was written, and the
	// checkpoint of the write. nil for other turns, and for those
	// recorded before it was.
	Proposal *Proposal `json:"proposal,omitempty"`
}

func turnOf(r *db.SessionTurn) Turn {
	t := Turn{N: r.Turn, Status: r.Status, Prompt: r.Prompt, Answer: r.Answer, Provider: r.Provider, Model: r.Model,
		Node: r.Node, InteractionID: r.InteractionID, PromptTokens: r.PromptTokens, CompletionTokens: r.CompletionTokens,
		CostUSD: USD(r.CostNUSD), TTFTMillis: r.TTFTMillis, TotalMillis: r.TotalMillis, Reason: r.Error, Actor: r.Actor,
		StartedAt: r.StartedAt}
	t.Context, t.Proposal = splitContext(r.Context)
	if !r.FinishedAt.IsZero() {
		f := r.FinishedAt
		t.FinishedAt = &f
	}
	return t
}

// Info is the session as this Session last read or wrote it.
func (s *Session) Info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	return infoOf(s.shown().Session)
}

// shown is the state whose totals Info and Usage show: st, or as reaped
// when the session was opened to look at.
func (s *Session) shown() *state {
	if s.totals != nil {
		return s.totals
	}
	return s.st
}

// Usage is what the session spent, by provider and model.
func (s *Session) Usage() []Usage {
	s.mu.Lock()
	defer s.mu.Unlock()
	usage := s.shown().Usage
	out := make([]Usage, 0, len(usage))
	for _, u := range usage {
		out = append(out, Usage{Provider: u.Provider, Model: u.Model, Turns: u.Turns, PromptTokens: u.PromptTokens,
			CompletionTokens: u.CompletionTokens, CostUSD: USD(u.CostNUSD)})
	}
	return out
}

// Turns returns the session's turns numbered from..to (inclusive; to <= 0
// means to the last), in order. Running turns whose process has ended
// show as interrupted.
func (s *Session) Turns(ctx context.Context, from, to int64) []Turn {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := int64(len(s.st.Turns))
	if to <= 0 || to > n {
		to = n
	}
	from = max(from, 1)
	if from > to {
		return []Turn{}
	}
	out := make([]Turn, 0, to-from+1)
	var orphans []*db.SessionTurn
	for i := from - 1; i < to; i++ {
		tr := &s.st.Turns[i]
		t := turnOf(tr)
		if tr.Status == db.TurnRunning && !s.svc.alive(ctx, tr) {
			t.Status, t.Reason, t.Orphaned = db.TurnInterrupted, orphanReason(tr), true
			orphans = append(orphans, tr)
		}
		out = append(out, t)
	}
	// An orphaned turn whose request's record ended shows as reap will
	// end it (recordedEnds).
	for n, in := range s.svc.recordedEnds(ctx, s.st, orphans) {
		i := n - from
		out[i] = turnFromRecord(out[i], s.svc.endFromRecord(ctx, n, in), in.FinishedAt)
	}
	s.svc.markUnknownCosts(ctx, s.st.Session.ID, out)
	return out
}

// Last returns the session's last n turns (see Turns).
func (s *Session) Last(ctx context.Context, n int64) []Turn {
	s.mu.Lock()
	total := int64(len(s.st.Turns))
	s.mu.Unlock()
	return s.Turns(ctx, total-n+1, total)
}

// History is the conversation so far as messages to send before a new
// prompt: the prompt and answer of each completed turn, and of each
// interrupted one that got part of an answer (the user saw it). Failed
// turns and turns still running are left out.
func (s *Session) History() []providers.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []providers.Message{}
	for i := range s.st.Turns {
		if m, ok := exchange(&s.st.Turns[i]); ok {
			out = append(out, m[0], m[1])
		}
	}
	return out
}

// HistoryWithin is History cut to the most recent turns whose messages
// fit in budget tokens as count counts them (4 tokens more per message
// for the chat format), and how many turns that is.
func (s *Session) HistoryWithin(budget int, count func(string) int) ([]providers.Message, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var picked [][2]providers.Message
	used := 0
	for i := len(s.st.Turns) - 1; i >= 0; i-- {
		m, ok := exchange(&s.st.Turns[i])
		if !ok {
			continue
		}
		cost := count(m[0].Content) + count(m[1].Content) + 2*messageOverhead
		if used+cost > budget {
			break
		}
		used += cost
		picked = append(picked, m)
	}
	out := make([]providers.Message, 0, 2*len(picked))
	for i := len(picked) - 1; i >= 0; i-- {
		out = append(out, picked[i][0], picked[i][1])
	}
	return out, len(picked)
}

// messageOverhead is what a chat format adds per message, in tokens.
const messageOverhead = 4

func exchange(tr *db.SessionTurn) ([2]providers.Message, bool) {
	if tr.Status != db.TurnCompleted && (tr.Status != db.TurnInterrupted || tr.Answer == "") {
		return [2]providers.Message{}, false
	}
	return [2]providers.Message{
		{Role: providers.RoleUser, Content: tr.Prompt},
		{Role: providers.RoleAssistant, Content: tr.Answer},
	}, true
}

// WithHistory puts history into a rendered prompt: after its leading
// system messages, before the rest (the new question, with its code).
func WithHistory(history, prompt []providers.Message) []providers.Message {
	i := 0
	for i < len(prompt) && prompt[i].Role == providers.RoleSystem {
		i++
	}
	out := make([]providers.Message, 0, len(history)+len(prompt))
	out = append(out, prompt[:i]...)
	out = append(out, history...)
	return append(out, prompt[i:]...)
}

// Exchanges is how many of d's turns a later question in the session
// would carry as its history if the window had room for them all: those
// answered (in full, or in part before an interruption), as
// HistoryWithin picks them.
func (d Document) Exchanges() int {
	n := 0
	for _, t := range d.Turns {
		if t.Status == db.TurnCompleted || t.Status == db.TurnInterrupted && t.Answer != "" {
			n++
		}
	}
	return n
}
