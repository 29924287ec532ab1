package db

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Node is one row of the nodes table.
type Node struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Addr      string    `json:"addr"`
	Version   string    `json:"version"`
	StartedAt time.Time `json:"started_at"`
	LastSeen  time.Time `json:"last_seen"`
	// Providers are the names of the cloud providers the node configures
	// (the node_providers table, NodeProvidersStmts), sorted: the nodes
	// that configure one share its rate limits.
	Providers []string `json:"providers,omitempty"`
}

// UpsertNodeStmt records n as seen now. StartedAt is when n's current
// process started, so a restart overwrites it.
func UpsertNodeStmt(n *Node) Statement {
	return Stmt(`INSERT INTO nodes (id, name, addr, version, started_at, last_seen)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, addr = excluded.addr,
			version = excluded.version, started_at = excluded.started_at, last_seen = excluded.last_seen`,
		n.ID, n.Name, n.Addr, n.Version, n.StartedAt, n.LastSeen)
}

// NodeProvidersStmts replace the names of the cloud providers node
// configures (Node.Providers) with names.
func NodeProvidersStmts(node string, names []string) []Statement {
	stmts := []Statement{Stmt(`DELETE FROM node_providers WHERE node = ?`, node)}
	for _, p := range names {
		stmts = append(stmts, Stmt(`INSERT OR IGNORE INTO node_providers (node, provider) VALUES (?, ?)`, node, p))
	}
	return stmts
}

// Nodes lists the known nodes.
func (s *Store) Nodes(ctx context.Context) ([]Node, error) {
	rows, err := s.Query(ctx, `SELECT id, name, addr, version, started_at, last_seen,
		COALESCE((SELECT group_concat(provider, ',') FROM (SELECT provider FROM node_providers p WHERE p.node = nodes.id ORDER BY provider)), '')
		FROM nodes ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("db: nodes: %w", err)
	}
	out := make([]Node, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, Node{
			ID:        asString(r[0]),
			Name:      asString(r[1]),
			Addr:      asString(r[2]),
			Version:   asString(r[3]),
			StartedAt: time.UnixMilli(asInt(r[4])),
			LastSeen:  time.UnixMilli(asInt(r[5])),
			Providers: splitNames(asString(r[6])),
		})
	}
	return out, nil
}

// splitNames splits a comma-separated list of names (a provider's name is
// letters, digits, - and _); "" is none.
func splitNames(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
