package db_test

import (
	"context"
	"fmt"
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
