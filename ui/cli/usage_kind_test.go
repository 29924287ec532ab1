package cli_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// TestUsageTableKind: the usage table tells embedding requests from chats
// of the same provider, as --json does with "kind".
func TestUsageTableKind(t *testing.T) {
	ol := providertest.NewOllama(t, providertest.WithReply("ok"), providertest.WithUsage(10, 2))
	config := "[providers.local]\nkind = \"ollama\"\nbase_url = \"" + ol.URL() + "\"\n"
	dir := t.TempDir()
	if r := runConfigured(t, config, nil, "--data-dir", dir, "ask", "-m", "tiny", "hello"); r.code != 0 {
		t.Fatalf("ask: %d %s", r.code, r.stderr)
	}
	ctx := context.Background()
	st, err := db.Open(ctx, db.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	err = st.RecordEmbed(ctx, &db.EmbedRecord{ID: "e1", Node: st.NodeID(), Provider: "local", Model: "nomic-embed-text", Inputs: 32,
		PromptTokens: 700, Status: db.StatusOK, StartedAt: now, FinishedAt: now,
		Route: []db.Attempt{{Provider: "local", Model: "nomic-embed-text", Outcome: "ok", Millis: 5}}})
	if cerr := st.Close(ctx); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	r := runConfigured(t, config, nil, "--data-dir", dir, "usage")
	if r.code != 0 {
		t.Fatalf("usage: %d %s", r.code, r.stderr)
	}
	lines := strings.Split(r.stdout, "\n")
	if !strings.Contains(lines[0], "KIND") {
		t.Errorf("header %q has no KIND column", lines[0])
	}
	var chat, embed bool
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) > 6 && f[1] == "local" {
			chat = chat || f[2] == "tiny:latest" && f[3] == "chat" && f[6] == "10"
			embed = embed || f[2] == "nomic-embed-text" && f[3] == "embed" && f[6] == "700"
		}
	}
	if !chat || !embed {
		t.Errorf("usage:\n%s\nwant a chat row of tiny:latest (10 tokens in) and an embed row of nomic-embed-text (700)", r.stdout)
	}
}
