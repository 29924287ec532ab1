package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Usage kinds (UsageRow.Kind): what a row of usage sums.
const (
	UsageChat  = "chat"  // requests of llm_interaction: conversations
	UsageEmbed = "embed" // requests of embed_usage: embeddings
)

// EmbedRecord is one embedding request (a row of embed_usage): a batch of
// chunks aiex index embedded, or a query a search did. Embedding requests
// are not interactions: they are kept out of llm_interaction, the history
// of conversations, and counted with it only in usage and the spend caps
// (migrations/0021_embed_usage.sql).
type EmbedRecord struct {
	ID       string `json:"id"`
	Node     string `json:"node"`
	Provider string `json:"provider"`
	Model    string `json:"model"`
	Inputs   int    `json:"inputs"` // texts embedded
	// PromptTokens is what the provider counted, or, when it sent no
	// count, an estimate (Estimated).
	PromptTokens int     `json:"prompt_tokens"`
	Estimated    bool    `json:"estimated,omitempty"`
	CostUSD      float64 `json:"cost_usd"`
	// CostUnknown says whether CostUSD leaves out tokens of a cloud model
	// no price was known for, as Interaction.CostUnknown; nil for a
	// request recorded before the store kept that.
	CostUnknown *bool     `json:"cost_unknown,omitempty"`
	Status      string    `json:"status"` // StatusOK, StatusError or StatusCancelled
	ErrorKind   string    `json:"error_kind,omitempty"`
	Error       string    `json:"error,omitempty"`
	Attempts    int       `json:"attempts"`
	Route       []Attempt `json:"route"`
	TotalMillis float64   `json:"total_ms"`
	StartedAt   time.Time `json:"started_at"`
	FinishedAt  time.Time `json:"finished_at"`
}

// RecordEmbed records an embedding request once it has ended. The insert
// ignores a row already there, so it is safe to send again to a new leader
// when the old one was lost mid-write.
func (s *Store) RecordEmbed(ctx context.Context, r *EmbedRecord) error {
	route, _ := json.Marshal(r.Route)
	if r.Route == nil {
		route = []byte("[]")
	}
	_, err := s.ExecuteIdempotent(ctx, Stmt(`INSERT INTO embed_usage
		(id, node, provider, model, inputs, prompt_tokens, estimated, cost_usd, status, error_kind, error,
		 attempts, route, total_ms, started_at, finished_at, cost_unknown)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		r.ID, r.Node, r.Provider, r.Model, r.Inputs, r.PromptTokens, r.Estimated, r.CostUSD, r.Status, r.ErrorKind, r.Error,
		r.Attempts, string(route), r.TotalMillis, r.StartedAt, r.FinishedAt, boolOrNil(r.CostUnknown)))
	if err != nil {
		return fmt.Errorf("db: record embedding request: %w", err)
	}
	return nil
}

// RecentEmbedRoutes returns the embedding requests node started at or
// after since, newest first, at most limit of them, as RecentRoutes returns
// its chat requests: a coordinator in a new process starts an embedding
// model's breaker and rate limits from them.
func (s *Store) RecentEmbedRoutes(ctx context.Context, node string, since time.Time, limit int) ([]RouteRecord, error) {
	rows, err := s.Query(ctx, `SELECT started_at, finished_at, route FROM embed_usage
		WHERE node = ? AND started_at >= ? ORDER BY started_at DESC, rowid DESC LIMIT ?`, node, since, limit)
	if err != nil {
		return nil, fmt.Errorf("db: recent embedding requests: %w", err)
	}
	out := make([]RouteRecord, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, RouteRecord{
			StartedAt: time.UnixMilli(asInt(r[0])), FinishedAt: asTimePtr(r[1]),
			Strategy: UsageEmbed, Route: asRoute(r[2]),
		})
	}
	return out, nil
}

// EmbedRecords returns the embedding requests started at or after since,
// oldest first.
func (s *Store) EmbedRecords(ctx context.Context, since time.Time) ([]EmbedRecord, error) {
	rows, err := s.Query(ctx, `SELECT id, node, provider, model, inputs, prompt_tokens, estimated, cost_usd, status,
			error_kind, error, attempts, route, total_ms, started_at, finished_at, cost_unknown
		FROM embed_usage WHERE started_at >= ? ORDER BY started_at, rowid`, since)
	if err != nil {
		return nil, fmt.Errorf("db: embedding requests: %w", err)
	}
	out := make([]EmbedRecord, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, EmbedRecord{
			ID: asString(r[0]), Node: asString(r[1]), Provider: asString(r[2]), Model: asString(r[3]),
			Inputs: int(asInt(r[4])), PromptTokens: int(asInt(r[5])), Estimated: asInt(r[6]) != 0, CostUSD: asFloat(r[7]),
			Status: asString(r[8]), ErrorKind: asString(r[9]), Error: asString(r[10]), Attempts: int(asInt(r[11])),
			Route: asRoute(r[12]), TotalMillis: asFloat(r[13]),
			StartedAt: time.UnixMilli(asInt(r[14])), FinishedAt: time.UnixMilli(asInt(r[15])),
			CostUnknown: asBoolPtr(r[16]),
		})
	}
	return out, nil
}
