// Package ask is the one-shot question: it turns the user's words into the
// messages of a request (through the "ask" prompt template) and sends them
// through the coordinator, which picks the provider, streams the answer and
// records the interaction.
package ask

import (
	"context"
	"time"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
)

// Router sends a request to a provider: the coordinator.
type Router interface {
	Chat(ctx context.Context, req coord.Request, fn func(providers.Chunk) error) (*db.Interaction, error)
}

// Renderer renders a task's prompt template into messages.
type Renderer interface {
	Ask(question string) ([]providers.Message, error)
}

// Service answers questions.
type Service struct {
	Router  Router
	Prompts Renderer // nil sends the question as the only message
}

// Request is one question.
type Request struct {
	Prompt    string
	Provider  string         // "" lets the strategy choose
	Model     string         // "" means the provider's default
	Strategy  coord.Strategy // "" means the configured one
	Actor     string         // who asked, for the event log
	SessionID string
	// Messages, if set, are the prompt as rendered elsewhere (with the
	// project's code: app/ctxbuild); Prompt is then only recorded.
	Messages []providers.Message
	// Start is when the caller began work on the request (coord.Request).
	Start time.Time
	// Window is the context window the messages were fitted to
	// (providers.Request.Window); 0 when they were not.
	Window int
}

// Ask streams the answer's text to fn and returns the recorded interaction.
func (s *Service) Ask(ctx context.Context, req Request, fn func(text string) error) (*db.Interaction, error) {
	msgs := []providers.Message{{Role: providers.RoleUser, Content: req.Prompt}}
	switch {
	case len(req.Messages) > 0:
		msgs = req.Messages
	case s.Prompts != nil:
		m, err := s.Prompts.Ask(req.Prompt)
		if err != nil {
			return nil, err
		}
		msgs = m
	}
	return s.Router.Chat(ctx, coord.Request{
		Messages: msgs, Prompt: req.Prompt, Provider: req.Provider, Model: req.Model,
		Strategy: req.Strategy, Actor: req.Actor, SessionID: req.SessionID, Start: req.Start, Window: req.Window,
	}, func(c providers.Chunk) error {
		if c.Text == "" {
			return nil
		}
		return fn(c.Text)
	})
}
