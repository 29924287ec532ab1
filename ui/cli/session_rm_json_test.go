package cli_test

import (
	"encoding/json"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestSessionRmJSONSaysRemoved: session rm --json prints the session it
// removed as removed, as keys rm --json says "removed": true, not with the
// "active" status it had.
func TestSessionRmJSONSaysRemoved(t *testing.T) {
	dir, id := oneTurnSession(t)
	r := runCLI(t, false, nil, "--data-dir", dir, "--json", "session", "rm", "--yes", id)
	var got struct {
		ID      string `json:"id"`
		Status  string `json:"status"`
		Removed *bool  `json:"removed"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 {
		t.Fatalf("session rm --json: exit %d, %q (%v), stderr %q", r.code, r.stdout, err, r.stderr)
	}
	if got.ID != id || got.Status != "removed" || got.Removed == nil || !*got.Removed {
		t.Errorf("session rm --json: %s; want id %s, status removed and removed true", r.stdout, id)
	}
	// Archiving still prints the session as it now is.
	b := runCLI(t, false, nil, "--data-dir", dir, "--json", "ask", "-m", "tiny", "--no-code", "again")
	var asked struct {
		Session string `json:"session_id"`
	}
	if err := json.Unmarshal([]byte(b.stdout), &asked); err != nil || b.code != 0 {
		t.Fatalf("ask: exit %d, %q (%v)", b.code, b.stdout, err)
	}
	r = runCLI(t, false, nil, "--data-dir", dir, "--json", "session", "archive", asked.Session)
	got.Removed = nil
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != 0 || got.Status != "archived" || got.Removed != nil {
		t.Errorf("session archive --json: exit %d, %q (%v); want status archived, no removed", r.code, r.stdout, err)
	}
}

// oneTurnSession asks one question, of a fake model, in a new data dir
// and a project-less directory, and returns the data dir and the session
// the question started.
func oneTurnSession(t *testing.T) (dataDir, session string) {
	t.Helper()
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	t.Setenv("OLLAMA_HOST", fake.URL())
	t.Chdir(t.TempDir())
	dir := t.TempDir()
	a := runCLI(t, false, nil, "--data-dir", dir, "--json", "ask", "-m", "tiny", "--no-code", "hello")
	var asked struct {
		Session string `json:"session_id"`
	}
	if err := json.Unmarshal([]byte(a.stdout), &asked); err != nil || a.code != 0 || asked.Session == "" {
		t.Fatalf("ask: exit %d, %q (%v), stderr %q", a.code, a.stdout, err, a.stderr)
	}
	return dir, asked.Session
}
