// Package ask is the one-shot question: it sends a prompt to a provider,
// streams the answer to the caller as it arrives, and records the
// interaction (tokens, timings, status) and an event in the store.
//
// Provider choice here is deliberately simple — the named provider, else the
// configured ones in order, skipping those that cannot be reached. Routing
// with breakers, limits and cost comes with the coordinator.
package ask

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
)

// Recorder stores interactions and their events.
type Recorder interface {
	StartInteraction(ctx context.Context, in *db.Interaction) error
	FinishInteraction(ctx context.Context, in *db.Interaction, ev *db.Event) error
}

// Candidate is a provider the service may use, with its default model.
type Candidate struct {
	Provider providers.Provider
	Model    string // "" means the first model the provider lists
}

// Service answers prompts.
type Service struct {
	Candidates []Candidate // in order of preference
	Recorder   Recorder
	Node       string // this node's ID, recorded with each interaction
	// Hint ends the "no provider reachable" message: how to configure one.
	Hint string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Request is one question.
type Request struct {
	Prompt   string
	Provider string // a candidate's name; "" means any, in order
	Model    string // "" means the candidate's default
	Actor    string // who asked, for the event log
}

// EventStream and EventType name the event appended for each interaction.
const (
	EventStream = "llm"
	EventType   = "llm.interaction.finished"
)

// recordTimeout bounds the final write when the request's ctx is done.
const recordTimeout = 5 * time.Second

// Ask streams the answer to req through fn and returns the recorded
// interaction. Chunks reach fn in order as they arrive. On failure the
// interaction, if one was started, is returned along with the error.
func (s *Service) Ask(ctx context.Context, req Request, fn func(text string) error) (*db.Interaction, error) {
	cands, err := s.candidates(req.Provider)
	if err != nil {
		return nil, err
	}
	var tried []string
	for _, c := range cands {
		in, err := s.try(ctx, c, req, fn)
		if err == nil {
			return in, nil
		}
		var pe *providers.Error
		if errors.As(err, &pe) && pe.Kind == providers.KindUnavailable && (in == nil || in.Response == "") {
			tried = append(tried, fmt.Sprintf("%s: %s", c.Provider.Name(), shortReason(pe)))
			continue
		}
		return in, err
	}
	return nil, &usererr.Error{
		Msg: fmt.Sprintf("no LLM provider reachable (tried %s); %s", strings.Join(tried, "; "), s.Hint),
	}
}

func (s *Service) candidates(name string) ([]Candidate, error) {
	if len(s.Candidates) == 0 {
		return nil, usererr.New("no LLM provider configured; %s", s.Hint)
	}
	if name == "" {
		return s.Candidates, nil
	}
	var names []string
	for _, c := range s.Candidates {
		if c.Provider.Name() == name {
			return []Candidate{c}, nil
		}
		names = append(names, c.Provider.Name())
	}
	return nil, usererr.Usage("unknown provider %q; configured providers: %s", name, strings.Join(names, ", "))
}

// try runs req on one candidate and records it.
func (s *Service) try(ctx context.Context, c Candidate, req Request, fn func(string) error) (*db.Interaction, error) {
	p := c.Provider
	model := req.Model
	if model == "" {
		model = c.Model
	}
	if model == "" {
		m, err := firstModel(ctx, p)
		if err != nil {
			return nil, err
		}
		model = m
	}

	in := &db.Interaction{
		ID:        newID(),
		Node:      s.Node,
		Provider:  p.Name(),
		Model:     model,
		Prompt:    req.Prompt,
		Status:    db.StatusRunning,
		StartedAt: s.now(),
	}
	if err := s.Recorder.StartInteraction(ctx, in); err != nil {
		return nil, fmt.Errorf("ask: record start: %w", err)
	}

	var answer strings.Builder
	var outErr error
	start := time.Now()
	res, err := p.Chat(ctx, providers.Request{
		Model:    model,
		Messages: []providers.Message{{Role: providers.RoleUser, Content: req.Prompt}},
	}, func(ch providers.Chunk) error {
		if ch.Text == "" {
			return nil
		}
		if in.TTFTMillis == nil {
			in.TTFTMillis = ptr(millis(time.Since(start)))
		}
		answer.WriteString(ch.Text)
		if err := fn(ch.Text); err != nil {
			outErr = err
			return err
		}
		return nil
	})
	total := millis(time.Since(start))
	in.TotalMillis = &total
	in.Response = answer.String()
	if res.Model != "" {
		in.Model = res.Model
	}
	in.PromptTokens = res.Usage.PromptTokens
	in.CompletionTokens = res.Usage.CompletionTokens
	in.Status, in.Error = outcome(err, outErr)
	fin := s.now()
	in.FinishedAt = &fin

	// Record even when ctx is done: a cancelled answer is still history.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	if rerr := s.Recorder.FinishInteraction(rctx, in, s.event(in, req.Actor)); rerr != nil {
		return in, errors.Join(userFacing(err, outErr, in), fmt.Errorf("ask: record finish: %w", rerr))
	}
	return in, userFacing(err, outErr, in)
}

// outcome maps how Chat ended to the recorded status and error text.
func outcome(err, outErr error) (status, msg string) {
	switch {
	case err == nil:
		return db.StatusOK, ""
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return db.StatusCancelled, err.Error()
	case outErr != nil:
		return db.StatusInterrupted, "output closed: " + outErr.Error()
	case providers.KindOf(err) == providers.KindInterrupted:
		return db.StatusInterrupted, err.Error()
	default:
		return db.StatusError, err.Error()
	}
}

// userFacing turns a failed Chat into the error the user sees.
func userFacing(err, outErr error, in *db.Interaction) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || outErr != nil {
		return err
	}
	var pe *providers.Error
	if !errors.As(err, &pe) {
		return fmt.Errorf("ask: %w", err)
	}
	switch pe.Kind {
	case providers.KindInterrupted:
		return usererr.Wrap(err, "the answer from %s (%s) broke off: %s; the partial answer is recorded as interrupted",
			in.Provider, in.Model, shortReason(pe))
	case providers.KindNotFound:
		return usererr.Wrap(err, "%s: %s", in.Provider, shortReason(pe))
	case providers.KindUnavailable:
		return err // Ask tries the next candidate
	default:
		return usererr.Wrap(err, "%s (%s) failed: %s", in.Provider, in.Model, shortReason(pe))
	}
}

func (s *Service) event(in *db.Interaction, actor string) *db.Event {
	payload, _ := json.Marshal(map[string]any{
		"interaction_id":    in.ID,
		"provider":          in.Provider,
		"model":             in.Model,
		"status":            in.Status,
		"prompt_tokens":     in.PromptTokens,
		"completion_tokens": in.CompletionTokens,
		"ttft_ms":           in.TTFTMillis,
		"total_ms":          in.TotalMillis,
	})
	if actor == "" {
		actor = "cli"
	}
	return &db.Event{Stream: EventStream, Type: EventType, Payload: payload, Node: s.Node, Actor: actor, Time: *in.FinishedAt}
}

// firstModel is the model to use when none is configured: the provider's
// first listed one.
func firstModel(ctx context.Context, p providers.Provider) (string, error) {
	models, err := p.Models(ctx)
	if err != nil {
		return "", err
	}
	if len(models) == 0 {
		return "", usererr.New("%s at %s has no models; install one (for Ollama: ollama pull NAME) or pass --model", p.Name(), p.Endpoint())
	}
	return models[0].Name, nil
}

func shortReason(pe *providers.Error) string {
	if pe.Message != "" {
		return pe.Message
	}
	if pe.Err != nil {
		return pe.Err.Error()
	}
	return string(pe.Kind)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func newID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func ptr[T any](v T) *T { return &v }
