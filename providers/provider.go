// Package providers defines the small interface every LLM provider implements,
// the message and stream types they share, and the typed error they return.
//
// Provider packages (providers/ollama, …) convert between these types and their
// vendor's wire format with pure functions; they never import the store or the mesh.
//
// No error a provider returns shows the credentials it sends, even when the
// server quotes them back: every *Error goes through a Redactor holding the
// API key and the base URL's password (and the Basic authorization built from
// it), which takes them out of the message, the model list and the wrapped
// errors, whole or in part. Errors are what reach logs, --json output and the
// interaction records.
package providers

import (
	"context"
	"encoding/json"
	"time"
)

// Role is the author of a chat message.
type Role string

// The roles a chat message may have.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Message is one chat message.
type Message struct {
	Role    Role   `json:"role"`
	Content string `json:"content"`
}

// Request is one chat request. Model is the provider's model name.
// Messages with RoleSystem become the provider's system prompt where the
// provider has a separate one (Anthropic).
type Request struct {
	Model    string
	Messages []Message
	// Tools the model may call; their calls stream back as ToolCall chunks.
	Tools []Tool
	// Sampling options; nil/0 leave the provider's defaults.
	Temperature *float64
	MaxTokens   int
	// Window is the context window, in tokens, the prompt was fitted to;
	// a provider whose server sizes a model's window per request (Ollama's
	// num_ctx) runs the model with it, so that the prompt is not cut to
	// the server's default. 0 leaves the server's choice.
	Window int
}

// Tool is a function the model may call.
type Tool struct {
	Name        string
	Description string
	Parameters  json.RawMessage // JSON Schema of the arguments object
}

// Chunk is one piece of a streamed answer: text, or a fragment of a tool call.
type Chunk struct {
	Text     string
	ToolCall *ToolCallDelta
}

// ToolCallDelta is a fragment of a tool call as it streams. The first
// fragment of a call carries its ID and Name; later ones with the same Index
// append to Arguments (a JSON text arriving in pieces).
type ToolCallDelta struct {
	Index     int
	ID        string
	Name      string
	Arguments string
}

// Usage is the token accounting of a finished request as the provider reported it.
type Usage struct {
	PromptTokens     int // input tokens, including cached ones
	CompletionTokens int
	CacheReadTokens  int // input tokens served from the provider's prompt cache
	CacheWriteTokens int // input tokens written to the provider's prompt cache
}

// Result describes a finished stream.
type Result struct {
	Model string // the model that answered, as the provider names it
	Usage Usage
	// StopReason is the provider's reason for ending ("stop", "length", …).
	StopReason string
}

// Model is one model a provider can serve.
type Model struct {
	Name string
	// ContextWindow is the model's context length in tokens; 0 when unknown.
	ContextWindow int
	// Local reports whether the model runs on this machine (costs nothing).
	Local bool
	// ModifiedAt is when the provider last changed the model; zero when unknown.
	ModifiedAt time.Time
	// Loaded reports whether the model is loaded in memory, for servers that
	// say (LM Studio, Ollama's running models); false when unknown.
	Loaded bool
	// NoChat marks a model that does not chat (embeddings, images,
	// speech, moderation), as far as the provider's list tells: it is
	// never a request's default model.
	NoChat bool
}

// Provider is an LLM server Aiex can talk to.
type Provider interface {
	// Name is the configured name of this provider ("ollama", "work-openai", …).
	Name() string
	// Kind is the provider's kind ("ollama", "openai", …).
	Kind() string
	// Endpoint is where the provider is reached, for messages and status
	// output. It never contains credentials.
	Endpoint() string
	// Chat streams the answer to req, calling fn for each chunk in order.
	// If fn returns an error the stream is aborted and Chat returns that error.
	// Errors from the provider are *Error.
	Chat(ctx context.Context, req Request, fn func(Chunk) error) (Result, error)
	// Models lists the models the provider serves.
	Models(ctx context.Context) ([]Model, error)
}

// Embedder is implemented by providers that compute embeddings.
type Embedder interface {
	// Embed returns one vector per input, in order.
	Embed(ctx context.Context, model string, input []string) ([][]float32, error)
}
