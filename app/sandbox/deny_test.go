package sandbox_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/audit"
	"github.com/aiex-dev/aiex/app/sandbox"
)

// denyFixture is a project that holds aiex's data dir (.aiex, with its key
// file) and whose config file (aiex.toml, not written yet) lies in it too,
// with symlinks that reach the data dir by other names:
//
//	project/main.go
//	project/.aiex/secret.key, project/.aiex/raft/db
//	project/keylink  -> .aiex/secret.key
//	project/dirlink  -> .aiex
//	project/abslink  -> PROJECT/.aiex/secret.key
type denyFixture struct {
	project, data string
	rec           *sandbox.Recorder
	sb            *sandbox.Sandbox
}

func newDenyFixture(t *testing.T, walk bool) *denyFixture {
	t.Helper()
	f := &denyFixture{project: t.TempDir(), rec: &sandbox.Recorder{}}
	f.data = filepath.Join(f.project, ".aiex")
	for p, data := range map[string]string{"main.go": "package main\n", ".aiex/secret.key": "AGE-SECRET-KEY-1X\n", ".aiex/raft/db": "store"} {
		p = filepath.Join(f.project, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range map[string]string{"keylink": ".aiex/secret.key", "dirlink": ".aiex", "abslink": filepath.Join(f.data, "secret.key")} {
		if err := os.Symlink(target, filepath.Join(f.project, name)); err != nil {
			t.Fatal(err)
		}
	}
	sb, err := sandbox.New(f.project, sandbox.Options{Auditor: f.rec, Actor: "test", Deny: []sandbox.Denied{
		{Path: f.data, What: "aiex's data dir"},
		{Path: filepath.Join(f.project, "aiex.toml"), What: "aiex's config file"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close(context.Background()) })
	if walk {
		sandbox.ForceWalk(sb)
	}
	f.sb = sb
	return f
}

// TestDenyAiexState: with its data dir inside the project, no operation of
// the sandbox reads, lists, stats, writes, removes or makes anything in
// it, or writes its config file — by the path's own name, in another
// letter case, as an absolute path, or through a symlink to the data dir
// or to a file in it — and each refusal names rule aiex-state and is
// audited as refused; nothing there changes. The rest of the project is
// served as before, symlinks to the data dir included (as links).
func TestDenyAiexState(t *testing.T) {
	for _, walk := range []bool{false, true} {
		name := "openat2"
		if walk {
			name = "walk"
		}
		t.Run(name, func(t *testing.T) {
			f := newDenyFixture(t, walk)
			ctx := context.Background()
			sb := f.sb
			read := func(p string) func() error {
				return func() error { _, err := sb.ReadFile(ctx, p); return err }
			}
			write := func(p string) func() error {
				return func() error { return sb.WriteFile(ctx, p, []byte("x"), 0o644) }
			}
			refused := []struct {
				op, path string
				do       func() error
			}{
				{audit.OpRead, ".aiex/secret.key", read(".aiex/secret.key")},
				{audit.OpRead, "keylink", read("keylink")},
				{audit.OpRead, "abslink", read("abslink")},
				{audit.OpRead, "dirlink/secret.key", read("dirlink/secret.key")},
				{audit.OpRead, filepath.Join(f.data, "raft/db"), read(filepath.Join(f.data, "raft/db"))},
				{audit.OpRead, "sub/../.aiex/raft/db", read("sub/../.aiex/raft/db")},
				{audit.OpRead, ".aiex/secret.key", func() error {
					fh, err := sb.Open(ctx, ".aiex/secret.key")
					if fh != nil {
						fh.Close()
					}
					return err
				}},
				{audit.OpList, ".aiex", func() error { _, err := sb.ReadDir(ctx, ".aiex"); return err }},
				{audit.OpList, "dirlink", func() error { _, err := sb.ReadDir(ctx, "dirlink"); return err }},
				{audit.OpStat, ".aiex/secret.key", func() error { _, err := sb.Stat(ctx, ".aiex/secret.key"); return err }},
				{audit.OpStat, "keylink", func() error { _, err := sb.Stat(ctx, "keylink"); return err }},
				{audit.OpStat, ".aiex/join", func() error { _, err := sb.Lstat(ctx, ".aiex/join"); return err }},
				{audit.OpStat, "dirlink/secret.key", func() error { _, err := sb.Lstat(ctx, "dirlink/secret.key"); return err }},
				{audit.OpWrite, ".aiex/join", write(".aiex/join")},
				{audit.OpWrite, ".AIEX/join", write(".AIEX/join")},
				{audit.OpWrite, "dirlink/join", write("dirlink/join")},
				{audit.OpWrite, "keylink", write("keylink")},
				{audit.OpWrite, ".aiex/new/dir/f", write(".aiex/new/dir/f")},
				{audit.OpWrite, "aiex.toml", write("aiex.toml")},
				{audit.OpRemove, ".aiex/secret.key", func() error { return sb.Remove(ctx, ".aiex/secret.key") }},
				{audit.OpRemove, "dirlink/secret.key", func() error { return sb.Remove(ctx, "dirlink/secret.key") }},
				{audit.OpRemove, ".aiex", func() error { return sb.Remove(ctx, ".aiex") }},
				{audit.OpMkdir, ".aiex/x", func() error { return sb.MkdirAll(ctx, ".aiex/x", 0o755) }},
				{audit.OpMkdir, "dirlink/x", func() error { return sb.MkdirAll(ctx, "dirlink/x", 0o755) }},
				// A proposal's dry run (app/workflows.go writeCheck).
				{audit.OpWrite, ".aiex/join", func() error { return sb.CheckWrite(".aiex/join") }},
				{audit.OpWrite, ".aiex/secret.key", func() error { return sb.CheckWrite(".aiex/secret.key") }},
				{audit.OpWrite, filepath.Join(f.data, "join"), func() error { return sb.CheckWrite(filepath.Join(f.data, "join")) }},
			}
			for _, c := range refused {
				before := len(f.rec.Records())
				err := c.do()
				var re *sandbox.RefusedError
				if !errors.As(err, &re) || re.Rule != sandbox.RuleAiexState {
					t.Errorf("%s %s = %v; want a refusal by rule %s", c.op, c.path, err, sandbox.RuleAiexState)
					continue
				}
				if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "aiex never reads or changes its own state") {
					t.Errorf("%s %s: message %q", c.op, c.path, msg)
				}
				recs := f.rec.Records()[before:]
				if len(recs) != 1 || recs[0].Op != c.op || recs[0].Result != audit.ResultRefused || !strings.Contains(recs[0].Detail, "rule aiex-state") {
					t.Errorf("%s %s: audited %+v; want one refused %s record", c.op, c.path, recs, c.op)
				}
			}
			if b, err := os.ReadFile(filepath.Join(f.data, "secret.key")); err != nil || string(b) != "AGE-SECRET-KEY-1X\n" {
				t.Errorf("secret.key changed: %q, %v", b, err)
			}
			for _, p := range []string{".aiex/join", ".aiex/new", ".aiex/x", "aiex.toml"} {
				if _, err := os.Lstat(filepath.Join(f.project, p)); err == nil {
					t.Errorf("%s was made", p)
				}
			}

			// The rest of the project, and the links themselves, are served.
			if b, err := sb.ReadFile(ctx, "main.go"); err != nil || string(b) != "package main\n" {
				t.Errorf("ReadFile(main.go) = %q, %v", b, err)
			}
			ents, err := sb.ReadDir(ctx, ".")
			if err != nil || len(ents) != 5 {
				t.Errorf("ReadDir(.) = %d entries, %v; want 5, .aiex listed", len(ents), err)
			}
			if fi, err := sb.Lstat(ctx, "keylink"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Errorf("Lstat(keylink) = %v, %v; want the link", fi, err)
			}
			if err := sb.WriteFile(ctx, "new/x.go", []byte("package x\n"), 0o644); err != nil {
				t.Errorf("WriteFile(new/x.go): %v", err)
			}
			if err := sb.Remove(ctx, "keylink"); err != nil {
				t.Errorf("Remove(keylink), the link itself: %v", err)
			}
			if err := sb.CheckWrite("main.go"); err != nil {
				t.Errorf("CheckWrite(main.go): %v", err)
			}
		})
	}
}

// TestDenyOnlyBeneathRoots: a sandbox over the data dir itself (checkpoint
// pruning opens one there) or over a project outside it is not refused
// anything by a Deny entry.
func TestDenyOnlyBeneathRoots(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	if err := os.WriteFile(filepath.Join(data, "f"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.New(data, sandbox.Options{Deny: []sandbox.Denied{{Path: data, What: "aiex's data dir"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close(ctx)
	if _, err := sb.ReadFile(ctx, "f"); err != nil {
		t.Errorf("ReadFile in a sandbox over the data dir: %v", err)
	}
	if err := sb.WriteFile(ctx, "g", []byte("y"), 0o600); err != nil {
		t.Errorf("WriteFile in a sandbox over the data dir: %v", err)
	}
}
