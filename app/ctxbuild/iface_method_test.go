package ctxbuild

import (
	"slices"
	"strings"
	"testing"
)

// databaseFixture is an interface whose methods are called from several
// places: Execute and Load beside it, in its own package, Query from
// another package's handlers; and an interface embedding it.
var databaseFixture = map[string]string{
	"go.mod": "module example.com/db\n\ngo 1.22\n",
	"http/service.go": `package http

// Database is what the service reads and writes.
type Database interface {
	// Execute runs a statement.
	Execute(stmt string) error
	// Query reads rows.
	Query(stmt string) ([]string, error)
	// Load loads a dump.
	Load(path string) error
}

// Store is a Database that can say it is ready.
type Store interface {
	Database
	Ready() bool
}

func execute(db Database, stmts []string) error {
	for _, s := range stmts {
		if err := db.Execute(s); err != nil {
			return err
		}
	}
	return nil
}

func runQueue(db Database, q chan string) {
	for s := range q {
		_ = db.Execute(s)
	}
	_ = db.Load("dump")
}

func restore(st Store) error {
	if !st.Ready() {
		return nil
	}
	return st.Execute("restore")
}
`,
	"server/handlers.go": `package server

import "example.com/db/http"

func handleQuery(db http.Database, q string) []string {
	rows, _ := db.Query(q)
	return rows
}

func handleRequest(db http.Database, kind, q string) []string {
	if kind == "query" {
		rows, _ := db.Query(q)
		return rows
	}
	return nil
}
`,
	"sql/sql.go": `package sql

// DB runs statements.
type DB struct{}

func (d *DB) Execute(stmt string) error           { return nil }
func (d *DB) Query(stmt string) ([]string, error) { return nil, nil }
func (d *DB) Load(path string) error              { return nil }
func (d *DB) Ready() bool                         { return true }
`,
}

// TestGoInterfaceMethodCallers: a method of an interface asked about
// takes first the callers that call that method, and the prompt names
// the method; a method of an interface it embeds is the embedding
// interface's too.
func TestGoInterfaceMethodCallers(t *testing.T) {
	e := setupFiles(t, databaseFixture)
	for _, r := range []struct {
		target, iface, method string
		calling, others       []string
	}{
		{"http.Database.Query", "http.Database", "Query", []string{"server.handleQuery", "server.handleRequest"}, []string{"http.execute", "http.runQueue"}},
		{"http.Store.Execute", "http.Store", "Execute", []string{"http.restore"}, nil},
	} {
		c := e.build(t, Request{Target: r.target, Question: "q", Window: 16000, Hits: 1})
		if c.Target == nil || c.Target.Name != r.target || !strings.Contains(c.Target.Code, "type "+strings.TrimPrefix(r.iface, "http.")+" interface") {
			t.Errorf("%s: target %+v; want the interface %s, named as the method", r.target, c.Target, r.iface)
			continue
		}
		var callers []string
		for _, it := range slices.Concat(c.Included, c.Dropped) {
			if it.Role == RoleCaller {
				callers = append(callers, it.Name)
			}
		}
		last := -1
		for _, n := range r.calling {
			i := slices.Index(callers, n)
			if i < 0 {
				t.Errorf("%s: callers %q; want %s among them", r.target, callers, n)
			}
			last = max(last, i)
		}
		for _, n := range r.others {
			if i := slices.Index(callers, n); i >= 0 && i < last {
				t.Errorf("%s: callers %q: %s, which does not call %s, before those that do", r.target, callers, n, r.method)
			}
		}
		if p := c.Prompt[len(c.Prompt)-1].Content; !strings.Contains(p, "Explain "+r.target+",") {
			t.Errorf("%s: the prompt does not name the method:\n%s", r.target, p)
		}
		if r.target == "http.Store.Execute" {
			if impls := names(c.Included, RoleImpl); !slices.Equal(impls, []string{"sql.(*DB).Execute"}) {
				t.Errorf("%s: implementations %q; want sql.(*DB).Execute", r.target, impls)
			}
		}
	}
}
