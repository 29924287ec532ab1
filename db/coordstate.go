package db

import (
	"context"
	"fmt"
	"time"
)

// RouteRecord is what the coordinator learns from one finished request:
// when it started and ended, its strategy and every attempt of its route.
// An attempt that reached the provider took some time (Attempt.Millis > 0);
// a target passed over without a request (breaker open, rate limit, spend
// cap, a failed model listing) is recorded with 0.
type RouteRecord struct {
	StartedAt  time.Time
	FinishedAt *time.Time
	Strategy   string
	Route      []Attempt
}

// RecentRoutesSQL is the query of RecentRoutes (arguments: node, since,
// limit). The index llm_interaction_route (migrations/0015_route_index.sql)
// answers it alone: the four columns lie after the prompt and the answer in
// a row, and reaching them from the table reads all of a large row's
// overflow pages.
const RecentRoutesSQL = `SELECT started_at, finished_at, strategy, route FROM llm_interaction
	WHERE node = ? AND started_at >= ? AND status != 'running'
	ORDER BY started_at DESC, rowid DESC LIMIT ?`

// RecentRoutes returns the finished requests node started at or after
// since, newest first, at most limit of them. A coordinator in a new
// process starts from them: its breakers, rate limits, latencies and
// round-robin turn carry on from the requests earlier processes made.
func (s *Store) RecentRoutes(ctx context.Context, node string, since time.Time, limit int) ([]RouteRecord, error) {
	rows, err := s.Query(ctx, RecentRoutesSQL, node, since, limit)
	if err != nil {
		return nil, fmt.Errorf("db: recent routes: %w", err)
	}
	out := make([]RouteRecord, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, RouteRecord{
			StartedAt: time.UnixMilli(asInt(r[0])), FinishedAt: asTimePtr(r[1]),
			Strategy: asString(r[2]), Route: asRoute(r[3]),
		})
	}
	return out, nil
}

// LastRouteStart is the provider the latest finished request of node with
// strategy tried first, looked for among node's latest among requests; ""
// when there is none. Each request looked at costs the read of its row
// (prompt and answer included), hence the bound.
func (s *Store) LastRouteStart(ctx context.Context, node, strategy string, among int) (string, error) {
	rows, err := s.Query(ctx, `SELECT json_extract(route, '$[0].provider') FROM (
			SELECT route, strategy, status, started_at, rowid AS r FROM llm_interaction WHERE node = ?
			ORDER BY started_at DESC, rowid DESC LIMIT ?)
		WHERE strategy = ? AND status != 'running' ORDER BY started_at DESC, r DESC LIMIT 1`, node, among, strategy)
	if err != nil {
		return "", fmt.Errorf("db: last route start: %w", err)
	}
	if len(rows.Values) == 0 {
		return "", nil
	}
	return asString(rows.Values[0][0]), nil
}
