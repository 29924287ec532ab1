package db_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// TestProjectionRowsRoundTrip: rows written as SQL literals read back as
// they were, whatever their strings hold.
func TestProjectionRowsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	texts := []string{"", "plain", "it's 'quoted' ''", "back\\slash \\' ", "nul\x00byte", "bad utf8 \xff\xfe",
		"line\nbreaks\r\n\ttab", "-- comment", "/* c */ ? ?1 :x $y @z", "');DROP TABLE sessions;--", "日本語 🎉 \u2028"}
	at := time.UnixMilli(1748768400123).UTC()
	var rows []db.SessionTurn
	for i, txt := range texts {
		rows = append(rows, db.SessionTurn{SessionID: "s", Turn: int64(i + 1), Status: db.TurnCompleted, Prompt: txt,
			Answer: txt + txt, Context: fmt.Sprintf(`{"x":%q}`, txt), PromptTokens: -5, CostNUSD: 1 << 60, StartedAt: at})
	}
	sess := db.SessionRow{ID: "s", Project: texts[9], Title: texts[4], Status: db.SessionActive, Version: 7, CreatedAt: at, UpdatedAt: at}
	stmts := append(db.UpsertSessionsStmts([]db.SessionRow{sess}), db.UpsertSessionTurnsStmts(rows)...)
	if _, err := s.Execute(ctx, stmts...); err != nil {
		t.Fatal(err)
	}
	got, err := s.SessionTurns(ctx, "s", 1, 0)
	if err != nil || len(got) != len(rows) {
		t.Fatalf("SessionTurns = %d rows, %v", len(got), err)
	}
	for i := range rows {
		if got[i].Prompt != rows[i].Prompt || got[i].Answer != rows[i].Answer || got[i].Context != rows[i].Context ||
			got[i].PromptTokens != -5 || got[i].CostNUSD != 1<<60 || !got[i].StartedAt.Equal(at) || !got[i].FinishedAt.IsZero() {
			t.Errorf("row %d = %+v; want %+v", i, got[i], rows[i])
		}
	}
	row, ok, err := s.Session(ctx, "s")
	if err != nil || !ok || row != sess {
		t.Fatalf("Session = %+v, %v, %v; want %+v", row, ok, err, sess)
	}
	// Many rows go in several statements.
	many := make([]db.SessionUsage, 4500)
	for i := range many {
		many[i] = db.SessionUsage{SessionID: fmt.Sprint("s", i), Provider: "p", Model: "m", Turns: 1}
	}
	stmts = db.UpsertSessionUsageStmts(many)
	if len(stmts) != 3 {
		t.Fatalf("%d statements for 4,500 rows", len(stmts))
	}
	if _, err := s.Execute(ctx, stmts...); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Query(ctx, `SELECT COUNT(*) FROM session_usage`); r.Values[0][0] != int64(4500) {
		t.Fatalf("count = %v", r.Values[0][0])
	}
}

// TestSessionTurnsCopiedFromEvents: a turn row's texts copied from event
// payloads — raw spans, JSON strings unescaped by SQLite, paths — read
// back as the strings encoding/json decodes from those payloads.
func TestSessionTurnsCopiedFromEvents(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	texts := []string{"plain", "it's", "line\nbreak\r\n\ttab", `"quoted" \back\slash/`, "<b>&amp;</b>",
		"\u2028 \u2029 \x01\x1f\x7f \b\f", "日本語 é 🎉", "\ufffd", strings.Repeat("long ", 2000)}
	at := time.UnixMilli(1748768400123).UTC()
	var rows []db.SessionTurn
	var refs []*db.TextRef
	for i, txt := range texts {
		payload, err := json.Marshal(map[string]any{"answer": txt, "context": map[string]string{"x": txt}, "prompt": txt})
		if err != nil {
			t.Fatal(err)
		}
		ev := &db.Event{Type: "t", Schema: 1, Payload: payload, Node: "n", Actor: "a", Time: at}
		if err := s.AppendStreams(ctx, []db.StreamAppend{{Stream: fmt.Sprint("s/", i), Expected: 0, Events: []*db.Event{ev}}}); err != nil {
			t.Fatal(err)
		}
		var p struct {
			Answer, Prompt string
			Context        json.RawMessage
		}
		if err := json.Unmarshal(payload, &p); err != nil || p.Answer != txt {
			t.Fatalf("decode %q: %q, %v", payload, p.Answer, err)
		}
		// The answer as a JSON string, the context as raw bytes, the
		// prompt by path.
		ans := bytes.Index(payload, []byte(`"answer":`)) + len(`"answer":`)
		str, _ := json.Marshal(txt)
		if !bytes.HasPrefix(payload[ans:], str) {
			t.Fatalf("%q not at %d of %q", str, ans, payload)
		}
		cx := bytes.Index(payload, p.Context)
		refs = append(refs, &db.TextRef{PromptEvent: ev.ID, PromptPath: "$.prompt",
			AnswerSpan:  db.PayloadSpan{Event: ev.ID, Off: ans, Len: len(str), JSON: true},
			ContextSpan: db.PayloadSpan{Event: ev.ID, Off: cx, Len: len(p.Context)}})
		rows = append(rows, db.SessionTurn{SessionID: "s", Turn: int64(i + 1), Status: db.TurnCompleted,
			Prompt: "not this", Answer: "nor this", Context: "nor this", StartedAt: at})
		if i == 0 { // no refs: the row's own texts
			refs[0] = nil
			rows[0].Prompt, rows[0].Answer, rows[0].Context = txt, txt, string(p.Context)
		}
	}
	if _, err := s.Execute(ctx, db.UpsertSessionTurnsFromEventsStmts(rows, refs)...); err != nil {
		t.Fatal(err)
	}
	got, err := s.SessionTurns(ctx, "s", 1, 0)
	if err != nil || len(got) != len(rows) {
		t.Fatalf("SessionTurns = %d rows, %v", len(got), err)
	}
	for i, txt := range texts {
		ctxJSON, _ := json.Marshal(map[string]string{"x": txt})
		if got[i].Prompt != txt || got[i].Answer != txt || got[i].Context != string(ctxJSON) {
			t.Errorf("row %d = %q, %q, %q; want %q and context %s", i, got[i].Prompt, got[i].Answer, got[i].Context, txt, ctxJSON)
		}
	}
}
