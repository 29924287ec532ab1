package db

import (
	"context"
	"fmt"
	"time"
)

// A request is recorded running when it starts and finished by the
// process that made it. A process that dies first leaves it running; its
// node's next process marks it interrupted when it opens the store
// (InterruptRunningStmt). A node removed from the cluster has no next
// process: its requests would stay running on every node for good. They
// are taken for interrupted here, by the same rule session turns follow
// (app/session: a turn's owner that is gone has ended it), with "gone"
// meaning gone for good: the node was a member of the cluster — it is in
// the nodes table, where every node records itself when it opens the
// store, before it makes any request — and the cluster's configuration
// does not hold it any more. A node that is merely down keeps its
// requests running until it comes back and ends them itself.

// goneReason is the error recorded for a request whose node was removed.
func goneReason(node string) string {
	return fmt.Sprintf("node %s was removed from the cluster before the request finished", node)
}

// removedNodes returns, of the nodes that recorded themselves in the
// nodes table, those the cluster's configuration as this node has it
// does not hold. Raft takes a configuration when it is appended to the
// log, before it is applied, so the configuration is never older than
// the rows read from SQLite before it: a node whose row and requests
// were read joined before that configuration, and was removed since if
// it is not in it. nil when the configuration cannot be read, or does
// not hold this node (not bootstrapped, or this node was removed): then
// nothing is known of the others.
func (s *Store) removedNodes(ctx context.Context) (map[string]bool, error) {
	known, err := s.Nodes(ctx)
	if err != nil {
		return nil, err
	}
	config, err := s.str.Nodes()
	if err != nil {
		return nil, nil
	}
	members := make(map[string]bool, len(config))
	for _, n := range config {
		members[n.ID] = true
	}
	if !members[s.id] {
		return nil, nil
	}
	var out map[string]bool
	for _, n := range known {
		if !members[n.ID] {
			if out == nil {
				out = map[string]bool{}
			}
			out[n.ID] = true
		}
	}
	return out, nil
}

// RemovedNodes returns the IDs of the nodes removed from the cluster, as
// removedNodes says: nodes it knew (their rows) that its configuration no
// longer holds; none when that cannot be told.
func (s *Store) RemovedNodes(ctx context.Context) (map[string]bool, error) {
	return s.removedNodes(ctx)
}

// markGone shows as interrupted each running interaction of ins whose
// node was removed from the cluster, and returns them.
func (s *Store) markGone(ctx context.Context, ins []Interaction) []*Interaction {
	var gone []*Interaction
	var removed map[string]bool
	for i := range ins {
		in := &ins[i]
		if in.Status != StatusRunning {
			continue
		}
		if removed == nil {
			var err error
			if removed, err = s.removedNodes(ctx); err != nil || removed == nil {
				return nil // cannot tell: leave them as they are
			}
		}
		if removed[in.Node] {
			in.Status, in.ErrorKind, in.Error = StatusInterrupted, StatusInterrupted, goneReason(in.Node)
			if in.PromptTokens == 0 {
				in.PromptTokens = in.PromptEstimate // as interruptGoneStmts writes it
			}
			gone = append(gone, in)
		}
	}
	return gone
}

// interruptGoneStmts marks the interactions ins interrupted, each if it is
// still running. As InterruptRunningStmt does for a request its own node
// left running, each is charged its prompt's estimate (its cost was
// recorded at its start): the prompt was sent, a cloud provider bills it,
// and usage and the spend caps must count it.
func interruptGoneStmts(ins []*Interaction) []Statement {
	stmts := make([]Statement, 0, 2*len(ins))
	now := time.Now()
	for _, in := range ins {
		stmts = append(stmts, interruptedEventsStmt(now, `id = ?`, in.ID), Stmt(`UPDATE llm_interaction SET status = ?, error_kind = ?, error = ?,
			prompt_tokens = CASE WHEN prompt_tokens = 0 THEN prompt_estimate ELSE prompt_tokens END
			WHERE id = ? AND status = 'running'`, StatusInterrupted, StatusInterrupted, goneReason(in.Node), in.ID))
	}
	return stmts
}

// The event the coordinator appends to stream "llm" when a request ends
// (app/coord: EventStream, EventType). A request marked interrupted
// because its process or its node is gone gets one too, written with the
// mark, so that whoever follows the stream learns of every request's end.
const (
	llmStream      = "llm"
	llmFinished    = "llm.interaction.finished"
	interruptActor = "node" // the node itself, not a user's command
)

// interruptedEventsStmt appends, for each interaction the condition where
// (over llm_interaction) selects that is still running, its end as the
// coordinator's event tells one, as the statement that follows it in the
// transaction marks it: interrupted, charged its prompt's estimate, no
// answer. Several are numbered in the order the requests started. It
// must come before that statement, which makes them no longer running.
func interruptedEventsStmt(now time.Time, where string, args ...any) Statement {
	all := append([]any{llmStream, llmStream, llmFinished, StatusInterrupted, StatusInterrupted, interruptActor, now}, args...)
	return Stmt(`INSERT INTO events (stream, version, type, schema, payload, node, actor, ts)
		SELECT ?, (SELECT COALESCE(MAX(version), 0) FROM events WHERE stream = ?) + ROW_NUMBER() OVER (ORDER BY started_at, id), ?, 1,
			json_object('interaction_id', id, 'provider', provider, 'model', model, 'requested_model', requested_model,
				'status', ?, 'error_kind', ?, 'attempts', attempts,
				'prompt_tokens', CASE WHEN prompt_tokens = 0 THEN prompt_estimate ELSE prompt_tokens END,
				'completion_tokens', completion_tokens, 'cost_usd', cost_usd, 'ttft_ms', ttft_ms, 'total_ms', total_ms),
			node, ?, ?
		FROM llm_interaction WHERE `+where+` AND status = 'running'`, all...)
}

// InterruptRunningEventsStmt appends the "llm" event of every interaction
// of node still running, for the process that has just opened node's
// store: it goes with InterruptRunningStmt, in the same transaction and
// before it.
func InterruptRunningEventsStmt(node string, now time.Time) Statement {
	return interruptedEventsStmt(now, `node = ?`, node)
}

// RunningRequestSessions returns the sessions of the interactions of node
// still running: for the process that has just opened node's store, whose
// earlier process left them (and the session turns they answer) running.
func (s *Store) RunningRequestSessions(ctx context.Context, node string) ([]string, error) {
	// status is written out: the partial index llm_interaction_running
	// serves only a query that names it (migration 0013).
	rows, err := s.Query(ctx, `SELECT DISTINCT session_id FROM llm_interaction
		WHERE node = ? AND status = 'running' AND session_id != '' ORDER BY session_id`, node)
	if err != nil {
		return nil, fmt.Errorf("db: sessions of running requests: %w", err)
	}
	out := make([]string, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, asString(r[0]))
	}
	return out, nil
}

// goneWriteWait bounds the write with which a read of the history marks
// the requests of removed nodes: the read has its answer already.
const goneWriteWait = 2 * time.Second

// recordGone writes what markGone found, so that what counts the rows
// (usage, provider stats) counts them interrupted too. It is a read's
// side effect and the read's answer does not depend on it: without a
// leader it is given up after goneWriteWait, and the next read tries
// again.
func (s *Store) recordGone(ctx context.Context, gone []*Interaction) {
	if len(gone) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, goneWriteWait)
	defer cancel()
	if _, err := s.ExecuteIdempotent(ctx, interruptGoneStmts(gone)...); err != nil {
		s.logger.Debug("db: marking the requests of removed nodes interrupted", "requests", len(gone), "err", err)
	}
}

// InterruptGone marks interrupted every interaction still running whose
// node was removed from the cluster (see removedNodes), and returns how
// many it marked. For the node that removes another, and for the leader
// now and then; reads of the history do it as they come across them.
func (s *Store) InterruptGone(ctx context.Context) (int, error) {
	rows, err := s.Query(ctx, `SELECT id, node FROM llm_interaction WHERE status = 'running'`)
	if err != nil {
		return 0, fmt.Errorf("db: interrupt gone: %w", err)
	}
	ins := make([]Interaction, 0, len(rows.Values))
	for _, r := range rows.Values {
		ins = append(ins, Interaction{ID: asString(r[0]), Node: asString(r[1]), Status: StatusRunning})
	}
	gone := s.markGone(ctx, ins)
	if len(gone) == 0 {
		return 0, nil
	}
	if _, err := s.ExecuteIdempotent(ctx, interruptGoneStmts(gone)...); err != nil {
		return 0, fmt.Errorf("db: interrupt gone: %w", err)
	}
	return len(gone), nil
}
