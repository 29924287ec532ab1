package coord

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aiex-dev/aiex/providers"
)

// slowListing is how long a failed listing must have taken (or all of its
// bound, if that is shorter) to count as a silent server: one that took
// the connection and never answered, or an address where a connect times
// out. Such a failure costs every request that lists again the whole wait,
// so it is kept for Breaker.OpenFor; a refused connection costs nothing
// and is kept for catalogErrTTL only.
const slowListing = time.Second

// listModels returns the provider's model names, cached for catalogTTL (a
// failure for catalogErrTTL, a silent server for Breaker.OpenFor) by the
// clock c.cfg.Now. The listing itself is bounded by listBound; a provider
// that does not answer in that time fails with NoAnswer, which is kept
// like any other failure.
func (t *target) listModels(ctx context.Context, c *Coordinator) ([]string, error) {
	t.catalogM.Lock()
	defer t.catalogM.Unlock()
	err := t.freshCatalog(ctx, c)
	return t.catalog, err
}

// freshCatalog lists the provider's models unless the catalog is still
// trusted (catalogTTL), under t.catalogM, and returns its error.
func (t *target) freshCatalog(ctx context.Context, c *Coordinator) error {
	t.seedListing(ctx, c)
	if !t.catAt.IsZero() && c.cfg.Now().Sub(t.catAt) < t.catalogTTL(c) {
		return t.keptErr(c)
	}
	_, err := t.fetchModels(ctx, c, listBound(ctx, c.cfg.ListTimeout), true)
	return err
}

// listAgain lists the provider's models again, unless its catalog is
// younger than catalogErrTTL or failed, and returns them; ok is false when
// it did not list or the listing failed. A request for a model the catalog
// lacks calls it: the model may have come since (ollama pull), and a
// minute of "not found" for a model the provider serves is worse than one
// listing more for a name that is wrong.
func (t *target) listAgain(ctx context.Context, c *Coordinator) ([]string, bool) {
	t.catalogM.Lock()
	defer t.catalogM.Unlock()
	if t.catErr != nil || c.cfg.Now().Sub(t.catAt) < catalogErrTTL {
		return nil, false
	}
	names, err := t.fetchModels(ctx, c, listBound(ctx, c.cfg.ListTimeout), true)
	return names, err == nil
}

// Models returns the models of the provider named provider as the
// coordinator's catalog of it has them (listModels): listed at most once
// a minute and within ListTimeout, and a server found silent held as
// unreachable. Callers that look a model up before a request (its context
// window) go through it rather than the provider, so that a server that
// takes the connection and never answers costs one listing's bound once,
// and is then passed over by the requests (and recorded by the next one
// on it, as a failed listing of its), instead of being listed again and
// sent the request all the same.
func (c *Coordinator) Models(ctx context.Context, provider string) ([]providers.Model, error) {
	for _, t := range c.allTargets() {
		if t.name != provider {
			continue
		}
		t.catalogM.Lock()
		defer t.catalogM.Unlock()
		if err := t.freshCatalog(ctx, c); err != nil {
			return nil, err
		}
		return slices.Clone(t.catModels), nil
	}
	return nil, fmt.Errorf("coord: no provider %q", provider)
}

// heldListing returns the failure of the provider's last listing if it
// found the server silent and is still held (catalogTTL): such a server is
// passed over as unreachable though the request needs no listing (its
// model is the target's default), rather than sent a chat it will not
// answer either.
func (t *target) heldListing(ctx context.Context, c *Coordinator) error {
	t.catalogM.Lock()
	defer t.catalogM.Unlock()
	t.seedListing(ctx, c)
	if t.catErr != nil && t.catHeld && c.cfg.Now().Sub(t.catAt) < t.catalogTTL(c) {
		return t.keptErr(c)
	}
	return nil
}

// keptErr is the failure of the listing in the catalog, as a caller that
// did not make it meets it, under t.catalogM: a silent server's, held
// (catHeld) and recorded already, says that the server is skipped for
// not answering when it was asked, and when it is asked again — its own
// "did not answer within 5s; is it running?" read as if it had been asked
// again, and waited on, just now. A failure no request has recorded yet
// is the one the request meeting it made (its Plan, or a lookup before
// it), and is said as it is.
func (t *target) keptErr(c *Coordinator) error {
	var pe *providers.Error
	if t.catErr == nil || !t.catHeld || t.catUnrecorded || !errors.As(t.catErr, &pe) {
		return t.catErr
	}
	now := c.cfg.Now()
	held := *pe
	const question = "; is it running?" // NoAnswer's, said last again
	base, asked := strings.CutSuffix(pe.Message, question)
	held.Message = fmt.Sprintf("%s when asked %s ago, so it is skipped until it is tried again in %s",
		base, max(now.Sub(t.catAt).Round(time.Second), time.Second),
		ceilSecond(max(t.catAt.Add(c.cfg.Breaker.OpenFor).Sub(now), time.Second)))
	if asked {
		held.Message += question
	}
	return &held
}

// catalogTTL is how long the catalog, as it is, is trusted.
func (t *target) catalogTTL(c *Coordinator) time.Duration {
	switch {
	case t.catErr == nil:
		return catalogTTL
	case t.catHeld:
		return c.cfg.Breaker.OpenFor
	}
	return catalogErrTTL
}

// fetchModels lists the provider's models within d and keeps the outcome,
// under t.catalogM. A failure is left for the next request on t to record
// (takeFailedListing) when record is set.
func (t *target) fetchModels(ctx context.Context, c *Coordinator, d time.Duration, record bool) ([]string, error) {
	lctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	began := time.Now()
	ms, err := t.Provider.Models(lctx)
	took := time.Since(began)
	ms = slices.Clone(ms) // the provider's to keep
	// Chat models first, each group in the provider's order: the first
	// is the default model of a request that names none.
	slices.SortStableFunc(ms, func(a, b providers.Model) int {
		return cmp.Compare(b2i(a.NoChat), b2i(b.NoChat))
	})
	names := make([]string, 0, len(ms))
	var noChat map[string]bool
	for _, m := range ms {
		names = append(names, m.Name)
		if m.NoChat {
			if noChat == nil {
				noChat = map[string]bool{}
			}
			noChat[m.Name] = true
		}
	}
	if ctx.Err() != nil {
		return names, err // do not cache the caller's cancellation
	}
	silent := false
	if err != nil && lctx.Err() != nil {
		err, silent = NoAnswer(t.Provider, d), true
	}
	t.catalog, t.catModels, t.noChat, t.catErr, t.catAt = names, ms, noChat, err, c.cfg.Now()
	t.catHeld = silent || err != nil && unreached(err) && took >= slowListing
	t.catTook, t.catUnrecorded = took, err != nil && record
	return names, err
}

// takeFailedListing returns how long the failed listing in the catalog
// took if no request has recorded it yet, and marks it recorded: the
// request that first meets it (its Plan may have made it) records it as
// an attempt on the provider, which it was.
func (t *target) takeFailedListing() (time.Duration, bool) {
	t.catalogM.Lock()
	defer t.catalogM.Unlock()
	if t.catErr == nil || !t.catUnrecorded {
		return 0, false
	}
	t.catUnrecorded = false
	return t.catTook, true
}

// seedListing starts the catalog of t, in a new process, from the records:
// a silent listing recorded less than Breaker.OpenFor ago, with no answer
// from the provider since, is held as if this process had met it. Every
// one-shot command is a new process, and each would otherwise wait on the
// silent server again.
func (t *target) seedListing(ctx context.Context, c *Coordinator) {
	if t.catSeeded {
		return
	}
	t.catSeeded = true
	f, ok := c.history(ctx).listings[t.name]
	if !ok || f.took < min(slowListing, c.cfg.ListTimeout) || c.cfg.Now().Sub(f.end) >= c.cfg.Breaker.OpenFor {
		return
	}
	held := &providers.Error{Provider: t.name, Kind: providers.KindUnavailable, Message: f.err}
	if strings.Contains(f.err, noAnswerWords) {
		// NoAnswer's, as recorded: the record keeps its words, not its
		// chain, and callers tell it by ErrNoAnswer.
		held.Err = ErrNoAnswer
	}
	t.catErr = held
	t.catAt, t.catHeld, t.catTook = f.end, true, f.took
}

// probeListing lists the models of t again if a silent server's failure
// is held, so that a server back up is used again at once; it reports
// whether the listing now works.
func (t *target) probeListing(ctx context.Context, c *Coordinator) bool {
	t.catalogM.Lock()
	defer t.catalogM.Unlock()
	t.seedListing(ctx, c)
	if t.catErr == nil || !t.catHeld {
		return false
	}
	_, err := t.fetchModels(ctx, c, c.cfg.ListTimeout, false)
	return err == nil
}
