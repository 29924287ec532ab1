package sandbox_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/audit"
	"github.com/aiex-dev/aiex/app/sandbox"
	"github.com/aiex-dev/aiex/db/dbtest"
)

// auditedSandbox is a sandbox over a fresh project whose operations go to
// an audit log over a real store.
func auditedSandbox(b *testing.B) (*sandbox.Sandbox, *audit.Log) {
	b.Helper()
	log := audit.New(audit.Config{Store: dbtest.Open(b), Node: "n1"})
	s, err := sandbox.New(b.TempDir(), sandbox.Options{Auditor: log, Actor: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close(context.Background()) })
	if err := s.MkdirAll(context.Background(), "pkg/sub", 0o755); err != nil {
		b.Fatal(err)
	}
	return s, log
}

// BenchmarkWriteFile: one atomic 4 KiB write (temp file, fsync, rename,
// directory fsync) through the sandbox with its audit record (the
// records' appends to the store flushed within the timing), without the
// audit, and the same durable steps done directly with package os, for
// the sandbox's own share.
func BenchmarkWriteFile(b *testing.B) {
	ctx := context.Background()
	data := bytes.Repeat([]byte("x"), 4096)
	b.Run("audited", func(b *testing.B) {
		s, log := auditedSandbox(b)
		b.SetBytes(int64(len(data)))
		for i := 0; b.Loop(); i++ {
			if err := s.WriteFile(ctx, fmt.Sprintf("pkg/sub/f%d.go", i%20), data, 0o644); err != nil {
				b.Fatal(err)
			}
			if i%100 == 99 {
				if err := log.Flush(ctx); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := log.Flush(ctx); err != nil {
			b.Fatal(err)
		}
	})
	b.Run("sandbox", func(b *testing.B) {
		s, err := sandbox.New(b.TempDir(), sandbox.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close(ctx)
		b.SetBytes(int64(len(data)))
		for i := 0; b.Loop(); i++ {
			if err := s.WriteFile(ctx, fmt.Sprintf("f%d.go", i%20), data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("os", func(b *testing.B) {
		dir := b.TempDir()
		b.SetBytes(int64(len(data)))
		for i := 0; b.Loop(); i++ {
			if err := osAtomicWrite(dir, fmt.Sprintf("f%d.go", i%20), data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// osAtomicWrite is the sandbox's durable write without the sandbox.
func osAtomicWrite(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, ".tmp-")
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, name)); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// BenchmarkRefactor20: the unit, the writes of a 20-file refactor
// (4 KiB each) and their audit records stored (Flush), per op.
func BenchmarkRefactor20(b *testing.B) {
	ctx := context.Background()
	s, log := auditedSandbox(b)
	data := bytes.Repeat([]byte("y"), 4096)
	b.ResetTimer()
	for b.Loop() {
		for i := range 20 {
			if err := s.WriteFile(ctx, fmt.Sprintf("pkg/sub/f%d.go", i), data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		if err := log.Flush(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkResolve: opening a file four directories deep for reading,
// checks included, with openat2 and with the component walk (no audit).
func BenchmarkResolve(b *testing.B) {
	dir := b.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "a/b/c"), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a/b/c/d.go"), []byte("package c\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"openat2", "walk"} {
		b.Run(mode, func(b *testing.B) {
			s, err := sandbox.New(dir, sandbox.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close(context.Background())
			if mode == "walk" {
				sandbox.ForceWalk(s)
			}
			ctx := context.Background()
			for b.Loop() {
				f, err := s.Open(ctx, "a/b/c/d.go")
				if err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
		})
	}
}

// BenchmarkCommandStart: a confined `true`, started and waited for, in
// namespaces of its own (the init re-executed in between) and with
// Landlock and the seccomp filter alone: the difference is what the
// namespaces cost each command. The init here is the test binary; aiex's
// own is larger (see DESIGN.md for both).
func BenchmarkCommandStart(b *testing.B) {
	for _, isolated := range []bool{true, false} {
		b.Run(map[bool]string{true: "namespaces", false: "landlock"}[isolated], func(b *testing.B) {
			s, err := sandbox.New(b.TempDir(), sandbox.Options{Mode: sandbox.ModeAuto})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close(context.Background()) })
			if !isolated {
				sandbox.SetNamespaces(s, func() error { return fmt.Errorf("off for the benchmark") })
			}
			for b.Loop() {
				cmd := s.Command(context.Background(), "true")
				if err := cmd.Run(); err != nil {
					b.Fatal(err)
				}
				if cmd.Confinement().Isolated != isolated {
					b.Fatalf("confinement %s", cmd.Confinement())
				}
			}
		})
	}
}

// BenchmarkCommandStartDenied: a confined true in a project whose
// directories on the way to its data dir hold 50 entries each, the data
// dir at the root and three levels down: the ruleset grants those entries
// one by one (landlock_deny.go). Compare BenchmarkCommandStart/landlock.
func BenchmarkCommandStartDenied(b *testing.B) {
	for _, data := range []string{".aiex", "a/b/c/.aiex"} {
		b.Run(fmt.Sprintf("depth%d", strings.Count(data, "/")+1), func(b *testing.B) {
			project := b.TempDir()
			for dir := filepath.Dir(filepath.Join(project, data)); len(dir) >= len(project); dir = filepath.Dir(dir) {
				for i := range 50 {
					if err := os.MkdirAll(filepath.Join(dir, fmt.Sprintf("d%d", i)), 0o755); err != nil {
						b.Fatal(err)
					}
				}
			}
			if err := os.MkdirAll(filepath.Join(project, data), 0o700); err != nil {
				b.Fatal(err)
			}
			s, err := sandbox.New(project, sandbox.Options{Mode: sandbox.ModeAuto,
				Deny: []sandbox.Denied{{Path: filepath.Join(project, data)}}})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { s.Close(context.Background()) })
			sandbox.SetNamespaces(s, func() error { return fmt.Errorf("off for the benchmark") })
			for b.Loop() {
				cmd := s.Command(context.Background(), "true")
				if err := cmd.Run(); err != nil {
					b.Fatal(err)
				}
				if !cmd.Confinement().Landlock {
					b.Skipf("not confined: %s", cmd.Confinement())
				}
			}
		})
	}
}
