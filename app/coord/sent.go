package coord

import (
	"context"
	"errors"
	"net/http/httptrace"
	"sync/atomic"

	"github.com/aiex-dev/aiex/providers"
)

// A request stopped before the provider counted anything — the user
// cancelled before the first token, the attempt was given up on for want
// of one (firstTokenBound), the deadline came — had its prompt sent all
// the same: a cloud provider bills it. Such an attempt is charged its
// prompt's estimate, tokens and cost, by the rule a request whose process
// was killed is charged by (db.InterruptRunningStmt: prompt_tokens is the
// estimate when nothing was counted, the cost the estimate's as recorded
// at the start). Recorded at $0, Ctrl-C at the right moment, or a slow
// provider failed over from, spent without reaching usage or the caps.
//
// Whether the prompt went out is what the HTTP client says: the attempt's
// context carries a trace whose WroteRequest notes the request written.
// A connection refused or cut before that sent nothing, and an answer
// with an HTTP error status (a 429, 500 or 529) is the provider refusing
// the prompt, which it does not bill.

// watchSent returns ctx with a trace noting in the returned flag that an
// HTTP request made under it was written out whole.
func watchSent(ctx context.Context) (context.Context, *atomic.Bool) {
	sent := new(atomic.Bool)
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				sent.Store(true)
			}
		},
	}), sent
}

// billedUncounted reports whether an attempt on t that ended with err,
// its prompt sent (watchSent), is billed for a prompt the provider did not
// count: t is not local, and the provider did not refuse the request with
// an HTTP error status.
func billedUncounted(t *target, sent bool, err error) bool {
	if !sent || t.Local {
		return false
	}
	var pe *providers.Error
	return !errors.As(err, &pe) || pe.StatusCode < 400
}
