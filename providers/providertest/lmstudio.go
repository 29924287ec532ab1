package providertest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// The fake LM Studio follows LM Studio 0.3.x/0.4: its OpenAI-compatible API
// under /v1 (the fake OpenAI's handlers, with LM Studio's model list shape
// and its "Invalid model identifier" 400), its native REST API v0 under
// /api/v0 (GET /api/v0/models and /api/v0/models/{id}, requires 0.3.6) and
// the model list of its REST API v1 (GET /api/v1/models, requires 0.4).
// Like LM Studio it answers any other path with 200 and
// {"error": "Unexpected endpoint or method. (GET /path)"}.

// DefaultLMStudioModel is the loaded LLM a fake LM Studio has unless
// WithLMStudioModels says otherwise (its maximum context length is 32768,
// its loaded one LMStudioLoadContext); it also has an embedding model that
// is not loaded, DefaultLMStudioEmbeddingModel.
const (
	DefaultLMStudioModel          = "qwen2.5-7b-instruct"
	DefaultLMStudioEmbeddingModel = "text-embedding-nomic-embed-text-v1.5"
)

// LMStudioModel is a model a fake LM Studio has downloaded.
type LMStudioModel struct {
	ID string
	// Type is "llm" (the default), "vlm" or "embeddings".
	Type              string
	Publisher         string // "" gives "lmstudio-community"
	Arch              string // "" gives "llama"
	CompatibilityType string // "" gives "gguf"
	Quantization      string // "" gives "Q4_K_M"
	// Loaded reports the model as "state": "loaded" rather than
	// "not-loaded" in /api/v0, and with a loaded instance, whose id is ID,
	// in /api/v1.
	Loaded           bool
	MaxContextLength int
	// LoadedContextLength is the context length a loaded model's instance
	// runs with, in /api/v1; 0 gives LMStudioLoadContext (no more than
	// MaxContextLength), as LM Studio loads a model by default.
	LoadedContextLength int
	// MoreInstances are the context lengths of further instances of a
	// loaded model, which LM Studio names ID:2, ID:3 and so on.
	MoreInstances []int
}

// LMStudioLoadContext is the context length LM Studio loads a model with
// unless its load settings say otherwise.
const LMStudioLoadContext = 4096

// lmStudioKey is the script.ext key of the LM Studio-only settings.
type lmStudioKey struct{}

type lmStudioScript struct {
	models    []LMStudioModel
	modelsSet bool
	// noNative, if not 0, is how the server answers /api/v0 and /api/v1
	// (it predates the native API): 200 as LM Studio does for unknown
	// endpoints, or 404.
	noNative int
	// noV1, if not 0, is how the server answers /api/v1 (it is LM Studio
	// 0.3.x): 200 as LM Studio does for unknown endpoints, or 404.
	noV1 int
}

func lmStudioExt(s *script) *lmStudioScript {
	if s.ext == nil {
		s.ext = map[any]any{}
	}
	l, ok := s.ext[lmStudioKey{}].(*lmStudioScript)
	if !ok {
		l = &lmStudioScript{}
		s.ext[lmStudioKey{}] = l
	}
	return l
}

// WithLMStudioModels sets the models a fake LM Studio has, replacing the
// default ones. (WithModels also works; its models are loaded LLMs.)
func WithLMStudioModels(ms ...LMStudioModel) Option {
	return func(s *script) {
		l := lmStudioExt(s)
		l.models, l.modelsSet = slices.Clone(ms), true
	}
}

// WithoutNativeAPI makes a fake LM Studio act as a server without the
// native REST API: status 200 answers /api/v0 and /api/v1 as LM Studio
// before 0.3.6 answers unknown endpoints ({"error": "Unexpected endpoint or
// method. …"}), 404 as a proxy or other server would.
func WithoutNativeAPI(status int) Option {
	return func(s *script) { lmStudioExt(s).noNative = status }
}

// WithoutNativeAPIv1 makes a fake LM Studio act as LM Studio 0.3.x, which
// has the native REST API v0 but not v1: status 200 answers /api/v1 as LM
// Studio answers unknown endpoints, 404 as a proxy or other server would.
func WithoutNativeAPIv1(status int) Option {
	return func(s *script) { lmStudioExt(s).noV1 = status }
}

// LMStudio is a fake LM Studio server. It is safe for concurrent use.
type LMStudio struct {
	srv    *httptest.Server
	fake   *openAIFake
	models []LMStudioModel
}

// NewLMStudio starts a fake LM Studio scripted by opts. It stops when t ends.
// Options of the fake OpenAI work on its /v1 API.
func NewLMStudio(t testing.TB, opts ...Option) *LMStudio {
	t.Helper()
	l := &LMStudio{}
	f := newOpenAIFake(openAIFlavor{ownedBy: "organization_owner", notFound: l.notFound, wrongType: l.wrongType}, opts, nil)
	ls := lmStudioExt(&f.script)
	switch {
	case ls.modelsSet:
		l.models = ls.models
	case f.script.modelsSet:
		for _, m := range f.script.models {
			l.models = append(l.models, LMStudioModel{ID: m.Name, Loaded: true, MaxContextLength: m.ContextLength})
		}
	default:
		l.models = []LMStudioModel{
			{ID: DefaultLMStudioModel, Publisher: "lmstudio-community", Arch: "qwen2", Loaded: true, MaxContextLength: 32768},
			{ID: DefaultLMStudioEmbeddingModel, Type: "embeddings", Publisher: "nomic-ai", Arch: "nomic-bert", Quantization: "Q4_0", MaxContextLength: 2048},
		}
	}
	for i := range l.models {
		l.models[i] = withLMStudioDefaults(l.models[i])
	}
	f.script.models = nil
	for _, m := range l.models {
		f.script.models = append(f.script.models, Model{Name: m.ID, ContextLength: m.MaxContextLength})
	}
	f.script.models = normalizeModels(f.script.models)
	l.fake = f

	mux := http.NewServeMux()
	f.register(mux)
	refuse := func(status int) http.HandlerFunc {
		return f.handle(func(w http.ResponseWriter, r *http.Request, _ *OpenAIRequest) {
			http.Error(w, http.StatusText(status), status)
		})
	}
	switch ls.noNative {
	case 0:
		mux.HandleFunc("GET /api/v0/models", f.handle(l.handleNativeModels))
		mux.HandleFunc("GET /api/v0/models/{id...}", f.handle(l.handleNativeModel))
	case http.StatusOK:
		// The catch-all below answers as old LM Studio does.
	default:
		mux.HandleFunc("/api/v0/", refuse(ls.noNative))
		mux.HandleFunc("/api/v1/", refuse(ls.noNative))
	}
	switch {
	case ls.noNative != 0, ls.noV1 == http.StatusOK:
		// Refused above, or answered by the catch-all below.
	case ls.noV1 != 0:
		mux.HandleFunc("/api/v1/", refuse(ls.noV1))
	default:
		mux.HandleFunc("GET /api/v1/models", f.handle(l.handleRESTModels))
	}
	mux.HandleFunc("/", f.handle(func(w http.ResponseWriter, r *http.Request, _ *OpenAIRequest) {
		// LM Studio logs "Returning 200 anyway" and does.
		writeOpenAIJSON(w, http.StatusOK, map[string]string{
			"error": fmt.Sprintf("Unexpected endpoint or method. (%s %s)", r.Method, r.URL.Path)})
	}))
	l.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		// Free paused and waiting handlers first: Close waits for every handler.
		close(f.quit)
		l.srv.Close()
	})
	return l
}

func withLMStudioDefaults(m LMStudioModel) LMStudioModel {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&m.Type, "llm")
	def(&m.Publisher, "lmstudio-community")
	def(&m.Arch, "llama")
	def(&m.CompatibilityType, "gguf")
	def(&m.Quantization, "Q4_K_M")
	if m.Loaded && m.LoadedContextLength == 0 {
		m.LoadedContextLength = LMStudioLoadContext
		if m.MaxContextLength > 0 {
			m.LoadedContextLength = min(m.MaxContextLength, LMStudioLoadContext)
		}
	}
	return m
}

// URL is the server's root, e.g. "http://127.0.0.1:40123"; the
// OpenAI-compatible API is under URL()+"/v1".
func (l *LMStudio) URL() string { return l.srv.URL }

// Requests returns the requests received so far, on either API, in order.
func (l *LMStudio) Requests() []OpenAIRequest { return l.fake.recorded() }

// Paused is closed when a chat stream first reaches the point set by WithPause.
func (l *LMStudio) Paused() <-chan struct{} { return l.fake.paused }

// notFound is LM Studio's answer (0.3.x and later) to an unknown model.
func (l *LMStudio) notFound(model string) (int, openAIError) {
	var ids []string
	for _, m := range l.models {
		ids = append(ids, m.ID)
	}
	return http.StatusBadRequest, openAIError{
		Message: fmt.Sprintf("Invalid model identifier %q. Please specify a valid downloaded model (e.g., %s).", model, strings.Join(ids, ", ")),
		Type:    "invalid_request_error",
		Param:   pstr("model"),
		Code:    pstr("model_not_found"),
	}
}

// wrongType is LM Studio's answer to a chat with an embedding model, or
// embeddings from a chat model: it tries to load the model for the call
// and fails, "Failed to load model \"…\". Error: Model is not llm."
func (l *LMStudio) wrongType(model string, chat bool) (int, openAIError, bool) {
	i := slices.IndexFunc(l.models, func(m LMStudioModel) bool { return m.ID == model })
	if i < 0 || (l.models[i].Type == "embeddings") != chat {
		return 0, openAIError{}, false
	}
	want := "llm"
	if !chat {
		want = "embedding"
	}
	return http.StatusNotFound, openAIError{
		Message: fmt.Sprintf("Failed to load model %q. Error: Model is not %s.", model, want),
		Type:    "invalid_request_error",
		Param:   pstr("model"),
		Code:    pstr("model_not_found"),
	}, true
}

func (l *LMStudio) handleNativeModels(w http.ResponseWriter, r *http.Request, _ *OpenAIRequest) {
	data := make([]map[string]any, 0, len(l.models))
	for _, m := range l.models {
		data = append(data, nativeModel(m))
	}
	writeOpenAIJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data})
}

func (l *LMStudio) handleNativeModel(w http.ResponseWriter, r *http.Request, _ *OpenAIRequest) {
	id := r.PathValue("id")
	for _, m := range l.models {
		if m.ID == id {
			writeOpenAIJSON(w, http.StatusOK, nativeModel(m))
			return
		}
	}
	writeOpenAIJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("Model %q not found", id)})
}

// nativeModel is a model as GET /api/v0/models lists it.
func nativeModel(m LMStudioModel) map[string]any {
	state := "not-loaded"
	if m.Loaded {
		state = "loaded"
	}
	obj := map[string]any{
		"id":                 m.ID,
		"object":             "model",
		"type":               m.Type,
		"publisher":          m.Publisher,
		"arch":               m.Arch,
		"compatibility_type": m.CompatibilityType,
		"quantization":       m.Quantization,
		"state":              state,
		"max_context_length": m.MaxContextLength,
	}
	if m.Type != "embeddings" {
		obj["capabilities"] = []string{"tool_use"}
	}
	return obj
}

func (l *LMStudio) handleRESTModels(w http.ResponseWriter, r *http.Request, _ *OpenAIRequest) {
	models := make([]map[string]any, 0, len(l.models))
	for _, m := range l.models {
		models = append(models, restModel(m))
	}
	writeOpenAIJSON(w, http.StatusOK, map[string]any{"models": models})
}

// restModel is a model as GET /api/v1/models lists it. The v1 API calls
// embedding models "embedding" and vision models "llm" with the vision
// capability.
func restModel(m LMStudioModel) map[string]any {
	instances := []map[string]any{}
	if m.Loaded {
		for i, n := range append([]int{m.LoadedContextLength}, m.MoreInstances...) {
			id := m.ID
			if i > 0 {
				id = fmt.Sprintf("%s:%d", m.ID, i+1)
			}
			config := map[string]any{"context_length": n}
			if m.Type != "embeddings" {
				config["eval_batch_size"] = 512
				config["flash_attention"] = false
				config["offload_kv_cache_to_gpu"] = true
			}
			instances = append(instances, map[string]any{"id": id, "config": config})
		}
	}
	var bits any // null unless the quantization's name says
	if i := strings.IndexAny(m.Quantization, "0123456789"); i >= 0 {
		n := 0
		for _, c := range m.Quantization[i:] {
			if c < '0' || c > '9' {
				break
			}
			n = n*10 + int(c-'0')
		}
		bits = n
	}
	obj := map[string]any{
		"type":               "llm",
		"publisher":          m.Publisher,
		"key":                m.ID,
		"display_name":       m.ID,
		"quantization":       map[string]any{"name": m.Quantization, "bits_per_weight": bits},
		"size_bytes":         0,
		"params_string":      nil,
		"loaded_instances":   instances,
		"max_context_length": m.MaxContextLength,
		"format":             m.CompatibilityType,
	}
	if m.Type == "embeddings" {
		obj["type"] = "embedding"
	} else {
		obj["architecture"] = m.Arch
		obj["capabilities"] = map[string]any{"vision": m.Type == "vlm", "trained_for_tool_use": true}
		obj["description"] = nil
	}
	return obj
}
