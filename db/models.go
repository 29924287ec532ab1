package db

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// NodeModel is one row of models: a model a node's local server hosts.
type NodeModel struct {
	Node          string    `json:"node"`
	Provider      string    `json:"provider"`
	Kind          string    `json:"kind"`
	Model         string    `json:"model"`
	ContextWindow int       `json:"context_window"`
	Loaded        bool      `json:"loaded"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// ReplaceNodeModelsStmts replaces everything node publishes with ms, in
// one transaction when executed together.
func ReplaceNodeModelsStmts(node string, ms []NodeModel, now time.Time) []Statement {
	rows := make([][]any, len(ms))
	for i, m := range ms {
		rows[i] = []any{m.Provider, m.Kind, m.Model, m.ContextWindow, bit(m.Loaded)}
	}
	b, _ := json.Marshal(rows)
	return []Statement{
		Stmt(`DELETE FROM models WHERE node = ?`, node),
		Stmt(`INSERT INTO models (node, provider, kind, model, context_window, loaded, updated_at)
			SELECT ?1, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, ?2 FROM json_each(?3)`,
			node, now, string(b)),
	}
}

// NodeModels returns every published model, by node, provider and model.
func (s *Store) NodeModels(ctx context.Context) ([]NodeModel, error) {
	rows, err := s.Query(ctx, `SELECT node, provider, kind, model, context_window, loaded, updated_at
		FROM models ORDER BY node, provider, model`)
	if err != nil {
		return nil, fmt.Errorf("db: node models: %w", err)
	}
	out := make([]NodeModel, len(rows.Values))
	for i, r := range rows.Values {
		out[i] = NodeModel{Node: asString(r[0]), Provider: asString(r[1]), Kind: asString(r[2]), Model: asString(r[3]),
			ContextWindow: int(asInt(r[4])), Loaded: asInt(r[5]) != 0, UpdatedAt: time.UnixMilli(asInt(r[6]))}
	}
	return out, nil
}
