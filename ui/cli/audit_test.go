package cli_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app"
	"github.com/aiex-dev/aiex/app/audit"
	"github.com/aiex-dev/aiex/app/sandbox"
	"github.com/aiex-dev/aiex/db"
)

// auditedWork does, through the app's sandbox, what the assistant would:
// a write, a read and a refused read, in the data dir's audit log.
func auditedWork(t *testing.T, dataDir string) (project string) {
	t.Helper()
	ctx := context.Background()
	project, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, app.Config{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close(ctx)
	sb, err := a.Sandbox(project, sandbox.Options{Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.WriteFile(ctx, "a.go", []byte("package a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := sb.ReadFile(ctx, "a.go"); err != nil {
		t.Fatal(err)
	}
	if _, err := sb.ReadFile(ctx, "../../etc/passwd"); err == nil {
		t.Fatal("read outside the project")
	}
	if err := sb.Close(ctx); err != nil {
		t.Fatal(err)
	}
	return project
}

func TestAuditCommand(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, false, nil, "--data-dir", dir, "audit")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "No audit records yet") {
		t.Fatalf("empty log: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, false, nil, "--data-dir", dir, "audit", "--verify"); r.code != 0 || r.stdout != "audit chain intact: 0 rows\n" {
		t.Fatalf("verify empty: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}

	project := auditedWork(t, dir)
	r = runCLI(t, false, nil, "--data-dir", dir, "audit")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 4 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("list: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	for i, want := range []string{"write  ok", "read   ok", "read   refused"} {
		if !strings.Contains(lines[i+1], want) {
			t.Errorf("line %d %q lacks %q", i+1, lines[i+1], want)
		}
	}
	if !strings.Contains(lines[3], "../../etc/passwd") || !strings.Contains(lines[3], "rule outside-root") {
		t.Errorf("refusal line %q", lines[3])
	}

	r = runCLI(t, false, nil, "--data-dir", dir, "--json", "audit", "-n", "2")
	var rows []audit.Record
	if err := json.Unmarshal([]byte(r.stdout), &rows); err != nil || len(rows) != 2 {
		t.Fatalf("--json -n 2: %v, %q", err, r.stdout)
	}
	if rows[0].Path != filepath.Join(project, "a.go") || rows[1].Result != "refused" || rows[1].PrevHash != rows[0].Hash {
		t.Errorf("json rows %+v", rows)
	}

	for _, since := range []string{"1h", "7d", "2000-01-02", "2000-01-02 15:04", "2000-01-02T15:04:05Z"} {
		if r := runCLI(t, false, nil, "--data-dir", dir, "audit", "--since", since); r.code != 0 || strings.Count(r.stdout, "\n") != 4 {
			t.Errorf("--since %s: exit %d, %q %q", since, r.code, r.stdout, r.stderr)
		}
	}
	if r := runCLI(t, false, nil, "--data-dir", dir, "audit", "--since", "2999-01-01"); r.code != 0 || !strings.HasPrefix(r.stdout, "No audit records since 2999-01-01") {
		t.Errorf("--since the future: exit %d, %q", r.code, r.stdout)
	}
	// One line; a mistake kong finds while parsing is followed by its help hint.
	for _, bad := range []struct {
		args  []string
		lines int
	}{{[]string{"--since", "yesterday"}, 1}, {[]string{"--limit=-1"}, 2}} {
		if r := runCLI(t, false, nil, append([]string{"--data-dir", dir, "audit"}, bad.args...)...); r.code != 2 || strings.Count(r.stderr, "\n") != bad.lines {
			t.Errorf("%v: exit %d, %q", bad.args, r.code, r.stderr)
		}
	}

	if r := runCLI(t, false, nil, "--data-dir", dir, "audit", "--verify"); r.code != 0 || r.stdout != "audit chain intact: 3 rows\n" {
		t.Fatalf("verify: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}

	// Change a row behind the log's back: verify finds it and fails.
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Store.Execute(ctx, db.Stmt(`UPDATE audit SET result = 'ok' WHERE id = 3`)); err != nil {
		t.Fatal(err)
	}
	a.Close(ctx)
	r = runCLI(t, false, nil, "--data-dir", dir, "audit", "--verify")
	if r.code != 1 || r.stdout != "" || !strings.HasPrefix(r.stderr, "aiex: audit chain broken at row 3: ") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("verify tampered: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, false, nil, "--data-dir", dir, "--json", "audit", "--verify")
	var rep audit.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 1 || rep.Intact || rep.BrokenAt != 3 || rep.Rows != 2 {
		t.Fatalf("verify tampered --json: exit %d, %+v, %v", r.code, rep, err)
	}
}
