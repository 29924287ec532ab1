package ollama

import (
	"context"
	"fmt"

	"github.com/aiex-dev/aiex/providers"
)

// stream is the state of one streamed answer that runStream classifies when
// it ends: how many chunks reached the caller, the caller's own error, and
// whether Ollama's final ("done") object came.
type stream struct {
	fn     func(providers.Chunk) error
	chunks int
	fnErr  error
	done   bool
}

// emit passes c to the caller's fn, remembering fn's error so that it is
// returned unchanged rather than mistaken for the server's.
func (s *stream) emit(c providers.Chunk) error {
	s.chunks++
	if err := s.fn(c); err != nil {
		s.fnErr = err
		return err
	}
	return nil
}

// runStream makes one streaming request with call, which must use the
// context it is given (so the observing transport sees the body) and mark
// s.done on the final object. It returns nil only for a stream that reached
// its final object; otherwise fn's error unchanged, the context's error
// wrapped with op and model if ctx ended first, and a *providers.Error for
// everything else: an error status is classified by its code even when the
// answer had no body, and a stream that ends without its final object is
// KindInterrupted.
func (p *Provider) runStream(ctx context.Context, op, model string, fn func(providers.Chunk) error, call func(context.Context, *stream) error) error {
	s := &stream{fn: fn}
	octx, obs := observe(ctx)
	err := call(octx, s)
	switch {
	case s.fnErr != nil:
		return s.fnErr
	case err == nil && s.done:
		return nil
	case ctx.Err() != nil:
		// Checked before err: a cancelled body read looks to the api
		// client like the end of the stream.
		return fmt.Errorf("ollama: %s %s: %w", op, model, ctx.Err())
	case err == nil:
		// The api client returns nil for an error answer without a body;
		// the status it saw is then all there is to go on.
		err = obs.statusError()
	}
	if err != nil {
		pe := p.providerError(ctx, model, err, obs)
		pe.RetryAfter = obs.retryAfter
		return pe
	}
	return p.scrub(interrupted(p.name, p.endpoint, s.chunks, obs.readErr))
}

// interrupted describes a stream that ended without its final object, having
// delivered chunks pieces; readErr is why the body broke off, or nil when it
// ended cleanly (which a healthy server never does).
func interrupted(provider, endpoint string, chunks int, readErr error) *providers.Error {
	pe := &providers.Error{Provider: provider, Kind: providers.KindInterrupted, Err: readErr}
	if readErr != nil {
		pe.Message = fmt.Sprintf("the answer from Ollama at %s broke off after %d chunks: %s", endpoint, chunks, providers.DescribeNetError(readErr))
	} else {
		pe.Message = fmt.Sprintf("the answer from Ollama at %s ended after %d chunks without its final response", endpoint, chunks)
	}
	return pe
}
