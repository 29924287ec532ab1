package providertest

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ollama/ollama/api"
)

// handleGenerate follows GenerateHandler: the request is checked in its
// order, an empty prompt only loads the model (or unloads it, with
// keep_alive 0), and the answer streams as api.GenerateResponse lines whose
// "response" holds the text. The final object carries done_reason, the
// metrics and, unless the request was raw, "context": the token ids of the
// whole exchange, to send back for a short memory.
func (o *Ollama) handleGenerate(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var req api.GenerateRequest
	if !decodeRequest(w, r, &req) {
		return
	}
	o.record(req)
	s := &o.script
	if req.Model == "" {
		// An empty name is not a valid one, and Ollama says so this way.
		writeError(w, http.StatusNotFound, "model '' not found")
		return
	}
	if o.failScripted(w) {
		return
	}
	m, ok := o.lookup(req.Model)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("model '%s' not found", req.Model))
		return
	}
	if req.Prompt == "" && req.KeepAlive != nil && req.KeepAlive.Duration == 0 {
		o.load(m, req.KeepAlive)
		writeJSON(w, http.StatusOK, api.GenerateResponse{Model: req.Model, CreatedAt: time.Now().UTC(), Done: true, DoneReason: "unload"})
		return
	}
	if req.Raw && (req.Template != "" || req.System != "" || len(req.Context) > 0) {
		writeError(w, http.StatusBadRequest, "raw mode does not support template, system, or context")
		return
	}
	o.load(m, req.KeepAlive)
	if req.Prompt == "" {
		writeJSON(w, http.StatusOK, api.GenerateResponse{Model: req.Model, CreatedAt: time.Now().UTC(), Done: true, DoneReason: "load"})
		return
	}
	final := o.generateFinal(req, start)
	if req.Stream != nil && !*req.Stream {
		final.Response = strings.Join(s.tokens, "")
		writeJSON(w, http.StatusOK, final)
		return
	}
	o.stream(w, r, len(s.tokens), func(i int) any {
		return api.GenerateResponse{Model: req.Model, CreatedAt: time.Now().UTC(), Response: s.tokens[i]}
	}, final)
}

// generateFinal is the done:true object that ends a generate stream.
func (o *Ollama) generateFinal(req api.GenerateRequest, start time.Time) api.GenerateResponse {
	s := &o.script
	words := strings.Fields(req.System + " " + req.Prompt)
	final := api.GenerateResponse{
		Model:      req.Model,
		CreatedAt:  time.Now().UTC(),
		Done:       true,
		DoneReason: s.stop,
		Metrics:    o.metrics(len(words), start),
	}
	if !req.Raw {
		final.Context = slices.Concat(req.Context, tokenIDs(words), tokenIDs(s.tokens))
	}
	return final
}

// tokenIDs gives each piece of text a made-up token id, the same for the
// same text.
func tokenIDs(pieces []string) []int {
	ids := make([]int, len(pieces))
	for i, p := range pieces {
		h := fnv.New32a()
		h.Write([]byte(p))
		ids[i] = 3 + int(h.Sum32()%32000)
	}
	return ids
}
