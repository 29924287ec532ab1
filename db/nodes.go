package db

import (
	"context"
	"fmt"
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

// Nodes lists the known nodes.
func (s *Store) Nodes(ctx context.Context) ([]Node, error) {
	rows, err := s.Query(ctx, `SELECT id, name, addr, version, started_at, last_seen FROM nodes ORDER BY id`)
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
		})
	}
	return out, nil
}
