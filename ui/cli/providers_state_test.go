package cli

import (
	"testing"

	"github.com/aiex-dev/aiex/app"
)

// TestProviderState: a provider that did not list its models is shown by
// why: its key refused, its server answering with an error status
// (running, but failing: not "unreachable"), or out of reach.
func TestProviderState(t *testing.T) {
	tests := []struct {
		s    app.ProviderStatus
		want string
	}{
		{app.ProviderStatus{ErrorKind: "unavailable"}, "unreachable"},
		{app.ProviderStatus{ErrorKind: "server_error", HTTPStatus: 500}, "error 500"},
		{app.ProviderStatus{ErrorKind: "unavailable", HTTPStatus: 502}, "error 502"},
		{app.ProviderStatus{ErrorKind: "overloaded", HTTPStatus: 503}, "error 503"},
		{app.ProviderStatus{ErrorKind: "auth", HTTPStatus: 401}, "auth failed"},
		{app.ProviderStatus{ErrorKind: "auth"}, "auth failed"},
	}
	for _, tt := range tests {
		if got := unreachable(tt.s); got != tt.want {
			t.Errorf("unreachable(%+v) = %q; want %q", tt.s, got, tt.want)
		}
	}
}
