package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

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
	var walls []time.Duration
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
		start := time.Now()
		if err := cmd.Run(); err != nil {
			cancel()
			b.Fatalf("aiex %v: %v: %s", args, err, errb.String())
		}
		walls = append(walls, time.Since(start))
		cancel()
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		if useTime {
			maxRSS = max(maxRSS, peakFromTime(errb.String()))
		}
	}
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
	// The mean (ns/op) carries the first run's page faults after the page
	// cache was dropped; the median is a warm run's.
	slices.Sort(walls)
	b.ReportMetric(float64(walls[len(walls)/2].Microseconds())/1000, "p50-ms")
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

// BenchmarkProcessCompletion starts a command that opens nothing and is not
// answered before the rest of aiex initializes (as --help and version
// are): what every other command pays to start.
func BenchmarkProcessCompletion(b *testing.B) {
	benchProcess(b, newSandbox(b, ""), "completion", "bash")
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

// BenchmarkProcessTUIFirstFrame: `aiex tui` started in a terminal (a pty,
// 100×30) until its first frame is on the screen — the status bar and
// the editor's hint — with an existing data dir and no node (the core
// opens after the first frame). Reports the median and worst time.
func BenchmarkProcessTUIFirstFrame(b *testing.B) {
	fake := providertest.NewOllama(b, providertest.WithReply("hi"))
	s := newSandbox(b, fake.URL())
	if r := s.run("", "ask", "-m", "tiny", "warm up"); r.code != 0 {
		b.Fatalf("warm-up ask: %s", r.stderr)
	}
	var times []time.Duration
	for b.Loop() {
		times = append(times, tuiFirstFrame(b, s))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "max-ms")
}

// tuiFirstFrame starts aiex tui in a pty and returns how long it took to
// draw its first frame; then it quits it (Ctrl-C) and waits for it.
func tuiFirstFrame(b *testing.B, s *sandbox) time.Duration {
	b.Helper()
	cmd := exec.Command(aiexBin, "tui")
	cmd.Env = append(s.env, "TERM=xterm-256color")
	cmd.Dir = s.home
	start := time.Now()
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 100})
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var screen bytes.Buffer
	buf := make([]byte, 64<<10)
	var took time.Duration
	for took == 0 {
		f.SetReadDeadline(time.Now().Add(20 * time.Second))
		n, err := f.Read(buf)
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			b.Fatalf("no first frame: %v\n%q", err, screen.String())
		}
		screen.Write(buf[:n])
		if bytes.Contains(screen.Bytes(), []byte("new session")) && bytes.Contains(screen.Bytes(), []byte("for commands")) {
			took = time.Since(start)
		}
	}
	// Ctrl-C twice quits an idle TUI: the first arms the quit.
	f.Write([]byte{3})
	time.Sleep(100 * time.Millisecond)
	f.Write([]byte{3})
	go io.Copy(io.Discard, f)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		b.Fatal("aiex tui did not quit on Ctrl-C")
	}
	return took
}
