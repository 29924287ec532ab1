package providertest

// The fake OpenAI's wire side: chunk shapes, streaming, completions, embeddings and error bodies.

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"strings"
	"time"
)

// openAIErrorType is the error.type OpenAI gives a status.
func openAIErrorType(code int) string {
	switch {
	case code == http.StatusTooManyRequests:
		return "requests"
	case code >= 500:
		return "server_error"
	default:
		return "invalid_request_error"
	}
}

// oaPiece is one scripted chunk of a reply: text or a tool-call fragment.
type oaPiece struct {
	text string
	tool *oaToolCall
}

// pieces lists the reply's chunks: the text, then each tool call's first
// fragment followed by its argument pieces.
func (f *openAIFake) pieces() []oaPiece {
	ps := make([]oaPiece, 0, len(f.script.tokens))
	for _, t := range f.script.tokens {
		ps = append(ps, oaPiece{text: t})
	}
	for i, c := range f.oa.toolCalls {
		id := c.ID
		if id == "" {
			id = fmt.Sprintf("call_%d", i)
		}
		ps = append(ps, oaPiece{tool: &oaToolCall{Index: i, ID: id, Type: "function",
			Function: oaFunction{Name: c.Name, Arguments: pstr("")}}})
		for _, a := range c.Arguments {
			ps = append(ps, oaPiece{tool: &oaToolCall{Index: i, Function: oaFunction{Arguments: pstr(a)}}})
		}
	}
	return ps
}

// stopReason is the finish_reason of the reply.
func (f *openAIFake) stopReason() string {
	if len(f.oa.toolCalls) > 0 && f.script.stop == "stop" {
		return "tool_calls"
	}
	return f.script.stop
}

// usage is the token accounting of a reply of n pieces to req.
func (f *openAIFake) usage(req *OpenAIChatRequest, n int) *oaUsage {
	s := &f.script
	prompt, completion := s.prompt, s.eval
	if prompt < 0 {
		prompt = 1
		for _, m := range req.Messages {
			prompt += len(strings.Fields(m.Content))
		}
	}
	if completion < 0 {
		completion = n
	}
	u := &oaUsage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}
	u.PromptTokensDetails.CachedTokens = min(f.oa.cachedTokens, prompt)
	return u
}

// The JSON shapes of OpenAI's chat answers, fields in OpenAI's order.
type (
	oaChunk struct {
		ID                string     `json:"id"`
		Object            string     `json:"object"`
		Created           int64      `json:"created"`
		Model             string     `json:"model"`
		ServiceTier       string     `json:"service_tier,omitempty"`
		SystemFingerprint string     `json:"system_fingerprint"`
		Choices           []oaChoice `json:"choices"`
		Usage             any        `json:"usage,omitempty"` // null or *oaUsage when asked for
		Obfuscation       string     `json:"obfuscation,omitempty"`
	}
	oaChoice struct {
		Index        int             `json:"index"`
		Delta        oaDelta         `json:"delta"`
		Logprobs     json.RawMessage `json:"logprobs"`
		FinishReason *string         `json:"finish_reason"`
	}
	oaDelta struct {
		Role      string          `json:"role,omitempty"`
		Content   any             `json:"content,omitempty"` // "" or null in the role chunk
		Refusal   json.RawMessage `json:"refusal,omitempty"`
		ToolCalls []oaToolCall    `json:"tool_calls,omitempty"`
	}
	oaToolCall struct {
		Index    int        `json:"index"`
		ID       string     `json:"id,omitempty"`
		Type     string     `json:"type,omitempty"`
		Function oaFunction `json:"function"`
	}
	oaFunction struct {
		Name      string  `json:"name,omitempty"`
		Arguments *string `json:"arguments,omitempty"`
	}
	oaUsage struct {
		PromptTokens        int `json:"prompt_tokens"`
		CompletionTokens    int `json:"completion_tokens"`
		TotalTokens         int `json:"total_tokens"`
		PromptTokensDetails struct {
			CachedTokens int `json:"cached_tokens"`
			AudioTokens  int `json:"audio_tokens"`
		} `json:"prompt_tokens_details"`
		CompletionTokensDetails struct {
			ReasoningTokens          int `json:"reasoning_tokens"`
			AudioTokens              int `json:"audio_tokens"`
			AcceptedPredictionTokens int `json:"accepted_prediction_tokens"`
			RejectedPredictionTokens int `json:"rejected_prediction_tokens"`
		} `json:"completion_tokens_details"`
	}
)

var oaNull = json.RawMessage("null")

// stream writes the reply as OpenAI's SSE events, following the script's
// failure modes; "after n chunks" counts the reply's pieces, not the role
// chunk that opens every stream.
func (f *openAIFake) stream(w http.ResponseWriter, r *http.Request, req *OpenAIChatRequest) {
	s, oa := &f.script, f.oa
	ps := f.pieces()
	includeUsage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage && !s.noUsage
	obfuscate := f.flavor.extras && (req.StreamOptions == nil || req.StreamOptions.IncludeObfuscation == nil || *req.StreamOptions.IncludeObfuscation)
	base := oaChunk{
		ID:                fmt.Sprintf("chatcmpl-fake%06d", f.seq.Add(1)),
		Object:            "chat.completion.chunk",
		Created:           time.Now().Unix(),
		Model:             req.Model,
		SystemFingerprint: "fp_fake",
	}
	if f.flavor.extras {
		base.ServiceTier = "default"
	}
	if includeUsage {
		base.Usage = oaNull
	}
	rc := http.NewResponseController(w)
	send := func(c oaChunk) bool {
		if obfuscate {
			c.Obfuscation = "x7Qe"
		}
		b, err := json.Marshal(c)
		if err != nil {
			panic(err) // the shapes above always marshal
		}
		if _, err := fmt.Fprintf(w, "data: %s\n\n", b); err != nil {
			return false
		}
		return rc.Flush() == nil // false: the client went away
	}
	withDelta := func(d oaDelta, finish *string) oaChunk {
		c := base
		c.Choices = []oaChoice{{Delta: d, Logprobs: oaNull, FinishReason: finish}}
		return c
	}

	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	if f.flavor.extras {
		h.Set("x-request-id", "req_fake")
		h.Set("openai-processing-ms", "12")
		f.rateLimitHeaders(h, 499)
	}
	w.WriteHeader(http.StatusOK)
	role := oaDelta{Role: "assistant", Content: "", Refusal: oaNull}
	if len(s.tokens) == 0 && len(oa.toolCalls) > 0 {
		role.Content = oaNull
	}
	if !send(withDelta(role, nil)) {
		return
	}

	// at reports whether a failure set for after n pieces happens after i
	// pieces; n beyond the reply means after all of it.
	at := func(n, i int) bool { return n >= 0 && min(n, len(ps)) == i }
	noDone := false
	for i := 0; ; i++ {
		if i == 0 && !f.wait(r.Context(), oa.firstToken) {
			return
		}
		if at(s.pauseAfter, i) {
			f.pausedOnce.Do(func() { close(f.paused) })
			select {
			case <-s.release:
			case <-r.Context().Done():
				return
			case <-f.quit:
				return
			}
		}
		switch {
		case at(s.breakAfter, i):
			if conn, _, err := rc.Hijack(); err == nil {
				conn.Close()
			}
			return
		case at(s.truncateAfter, i):
			if i < len(ps) {
				return
			}
			noDone = true // the reply and its end, but no [DONE]
		case at(s.errorAfter, i):
			b, _ := json.Marshal(map[string]openAIError{"error": {Message: s.errorMsg, Type: "server_error"}})
			fmt.Fprintf(w, "data: %s\n\n", b)
			rc.Flush()
			return
		}
		if at(oa.malformedAfter, i) {
			fmt.Fprintf(w, "data: {\"id\":%q,\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\n\n", base.ID)
		}
		if i == len(ps) {
			break
		}
		var d oaDelta
		if p := ps[i]; p.tool != nil {
			d.ToolCalls = []oaToolCall{*p.tool}
		} else {
			d.Content = p.text
		}
		if !send(withDelta(d, nil)) {
			return
		}
	}
	stop := f.stopReason()
	if !send(withDelta(oaDelta{}, &stop)) {
		return
	}
	if includeUsage {
		c := base
		c.Choices = []oaChoice{}
		c.Usage = f.usage(req, len(ps))
		if !send(c) {
			return
		}
	}
	if !noDone {
		io.WriteString(w, "data: [DONE]\n\n")
		rc.Flush()
	}
}

// complete answers a chat request that did not ask to stream.
func (f *openAIFake) complete(w http.ResponseWriter, req *OpenAIChatRequest) {
	var calls []map[string]any
	for i, c := range f.oa.toolCalls {
		id := c.ID
		if id == "" {
			id = fmt.Sprintf("call_%d", i)
		}
		calls = append(calls, map[string]any{"id": id, "type": "function",
			"function": map[string]any{"name": c.Name, "arguments": strings.Join(c.Arguments, "")}})
	}
	msg := map[string]any{"role": "assistant", "content": strings.Join(f.script.tokens, ""), "refusal": nil, "annotations": []any{}}
	if calls != nil {
		msg["tool_calls"] = calls
	}
	answer := map[string]any{
		"id":      fmt.Sprintf("chatcmpl-fake%06d", f.seq.Add(1)),
		"object":  "chat.completion",
		"created": time.Now().Unix(),
		"model":   req.Model,
		"choices": []map[string]any{{"index": 0, "message": msg, "logprobs": nil, "finish_reason": f.stopReason()}},
	}
	if !f.script.noUsage {
		answer["usage"] = f.usage(req, len(f.pieces()))
	}
	writeOpenAIJSON(w, http.StatusOK, answer)
}

func (f *openAIFake) handleEmbeddings(w http.ResponseWriter, r *http.Request, rec *OpenAIRequest) {
	var req struct {
		Model          string          `json:"model"`
		Input          json.RawMessage `json:"input"`
		EncodingFormat string          `json:"encoding_format"`
	}
	if err := json.Unmarshal(rec.Body, &req); err != nil {
		writeOpenAIError(w, http.StatusBadRequest, openAIError{Message: "We could not parse the JSON body of your request.", Type: "invalid_request_error"})
		return
	}
	var inputs []string
	if err := json.Unmarshal(req.Input, &inputs); err != nil {
		var one string
		if json.Unmarshal(req.Input, &one) != nil {
			writeOpenAIError(w, http.StatusBadRequest, openAIError{Message: "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", Type: "invalid_request_error"})
			return
		}
		inputs = []string{one}
	}
	if f.script.failStatus != 0 {
		f.writeFailure(w)
		return
	}
	if !f.lookup(req.Model) {
		code, e := f.flavor.notFound(req.Model)
		writeOpenAIError(w, code, e)
		return
	}
	if f.refuseWrongType(w, req.Model, false) {
		return
	}
	data := make([]map[string]any, len(inputs))
	tokens := 0
	for i, in := range inputs {
		tokens += len(strings.Fields(in))
		vec := fakeEmbedding(in, f.oa.embeddingDims)
		var v any = vec
		if req.EncodingFormat == "base64" {
			b := make([]byte, 4*len(vec))
			for j, x := range vec {
				binary.LittleEndian.PutUint32(b[4*j:], math.Float32bits(x))
			}
			v = base64.StdEncoding.EncodeToString(b)
		}
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": v}
	}
	writeOpenAIJSON(w, http.StatusOK, map[string]any{
		"object": "list",
		"data":   data,
		"model":  req.Model,
		"usage":  map[string]int{"prompt_tokens": tokens, "total_tokens": tokens},
	})
}

// fakeEmbedding is a deterministic unit-free vector of dims values in [-1, 1) for s.
func fakeEmbedding(s string, dims int) []float32 {
	v := make([]float32, dims)
	for i := range v {
		h := fnv.New32a()
		fmt.Fprintf(h, "%d:%s", i, s)
		v[i] = float32(h.Sum32()%2000)/1000 - 1
	}
	return v
}

// openAIError is the object under "error" in OpenAI's error bodies.
type openAIError struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// writeOpenAIError writes OpenAI's error body.
func writeOpenAIError(w http.ResponseWriter, code int, e openAIError) {
	b, err := json.MarshalIndent(map[string]openAIError{"error": e}, "", "    ")
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// writeGatewayError writes the error body of OpenAI-compatible gateways
// (OpenRouter): compact JSON whose "code" is the HTTP status as a number.
func writeGatewayError(w http.ResponseWriter, code int, msg string) {
	b, err := json.Marshal(map[string]any{"error": map[string]any{"message": msg, "code": code}})
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(b)
}

// writeOpenAIJSON writes a successful JSON answer.
func writeOpenAIJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(b)
}

// maskKey shows a key as OpenAI does in its 401 message: the first three and
// last four characters.
func maskKey(k string) string {
	if len(k) <= 8 {
		return strings.Repeat("*", len(k))
	}
	return k[:3] + strings.Repeat("*", len(k)-7) + k[len(k)-4:]
}

func pstr(s string) *string { return &s }
