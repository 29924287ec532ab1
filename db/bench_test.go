package db_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// BenchmarkOpenClose measures what every one-shot command pays: open an
// existing single-node store (lock, Raft, election, barrier, migration
// check) and close it.
func BenchmarkOpenClose(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	s, err := db.Open(ctx, db.Config{Dir: dir})
	if err != nil {
		b.Fatal(err)
	}
	s.Close(ctx)
	b.ResetTimer()
	for b.Loop() {
		s, err := db.Open(ctx, db.Config{Dir: dir})
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecordInteraction measures one interaction's two writes (start
// row; finish row with its event) through Raft on a single node.
func BenchmarkRecordInteraction(b *testing.B) {
	ctx := context.Background()
	s := dbtest.Open(b)
	i := 0
	for b.Loop() {
		i++
		in := &db.Interaction{ID: strconv.Itoa(i), Node: "n", Provider: "p", Model: "m", Prompt: "hello", Status: db.StatusRunning, StartedAt: time.Now()}
		if _, err := s.Execute(ctx, db.InsertInteractionStmt(in)); err != nil {
			b.Fatal(err)
		}
		in.Status = db.StatusOK
		ev := &db.Event{Stream: "llm", Type: "llm.interaction.finished", Payload: []byte(`{}`), Node: "n", Actor: "bench", Time: time.Now()}
		if _, err := s.Execute(ctx, db.FinishInteractionStmt(in), db.AppendEventStmt(ev)); err != nil {
			b.Fatal(err)
		}
	}
}
