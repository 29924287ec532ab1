package providertest

// The fake Anthropic's wire side: content blocks, usage, the SSE event stream with its faults, and the models list.

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// anthropicBlock is one content block of the reply with the pieces it
// streams in: text deltas, or input_json_delta fragments of a tool_use.
type anthropicBlock struct {
	tool   *AnthropicToolUse
	id     string
	pieces []string
}

// blocks lays out the reply: a text block (unless the reply is only tool
// calls), then the tool_use blocks.
func (a *Anthropic) blocks() []anthropicBlock {
	var bs []anthropicBlock
	if len(a.script.tokens) > 0 || len(a.an.toolUses) == 0 {
		bs = append(bs, anthropicBlock{pieces: a.script.tokens})
	}
	for i := range a.an.toolUses {
		t := &a.an.toolUses[i]
		id := t.ID
		if id == "" {
			id = a.newID("toolu_")
		}
		bs = append(bs, anthropicBlock{tool: t, id: id, pieces: t.Input})
	}
	return bs
}

// usage returns input and output token counts: scripted, or the words of
// the request and the reply's pieces.
func (a *Anthropic) usage(req *AnthropicRequest, blocks []anthropicBlock) (in, out int) {
	in, out = a.script.prompt, a.script.eval
	if in < 0 {
		in = 1 + len(strings.Fields(req.System))
		for _, m := range req.Messages {
			in += len(strings.Fields(m.Text))
		}
	}
	if out < 0 {
		out = 0
		for _, b := range blocks {
			out += len(b.pieces)
		}
	}
	return in, out
}

func (a *Anthropic) stopReason() string {
	switch {
	case a.script.stop != defaultScript().stop:
		return a.script.stop
	case len(a.an.toolUses) > 0:
		return "tool_use"
	}
	return "end_turn"
}

func (a *Anthropic) usageObject(in, out int) string {
	return fmt.Sprintf(`{"input_tokens":%d,"cache_creation_input_tokens":%d,"cache_read_input_tokens":%d,"output_tokens":%d,"service_tier":"standard"}`,
		in, a.an.cacheWrite, a.an.cacheRead, out)
}

// message is a message object with the given content, stop reason (JSON)
// and usage.
func (a *Anthropic) message(model, content, stopReason, usage string) string {
	return fmt.Sprintf(`{"id":%s,"type":"message","role":"assistant","model":%s,"content":[%s],"stop_reason":%s,"stop_sequence":null,"usage":%s}`,
		anthropicQuote(a.newID("msg_")), anthropicQuote(model), content, stopReason, usage)
}

// json is the block as content_block_start shows it (text "", input {}),
// or as a message's content does, with its text or input.
func (b anthropicBlock) json(text, input string) string {
	if b.tool == nil {
		return fmt.Sprintf(`{"type":"text","text":%s}`, anthropicQuote(text))
	}
	return fmt.Sprintf(`{"type":"tool_use","id":%s,"name":%s,"input":%s}`, anthropicQuote(b.id), anthropicQuote(b.tool.Name), input)
}

// complete answers a request without "stream": one message object.
func (a *Anthropic) complete(w http.ResponseWriter, req *AnthropicRequest) {
	blocks := a.blocks()
	in, out := a.usage(req, blocks)
	var content []string
	for _, b := range blocks {
		joined := strings.Join(b.pieces, "")
		if !json.Valid([]byte(joined)) {
			joined = "{}"
		}
		content = append(content, b.json(strings.Join(b.pieces, ""), joined))
	}
	anthropicWrite(w, http.StatusOK, a.message(req.Model, strings.Join(content, ","), anthropicQuote(a.stopReason()), a.usageObject(in, out)))
}

// anthropicSSE writes one stream's events, counting them for the reset.
type anthropicSSE struct {
	w          http.ResponseWriter
	rc         *http.ResponseController
	events     int
	resetAfter int
	done       bool // the connection is gone or reset
}

// send writes one event and flushes it; it reports false once the stream
// is over (the client left, or the scripted reset happened).
func (s *anthropicSSE) send(name, data string) bool {
	if s.done {
		return false
	}
	if s.events == s.resetAfter {
		s.drop(true)
		return false
	}
	s.events++
	if _, err := fmt.Fprintf(s.w, "event: %s\ndata: %s\n\n", name, data); err != nil || s.rc.Flush() != nil {
		s.done = true
		return false
	}
	return true
}

// drop closes the connection mid-body: with a TCP RST if reset (the client
// reads "connection reset"), else with a FIN (the chunked body's missing end
// makes it "unexpected EOF").
func (s *anthropicSSE) drop(reset bool) {
	s.done = true
	if conn, _, err := s.rc.Hijack(); err == nil {
		if tc, ok := conn.(*net.TCPConn); ok && reset {
			tc.SetLinger(0)
		}
		conn.Close()
	}
}

// stream answers a request with "stream": true, following the script's
// failure mode. The failures set for "after n chunks" count the deltas of
// all blocks; n beyond the reply means after all of it, before message_delta.
func (a *Anthropic) stream(w http.ResponseWriter, r *http.Request, req *AnthropicRequest) {
	blocks := a.blocks()
	in, out := a.usage(req, blocks)
	total := 0
	for _, b := range blocks {
		total += len(b.pieces)
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	sse := &anthropicSSE{w: w, rc: http.NewResponseController(w), resetAfter: a.an.resetAfter}
	sse.rc.Flush()

	// Anthropic counts the first output token up front.
	if !sse.send("message_start", `{"type":"message_start","message":`+a.message(req.Model, "", "null", a.usageObject(in, 1))+`}`) {
		return
	}
	// check plays the failures due after i deltas; the one due after the
	// last delta is played once, however many blocks end there.
	i, endChecked := 0, false
	check := func(bi int) bool {
		if i == total {
			if endChecked {
				return true
			}
			endChecked = true
		}
		return a.fault(r, sse, i, total, bi)
	}
	for bi, b := range blocks {
		if !sse.send("content_block_start", fmt.Sprintf(`{"type":"content_block_start","index":%d,"content_block":%s}`, bi, b.json("", "{}"))) {
			return
		}
		if bi == 0 {
			if !sse.send("ping", `{"type": "ping"}`) || !a.wait(r.Context(), a.an.firstToken) {
				return
			}
		}
		for _, p := range b.pieces {
			if !check(bi) {
				return
			}
			delta := `{"type":"text_delta","text":` + anthropicQuote(p) + `}`
			if b.tool != nil {
				delta = `{"type":"input_json_delta","partial_json":` + anthropicQuote(p) + `}`
			}
			if !sse.send("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":%d,"delta":%s}`, bi, delta)) {
				return
			}
			i++
		}
		if i == total && !check(bi) {
			return
		}
		if !sse.send("content_block_stop", fmt.Sprintf(`{"type":"content_block_stop","index":%d}`, bi)) {
			return
		}
	}
	if !sse.send("message_delta", fmt.Sprintf(`{"type":"message_delta","delta":{"stop_reason":%s,"stop_sequence":null},"usage":{"output_tokens":%d}}`,
		anthropicQuote(a.stopReason()), out)) {
		return
	}
	sse.send("message_stop", `{"type":"message_stop"}`)
}

// fault plays what the script says happens after i of total deltas, in
// block index bi; it reports whether the stream goes on. A failure set for
// n >= total happens once, after the last delta.
func (a *Anthropic) fault(r *http.Request, sse *anthropicSSE, i, total, bi int) bool {
	s := &a.script
	at := func(n int) bool { return n >= 0 && min(n, total) == i }
	if at(s.pauseAfter) {
		a.pausedOnce.Do(func() { close(a.paused) })
		select {
		case <-s.release:
		case <-r.Context().Done():
			return false
		case <-a.quit:
			return false
		}
	}
	switch {
	case at(s.breakAfter):
		sse.drop(false)
		return false
	case at(s.truncateAfter):
		return false // a clean end of the body, without message_stop
	case at(s.errorAfter):
		typ := a.an.errorType
		if typ == "" {
			typ = "overloaded_error"
		}
		sse.send("error", anthropicError(sse.w.Header().Get("request-id"), typ, s.errorMsg))
		return false
	case at(a.an.malformedAfter):
		return sse.send("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":%d,"delta":{"type":"text_delta","text":"cut sh`, bi))
	}
	return true
}

// handleModels answers GET /v1/models with Anthropic's page shape: data,
// has_more, first_id and last_id, newest model first, paged by limit
// (default 20, at most 1000), after_id and before_id.
func (a *Anthropic) handleModels(w http.ResponseWriter, r *http.Request) {
	if !a.wait(r.Context(), a.script.listLatency) {
		return
	}
	q := r.URL.Query()
	limit := 20
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			a.writeError(w, http.StatusBadRequest, "invalid_request_error", "limit: Input should be between 1 and 1000")
			return
		}
		limit = n
	}
	if a.an.pageSize > 0 {
		limit = min(limit, a.an.pageSize)
	}
	ms := a.script.models
	index := func(id string) int { return slices.IndexFunc(ms, func(m Model) bool { return m.Name == id }) }
	lo, hi := 0, len(ms)
	if id := q.Get("after_id"); id != "" {
		lo = index(id) + 1 // an unknown ID gives the first page
	}
	if id := q.Get("before_id"); id != "" {
		if i := index(id); i >= 0 {
			hi = i
			lo = max(0, hi-limit)
		}
	}
	page := ms[lo:min(hi, lo+limit)]
	resp := struct {
		Data    []anthropicModel `json:"data"`
		HasMore bool             `json:"has_more"`
		FirstID *string          `json:"first_id"`
		LastID  *string          `json:"last_id"`
	}{Data: []anthropicModel{}, HasMore: lo+len(page) < len(ms)}
	if q.Get("before_id") != "" {
		resp.HasMore = lo > 0 // paging backwards
	}
	for _, m := range page {
		am := anthropicModel{Type: "model", ID: m.Name, DisplayName: anthropicDisplayName(m.Name),
			CreatedAt: m.ModifiedAt.UTC().Format(time.RFC3339), Lifecycle: "active"}
		if m.ContextLength > 0 {
			am.MaxInputTokens, am.MaxTokens = m.ContextLength, 64_000
		}
		resp.Data = append(resp.Data, am)
	}
	if len(page) > 0 {
		resp.FirstID, resp.LastID = &page[0].Name, &page[len(page)-1].Name
	}
	b, _ := json.Marshal(resp)
	anthropicWrite(w, http.StatusOK, string(b))
}

// anthropicModel is one entry of the model list. A Model's ContextLength,
// when set, is max_input_tokens (with max_tokens 64,000 beside it); unset,
// both are left out.
type anthropicModel struct {
	Type           string `json:"type"`
	ID             string `json:"id"`
	DisplayName    string `json:"display_name"`
	CreatedAt      string `json:"created_at"`
	MaxInputTokens int    `json:"max_input_tokens,omitempty"`
	MaxTokens      int    `json:"max_tokens,omitempty"`
	Lifecycle      string `json:"lifecycle"`
}

// anthropicDisplayName turns "claude-sonnet-4-5-20250929" into "Claude Sonnet 4.5".
func anthropicDisplayName(id string) string {
	var words []string
	isNum := func(f string) bool { return f != "" && strings.Trim(f, "0123456789.") == "" }
	for _, f := range strings.Split(id, "-") {
		switch {
		case f == "" || isNum(f) && len(f) == 8: // a date
		case isNum(f) && len(words) > 0 && isNum(words[len(words)-1]):
			words[len(words)-1] += "." + f
		case isNum(f):
			words = append(words, f)
		default:
			words = append(words, strings.ToUpper(f[:1])+f[1:])
		}
	}
	return strings.Join(words, " ")
}
