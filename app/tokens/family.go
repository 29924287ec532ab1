package tokens

import (
	"strings"
)

// Counter counts the tokens of a text for one model family. Counters
// returned by this package are safe for concurrent use.
type Counter interface {
	Count(text string) int
}

// Family names a tokenizer, or a group of models whose tokenizers count
// alike. It is stable: it may be stored next to counts made with it.
type Family string

// The families. The first two are exact; the others are estimated.
const (
	// FamilyO200k is OpenAI's o200k_base: GPT-4o, GPT-4.1, GPT-4.5, GPT-5,
	// the o-series reasoning models, gpt-oss.
	FamilyO200k Family = "o200k_base"
	// FamilyCl100k is OpenAI's cl100k_base: GPT-4, GPT-4 Turbo,
	// GPT-3.5 Turbo, text-embedding-3-* and text-embedding-ada-002.
	FamilyCl100k Family = "cl100k_base"

	// FamilyLlama3 is Llama 3.x's 128k-entry BPE.
	FamilyLlama3 Family = "llama3"
	// FamilyQwen is Qwen 2, 2.5 and 3's 151k-entry BPE (also QwQ).
	FamilyQwen Family = "qwen"
	// FamilyGemma is Gemma's 256k-entry SentencePiece vocabulary.
	FamilyGemma Family = "gemma"
	// FamilyLlama2 is Llama 2's 32k-entry SentencePiece vocabulary, and
	// the models with a vocabulary of that kind: CodeLlama, Mistral 7B,
	// Mixtral, Codestral 22B, Phi-3.
	FamilyLlama2 Family = "llama2"
	// FamilyClaude is Anthropic's tokenizer of Claude 3 to Claude 4.6.
	FamilyClaude Family = "claude"
	// FamilyClaude47 is the tokenizer Anthropic introduced with Claude
	// Opus 4.7, which makes about 30 % more tokens than FamilyClaude.
	FamilyClaude47 Family = "claude-4.7"
	// FamilyGeneric is for models of unknown family: the largest count of
	// the modern open tokenizers measured (Llama 3, Qwen, Gemma, o200k,
	// cl100k), estimated.
	FamilyGeneric Family = "generic"
)

// Exact reports whether the family's counts come from its real tokenizer
// rather than an estimate.
func (f Family) Exact() bool {
	return f == FamilyO200k || f == FamilyCl100k
}

// Counter returns the family's counter: the real tokenizer for an exact
// family, an Estimate otherwise.
func (f Family) Counter() Counter {
	switch f {
	case FamilyO200k:
		return o200k
	case FamilyCl100k:
		return cl100k
	}
	return Estimate{Family: f}
}

// For returns the counter for a model, chosen as FamilyOf does.
func For(kind, model string) Counter {
	return FamilyOf(kind, model).Counter()
}

// FamilyOf tells which family counts tokens for a model. kind is the
// provider kind ("openai", "anthropic", "ollama", "lmstudio",
// "openai-compatible"); model is the model name as the provider takes it,
// with or without an Ollama tag (":8b") or a vendor path ("openai/gpt-4o").
// The name decides when it is recognised, whatever the kind; otherwise the
// kind does: "openai" means o200k_base, "anthropic" the newest Claude
// tokenizer, anything else FamilyGeneric.
func FamilyOf(kind, model string) Family {
	full := strings.ToLower(strings.TrimSpace(model))
	if strings.Contains(full, "claude") || kind == "anthropic" {
		return claudeFamily(full)
	}
	name := strings.TrimPrefix(full, "ft:") // OpenAI fine-tunes: ft:gpt-4o-mini:org::id
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	if i := strings.IndexByte(name, ':'); i >= 0 {
		name = name[:i]
	}
	if f, ok := openAIFamily(name); ok {
		return f
	}
	for _, r := range localRules {
		for _, s := range r.contains {
			if strings.Contains(name, s) {
				return r.family
			}
		}
	}
	if kind == "openai" {
		return FamilyO200k
	}
	return FamilyGeneric
}

// openAIFamily recognises OpenAI's model names.
func openAIFamily(name string) (Family, bool) {
	has := func(prefixes ...string) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) {
				return true
			}
		}
		return false
	}
	switch {
	case has("gpt-4o", "gpt-4.", "chatgpt-", "gpt-oss", "codex-", "omni-moderation"):
		return FamilyO200k, true
	case name == "gpt-4" || has("gpt-4-", "gpt-3.5", "gpt-35", "text-embedding-3", "text-embedding-ada-002", "davinci-002", "babbage-002"):
		return FamilyCl100k, true
	case has("gpt-") && len(name) > 4 && name[4] >= '5' && name[4] <= '9':
		// gpt-5 and later: o200k_base is the newest encoding.
		return FamilyO200k, true
	case len(name) >= 2 && name[0] == 'o' && name[1] >= '1' && name[1] <= '9':
		// o1, o3-mini, o4-mini, …
		return FamilyO200k, true
	}
	return "", false
}

// localRules map substrings of open model names to families, first match
// wins. Names are lowercased, without their vendor path or Ollama tag.
var localRules = []struct {
	family   Family
	contains []string
}{
	// Llama 4 has a 200k vocabulary of its own; not measured.
	{FamilyGeneric, []string{"llama4", "llama-4"}},
	{FamilyLlama2, []string{"llama2", "llama-2", "codellama", "tinyllama"}},
	{FamilyLlama3, []string{"llama3", "llama-3", "llama"}},
	{FamilyQwen, []string{"qwen", "qwq"}},
	{FamilyGemma, []string{"gemma"}},
	// Mistral's newer models use Tekken, a 131k tiktoken-style BPE.
	{FamilyGeneric, []string{"nemo", "ministral", "devstral", "magistral", "pixtral"}},
	// Older Mistral models, and names too vague to tell (mistral-small
	// exists in both vocabularies): the 32k vocabulary counts higher.
	{FamilyLlama2, []string{"mistral", "mixtral", "codestral", "mathstral", "zephyr", "phi3", "phi-3"}},
}

// claudeFamily picks the Claude tokenizer from a model name such as
// claude-3-5-sonnet-20241022, claude-sonnet-4-5, claude-opus-4-7 or
// anthropic.claude-3-haiku-20240307-v1:0. Names it cannot place get the
// newer tokenizer, which counts higher.
func claudeFamily(name string) Family {
	fields := strings.FieldsFunc(name, func(r rune) bool {
		return r == '-' || r == '.' || r == '@' || r == ':' || r == '_'
	})
	small := func(s string) bool { // a version number, not a date
		return len(s) >= 1 && len(s) <= 2 && s[0] >= '0' && s[0] <= '9' && (len(s) == 1 || s[1] >= '0' && s[1] <= '9')
	}
	num := func(s string) int {
		n := 0
		for i := range len(s) {
			n = n*10 + int(s[i]-'0')
		}
		return n
	}
	i := 0
	for i < len(fields) && !(small(fields[i]) && fields[i] != "0") {
		i++
	}
	if i == len(fields) {
		return FamilyClaude47
	}
	major, minor := num(fields[i]), 0
	if i+1 < len(fields) && small(fields[i+1]) {
		minor = num(fields[i+1])
	}
	if major < 4 || major == 4 && minor < 7 {
		return FamilyClaude
	}
	return FamilyClaude47
}
