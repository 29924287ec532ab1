package coord

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aiex-dev/aiex/app/english"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
)

// userError is the one error a failed request reports.
func (r *run) userError(ctx context.Context) error {
	last := r.lastErr
	if ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && !errors.Is(last, context.Canceled) {
			if r.streamed && r.in != nil {
				// It had answered, in part: the deadline cut the answer.
				return usererr.Wrap(r.withUnrecorded(ctx.Err()), "the answer from %s (%s) was cut at the request's %s deadline; %s ([limits] deadline allows more)",
					r.in.Provider, r.in.Model, r.c.cfg.Deadline, r.partialRecorded())
			}
			if n := len(r.route); n > 0 {
				a := r.route[n-1]
				return usererr.Wrap(ctx.Err(), "the request took longer than its %s deadline: %s had not answered", r.c.cfg.Deadline, attemptName(a))
			}
			return usererr.Wrap(ctx.Err(), "the request took longer than its %s deadline", r.c.cfg.Deadline)
		}
		return context.Canceled
	}
	if r.streamed {
		if isTooLong(last) {
			return usererr.Wrap(r.withUnrecorded(last), "the answer from %s (%s) passed the limit of %s on an answer and was cut there; %s; ask for a smaller part at a time",
				r.in.Provider, r.in.Model, byteSize(r.c.cfg.MaxAnswer), r.partialRecorded())
		}
		if last != nil && !isProviderError(last) {
			return r.withUnrecorded(last) // the output side failed (e.g. a closed pipe)
		}
		return usererr.Wrap(r.withUnrecorded(last), "%s; %s", brokeOff(r.in.Provider, r.in.Model, errMessage(last)), r.partialRecorded())
	}
	if last == nil {
		return usererr.New("no provider could take the request")
	}
	if msg := r.downEachTheirWay(); msg != "" {
		r.down = msg
		return usererr.Wrap(last, "%s", msg)
	}
	var ue *usererr.Error
	if errors.As(last, &ue) {
		// The last target was refused (a spend cap): say what the others
		// said too — "use a local model" is no help when it failed.
		if also := r.otherFailures(ue.Msg); also != "" {
			return &usererr.Error{Msg: ue.Msg + "; also tried " + also, Code: ue.Code, Err: ue}
		}
		return ue
	}
	if allUnavailable(r.route) {
		var tried []string
		for _, a := range r.route {
			tried = append(tried, a.Provider+": "+a.Error)
		}
		if r.answered {
			// A server that said 500 is running and failing: no advice
			// on starting it (unreachedAdvice names those that are not).
			r.down = fmt.Sprintf("no LLM provider could answer (tried %s)", strings.Join(dedupe(tried), "; ")) + r.unreachedAdvice()
			return usererr.Wrap(last, "%s", r.down)
		}
		if why, ok := r.downHostPinned(); ok {
			// Pinned to another node's provider, its node down: said of
			// the node, once.
			return usererr.Wrap(last, "%s: %s", why, HostAdvice)
		}
		if r.req.Provider != "" {
			// Pinned: said of the provider, as onlyUnlisted says it of
			// the one provider a model could be on.
			return usererr.Wrap(last, "%s is unreachable (%s); %s", r.req.Provider, strings.Join(dedupe(r.routeErrors()), "; "), r.reachAdvice(r.req.Provider))
		}
		r.down = fmt.Sprintf("no LLM provider reachable (tried %s); %s", strings.Join(dedupe(tried), "; "), r.reachHint(r.routeProviders()))
		return usererr.Wrap(last, "%s", r.down)
	}
	if providers.KindOf(last) == providers.KindNotFound && r.req.Model != "" {
		return r.modelNotFound(last)
	}
	var pe *providers.Error
	if errors.As(last, &pe) {
		said := r.c.message(last)
		msg := fmt.Sprintf("%s: %s", pe.Provider, said)
		if pe.Kind == providers.KindRateLimited && pe.RetryAfter > 0 {
			msg = fmt.Sprintf("%s is rate limited: %s; retry in %s", pe.Provider, said, ceilSecond(pe.RetryAfter))
		}
		if len(r.route) > 1 {
			msg += " (" + routeSummary(r.route) + ")"
		}
		return usererr.Wrap(last, "%s", msg)
	}
	return fmt.Errorf("coord: %w", last)
}

// providerBrokeOff is how the providers say an answer broke off
// (providers/ollama, openai, anthropic): "the answer from Ollama at
// ENDPOINT broke off after N chunks: why".
var providerBrokeOff = regexp.MustCompile(`^the answer from .+? at (\S+) broke off after (.+)$`)

// brokeOff says that the answer of provider's model broke off, and why
// (msg, the provider's message): once, where the provider's message says
// it too.
func brokeOff(provider, model, msg string) string {
	if m := providerBrokeOff.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("the answer from %s (%s) at %s broke off after %s", provider, model, m[1], m[2])
	}
	return fmt.Sprintf("the answer from %s (%s) broke off: %s", provider, model, msg)
}

// partialRecorded says what became of the record of a partial answer:
// recorded as interrupted, or, when the store had not taken it when the
// request returned (finish), not yet, and why.
func (r *run) partialRecorded() string {
	switch {
	case r.unrecorded == nil:
		return "the partial answer is recorded as interrupted"
	case transient(r.unrecorded):
		return fmt.Sprintf("the partial answer is not recorded yet (%s); recording it is retried in the background", storeMessage(r.unrecorded))
	}
	return fmt.Sprintf("the partial answer could not be recorded (%s)", storeMessage(r.unrecorded))
}

// withUnrecorded is err, joined with the store's failure to record the
// request if there was one, so that errors.Is finds both.
func (r *run) withUnrecorded(err error) error {
	if r.unrecorded == nil {
		return err
	}
	return errors.Join(err, r.unrecorded)
}

// storeMessage is the store's failure as a clause: its own sentence for a
// full disk, its message otherwise.
func storeMessage(err error) string {
	if ue := usererr.As(err); ue != nil {
		return ue.Msg
	}
	return err.Error()
}

// modelNotFound is the error of a request for a model that no candidate
// serves as a chat model: where it does not chat, or which models the
// providers asked (one, when pinned) list instead.
func (r *run) modelNotFound(last error) error {
	avail := strings.Join(dedupe(r.notFound), ", ")
	unknown := fmt.Errorf("%w: %w", ErrUnknownModel, last)
	if len(r.noChat) > 0 {
		msg := strings.Join(dedupe(r.noChat), "; ")
		if avail != "" {
			msg += "; chat models: " + avail
		}
		return usererr.Wrap(unknown, "%s", msg)
	}
	if held := r.couldNotServe(); held != "" {
		// A provider that has the model was tried and failed, or was passed
		// over (its node out of reach, its breaker open): that is why the
		// request failed, not that no provider has the model.
		msg := fmt.Sprintf("model %q is on %s", r.req.Model, held)
		if avail != "" {
			msg += "; the other providers do not have it (they have " + avail + ")"
		}
		return usererr.Wrap(last, "%s", msg)
	}
	for _, a := range r.route {
		// A provider that lists the model refused it all the same (a
		// model still being pulled, or whose files are broken): "not
		// found; available: …, ghost:latest" would gainsay itself.
		if a.Outcome == string(providers.KindNotFound) && a.Model != "" && slices.Contains(r.notFound, a.Model) {
			if strings.Contains(a.Error, " lists model ") {
				// The provider said so itself (providers/ollama).
				return usererr.Wrap(last, "%s: %s", a.Provider, a.Error)
			}
			return usererr.Wrap(last, "model %q is listed by %s (as %s), but %s refused it: %s", r.req.Model, a.Provider, a.Model, a.Provider, a.Error)
		}
	}
	where := "any provider"
	if r.req.Provider != "" {
		where = r.req.Provider
	}
	if avail == "" {
		// No list to offer: what the provider said.
		return usererr.Wrap(unknown, "model %q not found on %s: %s", r.req.Model, where, errMessage(last))
	}
	return usererr.Wrap(unknown, "model %q not found on %s; available: %s", r.req.Model, where, avail)
}

// ErrUnknownModel is in the chain of the error of a request, or of Plan,
// for a model that no provider has, or none has for chat: the name is
// wrong, and asking again will not help, whereas a model whose provider
// is down (or its breaker open) is not. A caller may refuse such a
// request before it records anything.
var ErrUnknownModel = errors.New("coord: no provider has the model")

// couldNotServe names the providers of the route that have the model
// (their model resolved) but could not take the request, each with why,
// "alpha/local, which could not take it: cannot reach node alpha …;
// circuit breaker open …; will be tried again in 25s", or "" if none.
func (r *run) couldNotServe() string {
	var names, whys []string
	for _, a := range r.route {
		if a.Model == "" || a.Outcome == "ok" || a.Outcome == string(providers.KindNotFound) || slices.Contains(r.noList, a.Provider) {
			continue // its model was not resolved: not known to be there (onlyUnlisted)
		}
		if !slices.Contains(names, a.Provider) {
			names = append(names, a.Provider)
		}
		if a.Error != "" {
			whys = append(whys, a.Error)
		}
	}
	if len(names) == 0 {
		return ""
	}
	which := "which"
	if len(names) > 1 {
		which = "each of which"
	}
	msg := fmt.Sprintf("%s, %s could not take the request", strings.Join(names, " and "), which)
	if whys = dedupe(whys); len(whys) > 0 {
		msg += ": " + strings.Join(whys, "; ")
	}
	return msg
}

// reachAdvice is what to check of the provider named name that could not
// be reached: for a local server, to start it; for any, its base_url. The
// line says it after the provider's reasons, the errors of its attempts
// ("cannot reach Ollama at URL: connection refused"): what they name of
// its server and address is not named again ("start it", not "start
// Ollama at URL").
func (r *run) reachAdvice(name string) string {
	var said []string
	for _, a := range r.route {
		if a.Provider == name {
			said = append(said, a.Error)
		}
	}
	return r.c.reachAdvice(name, strings.Join(said, "; "))
}

// reachAdvice is run.reachAdvice, after said.
func (c *Coordinator) reachAdvice(name, said string) string {
	for _, t := range c.allTargets() {
		if t.name != name {
			continue
		}
		if _, ok := t.Provider.(hostReach); ok {
			// Another node's: not in the config; the node is to be run.
			return HostAdvice
		}
		end := t.Provider.Endpoint()
		addressSaid := mentionsURL(said, end)
		check := fmt.Sprintf("check the base_url of provider %q in the config", name)
		switch t.AddressFrom {
		case "":
		case AddressDefault:
			if !t.Local {
				// Its own address, which works elsewhere: the network
				// (or its DNS) failed, not the configuration.
				which := end + " is"
				if addressSaid {
					which = "that is"
				}
				return fmt.Sprintf("check this machine's network and DNS (%s its default address; a base_url for provider %q in the config sets another)",
					which, name)
			}
			check = fmt.Sprintf("if it listens elsewhere, give provider %q a base_url in the config", name)
		default:
			check = fmt.Sprintf("check %s, which sets its address (provider %q has no base_url in the config)", t.AddressFrom, name)
		}
		if t.Local {
			// A kind's program by its name (Ollama, LM Studio); another
			// server (openai-compatible) is not its label in the config.
			server := "the server"
			if knownServer(t.Provider) {
				server = serverName(t.Provider)
			}
			switch {
			case addressSaid && strings.Contains(said, server):
				server = "it"
			case !addressSaid:
				server += " at " + end
			}
			return fmt.Sprintf("start %s, or %s", server, check)
		}
		return check
	}
	return c.cfg.Hint
}

// mentionsURL reports whether s names the address u, alone or with a
// path ("http://h:1234/v1" names "http://h:1234"; "http://h:12345" does
// not).
func mentionsURL(s, u string) bool {
	for u != "" {
		i := strings.Index(s, u)
		if i < 0 {
			return false
		}
		s = s[i+len(u):]
		switch {
		case s == "", s[0] == '/', s[0] == ' ', s[0] == ';', s[0] == ',', s[0] == ')':
			return true
		case s[0] == ':' && (len(s) == 1 || s[1] < '0' || s[1] > '9'):
			return true // "…: connection refused", not another port
		}
	}
	return false
}

// reachHint is the advice that ends the failure of a request whose
// providers named could not be reached: with the config's tables, how to
// reach each of them, not how to configure one, which the config did;
// without, the configured Hint.
func (r *run) reachHint(names []string) string {
	if !r.c.cfg.Configured {
		return r.c.cfg.Hint
	}
	switch {
	case len(names) == 1:
		return r.reachAdvice(names[0])
	case len(names) <= 3:
		advice := make([]string, len(names))
		for i, n := range names {
			advice[i] = n + ": " + r.reachAdvice(n)
		}
		return strings.Join(advice, "; ")
	}
	return "check that the providers' servers run, and their base_url in the config"
}

// downEachTheirWay is the failure of a request whose providers (two or
// more) were all down in different ways: out of reach, refused for their
// key (missing, unreadable — refused before it was sent — or refused by
// the server with 401), failing (HTTP 5xx) or busy: "no LLM provider could
// take the request after 4 attempts (tried ollama: cannot reach …; gw: …
// (the API key was refused; to give another: run aiex keys set gw); srv:
// HTTP 500: …); ollama: start Ollama at …". Each provider is named with its
// reason, and those not reached with how to reach them (unreachedAdvice);
// a key's reason says what to do already. Said of the last provider only,
// with the others in a route summary or after "also tried", the others'
// reasons and the advice on starting a server were lost. "" when the
// request did not fail so (all unavailable alike, or another kind of
// failure among them: userError).
func (r *run) downEachTheirWay() string {
	if r.req.Provider != "" || len(r.route) == 0 || allUnavailable(r.route) || len(r.routeProviders()) < 2 {
		return "" // one provider, or all alike: userError says it
	}
	var tried []string
	for _, a := range r.route {
		switch a.Outcome {
		case string(providers.KindUnavailable), OutcomeServerError, string(providers.KindAuth), outcomeRefused, string(providers.KindOverloaded):
		default:
			return ""
		}
		tried = append(tried, a.Provider+": "+a.Error)
	}
	after := ""
	switch n := sentCount(r.route); n {
	case 0:
	case 1:
		after = " after 1 attempt"
	default:
		after = fmt.Sprintf(" after %d attempts", n)
	}
	return fmt.Sprintf("no LLM provider could take the request%s (tried %s)", after, strings.Join(dedupe(tried), "; ")) + r.unreachedAdvice()
}

// sentCount is how many chats route sent (chatSent): the request's
// attempts, as its record counts them.
func sentCount(route []db.Attempt) int {
	n := 0
	for _, a := range route {
		if chatSent(a) {
			n++
		}
	}
	return n
}

// unreachedAdvice is "; " and how to reach the providers of the route that
// could not be reached (no answer: unreachedMessage), each named, or ""
// if there are none. A server that answered with an error (HTTP 5xx) is
// running: it is not to be started, nor its address checked.
func (r *run) unreachedAdvice() string {
	var unreached []string
	for _, a := range r.route {
		if a.Outcome == string(providers.KindUnavailable) && unreachedMessage(a.Error) && !slices.Contains(unreached, a.Provider) {
			unreached = append(unreached, a.Provider)
		}
	}
	switch {
	case len(unreached) == 0:
		return ""
	case len(unreached) == 1 && r.c.cfg.Configured:
		// Among the others' reasons, the advice says whose it is.
		return "; " + unreached[0] + ": " + r.reachAdvice(unreached[0])
	}
	return "; " + r.reachHint(unreached)
}

// routeProviders are the providers the route tried, each once, in order.
func (r *run) routeProviders() []string {
	var out []string
	for _, a := range r.route {
		if !slices.Contains(out, a.Provider) {
			out = append(out, a.Provider)
		}
	}
	return out
}

// routeErrors are the route's error messages, in order.
func (r *run) routeErrors() []string {
	var out []string
	for _, a := range r.route {
		if a.Error != "" {
			out = append(out, a.Error)
		}
	}
	return out
}

// onlyUnlisted is the failure of a request naming a model that the
// providers whose lists answered do not have, when the others — whose
// lists failed (noList), so that nothing says whether they have it — are
// all it tried: "model "m" could only be on openai, which is unreachable
// (cannot reach …); the other providers do not list it (they have …);
// check the base_url of provider "openai" in the config, or pick another
// model (aiex models)". "No LLM provider reachable", with advice on
// starting Ollama, was false of the providers that answered. "" when the
// request does not fail so.
func (r *run) onlyUnlisted() string {
	names := dedupe(r.noList)
	if r.req.Model == "" || len(names) == 0 || len(r.route) == 0 {
		return ""
	}
	var whys []string
	for _, a := range r.route {
		if !slices.Contains(names, a.Provider) || !unavailableOutcome(a.Outcome) && a.Outcome != "breaker_open" {
			return "" // another provider was tried, or this one failed otherwise
		}
		if a.Error != "" && len(names) > 1 {
			whys = append(whys, a.Provider+": "+a.Error)
		} else if a.Error != "" {
			whys = append(whys, a.Error)
		}
	}
	which := "which is unreachable"
	if len(names) > 1 {
		which = "which are unreachable"
	}
	var advice []string
	if r.answered {
		// A server that answered with an error is running: not a matter
		// of its address.
		which = strings.Replace(which, "unreachable", "failing", 1)
		advice = append(advice, "try again later")
	} else {
		for _, n := range names {
			advice = append(advice, r.reachAdvice(n))
		}
	}
	msg := fmt.Sprintf("model %q could only be on %s, %s (%s); the other providers do not list it",
		r.req.Model, strings.Join(names, " or "), which, strings.Join(dedupe(whys), "; "))
	if avail := dedupe(r.notFound); len(avail) > 0 {
		msg += " (they have " + strings.Join(avail, ", ") + ")"
	}
	return msg + "; " + strings.Join(advice, "; ") + ", or pick another model (aiex models)"
}

// attemptName names the provider and model of a, "openai (gpt-4o)", or
// the provider alone for its model list.
func attemptName(a db.Attempt) string {
	if a.Model == "" {
		return a.Provider
	}
	return fmt.Sprintf("%s (%s)", a.Provider, a.Model)
}

// otherFailures lists the route's failures other than refusals by a
// spend cap and than said, one per provider, model and message:
// "local/m: …; …".
func (r *run) otherFailures(said string) string {
	var fs []string
	for _, a := range r.route {
		// The refusal said already (a key file that cannot be read
		// refuses every target that needs a key) is not said again.
		if a.Outcome != outcomeSpendCap && a.Error != "" && a.Error != said {
			fs = append(fs, fmt.Sprintf("%s/%s: %s", a.Provider, a.Model, a.Error))
		}
	}
	return strings.Join(dedupe(fs), "; ")
}

func isProviderError(err error) bool {
	var pe *providers.Error
	return errors.As(err, &pe)
}

func allUnavailable(route []db.Attempt) bool {
	if len(route) == 0 {
		return false
	}
	for _, a := range route {
		if !unavailableOutcome(a.Outcome) {
			return false
		}
	}
	return true
}

// routeSummary says what a failed request's route did: "after 6 attempts:
// anthropic/m overloaded ×3, openai/m unavailable ×3; passed over: ollama
// unavailable". It counts the attempts as the record does
// (db.Interaction.Attempts): the chats sent. A target passed over — its
// model list failed, its breaker was open, a spend cap — was not sent the
// request, and is named apart; counted among the attempts, it made the
// message say 7 where history said 6. A provider and model refused by the
// breaker that the request's own failures opened are not named again as
// passed over.
func routeSummary(route []db.Attempt) string {
	var sent, passed []db.Attempt
	for _, a := range route {
		if chatSent(a) {
			sent = append(sent, a)
		}
	}
	for _, a := range route {
		if chatSent(a) || a.Outcome == "breaker_open" && slices.ContainsFunc(sent, func(s db.Attempt) bool {
			return s.Provider == a.Provider && s.Model == a.Model
		}) {
			// Refused by the breaker its own failures opened: the
			// refusal is what the line says, not another target.
			continue
		}
		passed = append(passed, a)
	}
	var parts []string
	if len(sent) > 0 {
		parts = append(parts, fmt.Sprintf("after %s: %s", english.Count(len(sent), "attempt"), summarize(sent)))
	}
	if len(passed) > 0 {
		parts = append(parts, "passed over: "+summarize(passed))
	}
	return strings.Join(parts, "; ")
}

// chatSent reports whether a is an attempt that sent the chat: it has a
// model and a time. A failed model listing has a time and no model; a
// target passed over has no time (minSentMillis).
func chatSent(a db.Attempt) bool { return a.Model != "" && a.Millis > 0 }

// summarize names each attempt of route by provider, model and outcome,
// "openai/m unavailable", a run of alike ones once with their number,
// "openai/m unavailable ×3".
func summarize(route []db.Attempt) string {
	var parts []string
	for i := 0; i < len(route); {
		a, n := route[i], 1
		for i+n < len(route) && route[i+n].Provider == a.Provider && route[i+n].Model == a.Model && route[i+n].Outcome == a.Outcome {
			n++
		}
		part := fmt.Sprintf("%s/%s %s", a.Provider, a.Model, a.Outcome)
		if a.Model == "" { // its model list
			part = fmt.Sprintf("%s %s", a.Provider, a.Outcome)
		}
		if n > 1 {
			part += fmt.Sprintf(" ×%d", n)
		}
		parts = append(parts, part)
		i += n
	}
	return strings.Join(parts, ", ")
}

// outputError is the failure of the caller's side of a stream (a closed
// pipe, a full disk): the provider was not at fault.
type outputError struct{ err error }

func (e outputError) Error() string { return e.err.Error() }
func (e outputError) Unwrap() error { return e.err }

// OutcomeOutput is the outcome of an attempt whose answer could not be
// written out (db.Store.Usage and ProviderStats do not count it against
// the provider).
const OutcomeOutput = "output"

// OutcomeServerError is the outcome (and recorded error kind) of an
// attempt whose server answered with an HTTP status of 500 or more: it
// runs, and fails. The provider's kind for it is unavailable, as for a
// server out of reach, which is what "unavailable" says to a reader.
const OutcomeServerError = "server_error"

func outcomeOf(err error) string {
	if errors.As(err, new(outputError)) {
		return OutcomeOutput
	}
	if isTooLong(err) {
		return OutcomeTooLong
	}
	if refusedUnsent(err) {
		return outcomeRefused
	}
	if serverError(err) {
		return OutcomeServerError
	}
	if k := providers.KindOf(err); k != "" {
		return string(k)
	}
	if errors.Is(err, context.Canceled) {
		return "cancelled"
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "deadline"
	}
	return "error"
}

// serverError reports whether err is a server's error answer (an HTTP
// status of 500 or more) of a kind the provider calls unavailable: not
// overloaded (503, 529), nor a prompt too long (Ollama's 500).
func serverError(err error) bool {
	var pe *providers.Error
	return errors.As(err, &pe) && pe.Kind == providers.KindUnavailable && pe.StatusCode >= 500
}

// outcomeKind is the provider's kind of error an attempt's outcome says:
// unavailable for a server error (OutcomeServerError), the outcome itself
// for the others.
func outcomeKind(outcome string) providers.ErrorKind {
	if outcome == OutcomeServerError {
		return providers.KindUnavailable
	}
	return providers.ErrorKind(outcome)
}

// unavailableOutcome reports whether an attempt's outcome is that of a
// provider that could not take the request for its server: out of reach,
// or failing (OutcomeServerError).
func unavailableOutcome(outcome string) bool {
	return outcome == string(providers.KindUnavailable) || outcome == OutcomeServerError
}

// refusedUnsent reports whether err is a provider's refusal of a request
// it did not send, for a reason its user error says (app's provider whose
// stored key cannot be read: kind auth, wrapping the key store's
// sentence). No server answered it, unlike a key refused with HTTP 401,
// which stays auth.
func refusedUnsent(err error) bool {
	var pe *providers.Error
	return errors.As(err, &pe) && pe.StatusCode == 0 && usererr.As(pe.Err) != nil
}

// unsentRefusal reports whether err refused a request before it was sent:
// a key missing (providers.NoKeyError) or unreadable (refusedUnsent),
// kind auth with no HTTP status, as no server answered.
func unsentRefusal(err error) bool {
	var pe *providers.Error
	return errors.As(err, &pe) && pe.Kind == providers.KindAuth && pe.StatusCode == 0
}

func errMessage(err error) string {
	if err == nil {
		return ""
	}
	var pe *providers.Error
	if errors.As(err, &pe) {
		if pe.Message != "" {
			return pe.Message
		}
		if pe.Err != nil {
			return pe.Err.Error()
		}
		return string(pe.Kind)
	}
	return err.Error()
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
