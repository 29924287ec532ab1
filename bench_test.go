package main

import (
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// Process benchmarks: what a user waits for and pays, per run of the
// binary. Besides wall time (ns/op) they report CPU time (user+system) and
// the largest peak RSS seen. scripts/bench runs them on the static release
// binary.

func benchProcess(b *testing.B, s *sandbox, args ...string) {
	b.Helper()
	var cpu time.Duration
	var maxRSS int64
	b.ResetTimer()
	for b.Loop() {
		r := s.run("", args...)
		if r.code != 0 {
			b.Fatalf("aiex %v: exit %d: %s", args, r.code, r.stderr)
		}
		ru := r.state.SysUsage().(*syscall.Rusage)
		cpu += r.state.UserTime() + r.state.SystemTime()
		maxRSS = max(maxRSS, ru.Maxrss) // KiB on Linux
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MiB")
}

func BenchmarkProcessHelp(b *testing.B) {
	benchProcess(b, newSandbox(b, ""), "--help")
}

func BenchmarkProcessVersion(b *testing.B) {
	benchProcess(b, newSandbox(b, ""), "version")
}

// BenchmarkProcessAsk is a one-shot question on a cold process with an
// existing data dir, against a zero-latency fake Ollama: the cost of aiex
// itself (store open and close, two recorded writes, the stream).
func BenchmarkProcessAsk(b *testing.B) {
	fake := providertest.NewOllama(b, providertest.WithReply("Hello", ",", " world", "!"))
	s := newSandbox(b, fake.URL())
	if r := s.run("", "ask", "-m", "tiny", "warm up"); r.code != 0 {
		b.Fatalf("warm-up ask: %s", r.stderr)
	}
	benchProcess(b, s, "ask", "-m", "tiny", "hello")
}
