package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/providers/providertest"
	"github.com/aiex-dev/aiex/ui/cli"
)

// dryRunOut is the part of ask --dry-run --json (context --json's object)
// these tests read.
type dryRunOut struct {
	Provider     string `json:"provider"`
	Model        string `json:"model"`
	Window       int    `json:"window"`
	Tokens       int    `json:"tokens"`
	HistoryTurns int    `json:"history_turns"`
	Target       *struct {
		Name string `json:"name"`
	} `json:"target"`
	Included []struct {
		Name string `json:"name"`
	} `json:"included"`
	Messages []struct {
		Content string `json:"content"`
	} `json:"messages"`
}

// dumpStore is every row of every table of the store in dataDir.
func dumpStore(t *testing.T, dataDir string) map[string][][]any {
	t.Helper()
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	tables, err := a.Store.Query(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	all := map[string][][]any{}
	for _, v := range tables.Values {
		name := v[0].(string)
		rows, err := a.Store.Query(ctx, `SELECT * FROM "`+name+`" ORDER BY rowid`)
		if err != nil {
			rows, err = a.Store.Query(ctx, `SELECT * FROM "`+name+`"`)
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		all[name] = rows.Values
	}
	if _, ok := all["session_turns"]; !ok {
		t.Fatalf("no table session_turns among %d: the store was not read", len(all))
	}
	return all
}

// sameStore fails the test if the store changed. The nodes table is left
// out: every process that opens the store records itself there as seen
// (last_seen), dumpStore's own included.
func sameStore(t *testing.T, what string, before, after map[string][][]any) {
	t.Helper()
	for table, rows := range after {
		if table != "nodes" && !reflect.DeepEqual(rows, before[table]) {
			t.Errorf("%s changed table %s: %d rows, then %d", what, table, len(before[table]), len(rows))
		}
	}
}

// dryRunProject is a project of files in a fresh directory, made the
// current one, with a fake Ollama serving "tiny" (4,096 tokens) as the
// provider: what ask --dry-run builds for, and must send nothing to.
func dryRunProject(t *testing.T, files map[string]string) (*providertest.Ollama, string) {
	t.Helper()
	fake := providertest.NewOllama(t, providertest.WithModels(providertest.Model{Name: "tiny", ContextLength: 4096}), providertest.WithReply("it adds"))
	t.Setenv("OLLAMA_HOST", fake.URL())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writeTree(t, root, files)
	t.Chdir(root)
	return fake, root
}

// TestAskDryRun: ask --dry-run prints what the question would carry, as
// aiex context does — the code its search finds, a --target's, none with
// --no-code, a session's earlier turns and the target the session is
// about — with --json context's object, the question read from stdin as
// ask reads it; it sends nothing and the store is left as it was.
func TestAskDryRun(t *testing.T) {
	fake, _ := dryRunProject(t, map[string]string{
		"go.mod":  "module example.com/calc\n\ngo 1.22\n",
		"calc.go": "package calc\n\n// Add adds.\nfunc Add(a, b int) int {\n\treturn a + b\n}\n\n// Sub subtracts.\nfunc Sub(a, b int) int {\n\treturn a - b\n}\n",
	})
	dir := t.TempDir()
	if r := runIn(nil, false, "--data-dir", dir, "index"); r.code != 0 {
		t.Fatalf("index: exit %d, %s", r.code, r.stderr)
	}
	// A session about calc.Sub, whose turn a dry run in it carries.
	if r := runIn(nil, false, "--data-dir", dir, "ask", "-m", "tiny", "--target", "calc.go:9", "why subtract?"); r.code != 0 {
		t.Fatalf("ask: exit %d, %s", r.code, r.stderr)
	}
	sent := len(fake.Requests())
	before := dumpStore(t, dir)

	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		want  []string // in the table
	}{
		{"searched", "", []string{"how does Add work?"}, []string{"ollama/tiny: ", "4096-token window", "calc.Add"}},
		{"target", "", []string{"--target", "calc.go:4", "why?"}, []string{"target", "calc.Add", "calc.go:3-6"}},
		{"no code", "", []string{"--no-code", "why is the sky blue?"}, []string{"no code: the question alone"}},
		{"session", "", []string{"--session", "last", "does it overflow?"}, []string{"session: 1 earlier turn, ", "calc.Sub"}},
		{"stdin", "how does Sub work?", []string{"-"}, []string{"calc.Sub"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--data-dir", dir, "ask", "--dry-run", "-m", "tiny"}, tc.args...)
			r := runIn(strings.NewReader(tc.stdin), false, args...)
			if r.code != 0 {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("no %q in\n%s", w, r.stdout)
				}
			}
			r = runIn(strings.NewReader(tc.stdin), false, append([]string{"--json"}, args...)...)
			var out dryRunOut
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 {
				t.Fatalf("--json: exit %d, %v, stdout %q, stderr %q", r.code, err, r.stdout, r.stderr)
			}
			if out.Provider != "ollama" || out.Model != "tiny" || out.Window != 4096 || out.Tokens == 0 {
				t.Errorf("--json: %+v; want ollama/tiny's 4096-token window", out)
			}
			if tc.name == "session" && (out.HistoryTurns != 1 || out.Target == nil || out.Target.Name != "calc.Sub") {
				t.Errorf("--json in the session: %+v; want its 1 turn and its target", out)
			}
		})
	}
	if n := len(fake.Requests()); n != sent {
		t.Errorf("the dry runs sent %d requests", n-sent)
	}
	sameStore(t, "ask --dry-run", before, dumpStore(t, dir))

	// As ask, an empty question is refused.
	r := runIn(nil, false, "--data-dir", dir, "ask", "--dry-run", "-m", "tiny")
	usageLine(t, r, "empty prompt")
}

// TestAskDryRunThroughNode: with a node running on the data dir, the dry
// run is built by the node's core (which holds the store), with a target's
// path as the user gave it, its messages included, and still sends and
// records nothing.
func TestAskDryRunThroughNode(t *testing.T) {
	fake, root := dryRunProject(t, map[string]string{
		"go.mod":     "module example.com/calc\n\ngo 1.22\n",
		"sub/sub.go": "package sub\n\n// Sub subtracts.\nfunc Sub(a, b int) int {\n\treturn a - b\n}\n",
	})
	dir := t.TempDir()
	key := filepath.Join(t.TempDir(), "cluster.key")
	for _, args := range [][]string{{"index"}, {"cluster", "init", "--out", key}} {
		if r := runIn(nil, false, append([]string{"--data-dir", dir}, args...)...); r.code != 0 {
			t.Fatalf("%v: exit %d, %s", args, r.code, r.stderr)
		}
	}
	before := dumpStore(t, dir)

	ctx, stop := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var nodeErr bytes.Buffer
	go func() {
		done <- cli.Run(ctx, []string{"--data-dir", dir, "node", "run", "--listen", "127.0.0.1:0", "--cluster-key", key, "--name", "solo"},
			cli.Env{Stdout: &bytes.Buffer{}, Stderr: &nodeErr, Getenv: func(string) string { return "" }, Build: cli.BuildInfo{Version: "test"}})
	}()
	stopped := false
	stopNode := func() {
		if !stopped {
			stopped = true
			stop()
			<-done
		}
	}
	defer stopNode()
	sock := filepath.Join(dir, "aiex.sock")
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the node did not start: %s", nodeErr.String())
		}
	}
	t.Chdir(filepath.Join(root, "sub"))
	r := runIn(nil, false, "--data-dir", dir, "--json", "ask", "--dry-run", "-m", "tiny", "--target", "sub.go:4", "why?")
	var out dryRunOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 0 {
		t.Fatalf("exit %d, %v, stdout %q, stderr %q", r.code, err, r.stdout, r.stderr)
	}
	if out.Target == nil || out.Target.Name != "sub.Sub" || out.Window != 4096 {
		t.Errorf("%+v; want sub.Sub in a 4096-token window", out)
	}
	// The node's rendered prompt comes back with it.
	if n := len(out.Messages); n == 0 || !strings.Contains(out.Messages[n-1].Content, "func Sub") {
		t.Errorf("messages %+v; want the prompt, with sub.Sub's code", out.Messages)
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("the dry run sent %d requests", n)
	}
	stopNode()
	// The node records itself as it runs (nodes, node_providers); nothing
	// of a question may be there.
	after := dumpStore(t, dir)
	for _, table := range []string{"llm_interaction", "sessions", "session_turns", "session_usage", "events"} {
		if !reflect.DeepEqual(after[table], before[table]) {
			t.Errorf("the dry run through the node changed %s: %d rows, then %d", table, len(before[table]), len(after[table]))
		}
	}
}
