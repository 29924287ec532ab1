package providers

import (
	"net/http"
	"testing"
)

func TestApplyShouldRetry(t *testing.T) {
	for _, tc := range []struct {
		header      string
		kind        ErrorKind
		wantKind    ErrorKind
		wantNoRetry bool
	}{
		{"", KindUnavailable, KindUnavailable, false},
		{"false", KindUnavailable, KindUnavailable, true},
		{"False ", KindOverloaded, KindOverloaded, true},
		{"false", KindBadRequest, KindBadRequest, true},
		{"true", KindBadRequest, KindUnavailable, false},
		{"true", KindAuth, KindAuth, false},
		{"true", KindRateLimited, KindRateLimited, false},
		{"maybe", KindBadRequest, KindBadRequest, false},
	} {
		pe := &Error{Kind: tc.kind}
		h := http.Header{}
		if tc.header != "" {
			h.Set("X-Should-Retry", tc.header)
		}
		ApplyShouldRetry(pe, h)
		if pe.Kind != tc.wantKind || pe.NoRetry != tc.wantNoRetry {
			t.Errorf("x-should-retry %q on %s: kind %s, NoRetry %v; want %s, %v", tc.header, tc.kind, pe.Kind, pe.NoRetry, tc.wantKind, tc.wantNoRetry)
		}
	}
}
