package providertest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// getJSON fetches url and decodes its JSON body; it returns the status.
func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("GET %s: body %q: %v", url, b, err)
	}
	return resp.StatusCode
}

func TestLMStudioNativeModels(t *testing.T) {
	l := NewLMStudio(t)
	var list map[string]any
	if code := getJSON(t, l.URL()+"/api/v0/models", &list); code != 200 {
		t.Fatalf("status %d", code)
	}
	want := map[string]any{"object": "list", "data": []any{
		map[string]any{"id": DefaultLMStudioModel, "object": "model", "type": "llm", "publisher": "lmstudio-community",
			"arch": "qwen2", "compatibility_type": "gguf", "quantization": "Q4_K_M", "state": "loaded",
			"max_context_length": 32768.0, "capabilities": []any{"tool_use"}},
		map[string]any{"id": DefaultLMStudioEmbeddingModel, "object": "model", "type": "embeddings", "publisher": "nomic-ai",
			"arch": "nomic-bert", "compatibility_type": "gguf", "quantization": "Q4_0", "state": "not-loaded",
			"max_context_length": 2048.0},
	}}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("/api/v0/models (-want +got):\n%s", diff)
	}

	var one map[string]any
	if code := getJSON(t, l.URL()+"/api/v0/models/"+DefaultLMStudioEmbeddingModel, &one); code != 200 || one["state"] != "not-loaded" {
		t.Errorf("one model: %d %v", code, one)
	}
	var missing map[string]any
	if code := getJSON(t, l.URL()+"/api/v0/models/nope", &missing); code != 404 || missing["error"] != `Model "nope" not found` {
		t.Errorf("missing model: %d %v", code, missing)
	}
}

func TestLMStudioRESTModels(t *testing.T) {
	l := NewLMStudio(t)
	var list map[string]any
	if code := getJSON(t, l.URL()+"/api/v1/models", &list); code != 200 {
		t.Fatalf("status %d", code)
	}
	want := map[string]any{"models": []any{
		map[string]any{"type": "llm", "publisher": "lmstudio-community", "key": DefaultLMStudioModel,
			"display_name": DefaultLMStudioModel, "architecture": "qwen2",
			"quantization": map[string]any{"name": "Q4_K_M", "bits_per_weight": 4.0}, "size_bytes": 0.0, "params_string": nil,
			"loaded_instances": []any{map[string]any{"id": DefaultLMStudioModel, "config": map[string]any{
				"context_length": 4096.0, "eval_batch_size": 512.0, "flash_attention": false, "offload_kv_cache_to_gpu": true}}},
			"max_context_length": 32768.0, "format": "gguf",
			"capabilities": map[string]any{"vision": false, "trained_for_tool_use": true}, "description": nil},
		map[string]any{"type": "embedding", "publisher": "nomic-ai", "key": DefaultLMStudioEmbeddingModel,
			"display_name": DefaultLMStudioEmbeddingModel,
			"quantization": map[string]any{"name": "Q4_0", "bits_per_weight": 4.0}, "size_bytes": 0.0, "params_string": nil,
			"loaded_instances": []any{}, "max_context_length": 2048.0, "format": "gguf"},
	}}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("/api/v1/models (-want +got):\n%s", diff)
	}
}

func TestLMStudioLoadedInstances(t *testing.T) {
	l := NewLMStudio(t, WithLMStudioModels(
		LMStudioModel{ID: "big", Loaded: true, MaxContextLength: 131072, LoadedContextLength: 8192, MoreInstances: []int{16384}},
		LMStudioModel{ID: "small", Loaded: true, MaxContextLength: 2048},
		LMStudioModel{ID: "vision", Type: "vlm", MaxContextLength: 32768},
	))
	var list struct {
		Models []struct {
			Type            string
			Key             string
			LoadedInstances []struct {
				ID     string
				Config struct {
					ContextLength int `json:"context_length"`
				}
			} `json:"loaded_instances"`
			Capabilities map[string]bool
		}
	}
	getJSON(t, l.URL()+"/api/v1/models", &list)
	var got []string
	for _, m := range list.Models {
		got = append(got, fmt.Sprintf("%s %s vision=%v", m.Key, m.Type, m.Capabilities["vision"]))
		for _, in := range m.LoadedInstances {
			got = append(got, fmt.Sprintf("  %s %d", in.ID, in.Config.ContextLength))
		}
	}
	want := []string{"big llm vision=false", "  big 8192", "  big:2 16384", "small llm vision=false", "  small 2048", "vision llm vision=true"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("models (-want +got):\n%s", diff)
	}
}

func TestLMStudioWithoutNativeAPIv1(t *testing.T) {
	t.Run("LM Studio 0.3", func(t *testing.T) {
		l := NewLMStudio(t, WithoutNativeAPIv1(200))
		var got map[string]any
		if code := getJSON(t, l.URL()+"/api/v1/models", &got); code != 200 || got["error"] != "Unexpected endpoint or method. (GET /api/v1/models)" {
			t.Errorf("v1: %d %v", code, got)
		}
		var list map[string]any
		if code := getJSON(t, l.URL()+"/api/v0/models", &list); code != 200 || list["data"] == nil {
			t.Errorf("v0: %d %v", code, list)
		}
	})
	t.Run("404", func(t *testing.T) {
		l := NewLMStudio(t, WithoutNativeAPIv1(404))
		resp, err := http.Get(l.URL() + "/api/v1/models")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("status %d, want 404", resp.StatusCode)
		}
	})
}

func TestLMStudioModelsWithSlash(t *testing.T) {
	l := NewLMStudio(t, WithLMStudioModels(LMStudioModel{ID: "qwen/qwen3-4b", MaxContextLength: 4096}))
	var one map[string]any
	if code := getJSON(t, l.URL()+"/api/v0/models/qwen%2Fqwen3-4b", &one); code != 200 || one["id"] != "qwen/qwen3-4b" {
		t.Errorf("escaped id: %d %v", code, one)
	}
	if code := getJSON(t, l.URL()+"/api/v0/models/qwen/qwen3-4b", &one); code != 200 || one["state"] != "not-loaded" {
		t.Errorf("raw id: %d %v", code, one)
	}
}

func TestLMStudioOpenAIAPI(t *testing.T) {
	l := NewLMStudio(t, WithReply("hi"))
	var list map[string]any
	getJSON(t, l.URL()+"/v1/models", &list)
	want := map[string]any{"object": "list", "data": []any{
		map[string]any{"id": DefaultLMStudioModel, "object": "model", "owned_by": "organization_owner"},
		map[string]any{"id": DefaultLMStudioEmbeddingModel, "object": "model", "owned_by": "organization_owner"},
	}}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("/v1/models (-want +got):\n%s", diff)
	}

	resp := post(t, l.URL()+"/v1/chat/completions",
		`{"model":"`+DefaultLMStudioModel+`","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}`)
	events, err := readEvents(t, resp.Body)
	if err != nil || len(events) != 5 || events[4] != "[DONE]" {
		t.Fatalf("events %q, %v; want role, hi, finish, usage, [DONE]", events, err)
	}
	for _, e := range events[:4] {
		c := decode(t, e)
		if _, ok := c["service_tier"]; ok {
			t.Errorf("LM Studio chunk with OpenAI's service_tier: %v", c)
		}
	}
	if resp.Header.Get("x-ratelimit-limit-requests") != "" {
		t.Error("LM Studio answer with OpenAI's rate-limit headers")
	}

	bad := post(t, l.URL()+"/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"x"}]}`)
	var got struct{ Error openAIError }
	json.NewDecoder(bad.Body).Decode(&got)
	wantErr := openAIError{
		Message: `Invalid model identifier "gpt-4o". Please specify a valid downloaded model (e.g., qwen2.5-7b-instruct, text-embedding-nomic-embed-text-v1.5).`,
		Type:    "invalid_request_error", Param: pstr("model"), Code: pstr("model_not_found"),
	}
	if diff := cmp.Diff(wantErr, got.Error); bad.StatusCode != 400 || diff != "" {
		t.Errorf("unknown model: status %d, error (-want +got):\n%s", bad.StatusCode, diff)
	}
}

func TestLMStudioUnknownEndpoint(t *testing.T) {
	l := NewLMStudio(t)
	var got map[string]any
	if code := getJSON(t, l.URL()+"/v1/nothing", &got); code != 200 || got["error"] != "Unexpected endpoint or method. (GET /v1/nothing)" {
		t.Errorf("unknown endpoint: %d %v", code, got)
	}
}

func TestLMStudioWithoutNativeAPI(t *testing.T) {
	t.Run("old LM Studio", func(t *testing.T) {
		l := NewLMStudio(t, WithoutNativeAPI(200))
		var got map[string]any
		if code := getJSON(t, l.URL()+"/api/v0/models", &got); code != 200 || got["error"] != "Unexpected endpoint or method. (GET /api/v0/models)" {
			t.Errorf("got %d %v", code, got)
		}
		if code := getJSON(t, l.URL()+"/api/v1/models", &got); code != 200 || got["error"] != "Unexpected endpoint or method. (GET /api/v1/models)" {
			t.Errorf("v1: got %d %v", code, got)
		}
	})
	t.Run("404", func(t *testing.T) {
		l := NewLMStudio(t, WithoutNativeAPI(404))
		resp, err := http.Get(l.URL() + "/api/v0/models")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("status %d, want 404", resp.StatusCode)
		}
		v1, err := http.Get(l.URL() + "/api/v1/models")
		if err != nil {
			t.Fatal(err)
		}
		v1.Body.Close()
		if v1.StatusCode != 404 {
			t.Errorf("v1: status %d, want 404", v1.StatusCode)
		}
		// The OpenAI API still works.
		var list map[string]any
		if code := getJSON(t, l.URL()+"/v1/models", &list); code != 200 {
			t.Errorf("/v1/models: %d", code)
		}
	})
}

func TestLMStudioWithModelsAndKey(t *testing.T) {
	l := NewLMStudio(t, WithModels(Model{Name: "tiny", ContextLength: 512}), WithOpenAIKey("lm-secret-token"))
	req, _ := http.NewRequest("GET", l.URL()+"/api/v0/models", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("without key: status %d, want 401", resp.StatusCode)
	}
	req.Header.Set("Authorization", "Bearer lm-secret-token")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct{ Data []map[string]any }
	json.NewDecoder(resp.Body).Decode(&list)
	if len(list.Data) != 1 || list.Data[0]["id"] != "tiny" || list.Data[0]["state"] != "loaded" || list.Data[0]["max_context_length"] != 512.0 {
		t.Errorf("models = %v", list.Data)
	}
	var paths []string
	for _, r := range l.Requests() {
		paths = append(paths, r.Method+" "+r.Path+" "+r.APIKey)
	}
	if diff := cmp.Diff([]string{"GET /api/v0/models ", "GET /api/v0/models lm-secret-token"}, paths); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

// TestLMStudioWrongModelType: like LM Studio, the fake fails to "load" an
// embedding model for a chat and a chat model for embeddings.
func TestLMStudioWrongModelType(t *testing.T) {
	l := NewLMStudio(t)
	for _, c := range []struct{ path, body, want string }{
		{"/v1/chat/completions", `{"model":"` + DefaultLMStudioEmbeddingModel + `","messages":[{"role":"user","content":"hi"}]}`,
			`Failed to load model "` + DefaultLMStudioEmbeddingModel + `". Error: Model is not llm.`},
		{"/v1/embeddings", `{"model":"` + DefaultLMStudioModel + `","input":"hi"}`,
			`Failed to load model "` + DefaultLMStudioModel + `". Error: Model is not embedding.`},
	} {
		resp, err := http.Post(l.URL()+c.path, "application/json", strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Error struct{ Message, Code string } `json:"error"`
		}
		err = json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusNotFound || v.Error.Message != c.want || v.Error.Code != "model_not_found" {
			t.Errorf("%s: %d %+v (%v); want 404 model_not_found %q", c.path, resp.StatusCode, v.Error, err, c.want)
		}
	}
}
