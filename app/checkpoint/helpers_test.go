package checkpoint_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/app/checkpoint"
	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Millisecond) // every event a distinct time
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a project directory with a checkpoint Store over a test store.
type env struct {
	t     testing.TB
	db    *db.Store
	log   *events.Log
	cs    *checkpoint.Store
	root  string
	dir   *checkpoint.Dir
	clock *clock
}

type envOpt func(*checkpoint.Config)

// newEnv opens a store and a project in temp dirs.
func newEnv(t testing.TB, opts ...envOpt) *env {
	t.Helper()
	return newEnvOn(t, dbtest.Open(t), t.TempDir(), opts...)
}

// newEnvOn makes a checkpoint Store over st for the project at root.
func newEnvOn(t testing.TB, st *db.Store, root string, opts ...envOpt) *env {
	t.Helper()
	reg, err := events.NewRegistry(checkpoint.Types()...)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: st, root: root, clock: newClock()}
	e.log = events.New(events.Config{Store: st, Registry: reg, Now: e.clock.Now})
	e.dir, err = checkpoint.DirFS(root)
	if err != nil {
		t.Fatal(err)
	}
	e.dir.NoSync = true
	t.Cleanup(func() { e.dir.Close() })
	cfg := checkpoint.Config{Log: e.log, Store: st, FS: e.dir, Project: checkpoint.ProjectOf(root), Actor: "test"}
	for _, o := range opts {
		o(&cfg)
	}
	if e.cs, err = checkpoint.New(cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.cs.Close() })
	return e
}

func withFS(fsys checkpoint.FS) envOpt { return func(c *checkpoint.Config) { c.FS = fsys } }

func withKey(key string) envOpt { return func(c *checkpoint.Config) { c.Project.Key = key } }

func withIDs(ids ...string) envOpt {
	var mu sync.Mutex
	return func(c *checkpoint.Config) {
		c.NewID = func() string {
			mu.Lock()
			defer mu.Unlock()
			id := ids[0]
			ids = ids[1:]
			return id
		}
	}
}

// write puts files (path → content) into the project.
func (e *env) write(files map[string]string) {
	e.t.Helper()
	for p, c := range files {
		full := filepath.Join(e.root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			e.t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			e.t.Fatal(err)
		}
	}
}

// tree is every regular file of the project (path → content; mode
// appended when it is not 0644), failing on leftover temporary files.
func (e *env) tree() map[string]string {
	e.t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(e.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(e.root, p)
		rel = filepath.ToSlash(rel)
		if strings.Contains(rel, ".aiex-") {
			e.t.Errorf("temporary file left behind: %s", rel)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fi, _ := d.Info()
		s := string(b)
		if m := fi.Mode().Perm(); m != 0o644 {
			s += fmt.Sprintf(" [%o]", m)
		}
		out[rel] = s
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) apply(meta checkpoint.Meta, changes ...checkpoint.Change) *checkpoint.Checkpoint {
	e.t.Helper()
	res, err := e.cs.Apply(context.Background(), changes, meta)
	if err != nil {
		e.t.Fatalf("apply: %v", err)
	}
	if res.Checkpoint == nil {
		e.t.Fatalf("apply made no checkpoint (unchanged: %v)", res.Unchanged)
	}
	return res.Checkpoint
}

func edit(path, content string) checkpoint.Change {
	return checkpoint.Change{Path: path, Data: []byte(content)}
}

func remove(path string) checkpoint.Change { return checkpoint.Change{Path: path, Delete: true} }

func (e *env) count(sql string, args ...any) int64 {
	e.t.Helper()
	rows, err := e.db.Query(context.Background(), sql, args...)
	if err != nil {
		e.t.Fatal(err)
	}
	return rows.Values[0][0].(int64)
}

// dump is every row of the checkpoint projections, the blobs' keys and
// the snapshots of checkpoint streams, one line per row in key order.
func dump(t testing.TB, st *db.Store) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		`SELECT * FROM checkpoints ORDER BY id`,
		`SELECT * FROM checkpoint_files ORDER BY checkpoint_id, path`,
		`SELECT * FROM checkpoint_tags ORDER BY checkpoint_id, tag`,
		`SELECT hash, size, enc, length(data) FROM blobs ORDER BY hash`,
		`SELECT * FROM event_snapshots WHERE stream LIKE 'checkpoint/%' ORDER BY stream`,
	} {
		rows, err := st.Query(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		fmt.Fprintf(&b, "== %s (%d rows)\n", q, len(rows.Values))
		for _, r := range rows.Values {
			fmt.Fprintf(&b, "%q\n", r)
		}
	}
	return b.String()
}

// failFS is an FS whose writes fail from the failAt-th on (1-based), up to
// failN of them (0: all), with err.
type failFS struct {
	checkpoint.FS
	mu     sync.Mutex
	writes int
	failAt int
	failN  int
	failed int
	err    error
}

func (f *failFS) WriteFile(ctx context.Context, rel string, data []byte, perm fs.FileMode) error {
	f.mu.Lock()
	f.writes++
	fail := f.failAt > 0 && f.writes >= f.failAt && (f.failN == 0 || f.failed < f.failN)
	if fail {
		f.failed++
	}
	f.mu.Unlock()
	if fail {
		return &fs.PathError{Op: "write", Path: rel, Err: f.err}
	}
	return f.FS.WriteFile(ctx, rel, data, perm)
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var errNoSpace = errors.New("no space left on device")

func osRemove(root, rel string) error { return os.Remove(filepath.Join(root, filepath.FromSlash(rel))) }
