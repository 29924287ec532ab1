package main

// Tests of the aiex binary as users run it: a real process, real flags and
// environment, the embedded store on disk, and a fake Ollama speaking the
// real wire format. The end-to-end test against a real Ollama server is in
// e2e_test.go.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/aiex-dev/aiex/providers/providertest"
)

// aiexBin is the binary under test, built once by TestMain.
var aiexBin string

func TestMain(m *testing.M) {
	// AIEX_BIN tests a binary built elsewhere (scripts/bench passes the
	// static release build); by default the tests build their own.
	if bin := os.Getenv("AIEX_BIN"); bin != "" {
		aiexBin = bin
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "aiex-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	aiexBin = filepath.Join(dir, "aiex")
	// With the release build's tags (they choose which of tsnet's optional
	// features are compiled in): the binary under test is the one shipped.
	tags, err := exec.Command(filepath.Join("scripts", "build"), "--tags").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "scripts/build --tags:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	build := exec.Command("go", "build", "-tags", strings.TrimSpace(string(tags)), "-o", aiexBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building aiex:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// goEnv is a go env variable of this machine, read once.
var goEnv = func() func(string) string {
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE").Output()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err != nil || len(lines) != 2 {
		return func(string) string { return "" }
	}
	return func(k string) string { return map[string]string{"GOCACHE": lines[0], "GOMODCACHE": lines[1]}[k] }
}()

// sandbox is a private home for one test's aiex runs.
type sandbox struct {
	t    testing.TB
	home string
	env  []string
}

func newSandbox(t testing.TB, ollamaURL string) *sandbox {
	t.Helper()
	home := t.TempDir()
	env := []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"OLLAMA_HOST=" + ollamaURL,
		// The go command's caches as the machine has them: a user's are
		// warm, and a cold one costs a stdlib build per test.
		"GOCACHE=" + goEnv("GOCACHE"),
		"GOMODCACHE=" + goEnv("GOMODCACHE"),
	}
	// The go command that aiex runs (go env, go build) starts a telemetry
	// child in the background, which outlives it and writes into the
	// home's config dir while the test removes it ("directory not
	// empty"): telemetry is off in this home, as "go telemetry off" sets.
	mode := filepath.Join(home, "config", "go", "telemetry", "mode")
	if err := os.MkdirAll(filepath.Dir(mode), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mode, []byte("off"), 0o644); err != nil {
		t.Fatal(err)
	}
	return &sandbox{t: t, home: home, env: env}
}

func (s *sandbox) dataDir() string { return filepath.Join(s.home, "data", "aiex") }

type result struct {
	stdout, stderr string
	code           int
	state          *os.ProcessState
}

func (s *sandbox) command(ctx context.Context, stdin string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, aiexBin, args...)
	cmd.Env = s.env
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	return cmd
}

// run runs aiex to completion.
func (s *sandbox) run(stdin string, args ...string) result {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := s.command(ctx, stdin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), state: cmd.ProcessState}
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			s.t.Fatalf("aiex %v: %v", args, err)
		}
	}
	r.code = cmd.ProcessState.ExitCode()
	return r
}

// mustRun runs aiex and fails the test unless it exits 0.
func (s *sandbox) mustRun(args ...string) result {
	s.t.Helper()
	r := s.run("", args...)
	if r.code != 0 {
		s.t.Fatalf("aiex %v: exit %d\nstdout: %s\nstderr: %s", args, r.code, r.stdout, r.stderr)
	}
	return r
}

type historyRow struct {
	ID               string   `json:"id"`
	Provider         string   `json:"provider"`
	Model            string   `json:"model"`
	Prompt           string   `json:"prompt"`
	Response         string   `json:"response"`
	Status           string   `json:"status"`
	Error            string   `json:"error"`
	PromptTokens     int      `json:"prompt_tokens"`
	CompletionTokens int      `json:"completion_tokens"`
	TTFTMillis       *float64 `json:"ttft_ms"`
	TotalMillis      *float64 `json:"total_ms"`
	StopReason       string   `json:"stop_reason"`
}

func (s *sandbox) history() []historyRow {
	s.t.Helper()
	r := s.mustRun("history", "--json", "--limit", "0")
	var rows []historyRow
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil {
		s.t.Fatalf("history --json: %v\n%s", err, r.stdout)
	}
	return rows
}

// userMessage is the last user message of a request the fake received.
func userMessage(req api.ChatRequest) string {
	for i := len(req.Messages) - 1; i >= 0; i-- {
		if req.Messages[i].Role == "user" {
			return req.Messages[i].Content
		}
	}
	return ""
}

// oneLine fails unless stderr is exactly one line mentioning every want.
func oneLine(t *testing.T, stderr string, want ...string) {
	t.Helper()
	if strings.Count(strings.TrimRight(stderr, "\n"), "\n") != 0 {
		t.Errorf("stderr is not one line:\n%s", stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q does not mention %q", stderr, w)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	for _, args := range [][]string{nil, {"--help"}} {
		r := s.mustRun(args...)
		for _, cmd := range []string{"ask", "history", "status", "version", "completion", "--data-dir", "--config", "--json", "--no-color", "--verbose"} {
			if !strings.Contains(r.stdout, cmd) {
				t.Errorf("aiex %v does not mention %s:\n%s", args, cmd, r.stdout)
			}
		}
	}
	r := s.mustRun("version", "--json")
	var v map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "commit", "go", "sqlite"} {
		if s, _ := v[k].(string); s == "" {
			t.Errorf("version --json has no %s: %v", k, v)
		}
	}
	// The newest store schema it knows: what tells a data dir too new
	// for it (status shows the store's own).
	if n, _ := v["schema_version"].(float64); n < 1 {
		t.Errorf("version --json has no schema: %v", v)
	}
	if _, err := os.Stat(s.dataDir()); !os.IsNotExist(err) {
		t.Errorf("version created the data dir (err=%v); it should touch nothing", err)
	}
}

func TestUsageErrors(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"frobnicate"}, []string{"unexpected argument frobnicate", `"aiex --help"`}},
		{[]string{"ask", "--bogus", "x"}, []string{"unknown flag --bogus", `"aiex ask --help"`}},
		{[]string{"history", "--limit", "many"}, []string{"--limit", `"aiex history --help"`}},
		{[]string{"completion", "tcsh"}, []string{"tcsh"}},
		{[]string{"ask"}, []string{"empty prompt"}},
	}
	for _, tt := range tests {
		r := s.run("", tt.args...)
		if r.code != 2 {
			t.Errorf("aiex %v: exit %d; want 2 (stderr %q)", tt.args, r.code, r.stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("aiex %v: stderr %q does not mention %q", tt.args, r.stderr, w)
			}
		}
	}
}

func TestAskStreamsAndHistoryRecords(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("Hello", ",", " world"), providertest.WithUsage(7, 3))
	s := newSandbox(t, fake.URL())

	r := s.mustRun("ask", "--model", "tiny", "say", "hello")
	if r.stdout != "Hello, world\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
	if r.stderr != "" {
		t.Fatalf("stderr %q; want nothing on a successful pipe run", r.stderr)
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Fatal("colour escapes in non-terminal output")
	}
	if got := userMessage(fake.Requests()[0]); got != "Question: say hello" {
		t.Fatalf("prompt sent %q; want the ask template around the question", got)
	}

	rows := s.history()
	if len(rows) != 1 {
		t.Fatalf("history has %d rows; want 1", len(rows))
	}
	h := rows[0]
	if h.Provider != "ollama" || h.Model != "tiny:latest" || h.Status != "ok" || h.Response != "Hello, world" ||
		h.PromptTokens != 7 || h.CompletionTokens != 3 || h.TTFTMillis == nil || h.TotalMillis == nil {
		t.Fatalf("history row %+v", h)
	}
	table := s.mustRun("history").stdout
	for _, w := range []string{"PROVIDER", "ollama", "tiny", "ok", "7→3", "say hello"} {
		if !strings.Contains(table, w) {
			t.Errorf("history table does not show %q:\n%s", w, table)
		}
	}
}

func TestAskReadsStdin(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	if r := s.run("what is this?\n", "ask", "-"); r.code != 0 {
		t.Fatalf("ask -: exit %d: %s", r.code, r.stderr)
	}
	if r := s.run("func main() {}\n", "ask", "explain:"); r.code != 0 {
		t.Fatalf("ask with piped input: exit %d: %s", r.code, r.stderr)
	}
	if r := s.run("body\n", "ask", "review", "-"); r.code != 0 {
		t.Fatalf("ask WORDS -: exit %d: %s", r.code, r.stderr)
	}
	// Latin-1 text piped in: its bad bytes become U+FFFD, in the request
	// and in the record.
	if r := s.run("caf\xe9?\n", "ask", "-"); r.code != 0 {
		t.Fatalf("ask - with Latin-1 text: exit %d: %s", r.code, r.stderr)
	}
	reqs := fake.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests; want 4", len(reqs))
	}
	for i, want := range []string{
		"Question: what is this?",
		"Question: explain:\n\nfunc main() {}",
		"Question: review\n\nbody",
		"Question: caf\uFFFD?",
	} {
		if got := userMessage(reqs[i]); got != want {
			t.Errorf("request %d sent %q; want %q", i, got, want)
		}
	}
	for _, h := range s.history() {
		if h.Status != "ok" {
			t.Errorf("recorded %+v", h)
		}
	}
}

func TestAskWithoutProvider(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	r := s.run("", "ask", "hello")
	if r.code != 1 {
		t.Fatalf("exit %d; want 1", r.code)
	}
	oneLine(t, r.stderr, "no LLM provider reachable", "ollama", "OLLAMA_HOST", "config.toml")
	for _, h := range s.history() {
		if h.Status == "ok" {
			t.Fatalf("a failed ask was recorded as success: %+v", h)
		}
	}
}

func TestAskModelNotFound(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithModels(providertest.Model{Name: "tiny"}, providertest.Model{Name: "llama3"}))
	s := newSandbox(t, fake.URL())
	r := s.run("", "ask", "-m", "nope", "hello")
	if r.code != 1 {
		t.Fatalf("exit %d; want 1", r.code)
	}
	oneLine(t, r.stderr, `"nope"`, "not found", "tiny", "llama3")
}

func TestAskProviderDiesMidStream(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("par", "tial", " never"), providertest.WithBrokenStream(2))
	s := newSandbox(t, fake.URL())
	r := s.run("", "ask", "-m", "tiny", "hello")
	if r.code == 0 {
		t.Fatal("exit 0 after the stream broke")
	}
	if !strings.HasPrefix(r.stdout, "partial") {
		t.Fatalf("partial answer not kept on stdout: %q", r.stdout)
	}
	oneLine(t, r.stderr, "broke off", "interrupted")
	rows := s.history()
	if len(rows) != 1 || rows[0].Status != "interrupted" || rows[0].Response != "partial" {
		t.Fatalf("history %+v; want one interrupted row with the partial answer", rows)
	}
}

// watch collects a stream and reports when it first contains a string.
type watch struct {
	mu  sync.Mutex
	buf bytes.Buffer
	ch  chan struct{}
	sub string
}

func newWatch(sub string) *watch { return &watch{ch: make(chan struct{}), sub: sub} }

func (w *watch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	had := strings.Contains(w.buf.String(), w.sub)
	w.buf.Write(p)
	if !had && strings.Contains(w.buf.String(), w.sub) {
		close(w.ch)
	}
	return len(p), nil
}

func (w *watch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func TestAskInterruptedAndDataDirInUse(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) { testAskInterrupted(t, sig) })
	}
}

func testAskInterrupted(t *testing.T, sig syscall.Signal) {
	release := make(chan struct{})
	defer close(release)
	fake := providertest.NewOllama(t, providertest.WithReply("first", " second"), providertest.WithPause(1, release))
	s := newSandbox(t, fake.URL())
	s.mustRun("status") // create the store before the race below

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := s.command(ctx, "", "ask", "-m", "tiny", "hello")
	out, errw := newWatch("first"), newWatch("\n")
	cmd.Stdout, cmd.Stderr = out, errw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-out.ch:
	case <-ctx.Done():
		t.Fatalf("no first chunk; stdout %q stderr %q", out.String(), errw.String())
	}

	// While the answer streams, the data dir is locked.
	r := s.run("", "history")
	if r.code != 1 {
		t.Fatalf("history during ask: exit %d; want 1", r.code)
	}
	oneLine(t, r.stderr, "in use by PID "+fmt.Sprint(cmd.Process.Pid), s.dataDir())

	// Ctrl-C, SIGTERM or SIGHUP (the terminal closed): the stream stops,
	// the interaction is recorded as cancelled and the store closes
	// cleanly.
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	if sig == syscall.SIGHUP {
		// A closing terminal hangs up twice (tmux's window, then the tty):
		// the second must not kill the process before it has recorded.
		time.Sleep(5 * time.Millisecond)
		cmd.Process.Signal(sig)
	}
	err := cmd.Wait()
	if code, want := cmd.ProcessState.ExitCode(), 128+int(sig); code != want {
		t.Fatalf("exit %d (%v) after %v; want %d; stderr %q", code, err, sig, want, errw.String())
	}
	if out.String() != "first\n" {
		t.Errorf("stdout %q; want the partial answer", out.String())
	}
	rows := s.history()
	if len(rows) != 1 || rows[0].Status != "cancelled" || rows[0].Response != "first" {
		t.Fatalf("history %+v; want one cancelled row with the partial answer", rows)
	}
}

func TestUnwritableDataDir(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	file := filepath.Join(s.home, "a-file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(file, "data")
	r := s.run("", "--data-dir", dir, "history")
	if r.code != 1 {
		t.Fatalf("exit %d; want 1", r.code)
	}
	oneLine(t, r.stderr, "cannot write data dir "+dir, "--data-dir")
}

func TestConfigErrorsAndPrecedence(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, providertest.Unreachable(t))
	bad := filepath.Join(s.home, "bad.toml")
	os.WriteFile(bad, []byte("model = \"tiny\"\n\n[providers.ollama]\nbase_urll = \"x\"\n"), 0o600)
	r := s.run("", "--config", bad, "status")
	if r.code != 2 {
		t.Fatalf("exit %d; want 2", r.code)
	}
	oneLine(t, r.stderr, bad, "line 4", "providers.ollama.base_urll")

	// The file names the provider's URL and a data dir; --data-dir wins over it.
	good := filepath.Join(s.home, "good.toml")
	fileDir := filepath.Join(s.home, "from-file")
	flagDir := filepath.Join(s.home, "from-flag")
	os.WriteFile(good, []byte(fmt.Sprintf("data_dir = %q\nmodel = \"tiny\"\n[providers.local]\nkind = \"ollama\"\nbase_url = %q\n", fileDir, fake.URL())), 0o600)
	if r := s.mustRun("--config", good, "ask", "hi"); r.stdout != "ok\n" {
		t.Fatalf("ask with config: %q", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(fileDir, "aiex.lock")); err != nil {
		t.Fatalf("data_dir from the config file not used: %v", err)
	}
	s.mustRun("--config", good, "--data-dir", flagDir, "history")
	if _, err := os.Stat(filepath.Join(flagDir, "aiex.lock")); err != nil {
		t.Fatalf("--data-dir did not win over the file: %v", err)
	}
	// AIEX_CONFIG names the file too.
	s.env = append(s.env, "AIEX_CONFIG="+bad)
	if r := s.run("", "status"); r.code != 2 {
		t.Fatalf("AIEX_CONFIG ignored: exit %d", r.code)
	}
}

func TestStatus(t *testing.T) {
	fake := providertest.NewOllama(t)
	s := newSandbox(t, fake.URL())
	r := s.mustRun("status", "--json")
	var st struct {
		DataDir string `json:"data_dir"`
		Store   struct {
			NodeID, Leader, State string
			AppliedIndex          uint64 `json:"applied_index"`
		} `json:"store"`
		Providers []struct {
			Name      string
			Reachable bool
			Models    []string
		} `json:"providers"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if st.DataDir != s.dataDir() || st.Store.State != "leader" || st.Store.Leader == "" || st.Store.AppliedIndex == 0 {
		t.Fatalf("status %+v", st)
	}
	if len(st.Providers) != 1 || !st.Providers[0].Reachable || len(st.Providers[0].Models) != 1 {
		t.Fatalf("providers %+v", st.Providers)
	}
	text := s.mustRun("status").stdout
	for _, w := range []string{"Data dir", s.dataDir(), "leader", "ollama", "reachable", "tiny"} {
		if !strings.Contains(text, w) {
			t.Errorf("status does not show %q:\n%s", w, text)
		}
	}
}

func TestCompletion(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	for _, sh := range []string{"bash", "zsh", "fish"} {
		r := s.mustRun("completion", sh)
		if !strings.Contains(r.stdout, aiexBin) {
			t.Errorf("completion %s does not call the binary:\n%s", sh, r.stdout)
		}
	}
	// The shell side: COMP_LINE asks aiex for candidates.
	s.env = append(s.env, "COMP_LINE=aiex hi", "COMP_POINT=8")
	r := s.mustRun()
	if strings.TrimSpace(r.stdout) != "history" {
		t.Fatalf("completing %q gave %q; want history", "aiex hi", r.stdout)
	}
}

// TestKilledProcessLeavesUsableStore: kill -9 mid-answer releases the data
// dir (the kernel drops the flock) and the store reopens intact, with the
// started interaction in it.
func TestKilledProcessLeavesUsableStore(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	fake := providertest.NewOllama(t, providertest.WithReply("first", " second"), providertest.WithPause(1, release))
	s := newSandbox(t, fake.URL())
	proj := project(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := s.command(ctx, "", "ask", "-m", "tiny", "hello")
	cmd.Dir = proj
	out := newWatch("first")
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-out.ch:
	case <-ctx.Done():
		t.Fatal("no first chunk")
	}
	cmd.Process.Kill()
	cmd.Wait()

	// The next process on the data dir finds the request its killed owner
	// left running, and ends it as interrupted.
	rows := s.history()
	if len(rows) != 1 || rows[0].Status != "interrupted" || rows[0].Prompt != "hello" || rows[0].Provider != "ollama" || !strings.Contains(rows[0].Error, "ended before") {
		t.Fatalf("history after kill -9: %+v; want the started interaction, interrupted", rows)
	}
	// The session's turn says so too, naming the provider and the model.
	show := s.in(proj, "", "session", "show", "last")
	if show.code != 0 || !strings.Contains(show.stdout, "*interrupted: ") || !strings.Contains(show.stdout, " · ollama/tiny:latest ") {
		t.Fatalf("session show: exit %d\n%s%s", show.code, show.stdout, show.stderr)
	}
}

// TestPromptOverride: a template in the config dir's prompts/ replaces the
// embedded one; a broken one is reported with file and line.
func TestPromptOverride(t *testing.T) {
	fake := providertest.NewOllama(t, providertest.WithReply("ok"))
	s := newSandbox(t, fake.URL())
	dir := filepath.Join(s.home, "config", "aiex", "prompts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ask.tmpl")
	os.WriteFile(path, []byte(`{{define "user"}}Q>> {{.Question}}{{end}}`), 0o644)
	s.mustRun("ask", "-m", "tiny", "hi")
	if got := userMessage(fake.Requests()[0]); got != "Q>> hi" {
		t.Fatalf("override not used: sent %q", got)
	}
	os.WriteFile(path, []byte("{{define \"user\"}}\nQ {{.Question}\n{{end}}"), 0o644)
	r := s.run("", "ask", "-m", "tiny", "hi")
	if r.code != 2 {
		t.Fatalf("broken template: exit %d; want 2", r.code)
	}
	oneLine(t, r.stderr, path, "line 2")
}
