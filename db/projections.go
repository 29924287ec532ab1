package db

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The session projections (migration 0008): rows app/session folds its
// event streams into. The same statements write them live (one session's
// rows, in the transaction of its events) and on replay (every session's,
// in bulk), so that both write the same bytes.

// Session statuses.
const (
	SessionActive   = "active"
	SessionArchived = "archived"
)

// SessionRow is one row of sessions.
type SessionRow struct {
	ID               string    `json:"id"`
	Project          string    `json:"project"`
	Title            string    `json:"title"`
	Status           string    `json:"status"`
	Version          int64     `json:"version"`
	Turns            int64     `json:"turns"`
	PromptTokens     int64     `json:"prompt_tokens"`
	CompletionTokens int64     `json:"completion_tokens"`
	CostNUSD         int64     `json:"cost_nusd"`
	Provider         string    `json:"provider"`
	Model            string    `json:"model"`
	Actor            string    `json:"actor"`
	Node             string    `json:"node"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// Turn statuses.
const (
	TurnRunning     = "running"
	TurnCompleted   = "completed"
	TurnInterrupted = "interrupted"
	TurnFailed      = "failed"
)

// SessionTurn is one row of session_turns.
type SessionTurn struct {
	SessionID        string    `json:"session_id"`
	Turn             int64     `json:"turn"`
	Status           string    `json:"status"`
	Prompt           string    `json:"prompt"`
	Answer           string    `json:"answer"`
	Provider         string    `json:"provider"`
	Model            string    `json:"model"`
	Node             string    `json:"node"`
	InteractionID    string    `json:"interaction_id"`
	Context          string    `json:"context"` // JSON; "" if none
	PromptTokens     int64     `json:"prompt_tokens"`
	CompletionTokens int64     `json:"completion_tokens"`
	CostNUSD         int64     `json:"cost_nusd"`
	TTFTMillis       int64     `json:"ttft_ms"`
	TotalMillis      int64     `json:"total_ms"`
	Error            string    `json:"error"`
	Owner            string    `json:"owner"`
	Key              string    `json:"key"`
	Actor            string    `json:"actor"`
	StartedAt        time.Time `json:"started_at"`
	FinishedAt       time.Time `json:"finished_at"` // zero while running
}

// SessionUsage is one row of session_usage.
type SessionUsage struct {
	SessionID        string `json:"session_id"`
	Provider         string `json:"provider"`
	Model            string `json:"model"`
	Turns            int64  `json:"turns"`
	PromptTokens     int64  `json:"prompt_tokens"`
	CompletionTokens int64  `json:"completion_tokens"`
	CostNUSD         int64  `json:"cost_nusd"`
}

// UpsertSessionsStmts writes rows (insert or replace).
func UpsertSessionsStmts(rows []SessionRow) []Statement {
	return valuesStmts(rows, `INSERT OR REPLACE INTO sessions (id, project, title, status, version, turns, prompt_tokens,
		completion_tokens, cost_nusd, provider, model, actor, node, created_at, updated_at) VALUES `,
		func(b *sqlValues, r SessionRow) {
			b.str(r.ID).str(r.Project).str(r.Title).str(r.Status).int(r.Version).int(r.Turns).int(r.PromptTokens).
				int(r.CompletionTokens).int(r.CostNUSD).str(r.Provider).str(r.Model).str(r.Actor).str(r.Node).
				int(r.CreatedAt.UnixMilli()).int(r.UpdatedAt.UnixMilli())
		})
}

// UpsertSessionTurnsStmts writes rows (insert or replace).
func UpsertSessionTurnsStmts(rows []SessionTurn) []Statement {
	return UpsertSessionTurnsFromEventsStmts(rows, nil)
}

// TextRef says where a turn row's texts can be copied from rather than
// carried. A span (Event > 0) is copied byte for byte; otherwise the
// prompt or answer is the JSON string at PromptPath or AnswerPath of the
// payload of PromptEvent or AnswerEvent (->>). An event of 0 everywhere
// (or a nil TextRef) means the row's own text is written.
type TextRef struct {
	PromptEvent, AnswerEvent int64
	PromptPath, AnswerPath   string
	// PromptSpan, AnswerSpan, ContextSpan: where in an event's payload
	// the row's text is. SQLite reads a span alone (->> on a path parses
	// the whole payload), and the context — usually the largest column
	// of a turn — then does not travel either.
	PromptSpan, AnswerSpan, ContextSpan PayloadSpan
}

// PayloadSpan is Len bytes of the stored payload of event Event, from
// byte Off (0 is the first byte): the text itself, or, if JSON, a JSON
// string (quotes included) whose value the text is, as SQLite's ->> '$'
// reads it. Event 0: no span.
type PayloadSpan struct {
	Event    int64
	Off, Len int
	JSON     bool
}

// UpsertSessionTurnsFromEventsStmts writes rows (insert or replace),
// copying each row's prompt, answer and context from the events refs[i]
// names rather than carrying them: a replay rewrites every turn of every
// session, and that text is in the events table of every node already.
// The caller vouches that the spans and paths name exactly the row's text
// (see app/session's textSpan).
func UpsertSessionTurnsFromEventsStmts(rows []SessionTurn, refs []*TextRef) []Statement {
	i := 0
	// The VALUES rows hold literals only (a scalar subquery in each would be
	// compiled once per row); the SELECT copies from the events of the rows
	// that name one. Each copied text is three columns (see sqlValues.text):
	// event, offset, and length, path or literal.
	return valuesStmts(rows, `INSERT OR REPLACE INTO session_turns (session_id, turn, status, prompt, answer, provider,
		model, node, interaction_id, context, prompt_tokens, completion_tokens, cost_nusd, ttft_ms, total_ms, error, owner,
		key, actor, started_at, finished_at)
		SELECT column1, column2, column3, `+copiedText(4)+`, `+copiedText(7)+`,
			column10, column11, column12, column13, `+copiedText(14)+`, column17, column18, column19, column20, column21,
			column22, column23, column24, column25, column26, column27
		FROM (VALUES `,
		func(b *sqlValues, r SessionTurn) {
			ref := &TextRef{}
			if i < len(refs) && refs[i] != nil {
				ref = refs[i]
			}
			i++
			b.str(r.SessionID).int(r.Turn).str(r.Status)
			b.text(ref.PromptSpan, ref.PromptEvent, ref.PromptPath, r.Prompt)
			b.text(ref.AnswerSpan, ref.AnswerEvent, ref.AnswerPath, r.Answer)
			b.str(r.Provider).str(r.Model).str(r.Node).str(r.InteractionID)
			b.text(ref.ContextSpan, 0, "", r.Context)
			b.int(r.PromptTokens).int(r.CompletionTokens).int(r.CostNUSD).int(r.TTFTMillis).int(r.TotalMillis).
				str(r.Error).str(r.Owner).str(r.Key).str(r.Actor).int(r.StartedAt.UnixMilli()).
				int(unixMilliOrZero(r.FinishedAt))
		}, ")")
}

// copiedText is the expression of a text written by sqlValues.text in the
// VALUES columns n, n+1, n+2 (event, offset, value). With an event and an
// offset (1-based): the bytes of its payload from offset, value bytes
// long, or, if value is negative, the JSON string -value bytes long there,
// unescaped. With an event alone: the JSON string at path value of its
// payload. Else value itself.
func copiedText(n int) string {
	e, o, v := fmt.Sprint("column", n), fmt.Sprint("column", n+1), fmt.Sprint("column", n+2)
	return `CASE WHEN ` + e + ` > 0 THEN (SELECT CASE WHEN ` + o + ` = 0 THEN e.payload ->> ` + v + `
			WHEN ` + v + ` >= 0 THEN CAST(substr(CAST(e.payload AS BLOB), ` + o + `, ` + v + `) AS TEXT)
			ELSE CAST(substr(CAST(e.payload AS BLOB), ` + o + `, -` + v + `) AS TEXT) ->> '$' END
		FROM events e WHERE e.id = ` + e + `) ELSE ` + v + ` END`
}

// UpsertSessionUsageStmts writes rows (insert or replace).
func UpsertSessionUsageStmts(rows []SessionUsage) []Statement {
	return valuesStmts(rows, `INSERT OR REPLACE INTO session_usage (session_id, provider, model, turns, prompt_tokens,
		completion_tokens, cost_nusd) VALUES `,
		func(b *sqlValues, r SessionUsage) {
			b.str(r.SessionID).str(r.Provider).str(r.Model).int(r.Turns).int(r.PromptTokens).int(r.CompletionTokens).
				int(r.CostNUSD)
		})
}

// Bulk rows travel as SQL literals: `INSERT … VALUES (…), (…)`. SQLite's
// tokenizer reads a literal for a fraction of what a bound parameter costs
// (each is a protobuf message every node decodes) or a value extracted
// from a JSON argument (json_each and ->> parse the row's JSON for each
// column): for 50,000 turns, 0.3 s against 1.1–1.5 s. Only integers and
// strings are written, and strings are quoted by sqlValues.str alone.

// valuesChunk bounds a statement: rows, and bytes of SQL.
const (
	valuesChunk      = 2000
	valuesChunkBytes = 4 << 20
)

// valuesStmts is rows as INSERT statements beginning with head and ending
// with tail, each row written by row.
func valuesStmts[T any](rows []T, head string, row func(*sqlValues, T), tail ...string) []Statement {
	var out []Statement
	var b sqlValues
	n := 0
	flush := func() {
		if n > 0 {
			for _, t := range tail {
				b.WriteString(t)
			}
			out = append(out, Stmt(b.String()))
		}
		b.Reset()
		n = 0
	}
	for _, r := range rows {
		if n == 0 {
			b.WriteString(head)
		} else {
			b.WriteString(",\n")
		}
		b.WriteByte('(')
		b.first = true
		row(&b, r)
		b.WriteByte(')')
		if n++; n == valuesChunk || b.Len() >= valuesChunkBytes {
			flush()
		}
	}
	flush()
	return out
}

// sqlValues writes the values of a row as SQL literals.
type sqlValues struct {
	strings.Builder
	first bool
}

func (b *sqlValues) sep() {
	if !b.first {
		b.WriteByte(',')
	}
	b.first = false
}

func (b *sqlValues) int(v int64) *sqlValues {
	b.sep()
	var buf [20]byte
	b.Write(strconv.AppendInt(buf[:0], v, 10))
	return b
}

// text writes the three columns copiedText reads: the span if it names
// an event (a JSON string's length negated); else event and path if
// event > 0; else the value itself.
func (b *sqlValues) text(span PayloadSpan, event int64, path, value string) {
	switch {
	case span.Event > 0 && span.JSON:
		b.int(span.Event).int(int64(span.Off) + 1).int(-int64(span.Len))
	case span.Event > 0:
		b.int(span.Event).int(int64(span.Off) + 1).int(int64(span.Len))
	case event > 0:
		b.int(event).int(0).str(path)
	default:
		b.int(0).int(0).str(value)
	}
}

// str writes s as a string literal: quoted, with its quotes doubled. A
// string SQLite or protobuf could not carry as SQL text (a NUL byte, which
// ends a C string; invalid UTF-8, which protobuf refuses) is written as a
// blob cast to text, with the same bytes.
func (b *sqlValues) str(s string) *sqlValues {
	b.sep()
	if strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) {
		b.WriteString("CAST(X'")
		b.WriteString(hex.EncodeToString([]byte(s)))
		b.WriteString("' AS TEXT)")
		return b
	}
	b.WriteByte('\'')
	for {
		i := strings.IndexByte(s, '\'')
		if i < 0 {
			break
		}
		b.WriteString(s[:i+1])
		b.WriteByte('\'')
		s = s[i+1:]
	}
	b.WriteString(s)
	b.WriteByte('\'')
	return b
}

func unixMilliOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// DeleteSessionTurnsStmt removes a session's turns (it was archived).
func DeleteSessionTurnsStmt(id string) Statement {
	return Stmt(`DELETE FROM session_turns WHERE session_id = ?`, id)
}

// DeleteSessionStmts remove every projection row of a session (it was
// removed).
func DeleteSessionStmts(id string) []Statement {
	return []Statement{
		Stmt(`DELETE FROM sessions WHERE id = ?`, id),
		Stmt(`DELETE FROM session_turns WHERE session_id = ?`, id),
		Stmt(`DELETE FROM session_usage WHERE session_id = ?`, id),
	}
}

// ClearSessionsStmts empty the session projections (replay).
func ClearSessionsStmts() []Statement {
	return []Statement{Stmt(`DELETE FROM sessions`), Stmt(`DELETE FROM session_turns`), Stmt(`DELETE FROM session_usage`)}
}

const sessionColumns = `id, project, title, status, version, turns, prompt_tokens, completion_tokens, cost_nusd,
	provider, model, actor, node, created_at, updated_at`

func scanSession(r []any) SessionRow {
	return SessionRow{
		ID: asString(r[0]), Project: asString(r[1]), Title: asString(r[2]), Status: asString(r[3]),
		Version: asInt(r[4]), Turns: asInt(r[5]), PromptTokens: asInt(r[6]), CompletionTokens: asInt(r[7]),
		CostNUSD: asInt(r[8]), Provider: asString(r[9]), Model: asString(r[10]), Actor: asString(r[11]),
		Node: asString(r[12]), CreatedAt: utcMilli(r[13]), UpdatedAt: utcMilli(r[14]),
	}
}

func utcMilli(v any) time.Time {
	ms := asInt(v)
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// Session returns one session's row; ok is false if there is none.
func (s *Store) Session(ctx context.Context, id string) (row SessionRow, ok bool, err error) {
	rows, err := s.Query(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = ?`, id)
	if err != nil {
		return row, false, fmt.Errorf("db: session: %w", err)
	}
	if len(rows.Values) == 0 {
		return row, false, nil
	}
	return scanSession(rows.Values[0]), true, nil
}

// SessionFilter selects sessions for Sessions.
type SessionFilter struct {
	Project  string // "" means every project
	IDPrefix string // "" means any id
	Archived bool   // include archived sessions
	Limit    int    // <= 0 means all
}

// Sessions lists sessions, most recently updated first.
func (s *Store) Sessions(ctx context.Context, f SessionFilter) ([]SessionRow, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	lo, hi := PrefixRange(f.IDPrefix)
	rows, err := s.Query(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE (? = '' OR project = ?) AND id >= ? AND id < ? AND (? OR status = 'active')
		ORDER BY updated_at DESC, id DESC LIMIT ?`, f.Project, f.Project, lo, hi, f.Archived, limit)
	if err != nil {
		return nil, fmt.Errorf("db: sessions: %w", err)
	}
	out := make([]SessionRow, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, scanSession(r))
	}
	return out, nil
}

const turnColumns = `session_id, turn, status, prompt, answer, provider, model, node, interaction_id, context,
	prompt_tokens, completion_tokens, cost_nusd, ttft_ms, total_ms, error, owner, key, actor, started_at, finished_at`

// SessionTurns returns a session's turns numbered from..to (inclusive; to
// <= 0 means to the last), in order.
func (s *Store) SessionTurns(ctx context.Context, id string, from, to int64) ([]SessionTurn, error) {
	if to <= 0 {
		to = 1<<62 - 1
	}
	rows, err := s.Query(ctx, `SELECT `+turnColumns+` FROM session_turns WHERE session_id = ? AND turn >= ? AND turn <= ?
		ORDER BY turn`, id, from, to)
	if err != nil {
		return nil, fmt.Errorf("db: session turns: %w", err)
	}
	out := make([]SessionTurn, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, SessionTurn{
			SessionID: asString(r[0]), Turn: asInt(r[1]), Status: asString(r[2]), Prompt: asString(r[3]),
			Answer: asString(r[4]), Provider: asString(r[5]), Model: asString(r[6]), Node: asString(r[7]),
			InteractionID: asString(r[8]), Context: asString(r[9]), PromptTokens: asInt(r[10]),
			CompletionTokens: asInt(r[11]), CostNUSD: asInt(r[12]), TTFTMillis: asInt(r[13]), TotalMillis: asInt(r[14]),
			Error: asString(r[15]), Owner: asString(r[16]), Key: asString(r[17]), Actor: asString(r[18]),
			StartedAt: utcMilli(r[19]), FinishedAt: utcMilli(r[20]),
		})
	}
	return out, nil
}

// SessionUsages returns a session's usage by provider and model.
func (s *Store) SessionUsages(ctx context.Context, id string) ([]SessionUsage, error) {
	rows, err := s.Query(ctx, `SELECT session_id, provider, model, turns, prompt_tokens, completion_tokens, cost_nusd
		FROM session_usage WHERE session_id = ? ORDER BY provider, model`, id)
	if err != nil {
		return nil, fmt.Errorf("db: session usage: %w", err)
	}
	out := make([]SessionUsage, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, SessionUsage{SessionID: asString(r[0]), Provider: asString(r[1]), Model: asString(r[2]),
			Turns: asInt(r[3]), PromptTokens: asInt(r[4]), CompletionTokens: asInt(r[5]), CostNUSD: asInt(r[6])})
	}
	return out, nil
}
