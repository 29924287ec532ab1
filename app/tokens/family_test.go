package tokens

import "testing"

func TestFamilyOf(t *testing.T) {
	for _, tt := range []struct {
		kind, model string
		want        Family
	}{
		// OpenAI, exact.
		{"openai", "gpt-4o", FamilyO200k},
		{"openai", "gpt-4o-mini-2024-07-18", FamilyO200k},
		{"openai", "chatgpt-4o-latest", FamilyO200k},
		{"openai", "gpt-4.1", FamilyO200k},
		{"openai", "gpt-4.1-nano", FamilyO200k},
		{"openai", "gpt-4.5-preview", FamilyO200k},
		{"openai", "gpt-5", FamilyO200k},
		{"openai", "gpt-5-mini", FamilyO200k},
		{"openai", "o1", FamilyO200k},
		{"openai", "o1-preview", FamilyO200k},
		{"openai", "o3-mini", FamilyO200k},
		{"openai", "o4-mini", FamilyO200k},
		{"openai", "codex-mini-latest", FamilyO200k},
		{"openai", "ft:gpt-4o-mini-2024-07-18:acme::abc123", FamilyO200k},
		{"openai", "gpt-4", FamilyCl100k},
		{"openai", "gpt-4-0613", FamilyCl100k},
		{"openai", "gpt-4-turbo", FamilyCl100k},
		{"openai", "gpt-4-32k", FamilyCl100k},
		{"openai", "gpt-3.5-turbo", FamilyCl100k},
		{"openai", "gpt-3.5-turbo-0125", FamilyCl100k},
		{"openai", "ft:gpt-3.5-turbo-0613:acme::xyz", FamilyCl100k},
		{"openai", "text-embedding-3-small", FamilyCl100k},
		{"openai", "text-embedding-3-large", FamilyCl100k},
		{"openai", "text-embedding-ada-002", FamilyCl100k},
		{"openai", "GPT-4o", FamilyO200k},
		{"openai", "", FamilyO200k},
		{"openai", "some-future-model", FamilyO200k},
		// OpenAI models behind other kinds of endpoint.
		{"openai-compatible", "openai/gpt-4o", FamilyO200k},
		{"openai-compatible", "gpt-35-turbo", FamilyCl100k}, // Azure's spelling
		{"ollama", "gpt-oss:20b", FamilyO200k},
		{"lmstudio", "openai/gpt-oss-120b", FamilyO200k},
		// Anthropic.
		{"anthropic", "claude-3-5-sonnet-20241022", FamilyClaude},
		{"anthropic", "claude-3-opus-20240229", FamilyClaude},
		{"anthropic", "claude-3-7-sonnet-latest", FamilyClaude},
		{"anthropic", "claude-sonnet-4-20250514", FamilyClaude},
		{"anthropic", "claude-opus-4-1-20250805", FamilyClaude},
		{"anthropic", "claude-sonnet-4-5", FamilyClaude},
		{"anthropic", "claude-haiku-4-5-20251001", FamilyClaude},
		{"anthropic", "claude-opus-4-6", FamilyClaude},
		{"anthropic", "claude-opus-4-7", FamilyClaude47},
		{"anthropic", "claude-opus-4-8", FamilyClaude47},
		{"anthropic", "claude-sonnet-5", FamilyClaude47},
		{"anthropic", "claude-2.1", FamilyClaude},
		{"anthropic", "", FamilyClaude47},
		{"anthropic", "claude-latest", FamilyClaude47},
		{"openai-compatible", "anthropic/claude-3.5-sonnet", FamilyClaude},
		{"openai-compatible", "anthropic.claude-3-haiku-20240307-v1:0", FamilyClaude},
		{"openai-compatible", "us.anthropic.claude-sonnet-4-20250514-v1:0", FamilyClaude},
		{"openai-compatible", "claude-3-5-sonnet@20240620", FamilyClaude},
		// Local models.
		{"ollama", "llama3", FamilyLlama3},
		{"ollama", "llama3.1:8b-instruct-q4_K_M", FamilyLlama3},
		{"ollama", "llama3.2:3b", FamilyLlama3},
		{"ollama", "llama3.3:70b", FamilyLlama3},
		{"lmstudio", "lmstudio-community/Meta-Llama-3.1-8B-Instruct-GGUF", FamilyLlama3},
		{"ollama", "hermes3:8b", FamilyGeneric},
		{"ollama", "llama2:13b", FamilyLlama2},
		{"ollama", "codellama:7b-code", FamilyLlama2},
		{"ollama", "tinyllama", FamilyLlama2},
		{"ollama", "llama4:scout", FamilyGeneric},
		{"ollama", "qwen2.5-coder:7b", FamilyQwen},
		{"ollama", "qwen3:30b-a3b", FamilyQwen},
		{"ollama", "qwq", FamilyQwen},
		{"lmstudio", "Qwen/Qwen2.5-Coder-32B-Instruct-GGUF", FamilyQwen},
		{"ollama", "gemma2:9b", FamilyGemma},
		{"ollama", "gemma3:27b", FamilyGemma},
		{"ollama", "codegemma", FamilyGemma},
		{"ollama", "mistral:7b", FamilyLlama2},
		{"ollama", "mixtral:8x7b", FamilyLlama2},
		{"ollama", "codestral", FamilyLlama2},
		{"ollama", "mistral-nemo", FamilyGeneric},
		{"ollama", "devstral:24b", FamilyGeneric},
		{"ollama", "phi3:mini", FamilyLlama2},
		{"ollama", "phi4", FamilyGeneric},
		{"ollama", "deepseek-coder-v2:16b", FamilyGeneric},
		{"ollama", "deepseek-r1:8b", FamilyGeneric},
		{"ollama", "starcoder2:3b", FamilyGeneric},
		{"ollama", "", FamilyGeneric},
		{"", "", FamilyGeneric},
		{"openai-compatible", "my-own-model", FamilyGeneric},
	} {
		if got := FamilyOf(tt.kind, tt.model); got != tt.want {
			t.Errorf("FamilyOf(%q, %q) = %s, want %s", tt.kind, tt.model, got, tt.want)
		}
	}
}

func TestForExactness(t *testing.T) {
	for _, tt := range []struct {
		kind, model string
		exact       bool
	}{
		{"openai", "gpt-4o", true},
		{"openai", "gpt-4", true},
		{"ollama", "gpt-oss:20b", true},
		{"anthropic", "claude-sonnet-4-5", false},
		{"ollama", "llama3.1", false},
	} {
		c := For(tt.kind, tt.model)
		_, isEstimate := c.(Estimate)
		if isEstimate == tt.exact || FamilyOf(tt.kind, tt.model).Exact() != tt.exact {
			t.Errorf("For(%q, %q) = %T, exact %v; want exact %v", tt.kind, tt.model, c, FamilyOf(tt.kind, tt.model).Exact(), tt.exact)
		}
	}
}
