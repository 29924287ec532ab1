package anthropic

import (
	"fmt"
	"testing"

	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// BenchmarkChatStream measures the client side of a 1,000-token answer from
// the fake server over loopback: the SSE and JSON decoding, this package's
// conversion and the HTTP round trip.
func BenchmarkChatStream(b *testing.B) {
	const tokens = 1000
	reply := make([]string, tokens)
	for i := range reply {
		reply[i] = fmt.Sprintf(" tok%d", i)
	}
	_, p := startFake(b, providertest.WithReply(reply...))
	req := userRequest(testModel)
	var n int
	fn := func(providers.Chunk) error { n++; return nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Chat(b.Context(), req, fn); err != nil {
			b.Fatal(err)
		}
	}
	if n != tokens*b.N {
		b.Fatalf("got %d chunks, want %d", n, tokens*b.N)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "tokens/s")
}
