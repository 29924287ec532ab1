package db

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one embedded schema change, named NNNN_description.sql.
type migration struct {
	version int
	name    string
	stmts   []string
}

// migrations returns the embedded migrations in version order.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]migration, 0, len(names))
	for _, path := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(path, "migrations/"), ".sql")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("db: migration %s: name must be NNNN_description.sql", path)
		}
		if len(out) > 0 && out[len(out)-1].version == v {
			return nil, fmt.Errorf("db: migration %s: duplicate version %d", path, v)
		}
		b, err := migrationFS.ReadFile(path)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: base, stmts: splitStatements(string(b))})
	}
	return out, nil
}

// splitStatements splits a migration file into statements. Our migration
// files follow one rule that makes this simple: a statement ends with ";" at
// the end of a line, and "--" comments take whole lines or line ends.
func splitStatements(src string) []string {
	var out []string
	var cur strings.Builder
	for line := range strings.SplitSeq(src, "\n") {
		code := line
		if i := strings.Index(code, "--"); i >= 0 {
			code = code[:i]
		}
		code = strings.TrimRight(code, " \t\r")
		if strings.TrimSpace(code) == "" {
			continue
		}
		cur.WriteString(code)
		cur.WriteByte('\n')
		if strings.HasSuffix(code, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		out = append(out, rest)
	}
	return out
}

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at INTEGER NOT NULL
)`

// migrate applies the embedded migrations this store has not seen, all of
// them in one Raft transaction: a crash leaves the old schema or the new one.
// The schema_migrations row of each is written in the same transaction, so a
// second node racing to apply the same version fails on its primary key and
// changes nothing.
//
// In a cluster, Open has caught up with the leader before this runs, so a
// node sees what the leader (or any node before it) applied and usually
// finds nothing to do. What is still missing (this node's binary is newer
// than the others') it sends through the leader like any write. If another
// node raced it and won, its transaction fails on the primary key: it
// catches up again and looks once more.
//
// A store whose schema is newer than this binary's (a newer aiex used it)
// is refused before anything is written (schema_guard.go).
func (s *Store) migrate(ctx context.Context) error {
	all, err := knownMigrations()
	if err != nil {
		return err
	}
	if err := s.newerSchema(ctx, true); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		stmts, names, err := s.pending(ctx, all)
		if err != nil || len(stmts) == 0 {
			return err
		}
		_, err = s.Execute(ctx, stmts...)
		if err == nil {
			s.logger.Info("applied migrations", "names", names)
			if err := s.Sync(ctx); err != nil { // a follower applies them a moment after the leader
				return err
			}
			s.afterMigration(ctx)
			return nil
		}
		if s.c == nil || attempt > 0 || !errors.Is(err, ErrStatement) {
			return fmt.Errorf("db: migrate %s: %w", strings.Join(names, ", "), err)
		}
		if err := s.Sync(ctx); err != nil {
			return fmt.Errorf("db: migrate: %w", err)
		}
	}
}

// pending returns the statements that apply the migrations not yet applied
// here, with their names.
func (s *Store) pending(ctx context.Context, all []migration) ([]Statement, []string, error) {
	applied, err := s.appliedVersions(ctx)
	if err != nil {
		return nil, nil, err
	}
	var stmts []Statement
	var names []string
	now := time.Now()
	for _, m := range all {
		if applied[m.version] {
			continue
		}
		stmts = append(stmts, Stmt(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, now))
		for _, sql := range m.stmts {
			stmts = append(stmts, Stmt(sql))
		}
		names = append(names, m.name)
	}
	if len(stmts) == 0 {
		return nil, nil, nil
	}
	return append([]Statement{Stmt(createMigrationsTable)}, stmts...), names, nil
}

// appliedVersions reads which migrations have been applied.
func (s *Store) appliedVersions(ctx context.Context) (map[int]bool, error) {
	rows, err := s.Query(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	out := map[int]bool{}
	if len(rows.Values) == 0 {
		return out, nil
	}
	rows, err = s.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	for _, r := range rows.Values {
		if v, ok := r[0].(int64); ok {
			out[int(v)] = true
		}
	}
	return out, nil
}

// SchemaVersion is the highest applied migration version.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	applied, err := s.appliedVersions(ctx)
	if err != nil {
		return 0, err
	}
	v := 0
	for k := range applied {
		v = max(v, k)
	}
	return v, nil
}

// afterMigration keeps a migration's cost to the open that applied it. A
// migration is a small log entry that may rewrite much (0019 rebuilt the
// full-text index: ~1 s on the Go standard library's), and every later
// open would replay it until a snapshot: so the store snapshots on close.
// One that freed much of the file (0019 dropped 40 MB of its 158) leaves
// the pages free in db.sqlite and in every snapshot, which each open
// copies: a store of its own is vacuumed once, here. (Vacuum rewrites
// this node's SQLite file only, not what the log holds; a cluster's nodes
// are left as they are, since their Raft applies entries meanwhile.)
func (s *Store) afterMigration(ctx context.Context) {
	s.migrated = true
	if s.c != nil {
		return
	}
	rows, err := s.Query(ctx, `SELECT (SELECT freelist_count FROM pragma_freelist_count), (SELECT page_count FROM pragma_page_count), (SELECT page_size FROM pragma_page_size)`)
	if err != nil || len(rows.Values) != 1 {
		return
	}
	free, pages, size := asInt(rows.Values[0][0]), asInt(rows.Values[0][1]), asInt(rows.Values[0][2])
	if free*size < vacuumFreed || free*4 < pages {
		return
	}
	start := time.Now()
	if err := s.str.Vacuum(); err != nil {
		s.logger.Warn("vacuum after migration", "err", err)
		return
	}
	s.logger.Info("vacuumed after migration", "freed_bytes", free*size, "took", time.Since(start))
}

// vacuumFreed is how much a migration must free, and at least a quarter of
// the file, for afterMigration to vacuum.
const vacuumFreed = 8 << 20
