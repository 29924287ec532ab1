package main

// Helpers of cluster_e2e_test.go: `aiex node run` processes, a write writeLoad
// through their unix sockets, and reading a stopped node's tables.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // to read a stopped node's SQLite file

	"github.com/aiex-dev/aiex/app/node"
	"github.com/aiex-dev/aiex/db"
)

// procNode is one `aiex node run` process on loopback plain TCP, with a
// home of its own and a short data dir (its unix socket lives there).
type procNode struct {
	t    *testing.T
	name string
	s    *sandbox
	dir  string
	addr string
	key  string
	id   string // Raft node ID, known once it ran

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	logf   string // stderr of the runs, appended
}

// freeAddr returns a loopback address with a port nothing listens on now.
func freeLoopback(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// shortDir makes a temp dir with a short path and removes it in Cleanup.
func shortDataDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "aiexc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func newProcNode(t *testing.T, name, ollamaURL, key, base string) *procNode {
	s := newSandbox(t, ollamaURL)
	n := &procNode{t: t, name: name, s: s, dir: filepath.Join(base, name), addr: freeLoopback(t), key: key,
		logf: filepath.Join(s.home, "node.log")}
	t.Cleanup(n.kill)
	return n
}

// start launches the node in a process group of its own, joining through
// join if given.
func (n *procNode) start(join string) {
	n.t.Helper()
	args := []string{"--data-dir", n.dir, "node", "run", "--listen", n.addr, "--cluster-key", n.key, "--name", n.name}
	if join != "" {
		args = append(args, "--join", join)
	}
	cmd := exec.Command(aiexBin, args...)
	cmd.Env = n.s.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	f, err := os.OpenFile(n.logf, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		n.t.Fatal(err)
	}
	fmt.Fprintf(f, "---- %s aiex %s\n", time.Now().Format(time.RFC3339Nano), strings.Join(args, " "))
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		n.t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		f.Close()
		close(exited)
	}()
	n.mu.Lock()
	n.cmd, n.exited = cmd, exited
	n.mu.Unlock()
}

// running reports whether the process was started and has not exited.
func (n *procNode) running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cmd == nil {
		return false
	}
	select {
	case <-n.exited:
		return false
	default:
		return true
	}
}

// signal sends sig to the node's process group.
func (n *procNode) signal(sig syscall.Signal) {
	n.t.Helper()
	n.mu.Lock()
	pid := n.cmd.Process.Pid
	n.mu.Unlock()
	if err := syscall.Kill(-pid, sig); err != nil {
		n.t.Fatalf("kill -%v %s: %v", sig, n.name, err)
	}
}

// kill SIGKILLs the node's process group, if it runs, and waits for it.
func (n *procNode) kill() {
	n.mu.Lock()
	cmd, exited := n.cmd, n.exited
	n.mu.Unlock()
	if cmd == nil {
		return
	}
	select {
	case <-exited:
		return
	default:
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-exited
}

// stop sends SIGTERM and waits (bounded) for a clean exit.
func (n *procNode) stop(timeout time.Duration) (code int, took time.Duration) {
	n.t.Helper()
	start := time.Now()
	n.signal(syscall.SIGTERM)
	select {
	case <-n.exited:
	case <-time.After(timeout):
		n.t.Errorf("%s did not stop within %v of SIGTERM; killing it\n%s", n.name, timeout, n.logTail())
		n.kill()
	}
	return n.cmd.ProcessState.ExitCode(), time.Since(start)
}

// logTail is the end of the node's stderr, for failure messages.
func (n *procNode) logTail() string {
	b, _ := os.ReadFile(n.logf)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return fmt.Sprintf("-- %s log --\n%s", n.name, b)
}

// status asks the node over its unix socket, under timeout.
func (n *procNode) status(timeout time.Duration) (*node.ClusterStatus, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cl, err := node.Connect(ctx, n.dir)
	if err != nil {
		return nil, err
	}
	return cl.Status(ctx)
}

// waitReady polls until the node answers on its socket with a leader known,
// failing the test after d or if the process exits.
func (n *procNode) waitReady(d time.Duration) *node.ClusterStatus {
	n.t.Helper()
	deadline := time.Now().Add(d)
	var last error
	for time.Now().Before(deadline) {
		if !n.running() {
			n.t.Fatalf("%s exited while starting\n%s", n.name, n.logTail())
		}
		st, err := n.status(2 * time.Second)
		if err == nil && st.Store.Leader != "" {
			n.id = st.Self
			return st
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	n.t.Fatalf("%s not ready after %v: %v\n%s", n.name, d, last, n.logTail())
	return nil
}

// cliStatus runs `aiex --data-dir DIR cluster status --json`.
func (n *procNode) cliStatus() node.ClusterStatus {
	n.t.Helper()
	// It exits 1 when the cluster has no leader, or this node was
	// removed or dropped: the JSON says which.
	r := n.s.run("", "--data-dir", n.dir, "cluster", "status", "--json")
	if r.code != 0 && r.code != 1 {
		n.t.Fatalf("cluster status --json: exit %d: %s", r.code, r.stderr)
	}
	var st node.ClusterStatus
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		n.t.Fatalf("cluster status --json: %v\n%s", err, r.stdout)
	}
	return st
}

// runFor runs aiex under the node's sandbox, killing it after timeout.
func (n *procNode) runFor(timeout time.Duration, args ...string) (result, time.Duration) {
	n.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := n.s.command(ctx, "", args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		n.t.Fatalf("aiex %v: %v", args, err)
	}
	return result{stdout: out.String(), stderr: errb.String(), code: cmd.ProcessState.ExitCode(), state: cmd.ProcessState}, took
}

// op is one write of the load: a question through a node's socket, which
// the node answers and records (llm_interaction + an llm event).
type writeOp struct {
	client int
	node   string
	prompt string
	call   time.Time
	ret    time.Time
	ack    bool   // the node answered and said it recorded it
	id     string // the interaction's ID, when the node returned one
	route  string // provider and route of the interaction, for messages
	err    string
}

// load runs one client per node, each asking through its node's socket in
// a loop, one question at a time, until stopped.
type writeLoad struct {
	mu   sync.Mutex
	ops  []writeOp
	stop chan struct{}
	wg   sync.WaitGroup
}

// askTimeout bounds each question of the load.
const askTimeout = 8 * time.Second

func startWriteLoad(nodes []*procNode) *writeLoad {
	l := &writeLoad{stop: make(chan struct{})}
	for i, n := range nodes {
		l.wg.Go(func() { l.client(i, n) })
	}
	return l
}

func (l *writeLoad) client(i int, n *procNode) {
	pace := time.NewTicker(20 * time.Millisecond)
	defer pace.Stop()
	for seq := 0; ; seq++ {
		select {
		case <-l.stop:
			return
		case <-pace.C:
		}
		l.ask(i, n, fmt.Sprintf("w-%d-%d", i, seq), askTimeout)
	}
}

// ask sends one question through n's socket and records it as an op. A
// node that is not running is not asked (nothing was sent): ok is false.
func (l *writeLoad) ask(client int, n *procNode, prompt string, timeout time.Duration) (o writeOp, ok bool) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cl, err := node.Connect(ctx, n.dir)
	if err != nil {
		return writeOp{}, false
	}
	o = writeOp{client: client, node: n.name, prompt: prompt, call: time.Now()}
	ans, err := cl.Ask(ctx, node.AskRequest{Prompt: prompt, Model: "tiny", NoContext: true, Actor: "e2e"},
		func(string) error { return nil })
	o.ret = time.Now()
	var in *db.Interaction
	if ans != nil {
		in = ans.Interaction
	}
	if in != nil {
		o.id = in.ID
		o.route = fmt.Sprintf("%s %+v", in.Provider, in.Route)
	}
	o.ack = err == nil && in != nil && in.Status == db.StatusOK
	if err != nil {
		o.err = err.Error()
	}
	l.mu.Lock()
	l.ops = append(l.ops, o)
	l.mu.Unlock()
	return o, true
}

// halt stops the clients and waits for their last questions to end.
func (l *writeLoad) halt() []writeOp {
	close(l.stop)
	l.wg.Wait()
	return l.snapshot()
}

func (l *writeLoad) snapshot() []writeOp {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.ops)
}

// firstAckAfter is the earliest return of an acknowledged write called
// after t on one of nodes (any node if none given); zero if none.
func firstAckAfter(ops []writeOp, t time.Time, nodes ...string) time.Time {
	var first time.Time
	for _, o := range ops {
		if o.ack && o.call.After(t) && (len(nodes) == 0 || slices.Contains(nodes, o.node)) &&
			(first.IsZero() || o.ret.Before(first)) {
			first = o.ret
		}
	}
	return first
}

// acked returns the IDs of the acknowledged writes.
func ackedIDs(ops []writeOp) []string {
	var ids []string
	for _, o := range ops {
		if o.ack {
			ids = append(ids, o.id)
		}
	}
	return ids
}

// readEvents reads every event a running node has (over its socket): the
// tail delivers the backlog at once, so the read ends once nothing new has
// come for idle.
func readEvents(dir string, idle, limit time.Duration) ([]db.Event, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cl, err := node.Connect(ctx, dir)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var evs []db.Event
	last := time.Now()
	done := make(chan error, 1)
	go func() {
		done <- cl.Events(ctx, 0, "", func(ev db.Event) error {
			mu.Lock()
			evs, last = append(evs, ev), time.Now()
			mu.Unlock()
			return nil
		})
	}()
	tick := time.NewTicker(idle / 4)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return nil, fmt.Errorf("events of %s: %w", dir, err)
		case <-tick.C:
		}
		mu.Lock()
		quiet := time.Since(last) >= idle
		out := slices.Clone(evs)
		mu.Unlock()
		if quiet {
			cancel()
			<-done
			return out, nil
		}
	}
}

// tailUntil tails a running node's events (over its socket) from the
// start until done holds for what arrived, or limit passes; it reports
// whether done held.
func tailUntil(dir string, limit time.Duration, done func([]db.Event) bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cl, err := node.Connect(ctx, dir)
	if err != nil {
		return false
	}
	var evs []db.Event
	errDone := errors.New("done")
	err = cl.Events(ctx, 0, "", func(ev db.Event) error {
		evs = append(evs, ev)
		if done(evs) {
			return errDone
		}
		return nil
	})
	return errors.Is(err, errDone)
}

// interactionIDs maps each llm event's interaction ID to how many llm
// events carry it.
func interactionIDs(evs []db.Event) map[string]int {
	ids := map[string]int{}
	for _, ev := range evs {
		if ev.Stream != "llm" {
			continue
		}
		var p struct {
			ID string `json:"interaction_id"`
		}
		if json.Unmarshal(ev.Payload, &p) == nil && p.ID != "" {
			ids[p.ID]++
		}
	}
	return ids
}

// table is a table's rows, every column rendered as text, ordered.
type sqlTable struct {
	cols []string
	rows [][]string
}

// readTables opens a stopped node's SQLite file read-only and returns the
// named tables. (db.Open refuses a cluster member's data dir outside its
// node, so the test reads rqlite's SQLite file, which a clean close leaves
// complete.)
func readTables(t *testing.T, dir string, names ...string) map[string]sqlTable {
	t.Helper()
	path := filepath.Join(dir, "store", "db.sqlite")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no SQLite file in %s: %v", dir, err)
	}
	conn, err := sql.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	out := map[string]sqlTable{}
	for _, name := range names {
		order := "rowid"
		if name == "llm_interaction" {
			order = "id"
		}
		rows, err := conn.Query("SELECT * FROM " + name + " ORDER BY " + order)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		cols, _ := rows.Columns()
		tb := sqlTable{cols: cols}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			row := make([]string, len(cols))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				row[i] = fmt.Sprint(v)
			}
			tb.rows = append(tb.rows, row)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		out[name] = tb
	}
	return out
}

// column returns the index of col in tb.
func (tb sqlTable) column(col string) int { return slices.Index(tb.cols, col) }
