// Package providers defines the small interface every LLM provider implements,
// the message and stream types they share, and the typed error they return.
//
// Provider packages (providers/ollama, …) convert between these types and their
// vendor's wire format with pure functions; they never import the store or the mesh.
package providers

import (
	"context"
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
type Request struct {
	Model    string
	Messages []Message
	// Options are provider-independent sampling options; nil leaves the
	// provider's defaults.
	Temperature *float64
	MaxTokens   int
}

// Chunk is one piece of a streamed answer.
type Chunk struct {
	Text string
}

// Usage is the token accounting of a finished request as the provider reported it.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
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
