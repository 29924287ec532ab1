package node

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/mesh"
	"github.com/aiex-dev/aiex/mesh/meshtest"
	"github.com/aiex-dev/aiex/providers"
	"github.com/aiex-dev/aiex/providers/providertest"
)

// Benchmarks of the cluster's costs:
//
//	go test -run '^$' -bench ForwardTTFT -benchtime 200x ./app/node/
//	go test -run '^$' -bench IdleNodeRSS -benchtime 1x ./app/node/
//
// BenchmarkForwardTTFT: the time to first token that forwarding a request
// to the node hosting the model adds, over plain TCP (mutual TLS) and over
// an in-process tailnet (tsnet, DERP on loopback). Each iteration asks the
// hosting node's own provider directly and then the same provider through
// the other node, so both see the same load; it reports the p50 and mean of
// each and the added time (target: ≤ 3 ms added).
func BenchmarkForwardTTFT(b *testing.B) {
	b.Run("tcp", func(b *testing.B) {
		tcp := meshtest.TCP(b, 2, nil)
		benchForward(b, tcp[0], tcp[1])
	})
	b.Run("tailnet", func(b *testing.B) {
		tn := meshtest.NewTailnet(b, meshtest.Options{SameUser: true})
		gpu := tn.Node(b, mesh.TailnetConfig{Hostname: "gpu", Logger: meshtest.Logger(b, slog.LevelError)})
		laptop := tn.Node(b, mesh.TailnetConfig{Hostname: "laptop", Logger: meshtest.Logger(b, slog.LevelError)})
		benchForward(b, gpu, laptop)
	})
}

func benchForward(b *testing.B, gpuTr, laptopTr mesh.Transport) {
	fake := providertest.NewOllama(b, providertest.WithReply("first", " second", " third"))
	down := providertest.Unreachable(b)
	gpu := startSpec(b, nodeSpec{name: "gpu", tr: gpuTr,
		providers: map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: fake.URL()}}})
	laptop := startSpec(b, nodeSpec{name: "laptop", tr: laptopTr, join: []string{gpu.Addr()},
		providers: map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: down}}})
	within(b, 15*time.Second, "laptop to see the gpu's ollama", func() bool { return hasRemoteTarget(laptop, "gpu/ollama") })

	c, err := gpu.App().Coord(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	var direct, forwarded providers.Provider
	for _, t := range c.Targets() {
		if t.Node == "" && t.Local && t.Provider.Name() == "ollama" {
			direct = t.Provider
		}
	}
	for _, t := range laptop.remoteTargets() {
		if t.Provider.Name() == "gpu/ollama" {
			forwarded = t.Provider
		}
	}
	// Warm up: the first forwarded request dials and authenticates.
	for range 3 {
		ttft(b, direct)
		ttft(b, forwarded)
	}
	var d, f []time.Duration
	b.ResetTimer()
	for b.Loop() {
		d = append(d, ttft(b, direct))
		f = append(f, ttft(b, forwarded))
	}
	b.StopTimer()
	dp, fp := pct(d, 50), pct(f, 50)
	b.ReportMetric(us(dp), "direct-p50-µs")
	b.ReportMetric(us(fp), "fwd-p50-µs")
	b.ReportMetric(us(fp-dp), "added-p50-µs")
	b.ReportMetric(us(mean(f)-mean(d)), "added-mean-µs")
	b.ReportMetric(us(pct(f, 95)), "fwd-p95-µs")
}

// TestForwardReusesConnections: forwarded requests to a node reuse the
// mesh connection to it (HTTP keep-alive) instead of paying a new dial
// and, on plain TCP, a mutual-TLS handshake (~1.5 ms here) each time.
func TestForwardReusesConnections(t *testing.T) {
	tcp := meshtest.TCP(t, 2, nil)
	laptopTr := &dialCounter{Transport: tcp[1]}
	fake := providertest.NewOllama(t, providertest.WithReply("first", " second"))
	gpu := startSpec(t, nodeSpec{name: "gpu", tr: tcp[0],
		providers: map[string]app.ProviderConfig{"ollama": {Kind: "ollama", BaseURL: fake.URL()}}})
	laptop := startSpec(t, nodeSpec{name: "laptop", tr: laptopTr, join: []string{gpu.Addr()}})
	within(t, 15*time.Second, "laptop to see the gpu's ollama", func() bool { return hasRemoteTarget(laptop, "gpu/ollama") })
	var fwd providers.Provider
	for _, tg := range laptop.remoteTargets() {
		if tg.Provider.Name() == "gpu/ollama" {
			fwd = tg.Provider
		}
	}
	const n = 20
	before := laptopTr.dials.Load()
	for range n {
		ttft(t, fwd)
	}
	if dials := laptopTr.dials.Load() - before; dials > 2 {
		t.Errorf("%d forwarded requests dialed the mesh %d times; want the connection reused (the answer's body is "+
			"closed before its end, so net/http drops the connection)", n, dials)
	}
}

// dialCounter counts a transport's dials.
type dialCounter struct {
	mesh.Transport
	dials atomic.Int64
}

func (d *dialCounter) Dial(ctx context.Context, addr string) (net.Conn, error) {
	d.dials.Add(1)
	return d.Transport.Dial(ctx, addr)
}

// ttft asks p for the tiny model and returns the time to its first text.
func ttft(b testing.TB, p providers.Provider) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	var first time.Duration
	_, err := p.Chat(ctx, providers.Request{Model: "tiny", Messages: []providers.Message{{Role: providers.RoleUser, Content: "hi"}}},
		func(c providers.Chunk) error {
			if first == 0 && c.Text != "" {
				first = time.Since(start)
			}
			return nil
		})
	if err != nil || first == 0 {
		b.Fatalf("%s: %v (first token after %v)", p.Name(), err, first)
	}
	return first
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func mean(ds []time.Duration) time.Duration {
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// BenchmarkIdleNodeRSS starts three real `aiex node run` processes on
// loopback plain TCP (each with a fake Ollama to publish), lets the idle
// cluster settle and reads each process's VmRSS (target: ≤ 60 MiB). The
// binary is AIEX_BIN if set (e.g. the static release build from
// scripts/build), else one built from this module.
func BenchmarkIdleNodeRSS(b *testing.B) {
	bin := os.Getenv("AIEX_BIN")
	if bin == "" {
		bin = filepath.Join(b.TempDir(), "aiex")
		build := exec.Command("go", "build", "-o", bin, "github.com/aiex-dev/aiex")
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("go build: %v\n%s", err, out)
		}
	}
	fake := providertest.NewOllama(b)
	base := shortTempDir(b)
	env := func(name string) []string {
		home := filepath.Join(base, "home-"+name)
		return []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "XDG_DATA_HOME=" + filepath.Join(home, "data"),
			"XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "OLLAMA_HOST=" + fake.URL()}
	}
	key := filepath.Join(base, "cluster.key")
	if out, err := exec.Command(bin, "cluster", "init", "--out", key).CombinedOutput(); err != nil {
		b.Fatalf("cluster init: %v\n%s", err, out)
	}
	type proc struct {
		name, dir, addr string
		cmd             *exec.Cmd
	}
	var procs []*proc
	for i := range 3 {
		p := &proc{name: fmt.Sprintf("n%d", i), dir: filepath.Join(base, fmt.Sprintf("n%d", i)), addr: loopbackAddr(b)}
		args := []string{"--data-dir", p.dir, "node", "run", "--listen", p.addr, "--cluster-key", key, "--name", p.name}
		if i > 0 {
			args = append(args, "--join", procs[0].addr)
		}
		p.cmd = exec.Command(bin, args...)
		p.cmd.Env = env(p.name)
		p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := p.cmd.Start(); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			p.cmd.Wait()
		})
		procs = append(procs, p)
		within(b, 30*time.Second, p.name+" to answer on its socket", func() bool {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			cl, err := Connect(ctx, p.dir)
			if err != nil {
				return false
			}
			st, err := cl.Status(ctx)
			return err == nil && st.Store.Leader != ""
		})
	}
	// Settled: every process's RSS has moved by less than 1 % over the
	// last 3 s, at least 10 s after the last node started. Sampled every
	// 0.5 s for at most a minute.
	started := time.Now()
	hist := make([][]int64, len(procs))
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for settled := false; !settled; {
		<-tick.C
		if time.Since(started) > time.Minute {
			b.Fatalf("RSS did not settle within a minute: %v", hist)
		}
		settled = time.Since(started) > 10*time.Second
		for i, p := range procs {
			hist[i] = append(hist[i], vmRSS(b, p.cmd.Process.Pid))
			if len(hist[i]) < 7 {
				settled = false
				continue
			}
			last := hist[i][len(hist[i])-7:]
			if lo, hi := slices.Min(last), slices.Max(last); float64(hi-lo) > 0.01*float64(hi) {
				settled = false
			}
		}
	}
	var worst int64
	for i, p := range procs {
		rss := hist[i][len(hist[i])-1]
		worst = max(worst, rss)
		b.ReportMetric(float64(rss)/1024, p.name+"-rss-MiB")
		pid := p.cmd.Process.Pid
		b.Logf("%s (pid %d): VmRSS %.1f MiB (anonymous %.1f, file-backed %.1f), VmHWM %.1f MiB", p.name, pid, float64(rss)/1024,
			float64(procStatus(b, pid, "RssAnon"))/1024, float64(procStatus(b, pid, "RssFile"))/1024,
			float64(procStatus(b, pid, "VmHWM"))/1024)
	}
	b.ReportMetric(float64(worst)/1024, "max-rss-MiB")
}

// loopbackAddr returns a loopback address nothing listens on now.
func loopbackAddr(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// vmRSS is the process's resident set in KiB.
func vmRSS(b *testing.B, pid int) int64 { return procStatus(b, pid, "VmRSS") }

// procStatus reads a "kB" field of /proc/PID/status.
func procStatus(b *testing.B, pid int, field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
