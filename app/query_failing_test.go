package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestProviderReportServerFailing: a server that answers its model list
// with HTTP 500 is running, but failing: the report gives its status
// (http_status in JSON), which a server out of reach has none of, so
// that it is not shown as unreachable; its error kind is server_error, as
// history records the requests such a server fails.
func TestProviderReportServerFailing(t *testing.T) {
	jsonHeader := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	ol := providertest.NewRaw(t, http.StatusInternalServerError, jsonHeader, `{"error":"llama runner process has terminated: exit status 2"}`, 0)
	gw := providertest.NewRaw(t, http.StatusInternalServerError, jsonHeader, `{"error":{"message":"upstream crashed","type":"server_error"}}`, 0)
	a := providerApp(t, map[string]app.ProviderConfig{
		"ollama": {Kind: "ollama", BaseURL: ol.URL},
		"gw":     {Kind: "openai-compatible", BaseURL: gw.URL + "/v1"},
		"lm":     {Kind: "lmstudio", BaseURL: ol.URL},
		"down":   {Kind: "openai-compatible", BaseURL: providertest.Unreachable(t) + "/v1"},
	})
	rep, err := a.ProviderReport(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]app.ProviderStatus{}
	for _, ps := range rep {
		got[ps.Name] = ps
	}
	for name, why := range map[string]string{"ollama": "llama runner process has terminated", "gw": "upstream crashed", "lm": "llama runner process has terminated"} {
		ps := got[name]
		if ps.Reachable || ps.HTTPStatus != http.StatusInternalServerError || ps.ErrorKind != "server_error" || !strings.Contains(ps.Error, why) {
			t.Errorf("%s: reachable %v, http status %d, error kind %q, error %q; want not reachable, 500, server_error, %q",
				name, ps.Reachable, ps.HTTPStatus, ps.ErrorKind, ps.Error, why)
		}
	}
	if d := got["down"]; d.Reachable || d.HTTPStatus != 0 || !strings.Contains(d.Error, "cannot reach") {
		t.Errorf("down: reachable %v, http status %d, error %q; want unreachable, no status", d.Reachable, d.HTTPStatus, d.Error)
	}

	b, err := json.Marshal(got["ollama"])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"reachable":false`, `"error_kind":"server_error"`, `"http_status":500`, `"endpoint":"` + ol.URL + `"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s\nlacks %s", b, want)
		}
	}
	if b, _ := json.Marshal(got["down"]); strings.Contains(string(b), "http_status") {
		t.Errorf("JSON %s: a server out of reach has no status", b)
	}
}
