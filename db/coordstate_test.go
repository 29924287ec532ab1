package db_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// BenchmarkRecentRoutes reads what a new process's coordinator starts
// from, the query every one-shot request makes, over a full window: 200
// finished requests with 4 KiB prompts and 8 KiB answers.
func BenchmarkRecentRoutes(b *testing.B) {
	s := dbtest.Open(b)
	ctx := context.Background()
	now := time.Now()
	prompt, answer := strings.Repeat("p", 4<<10), strings.Repeat("a", 8<<10)
	for i := range 200 {
		in := &db.Interaction{ID: fmt.Sprint(i), Node: s.NodeID(), Provider: "local", Model: "m", Prompt: prompt,
			Status: db.StatusRunning, StartedAt: now.Add(-time.Duration(i) * time.Second)}
		if _, err := s.Execute(ctx, db.InsertInteractionStmt(in)); err != nil {
			b.Fatal(err)
		}
		in.Status, in.Response, in.FinishedAt = db.StatusOK, answer, &now
		in.Route = []db.Attempt{{Provider: "local", Model: "m", Outcome: "unavailable", Millis: 3}, {Provider: "local", Model: "m", Outcome: "ok", Millis: 40}}
		if _, err := s.Execute(ctx, db.FinishInteractionStmt(in)); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		recs, err := s.RecentRoutes(ctx, s.NodeID(), now.Add(-15*time.Minute), 200)
		if err != nil || len(recs) != 200 {
			b.Fatalf("%d records, %v", len(recs), err)
		}
	}
}
