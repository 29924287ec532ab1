package lmstudio

import (
	"errors"
	"net/http"

	"github.com/aiex-dev/aiex/providers"
)

// adviseKey adds to pe, when it is the server's refusal of a request for
// its key (HTTP 401 or 403: LM Studio's "Require authentication" is on),
// what to do about it (Config.KeyAdvice): give a key when none was sent,
// another one when it was refused. A provider configured without advice,
// an account out of credit (a billing proxy's 402) and other errors are
// left as they are. It returns pe.
func (p *Provider) adviseKey(pe *providers.Error) *providers.Error {
	if p.keyAdvice == "" || pe == nil || pe.Kind != providers.KindAuth ||
		pe.StatusCode != http.StatusUnauthorized && pe.StatusCode != http.StatusForbidden {
		return pe
	}
	if p.apiKey == "" {
		pe.Message += " (no API key configured: " + p.keyAdvice + ")"
	} else {
		pe.Message += " (the API key was refused; to give another: " + p.keyAdvice + ")"
	}
	return pe
}

// advise is err, an error of the /v1 API, with adviseKey's advice when it
// is a refused key.
func (p *Provider) advise(err error) error {
	var pe *providers.Error
	if p.keyAdvice == "" || !errors.As(err, &pe) || err != error(pe) {
		return err
	}
	c := *pe
	return p.adviseKey(&c)
}
