package coord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/app/internal/pending"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
)

// How a request's finishing write is tried again when the store fails it
// for a while (a leader change, no quorum yet, a busy or full disk):
// after about finishFirst, then twice as long each time up to
// finishBackoffMax (jittered, so that the requests that failed together
// do not all come back together), for finishFor in all. Until recordTimeout
// has passed the request waits for it, so that what it tells the user
// about its record is true when it returns; after that the write goes on
// in the background (Pending).
const (
	finishFor        = 30 * time.Second
	finishFirst      = 100 * time.Millisecond
	finishBackoffMax = 2 * time.Second
)

// When the process quits (Pending.Close) with finishing writes still
// pending, it tries them at once and then every closingEvery, for up to
// closeWait: a leader elected a moment before, or a disk with room again,
// then gets the record finished rather than left running for the node's
// next start to mark interrupted without its answer.
const (
	closingEvery = 250 * time.Millisecond
	closeWait    = 10 * time.Second
)

// recordTimeout bounds the part of the finishing write a request waits for.
const recordTimeout = 5 * time.Second

// finish records how the request ended. A write the store fails for a
// while is tried again (finishFor), in the background once the request
// has returned (Pending); r.unrecorded then says that the record is not
// written yet, so that the error the user gets does not claim it is.
func (r *run) finish(ctx context.Context, status string, err error) error {
	in := r.in
	in.Status = status
	in.Route = r.route
	in.PromptEstimate = r.usage.estimate(in.Provider, in.RequestedModel)
	if in.TotalMillis == nil {
		in.TotalMillis = ptr(millis(r.c.cfg.Now().Sub(in.StartedAt)))
	}
	switch {
	case status == db.StatusCancelled:
		// The user's doing, whatever the provider's side made of it
		// ("openai: chat m: context canceled").
		in.Error, in.ErrorKind = "cancelled", "cancelled"
	case r.down != "" && status == db.StatusError:
		// No provider could take it: what the user was told, which
		// names each, not the last one's failure alone.
		in.Error, in.ErrorKind = r.down, r.downKind()
	case err != nil:
		in.Error = r.namedError(err)
		in.ErrorKind = outcomeOf(err)
	}
	fin := r.c.cfg.Now()
	in.FinishedAt = &fin
	// The record and event as they are now: the caller gets in back and
	// may change it (a node rewriting a request it cut by quitting) while
	// the write goes on in the background. The record is without the
	// credentials of this node's providers (Recorded); in keeps the answer
	// as it arrived.
	rec, ev := r.c.Recorded(in), r.event()
	write := func(ctx context.Context) error { return r.c.cfg.Recorder.FinishInteraction(ctx, rec, ev) }

	first := time.Now()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	// A full disk is not freed in seconds: it is left to the background
	// at once rather than holding the request for recordTimeout.
	rerr := retryWrite(rctx, write, nil, func(err error) bool { return transient(err) && !diskFull(err) })
	cancel()
	if rerr == nil {
		return err
	}
	r.unrecorded = rerr
	logger := r.c.logger.With("interaction", in.ID)
	if !transient(rerr) || !r.c.pending.add(ctx, func(ctx context.Context, closing <-chan struct{}) {
		finishLater(ctx, closing, write, first, logger)
	}) {
		logger.Warn("coord: the request's record could not be finished; it stays running until this node next starts", "err", rerr)
	} else {
		logger.Warn("coord: finishing the request's record failed; trying again in the background", "err", rerr)
	}
	rerr = fmt.Errorf("coord: record finish: %w", rerr)
	var full *db.DiskFullError
	if err == nil && status == db.StatusOK && errors.As(rerr, &full) {
		// The answer reached the user whole: asking again would pay for
		// it twice, and is not what a full disk asks for.
		// Not "yet": a process that quits first records it only if room
		// comes back while it tries (Pending.Close waits closeWait).
		rerr = usererr.Wrap(rerr, "the answer is complete, but it could not be recorded in history: %s (aiex tries again for a few seconds before it exits)", full.Cause())
	} else if ue := usererr.As(rerr); ue != nil {
		// A full disk: the store's sentence is the user's to act on,
		// and reaches them as it is, without the operation's prefix.
		rerr = usererr.Wrap(rerr, "%s", ue.Msg)
	}
	return errors.Join(err, rerr)
}

// finishLater is the background part of a finishing write: tried until
// finishFor has passed since first, or, once the process is quitting,
// for as long as Pending.Close waits. It logs the outcome once.
func finishLater(ctx context.Context, closing <-chan struct{}, write func(context.Context) error, first time.Time, logger *slog.Logger) {
	ctx, cancel := context.WithDeadline(ctx, first.Add(finishFor))
	defer cancel()
	if err := retryWrite(ctx, write, closing, transient); err != nil {
		logger.Warn("coord: the request's record could not be finished; it stays running until this node next starts", "err", err)
		return
	}
	logger.Info("coord: the request's record was finished late")
}

// retryWrite calls write until it succeeds, fails with an error retry
// rejects, or ctx ends, waiting a jittered backoff between tries; once
// closing is closed it tries at once and then every closingEvery. It
// returns the last error.
func retryWrite(ctx context.Context, write func(context.Context) error, closing <-chan struct{}, retry func(error) bool) error {
	wait, quitting := finishFirst, false
	for {
		err := write(ctx)
		if err == nil || !retry(err) || ctx.Err() != nil {
			return err
		}
		d := closingEvery
		if !quitting {
			d = wait/2 + rand.N(wait/2+1)
			wait = min(2*wait, finishBackoffMax)
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-closing:
			t.Stop()
			closing, quitting = nil, true
		case <-t.C:
		}
	}
}

// transient reports whether a failed write of the store may land if tried
// again: a leader lost or not elected yet, an outcome unknown (the write
// is idempotent: db.Store.FinishInteraction), a timeout, a busy or full
// disk. A closed store, a node no longer in its cluster, or a statement
// the database refuses for another reason will not do better.
func transient(err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, db.ErrClosed), errors.Is(err, db.ErrRemoved), errors.Is(err, db.ErrDropped),
		errors.Is(err, context.Canceled):
		return false
	case diskFull(err):
		return true
	case errors.Is(err, db.ErrStatement):
		msg := err.Error()
		return strings.Contains(msg, "locked") || strings.Contains(msg, "busy")
	}
	return true
}

// diskFull reports whether err is the store's full disk (its sentence
// says so; SQLite's "database or disk is full" is what it wraps).
func diskFull(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if msg := e.Error(); strings.Contains(msg, "disk is full") || strings.Contains(msg, "no space left") || strings.Contains(msg, " is full; free some space") {
			return true
		}
	}
	return false
}

func (r *run) event() *db.Event {
	in := r.in
	payload, _ := json.Marshal(map[string]any{
		"interaction_id": in.ID, "provider": in.Provider, "model": in.Model, "requested_model": in.RequestedModel, "status": in.Status,
		"error_kind": in.ErrorKind, "attempts": in.Attempts, "prompt_tokens": in.PromptTokens,
		"completion_tokens": in.CompletionTokens, "cost_usd": in.CostUSD,
		"ttft_ms": in.TTFTMillis, "total_ms": in.TotalMillis,
	})
	actor := r.req.Actor
	if actor == "" {
		actor = "cli"
	}
	return &db.Event{Stream: EventStream, Type: EventType, Payload: payload, Node: r.c.cfg.Node, Actor: actor, Time: *in.FinishedAt}
}

// Pending runs the finishing writes of requests that returned before the
// store took them (finish), and makes the process wait for them before it
// quits. One Pending may serve several coordinators (an app that builds
// its providers anew keeps the writes of the coordinator it dropped). Its
// zero value is ready to use; it is safe for concurrent use.
type Pending struct{ set pending.Set }

// add runs fn in the background, with a context that Close ends and a
// channel Close closes first (fn should then hurry). It reports whether it
// took fn on (false once Close has been called).
func (p *Pending) add(ctx context.Context, fn func(ctx context.Context, closing <-chan struct{})) bool {
	return p.set.Go(ctx, fn)
}

// Len is how many finishing writes are pending.
func (p *Pending) Len() int { return p.set.Len() }

// Close waits, for up to closeWait, for the pending finishing writes
// (which try at once and then often), then stops those left and waits for
// them to return. Their records stay running, as the process leaves them,
// until this node next starts (app.New marks them interrupted). Writes
// that fail later are not taken on. It is safe to call twice.
func (p *Pending) Close() { p.set.Close(closeWait) }

// finishFailed ends a request that did not succeed: it records the
// interaction (if one was started) and returns the error the user sees.
func (r *run) finishFailed(ctx context.Context) error {
	// Recorded with the times a breaker's trial was set for; said to
	// the user as of now (the breaker keeps time by the clock, not
	// Config.Now).
	return sayWhen(r.finishFailedRecord(ctx), time.Now())
}

// finishFailedRecord is finishFailed, with its error as recorded.
func (r *run) finishFailedRecord(ctx context.Context) error {
	err := r.failure(ctx)
	if r.in == nil {
		if len(r.route) == 0 && r.lacked == 0 {
			return err // no target was even looked at
		}
		// Every target was passed over before a chat went out (its model
		// list failed, its breaker was open, a spend cap): the request is
		// recorded all the same, with its route, under the last target
		// whose server it reached (a model listing that failed). One that
		// reached none — every target passed over by what was known
		// already (a cached list without the model, an open breaker) — is
		// recorded under no provider, with the model it asked for: usage,
		// which sums requests by provider, must not charge it to one that
		// was never asked. So is one whose targets were all left out for
		// not listing the model (leftOut), with an empty route.
		// A request that tried several providers and reached none of
		// them with a chat was taken by none: it is recorded under no
		// provider (untaken), not under the last one tried.
		var provider, model string
		for _, a := range slices.Backward(r.route) {
			if a.Millis > 0 && !r.untaken() {
				provider, model = a.Provider, a.Model
				break
			}
		}
		if provider == "" && r.req.Provider != "" {
			// Pinned (aiex ask --provider) and refused before it was
			// sent (its breaker open): the user asked for this provider
			// by name, and the request is its, with the model it was
			// meant for.
			provider = r.req.Provider
			for _, a := range slices.Backward(r.route) {
				if a.Provider == provider && a.Model != "" {
					model = a.Model
					break
				}
			}
		}
		if model == "" {
			// No list said which model (it failed): the one asked for.
			model = r.req.Model
		}
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
		berr := r.begin(rctx, provider, model, nil)
		cancel()
		if berr != nil {
			r.c.logger.Warn("coord: cannot record a failed request", "err", berr)
			return err
		}
	}
	if r.untaken() {
		// Begun for a chat that was refused before it went out (no key).
		r.in.Provider, r.in.Model, r.in.RequestedModel = "", r.req.Model, r.req.Model
	}
	status := db.StatusError
	switch {
	case errors.Is(err, context.Canceled) || (ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded)):
		status = db.StatusCancelled
	case r.streamed && (r.lastErr == nil || isProviderError(r.lastErr) || isTooLong(r.lastErr) || errors.Is(ctx.Err(), context.DeadlineExceeded)):
		// The provider broke off, or the answer was cut at its limit or
		// at the request's deadline; an answer that stopped because its
		// output failed (a full disk) is an error like any other.
		status = db.StatusInterrupted
	}
	cause := r.lastErr
	if cause == nil || errors.Is(err, context.DeadlineExceeded) {
		cause = err // the deadline's one line, not "chat m: context deadline exceeded"
	}
	ferr := r.finish(ctx, status, cause)
	if r.unrecorded != nil && r.streamed {
		// It said the partial answer was recorded; it was not (yet), and
		// it now says so, with why.
		return r.userError(ctx)
	}
	if ferr != nil && !errors.Is(ferr, cause) {
		return errors.Join(err, ferr)
	}
	return err
}

// namedError is err's message as the request records it: as its attempt
// does (attemptMessage: a server's error answer with its status and
// address), a rate limit's with the wait asked for (rateLimitNote), and,
// when the route went to several providers, with the name of the one it is
// of, "openai: HTTP 500 from …: …". The provider's own message does not
// say whose it is, and the request's failure is that of all of them.
func (r *run) namedError(err error) string {
	msg := r.c.message(err) + rateLimitNote(err)
	var pe *providers.Error
	if !errors.As(err, &pe) || pe.Provider == "" || strings.HasPrefix(msg, pe.Provider+":") {
		return msg
	}
	for _, a := range r.route {
		if a.Provider != pe.Provider {
			return pe.Provider + ": " + msg
		}
	}
	return msg
}

// untaken reports whether the request tried several providers and sent
// none of them the chat (a model listing that failed, a key missing or
// unreadable, an open breaker): no provider took it, and it is recorded
// under none — attributed to the last one tried, history showed it as
// that provider's, and usage charged it a request it was never sent.
func (r *run) untaken() bool {
	if r.req.Provider != "" || len(r.routeProviders()) < 2 {
		return false
	}
	return !slices.ContainsFunc(r.route, chatSent)
}

// downKind is the error kind recorded for a request no provider could
// take (r.down): the kind its route's failures share, else unavailable —
// no provider was available — rather than the last one's.
func (r *run) downKind() string {
	kind := ""
	for _, a := range r.route {
		switch {
		case kind == "":
			kind = a.Outcome
		case a.Outcome != kind:
			return string(providers.KindUnavailable)
		}
	}
	return kind
}
