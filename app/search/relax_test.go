package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
)

// relaxFixture: a question whose every word many tests hold, and few of
// the code's chunks (rqlite's queue: queue.Queue says "batching queue",
// not "write").
func relaxFixture(tests, weak int) map[string]string {
	files := map[string]string{
		"queue/queue.go": `package queue

// Queue is a batching queue: requests queued are batched.
type Queue struct {
	batchSize int
	queued    []int
}

// Write queues a write, batched with others.
func (q *Queue) Write(v int) { q.queued = append(q.queued, v) }
`,
	}
	var b strings.Builder
	b.WriteString("package queue\n")
	for i := range tests {
		fmt.Fprintf(&b, `
// Test_QueueWriteBatch%d checks that a write is queued and batched.
func Test_QueueWriteBatch%d(t *testing.T) {
	q := New(%d)
	for i := range %d {
		q.Write(i) // the write is queued, then batched with the others
	}
	if got := q.Flush(); len(got) != %d {
		t.Fatalf("batch of %%d queued writes, want %d", len(got))
	}
}
`, i, i, i+1, i+2, i+2, i+2)
	}
	files["queue/queue_test.go"] = b.String()
	b.Reset()
	b.WriteString("package store\n")
	for i := range weak {
		// Long bodies saying each word once: weak matches of every word.
		fmt.Fprintf(&b, "\n// apply%d applies a command.\nfunc apply%d(c Command) error {\n", i, i)
		for j := range 40 {
			fmt.Fprintf(&b, "\tc.step%d(%d)\n", j, j)
		}
		b.WriteString("\tc.log(\"write\", \"queued\", \"batched\")\n\treturn nil\n}\n")
	}
	files["store/store.go"] = b.String()
	return files
}

// TestSearchRelaxedRankedByScore: hits holding every word of a question
// come first only when enough of them are worth it. Tests, weighed a
// quarter, do not keep the code holding some of the words out of the
// first hits (rqlite's queue.Queue came after five tests of it, main.Config
// and a Markdown file for "how are writes queued and batched", and
// only at -n 30); past the first relaxBelow hits, a better hit holding
// some of the words is not listed after weaker ones holding them all.
func TestSearchRelaxedRankedByScore(t *testing.T) {
	ctx := context.Background()
	const q = "how are writes queued and batched"
	t.Run("tests", func(t *testing.T) {
		s, p, _ := setupFiles(t, relaxFixture(12, 0), index.Config{})
		sr := New(Config{Store: s})
		for _, n := range []int{10, 12, 30} {
			res, err := sr.Search(ctx, p.ID, q, n)
			if err != nil {
				t.Fatal(err)
			}
			got := names(res.Hits)
			i := slices.Index(got, "queue.Queue")
			if i < 0 || slices.ContainsFunc(got[:i], func(n string) bool { return strings.HasPrefix(n, "queue.Test_") }) {
				t.Errorf("-n %d: hits %q; want queue.Queue before the tests", n, places(res.Hits))
			}
		}
	})
	t.Run("weak", func(t *testing.T) {
		s, p, _ := setupFiles(t, relaxFixture(0, 14), index.Config{})
		sr := New(Config{Store: s})
		res, err := sr.Search(ctx, p.ID, q, 30)
		if err != nil {
			t.Fatal(err)
		}
		hs := res.Hits
		for i := relaxBelow; i < len(hs)-1; i++ {
			if hs[i].Score < hs[i+1].Score {
				t.Fatalf("hit %d (%s, %.3f) before a better one (%s, %.3f): %q", i+1, hs[i].Name, hs[i].Score, hs[i+1].Name, hs[i+1].Score, places(hs))
			}
		}
		if !slices.Contains(names(hs), "queue.Queue") {
			t.Errorf("hits %q; want queue.Queue among them", places(hs))
		}
	})
}
