package session_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/session/sessiontest"
	"github.com/aiex-dev/aiex/providers"
)

// TestTurnsAreStoredWithoutSecrets: a turn whose prompt holds a
// configured provider's key, whose answer echoes it (whole, or cut off
// with the provider's error as its reason), or whose error quotes it, is
// recorded with [redacted] in its place: in the session's events, its
// projections and snapshots, which every node of the cluster receives,
// and so in what another node shows of it and in its export.
func TestTurnsAreStoredWithoutSecrets(t *testing.T) {
	const key = "sk-ant-api03-Zq7xW2pLm9Kc4TvB8nR1yH6dF3gJ0sA5"
	ctx := context.Background()
	e := newEnv(t, session.Config{SnapshotEvery: 2,
		Secrets: func(context.Context) *providers.Redactor { return providers.NewRedactor(key) }})
	s, err := e.svc.Begin(ctx, session.RefNew, "/p", "cli")
	if err != nil {
		t.Fatal(err)
	}
	turn(t, s, "why does "+key+" fail?", "you sent "+key+" as your key")
	n, err := s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "and " + key[:30] + "?"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RecordTurnInterrupted(ctx, n, session.TurnResult{Answer: "you sent " + key[:20], Reason: "broke off: Bearer " + key}); err != nil {
		t.Fatal(err)
	}
	if n, err = s.RecordTurnStarted(ctx, session.TurnStart{Prompt: "once more"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordTurnFailed(ctx, n, session.TurnResult{Reason: "bad key " + key}); err != nil {
		t.Fatal(err)
	}

	// No table the session writes shows any part of the key.
	for _, table := range []string{"events", "sessions", "session_turns", "event_snapshots"} {
		rows, err := e.st.Query(ctx, `SELECT * FROM `+table)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows.Values {
			if row := fmt.Sprint(r...); strings.Contains(row, key[13:29]) {
				t.Errorf("a row of %s shows the key: %s", table, row)
			}
		}
	}

	// Another node shows the turns, and exports them, redacted.
	other := envOn(t, e.st, "node-b", session.Config{})
	s2, err := other.svc.Open(ctx, session.Ref(s.ID()), "/p")
	if err != nil {
		t.Fatal(err)
	}
	got := s2.Turns(ctx, 1, 0)
	want := [][3]string{
		{"why does [redacted] fail?", "you sent [redacted] as your key", ""},
		{"and [redacted]?", "you sent [redacted]", "broke off: Bearer [redacted]"},
		{"once more", "", "bad key [redacted]"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d turns, want %d", len(got), len(want))
	}
	for i, tr := range got {
		if w := want[i]; tr.Prompt != w[0] || tr.Answer != w[1] || tr.Reason != w[2] {
			t.Errorf("turn %d: prompt %q, answer %q, reason %q; want %q, %q, %q", i+1, tr.Prompt, tr.Answer, tr.Reason, w[0], w[1], w[2])
		}
	}
	var out bytes.Buffer
	if err := other.svc.Export(ctx, session.Ref(s.ID()), "/p", session.FormatMarkdown, &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), key[13:29]) || !strings.Contains(out.String(), "[redacted]") {
		t.Errorf("the export shows the key, or not where it was:\n%s", out.String())
	}
	sessiontest.CheckReplay(t, e.log, e.st)
}
