package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// Process benchmarks: what a user waits for and pays, per run of the
// binary. Besides wall time (ns/op) they report CPU time (user+system) and
// the largest peak RSS seen. scripts/bench runs them on the static release
// binary.
//
// Peak RSS comes from GNU time (/usr/bin/time; not reported without it):
// the kernel's figure for a child of this process (rusage) would also count
// the test process's own memory, which the child shares until it execs.

const timeBin = "/usr/bin/time"

func benchProcess(b *testing.B, s *sandbox, args ...string) {
	b.Helper()
	_, err := os.Stat(timeBin)
	useTime := err == nil
	var cpu time.Duration
	var maxRSS int64 // KiB
	b.ResetTimer()
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		var cmd *exec.Cmd
		if useTime {
			cmd = exec.CommandContext(ctx, timeBin, append([]string{"-f", "aiex-peak-rss-kib %M", aiexBin}, args...)...)
		} else {
			cmd = exec.CommandContext(ctx, aiexBin, args...)
		}
		cmd.Env = s.env
		var errb bytes.Buffer
		cmd.Stderr = &errb
		if err := cmd.Run(); err != nil {
			cancel()
			b.Fatalf("aiex %v: %v: %s", args, err, errb.String())
		}
		cancel()
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		if useTime {
			maxRSS = max(maxRSS, peakFromTime(errb.String()))
		}
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	if maxRSS > 0 {
		b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MiB")
	}
}

// peakFromTime reads GNU time's "aiex-peak-rss-kib N" line.
func peakFromTime(stderr string) int64 {
	i := strings.LastIndex(stderr, "aiex-peak-rss-kib ")
	if i < 0 {
		return 0
	}
	f := strings.Fields(stderr[i+len("aiex-peak-rss-kib "):])
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.ParseInt(f[0], 10, 64)
	return n
}

func BenchmarkProcessHelp(b *testing.B) {
	benchProcess(b, newSandbox(b, ""), "--help")
}

func BenchmarkProcessVersion(b *testing.B) {
	benchProcess(b, newSandbox(b, ""), "version")
}

// BenchmarkProcessAsk is a one-shot question on a cold process with an
// existing data dir, against a zero-latency fake Ollama: the cost of aiex
// itself (store open and close, the recorded writes, the stream).
func BenchmarkProcessAsk(b *testing.B) {
	fake := providertest.NewOllama(b, providertest.WithReply("Hello", ",", " world", "!"))
	s := newSandbox(b, fake.URL())
	if r := s.run("", "ask", "-m", "tiny", "warm up"); r.code != 0 {
		b.Fatalf("warm-up ask: %s", r.stderr)
	}
	benchProcess(b, s, "ask", "-m", "tiny", "hello")
}
