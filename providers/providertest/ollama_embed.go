package providertest

import (
	"fmt"
	"hash/fnv"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/ollama/ollama/api"
)

// handleEmbed follows EmbedHandler: "input" is a string or an array of
// strings, a model missing at scheduling time is a 404 in the scheduler's
// wording, no input gives "embeddings": [], and each vector is normalised to
// unit length (again after "dimensions" cuts it short).
func (o *Ollama) handleEmbed(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var req api.EmbedRequest
	if !decodeRequest(w, r, &req) {
		return
	}
	o.record(req)
	var input []string
	switch in := req.Input.(type) {
	case string:
		if in != "" {
			input = append(input, in)
		}
	case []any:
		for _, v := range in {
			s, ok := v.(string)
			if !ok {
				writeError(w, http.StatusBadRequest, "invalid input type")
				return
			}
			input = append(input, s)
		}
	case nil:
	default:
		writeError(w, http.StatusBadRequest, "invalid input type")
		return
	}
	if req.Model == "" {
		// Ollama fails to resolve the empty name; its message also
		// spells out the default registry, left out here.
		writeError(w, http.StatusInternalServerError, "unqualified name: !MISSING!:latest")
		return
	}
	if o.failScripted(w) {
		return
	}
	m, ok := o.lookup(req.Model)
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Sprintf("model %q not found, try pulling it first", req.Model))
		return
	}
	o.load(m, req.KeepAlive)
	resp := api.EmbedResponse{Model: req.Model, Embeddings: [][]float32{}}
	if len(input) == 0 {
		writeJSON(w, http.StatusOK, resp)
		return
	}
	dims := o.ext.embeddingDims
	if req.Dimensions > 0 && req.Dimensions < dims {
		dims = req.Dimensions
	}
	words := 0
	for _, s := range input {
		resp.Embeddings = append(resp.Embeddings, OllamaEmbedding(s, dims))
		words += len(strings.Fields(s))
	}
	resp.LoadDuration = time.Millisecond
	resp.TotalDuration = resp.LoadDuration + max(time.Since(start), time.Microsecond)
	resp.PromptEvalCount = words + len(input) // a start token each
	writeJSON(w, http.StatusOK, resp)
}

// OllamaEmbedding is the vector a fake Ollama returns for text: dims
// numbers that depend only on text and dims, normalised to unit length as
// Ollama normalises its embeddings.
func OllamaEmbedding(text string, dims int) []float32 {
	v := make([]float32, dims)
	var sum float64
	for i := range v {
		h := fnv.New32a()
		fmt.Fprintf(h, "%d:%s", i, text)
		x := float64(h.Sum32()%2001)/1000 - 1
		v[i] = float32(x)
		sum += x * x
	}
	norm := 1 / max(math.Sqrt(sum), 1e-12)
	for i := range v {
		v[i] = float32(float64(v[i]) * norm)
	}
	return v
}
