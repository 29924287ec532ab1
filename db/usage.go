package db

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// SpentSince is the total cost in USD of the requests started at or after
// t: interactions and embedding requests (embed_usage), which the spend
// caps count alike.
func (s *Store) SpentSince(ctx context.Context, t time.Time) (float64, error) {
	rows, err := s.Query(ctx, `SELECT (SELECT COALESCE(SUM(cost_usd), 0) FROM llm_interaction WHERE started_at >= ?)
		+ (SELECT COALESCE(SUM(cost_usd), 0) FROM embed_usage WHERE started_at >= ?)`, t, t)
	if err != nil {
		return 0, fmt.Errorf("db: spent since: %w", err)
	}
	return asFloat(rows.Values[0][0]), nil
}

// UsageRow is the usage of one provider and model on one day.
type UsageRow struct {
	Day              string  `json:"day"` // YYYY-MM-DD, UTC
	Provider         string  `json:"provider"`
	Model            string  `json:"model"`
	Kind             string  `json:"kind"` // UsageChat or UsageEmbed
	Requests         int     `json:"requests"`
	Errors           int     `json:"errors"`
	PromptTokens     int     `json:"prompt_tokens"`
	CompletionTokens int     `json:"completion_tokens"`
	CostUSD          float64 `json:"cost_usd"`
	// Uncharged counts the requests that used tokens but were recorded as
	// costing nothing before the store kept whether their cost was known
	// (Interaction.CostUnknown, EmbedRecord.CostUnknown nil): those of a free (local) model, and
	// those of a cloud model whose price was not known when they were
	// made. What is stored cannot tell the two apart; the reader judges by
	// the provider and the prices it knows, and adds the second kind to
	// Unpriced.
	Uncharged int `json:"uncharged,omitempty"`
	// Unpriced counts the requests whose cost is unknown, which CostUSD
	// leaves out: those recorded so, to which the reader adds those of
	// Uncharged it judges so (app.MarkUnpriced).
	Unpriced int `json:"unpriced"`
}

// Usage sums the requests started at or after since by day, provider,
// model and kind — interactions (UsageChat) and embedding requests
// (UsageEmbed, embed_usage) —, newest day first. Days are UTC days, as the
// daily spend cap's (app/coord). Requests counts every request made: those
// still running (they were sent, and may be billed), and those no provider
// was sent because every one was refused (spend cap, open breaker, rate
// limit), which the user asked for all the same and which failed; Errors
// counts those that ended without an answer through no doing of the
// user's: not a running one, one the user cancelled, one whose answer could not be
// written out (a closed pipe: error_kind "output", app/coord), or one cut
// at the answer limit ("too_long": the answer was the provider's to give).
func (s *Store) Usage(ctx context.Context, since time.Time) ([]UsageRow, error) {
	rows, err := s.Query(ctx, `SELECT day, provider, model, kind, COUNT(*), SUM(failed),
			SUM(prompt_tokens), SUM(completion_tokens), SUM(cost_usd),
			SUM(cost_usd = 0 AND prompt_tokens + completion_tokens > 0 AND cost_unknown IS NULL), SUM(cost_unknown = 1)
		FROM (
			SELECT strftime('%Y-%m-%d', started_at / 1000, 'unixepoch') AS day, provider, model, 'chat' AS kind,
				CASE WHEN status IN ('ok', 'running', 'cancelled') OR error_kind IN ('output', 'too_long') THEN 0 ELSE 1 END AS failed,
				prompt_tokens, completion_tokens, cost_usd, cost_unknown
			FROM llm_interaction WHERE started_at >= ?
			UNION ALL
			SELECT strftime('%Y-%m-%d', started_at / 1000, 'unixepoch'), provider, model, 'embed',
				CASE WHEN status IN ('ok', 'cancelled') THEN 0 ELSE 1 END, prompt_tokens, 0, cost_usd, cost_unknown
			FROM embed_usage WHERE started_at >= ?)
		GROUP BY day, provider, model, kind ORDER BY day DESC, provider, model, kind`, since, since)
	if err != nil {
		return nil, fmt.Errorf("db: usage: %w", err)
	}
	out := make([]UsageRow, 0, len(rows.Values))
	for _, r := range rows.Values {
		out = append(out, UsageRow{
			Day: asString(r[0]), Provider: asString(r[1]), Model: asString(r[2]), Kind: asString(r[3]),
			Requests: int(asInt(r[4])), Errors: int(asInt(r[5])),
			PromptTokens: int(asInt(r[6])), CompletionTokens: int(asInt(r[7])), CostUSD: asFloat(r[8]),
			Uncharged: int(asInt(r[9])), Unpriced: int(asInt(r[10])),
		})
	}
	return out, nil
}

// ProviderStat is how one provider has done recently.
type ProviderStat struct {
	Provider string `json:"provider"`
	// Requests counts what was sent to the provider: every attempt of
	// every route, those that failed and were retried or failed over
	// included. Errors counts the attempts that failed.
	Requests int `json:"requests"`
	Errors   int `json:"errors"`
	// The times are the provider's own, of its attempts at chats: what
	// other providers took before it in a failed-over request was not
	// its doing. nil: no attempt to average.
	AvgTTFTms   *float64 `json:"avg_ttft_ms"`  // of the attempts that sent a first token
	AvgTotalMs  *float64 `json:"avg_total_ms"` // of the attempts that answered (outcome ok)
	LastErrKind string   `json:"last_error_kind,omitempty"`
}

// ProviderStats summarises this node's finished interactions started at or
// after since, per provider. Only this node's: a provider name is the
// node's own (another node's "ollama" is another server, which this node
// reaches as "NODE/ollama"), so the requests other nodes recorded in the
// shared store would mix another server's errors and times into this
// node's row. It counts the attempts of their routes: a provider
// that failed every attempt of a request another provider then answered
// failed that many times (counting requests by the provider that answered
// last showed it without errors). An attempt that reached the provider
// took time (Attempt.Millis > 0); a provider passed over without a request
// (breaker open, rate limit, spend cap) is not counted. A request with no
// route recorded (its process died before it ended) counts as one attempt
// of its provider. Attempts the user cancelled, or whose answer could not
// be written out, are not the provider's errors. Embedding requests'
// attempts (embed_usage) count as the provider's requests and errors too;
// the times are those of the attempts at chats alone.
//
// The times are each attempt's own (Attempt.Millis, Attempt.TTFTMillis):
// the request's total and time to first token count from its start, so
// that a provider answering after another's silent model listing would be
// charged the listing's seconds. An answering attempt recorded before
// attempts had a time to first token takes the request's.
func (s *Store) ProviderStats(ctx context.Context, since time.Time) (map[string]ProviderStat, error) {
	// One pass over the rows, each table searched by its started_at
	// index: a provider's last error is taken from the greatest key of
	// its failures, their (start, position in the route) with the outcome
	// appended, rather than by a subquery per provider.
	rows, err := s.Query(ctx, `WITH attempts AS (
			SELECT provider, outcome, at, k, ms, ttft,
				outcome NOT IN ('ok', 'cancelled', 'output', 'too_long') AS failed
			FROM (
				SELECT json_extract(a.value, '$.provider') AS provider, json_extract(a.value, '$.outcome') AS outcome,
					i.started_at AS at, a.key AS k, json_extract(a.value, '$.ms') AS ms,
					CASE WHEN json_extract(a.value, '$.ttft_ms') > 0 THEN json_extract(a.value, '$.ttft_ms')
						WHEN json_extract(a.value, '$.outcome') = 'ok' AND i.status = 'ok' THEN i.ttft_ms END AS ttft
				FROM llm_interaction i, json_each(i.route) a
				WHERE i.node = ? AND i.started_at >= ? AND i.status != 'running' AND json_extract(a.value, '$.ms') > 0
				UNION ALL
				SELECT provider, CASE WHEN status = 'ok' THEN 'ok' ELSE COALESCE(NULLIF(error_kind, ''), status) END, started_at, 0,
					CASE WHEN status = 'ok' THEN total_ms END, CASE WHEN status = 'ok' THEN ttft_ms END
				FROM llm_interaction WHERE node = ? AND started_at >= ? AND status != 'running' AND json_array_length(route) = 0
				UNION ALL
				SELECT json_extract(a.value, '$.provider'), json_extract(a.value, '$.outcome'), e.started_at, a.key, NULL, NULL
				FROM embed_usage e, json_each(e.route) a
				WHERE e.node = ? AND e.started_at >= ? AND json_extract(a.value, '$.ms') > 0)
		)
		SELECT provider, COUNT(*), SUM(failed), AVG(CASE WHEN outcome = 'ok' THEN ms END), AVG(ttft),
			substr(MAX(CASE WHEN failed THEN printf('%015d%05d', at, k) || outcome END), 21)
		FROM attempts GROUP BY provider`, s.id, since, s.id, since, s.id, since)
	if err != nil {
		return nil, fmt.Errorf("db: provider stats: %w", err)
	}
	out := make(map[string]ProviderStat, len(rows.Values))
	for _, r := range rows.Values {
		p := ProviderStat{
			Provider: asString(r[0]), Requests: int(asInt(r[1])), Errors: int(asInt(r[2])),
			AvgTotalMs: asFloatPtr(r[3]), AvgTTFTms: asFloatPtr(r[4]), LastErrKind: asString(r[5]),
		}
		out[p.Provider] = p
	}
	return out, nil
}

// PromptTokenRatio is how many more tokens a model counted in its recent
// prompts than the estimate the coordinator recorded: the highest ratio of
// the last 20 finished requests to provider and model that have both
// counts, or 0 when there are none. A request matches model by the model it
// asked for as well as by the one that answered, so a model configured by
// an alias the provider answers with a dated ID finds its own requests,
// and with and without Ollama's default tag (tiny is tiny:latest).
//
// window, when not 0, is the model's context window. A prompt the model
// counted at the whole window or more was most likely cut by its server
// (Ollama cuts an overlong prompt without a word and reports the tokens it
// kept), so its ratio is only a floor of the real one: fitting the next
// prompt by it would have that cut too. When such a floor is the highest
// ratio and no prompt fitted after it, the ratio returned is the floor
// times cutGrowth, so that the next prompt fits in one more request
// rather than in several. Once a prompt has fitted after it, the growth
// did its work and the floor counts as it is: raised for all of the last
// 20 requests it would keep a model whose real ratio was just above the
// floor to two thirds of its window long after. A prompt that fits
// teaches the real ratio, which wins as soon as it is the higher.
func (s *Store) PromptTokenRatio(ctx context.Context, provider, model string, window int) (float64, error) {
	alt := model + ":latest"
	if m, ok := strings.CutSuffix(model, ":latest"); ok {
		alt = m
	}
	rows, err := s.Query(ctx, `SELECT prompt_tokens, prompt_tokens * 1.0 / prompt_estimate
		FROM llm_interaction WHERE provider = ? AND (model IN (?, ?) OR requested_model IN (?, ?))
			AND prompt_estimate > 0 AND prompt_tokens > 0
		ORDER BY started_at DESC LIMIT 20`, provider, model, alt, model, alt)
	if err != nil {
		return 0, fmt.Errorf("db: prompt token ratio: %w", err)
	}
	var exact, floor float64
	fitted := false // a prompt fitted after the rows seen so far (newest first)
	for _, r := range rows.Values {
		n, ratio := asInt(r[0]), asFloat(r[1])
		if window <= 0 || n < int64(window) {
			exact, fitted = max(exact, ratio), true
			continue
		}
		if !fitted {
			ratio *= cutGrowth
		}
		floor = max(floor, ratio)
	}
	return max(exact, floor), nil
}

// cutGrowth is how much a cut prompt's ratio (a floor) is raised by. The
// estimate of a model without a public tokenizer is off by up to about
// twice on code; a prompt cut at a ratio of r was seen, on a 2,048-token
// model, to need about 1.4 r, so 1.5 fits it the next time without
// halving the code sent for long.
const cutGrowth = 1.5
