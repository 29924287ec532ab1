package coord

import (
	"slices"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
)

// SecretHolder is a provider that says which credentials it sends (its
// API key, its base URL's password and the Basic authorization made of
// it): the Redactor it scrubs its own errors with.
//
// A provider's errors are scrubbed by the provider, but a prompt and an
// answer pass through it as they are, and both are recorded in the
// replicated store, which every node of the cluster receives: a key the
// user pasted into a question, or one a gateway echoed in its answer,
// would reach every teammate's history. The coordinator takes the secrets
// of all its configured providers out of every text it records (see
// Coordinator.Redactor); a provider without the method has none taken out.
type SecretHolder interface {
	Secrets() *providers.Redactor
}

// joinSecrets returns the Redactor of every target whose provider holds
// secrets: what one provider sends must not be recorded in the request
// another answered either (a user asking a local model why their cloud
// key fails).
func joinSecrets(ts []Target) *providers.Redactor {
	var rs []*providers.Redactor
	for _, t := range ts {
		if sh, ok := t.Provider.(SecretHolder); ok {
			rs = append(rs, sh.Secrets())
		}
	}
	return providers.JoinRedactors(rs...)
}

// Redactor takes the credentials of the coordinator's configured
// providers out of a text (see SecretHolder); it is what the coordinator
// records prompts, answers and errors through, and what other records of
// the same exchange (a session's turn) should go through too. Targets on
// other nodes are not among them: this node does not know their secrets.
func (c *Coordinator) Redactor() *providers.Redactor { return c.secrets }

// Recorded returns the copy of in that is written to the store: in with
// the secrets (Redactor) taken out of its prompt, answer and error texts.
// in itself is left as it is, since it is what the caller gets back (a
// workflow reads the diff or file it asked for from the answer as it
// arrived). An answer is redacted whole, as assembled from its chunks, so
// that a key split across two chunks is found too. Whoever writes a
// request's record again writes this copy of it.
func (c *Coordinator) Recorded(in *db.Interaction) *db.Interaction {
	rec := *in
	r := c.secrets
	if r.Empty() {
		return &rec
	}
	rec.Prompt = r.Redact(rec.Prompt)
	rec.Response = r.Redact(rec.Response)
	rec.Error = r.Redact(rec.Error)
	cloned := false
	for i, a := range rec.Route {
		if e := r.Redact(a.Error); e != a.Error {
			if !cloned {
				rec.Route, cloned = slices.Clone(rec.Route), true // in's route is the run's
			}
			rec.Route[i].Error = e
		}
	}
	return &rec
}
