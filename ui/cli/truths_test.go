package cli_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestHelpSaysWhatCommandsDo: help texts name every subcommand, say what
// a stream holds, and give examples a shell can run as written.
func TestHelpSaysWhatCommandsDo(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"session", "--help"}, "Sessions: list, show, resume, export, archive, unarchive, rm."},
		{[]string{"events", "tail", "--help"}, "audit (peers the mesh refused; the audit log of file operations and commands is aiex audit)"},
		{[]string{"explain", "--help"}, "'http.(*Server).Serve'"},
		{[]string{"context", "--help"}, "'http.(*Server).Serve'"},
	}
	for _, tt := range tests {
		r := runCLI(t, false, nil, tt.args...)
		// kong wraps help at the terminal's width: compare the words.
		if got := strings.Join(strings.Fields(r.stdout), " "); r.code != 0 || !strings.Contains(got, tt.want) {
			t.Errorf("aiex %s: exit %d; help does not say %q:\n%s", strings.Join(tt.args, " "), r.code, tt.want, r.stdout)
		}
	}
	r := runCLI(t, false, nil, "events", "tail", "--stream", "audits")
	if r.code != 2 || !strings.Contains(r.stderr, "the audit log is aiex audit") {
		t.Errorf("events tail --stream audits: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestEventsPruneSaysConfigFileIsMissing: without a retention, prune says
// how to set one, and that the configuration file does not exist yet when
// it does not.
func TestEventsPruneSaysConfigFileIsMissing(t *testing.T) {
	r := runCLI(t, false, nil, "--data-dir", t.TempDir(), "events", "prune")
	if r.code != 2 || !strings.Contains(r.stderr, "the file does not exist yet") || strings.Contains(r.stderr, "0 or unset there") {
		t.Errorf("events prune without a config file: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runConfigured(t, "model = \"x\"\n", nil, "--data-dir", t.TempDir(), "events", "prune")
	if r.code != 2 || !strings.Contains(r.stderr, "it is 0 or unset there") {
		t.Errorf("events prune with a config file: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestJSONRefusedWhereItCannotApply: --json with a command whose output is
// not JSON, or with an explicit other format, is a usage error.
func TestJSONRefusedWhereItCannotApply(t *testing.T) {
	for _, args := range [][]string{
		{"--json", "completion", "bash"},
		{"--json", "session", "export", "last", "--format", "markdown"},
		{"session", "export", "last", "-f", "md", "--json"},
	} {
		r := runCLI(t, false, nil, append([]string{"--data-dir", t.TempDir()}, args...)...)
		if r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, "--json") {
			t.Errorf("aiex %s: exit %d, stdout %q, stderr %q; want a usage error", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
	}
}

// TestAskJSONAsHistoryShowsIt: ask --json prints the interaction exactly
// as history --json shows it — its id as id, its session as session_id,
// cost_unknown, the times as stored — and, besides, the turn of the
// session it is; refactor, gen and checkpoint list name the same session
// session_id.
func TestAskJSONAsHistoryShowsIt(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	t.Setenv("OLLAMA_HOST", fake.URL())
	dir := t.TempDir()
	a := runCLI(t, false, nil, "--data-dir", dir, "--json", "ask", "-m", "tiny", "--no-code", "hello")
	h := runCLI(t, false, nil, "--data-dir", dir, "--json", "history")
	var ask map[string]any
	var hist []map[string]any
	if err := json.Unmarshal([]byte(a.stdout), &ask); err != nil {
		t.Fatalf("ask --json: %v: %q", err, a.stdout)
	}
	if err := json.Unmarshal([]byte(h.stdout), &hist); err != nil || len(hist) != 1 {
		t.Fatalf("history --json: %v: %q", err, h.stdout)
	}
	if ask["turn"] != 1.0 || ask["session_id"] == nil || ask["id"] == nil {
		t.Errorf("ask --json turn %v, session_id %v, id %v; want turn 1 of its session", ask["turn"], ask["session_id"], ask["id"])
	}
	delete(ask, "turn") // the one thing ask adds (warning and note when it has them)
	if diff := cmp.Diff(hist[0], ask); diff != "" {
		t.Errorf("ask --json is not history --json's object (-history +ask):\n%s", diff)
	}
}

// TestSpendCapShownPlainly: every row of usage --json has the same fields,
// and a provider under a spend cap with no rate limits reads "spend cap
// reached" in providers' LIMITS column.
func TestSpendCapShownPlainly(t *testing.T) {
	paid := providertest.NewOpenAI(t, providertest.WithReply("$$"), providertest.WithUsage(1_000_000, 1000))
	free := providertest.NewOllama(t, providertest.WithReply("ok"))
	config := fmt.Sprintf(`[limits]
daily_usd = 1
[providers.cloud]
kind = "openai"
base_url = %q
model = "gpt-4o-mini"
api_key_env = "QA_CLOUD_KEY"
[providers.local]
kind = "ollama"
base_url = %q
[prices."cloud/gpt-4o-mini"]
input = 2
output = 10
`, paid.URL(), free.URL())
	t.Setenv("QA_CLOUD_KEY", "k")
	t.Setenv("AIEX_MODEL", "") // each provider's own model (the end-to-end suite sets tiny)
	dir := t.TempDir()
	for _, p := range []string{"cloud", "local"} {
		if r := runConfigured(t, config, nil, "--data-dir", dir, "ask", "--provider", p, "--no-code", "hello"); r.code != 0 {
			t.Fatalf("ask %s: exit %d: %s", p, r.code, r.stderr)
		}
	}
	u := runConfigured(t, config, nil, "--data-dir", dir, "--json", "usage")
	var rows []map[string]any
	if err := json.Unmarshal([]byte(u.stdout), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("usage --json: %v: %q", err, u.stdout)
	}
	for _, r := range rows {
		if len(r) != len(rows[0]) {
			t.Errorf("usage --json rows differ in their fields: %v and %v", r, rows[0])
		}
		if _, ok := r["uncharged"]; !ok {
			t.Errorf("usage --json row without uncharged: %v", r)
		}
	}
	p := runConfigured(t, config, nil, "--data-dir", dir, "providers")
	found := false
	for _, l := range strings.Split(p.stdout, "\n") {
		if strings.HasPrefix(l, "cloud ") {
			found = true
			if !strings.Contains(l, "spend cap reached") || strings.Contains(l, "none") {
				t.Errorf("providers: cloud's row %q; want its limits to read spend cap reached", l)
			}
		}
	}
	if !found {
		t.Errorf("providers: no row for cloud:\n%s", p.stdout)
	}
}

// TestBadProviderNameStopsEveryCommand: a provider name the rest of aiex
// cannot take is a mistake in the configuration, for every command.
func TestBadProviderNameStopsEveryCommand(t *testing.T) {
	config := "[providers.\"my gw\"]\nkind = \"openai-compatible\"\nbase_url = \"http://127.0.0.1:9/v1\"\n"
	for _, cmd := range []string{"history", "status", "models"} {
		r := runConfigured(t, config, nil, "--data-dir", t.TempDir(), cmd)
		if r.code != 2 || !strings.Contains(r.stderr, `line 1: key "providers.my gw"`) {
			t.Errorf("%s: exit %d, stderr %q; want the config's line and key", cmd, r.code, r.stderr)
		}
	}
}
