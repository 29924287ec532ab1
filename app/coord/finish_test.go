package coord_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// brokenStream is a provider whose answer breaks off after part, which is
// long enough to need pages of its own in the store.
func brokenStream(name string) (*pt.Scripted, string) {
	part := strings.Repeat("a partial answer that needs pages of its own. ", 400)
	p := pt.NewScripted(name, "openai", pt.Step{Chunks: []string{part[:100], part[100:]},
		Err: &providers.Error{Provider: name, Kind: providers.KindInterrupted, Message: "stream broke"}})
	return p, part
}

// setMaxPages sets the store's page limit: at its page count now (or
// below), writes that need a page more fail as on a full disk.
func setMaxPages(t *testing.T, st *db.Store, pages int64) {
	t.Helper()
	if pages == 0 {
		// Pages the file has free take writes without growing it: a
		// full disk leaves none, so they are taken first.
		if _, err := st.Execute(context.Background(), db.Stmt(`CREATE TABLE IF NOT EXISTS test_fill (b BLOB)`),
			db.Stmt(`INSERT INTO test_fill SELECT zeroblob((SELECT freelist_count FROM pragma_freelist_count) * (SELECT page_size FROM pragma_page_size))`)); err != nil {
			t.Fatal(err)
		}
		rows, err := st.Query(context.Background(), "PRAGMA page_count")
		if err != nil || len(rows.Values) != 1 {
			t.Fatalf("page_count: %+v, %v", rows, err)
		}
		pages, _ = rows.Values[0][0].(int64)
	}
	if _, err := st.Execute(context.Background(), db.Stmt(fmt.Sprintf("PRAGMA max_page_count = %d", pages))); err != nil {
		t.Fatal(err)
	}
}

// TestPartialAnswerRecordedAfterStoreFailed: the store cannot take the
// finishing write of a request whose answer broke off (its disk is full
// from the first token on, as a leader change fails writes for a while).
// The user is not told that the partial answer is recorded; the write is
// tried again in the background, and when the store has room again before
// the process quits (Close waits for it), the record gets its status,
// partial answer and tokens instead of staying running with none.
func TestPartialAnswerRecordedAfterStoreFailed(t *testing.T) {
	p, part := brokenStream("a")
	st := dbtest.Open(t)
	c := coord.New(coord.Config{Targets: []coord.Target{target(p, false)}, Recorder: st, Node: st.NodeID(), MaxAttempts: 1})
	full := false
	in, err := c.Chat(context.Background(), coord.Request{Messages: []providers.Message{{Role: providers.RoleUser, Content: "q"}}},
		func(providers.Chunk) error {
			if !full {
				setMaxPages(t, st, 0)
				full = true
			}
			return nil
		})
	if err == nil || in == nil {
		t.Fatalf("Chat = %v, %v; want the broken stream's error and its interaction", in, err)
	}
	msg := err.Error()
	if strings.Contains(msg, "is recorded as interrupted") || !strings.Contains(msg, "not recorded yet") || !strings.Contains(msg, "is full") {
		t.Errorf("error = %q; want it to say that the partial answer is not recorded yet, and why", msg)
	}
	if rec, _, _ := st.Interaction(context.Background(), in.ID); rec.Status != db.StatusRunning {
		t.Fatalf("recorded %s while the disk was full; the test needs the write to fail", rec.Status)
	}

	setMaxPages(t, st, 1073741823)
	c.Close()
	rec, found, err := st.Interaction(context.Background(), in.ID)
	if err != nil || !found {
		t.Fatalf("interaction %s: %v, %v", in.ID, found, err)
	}
	if rec.Status != db.StatusInterrupted || rec.Response != part || rec.CompletionTokens == 0 || rec.FinishedAt == nil || rec.ErrorKind != "interrupted" {
		t.Errorf("recorded %s, %d of %d chars of answer, %d tokens, finished %v, kind %q; want interrupted with the partial answer and its tokens",
			rec.Status, len(rec.Response), len(part), rec.CompletionTokens, rec.FinishedAt, rec.ErrorKind)
	}
	evs, err := st.Events(context.Background(), coord.EventStream, 0, 0)
	if err != nil || len(evs) != 1 {
		t.Errorf("%d events, %v; want the request's one", len(evs), err)
	}
}

// leaderLostStore fails the first fails finishing writes as a leader lost
// mid-write does, then writes.
type leaderLostStore struct {
	*db.Store
	fails atomic.Int32
}

func (f *leaderLostStore) FinishInteraction(ctx context.Context, in *db.Interaction, ev *db.Event) error {
	if f.fails.Add(-1) >= 0 {
		return fmt.Errorf("db.Execute: %w: leader node-1 at 10.0.0.1:7420: connection reset", db.ErrOutcomeUnknown)
	}
	return f.Store.FinishInteraction(ctx, in, ev)
}

// TestFinishRetriedBeforeReturning: a finishing write the store fails
// once or twice (the leader stopped mid-write, leadership moved) is tried
// again before the request returns, so that the record is finished and
// what the user is told of it is true.
func TestFinishRetriedBeforeReturning(t *testing.T) {
	p, part := brokenStream("a")
	st := &leaderLostStore{Store: dbtest.Open(t)}
	st.fails.Store(2)
	c := coord.New(coord.Config{Targets: []coord.Target{target(p, false)}, Recorder: st, Node: st.NodeID(), MaxAttempts: 1})
	defer c.Close()
	in, err := c.Chat(context.Background(), coord.Request{Messages: []providers.Message{{Role: providers.RoleUser, Content: "q"}}},
		func(providers.Chunk) error { return nil })
	if err == nil || in == nil || !strings.Contains(err.Error(), "the partial answer is recorded as interrupted") {
		t.Fatalf("Chat = %v, %v; want the broken stream's error, saying the partial answer is recorded", in, err)
	}
	rec, _, err := st.Interaction(context.Background(), in.ID)
	if err != nil || rec.Status != db.StatusInterrupted || rec.Response != part || rec.CompletionTokens == 0 {
		t.Errorf("recorded %s, %d chars, %d tokens (%v) when Chat returned; want interrupted with the partial answer", rec.Status, len(rec.Response), rec.CompletionTokens, err)
	}
}
