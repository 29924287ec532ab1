package coord_test

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/coord"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/providers"
	pt "github.com/aiex-dev/aiex/providers/providertest"
)

// bigAnswer is a coordinator over a provider streaming an answer of about
// size bytes in chunks of 64 bytes, a token or so each as servers send
// them, recording nothing (memRecorder): what is measured is the
// coordinator's own cost of carrying the answer. It returns the answer's
// exact size.
func bigAnswer(size int) (*coord.Coordinator, int) {
	chunk := strings.Repeat("x", 63) + "\n"
	chunks := make([]string, size/len(chunk))
	for i := range chunks {
		chunks[i] = chunk
	}
	p := pt.NewScripted("p", "ollama", pt.Step{Chunks: chunks, Usage: providers.Usage{PromptTokens: 5, CompletionTokens: len(chunks)}})
	c := coord.New(coord.Config{Targets: []coord.Target{{Provider: p, Local: true, Model: "m"}}, Recorder: memRecorder{}})
	return c, len(chunks) * len(chunk)
}

func chatBig(c *coord.Coordinator) (*db.Interaction, error) {
	return c.Chat(context.Background(), coord.Request{Messages: []providers.Message{{Role: providers.RoleUser, Content: "q"}}},
		func(providers.Chunk) error { return nil })
}

// BenchmarkLargeAnswer streams a 3 MiB answer through the coordinator;
// B/op is what carrying it cost.
func BenchmarkLargeAnswer(b *testing.B) {
	c, n := bigAnswer(3 << 20)
	b.ReportAllocs()
	b.SetBytes(int64(n))
	for b.Loop() {
		if _, err := chatBig(c); err != nil {
			b.Fatal(err)
		}
	}
}

// An answer costs the coordinator about twice its size: once as it
// streams in, once as the text recorded. Collected with a strings.Builder,
// whose buffer grows by a quarter at a time once large, each byte of a
// 3 MiB answer was copied five or six times over.
func TestLargeAnswerAllocations(t *testing.T) {
	c, n := bigAnswer(3 << 20)
	if _, err := chatBig(c); err != nil { // warm up: the breaker, limiters and route exist
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	in, err := chatBig(c)
	runtime.ReadMemStats(&after)
	if err != nil || len(in.Response) != n {
		t.Fatalf("recorded %d bytes (err %v); want the %d-byte answer", len(in.Response), err, n)
	}
	per := float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
	t.Logf("a %d-byte answer allocated %.2f bytes per byte of answer (%d mallocs)", n, per, after.Mallocs-before.Mallocs)
	if per > 2.5 {
		t.Errorf("a %d-byte answer allocated %.2f bytes per byte of answer; want at most 2.5", n, per)
	}
}
