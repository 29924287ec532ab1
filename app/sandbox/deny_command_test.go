package sandbox_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/sandbox"
)

// TestCommandDeniedState: a confined command reads nothing of aiex's own
// state inside the project — the data dir's files, at any depth beneath
// it, the config file, either through a symbolic link — whether the
// project is the sandbox's read-write root or, as for the toolchain's
// checks, a read-only root beside a scratch dir; while everything else
// of the project stays as it was to it: files beside the denied ones,
// files deeper in the directories beside them, listing the directories on
// the way. With the data dir in the project's root and deeper (a/b/.aiex).
func TestCommandDeniedState(t *testing.T) {
	for _, dataRel := range []string{".aiex", "a/b/.aiex"} {
		for _, readOnly := range []bool{false, true} {
			name := dataRel + "/read-write"
			if readOnly {
				name = dataRel + "/read-only"
			}
			t.Run(name, func(t *testing.T) { testDeniedState(t, dataRel, readOnly) })
		}
	}
}

func testDeniedState(t *testing.T, dataRel string, readOnly bool) {
	base := t.TempDir()
	project, scratch, tmp := filepath.Join(base, "project"), filepath.Join(base, "scratch"), filepath.Join(base, "tmp")
	level := path.Dir(dataRel) // the directory holding the data dir
	files := map[string]string{
		dataRel + "/secret.key":          "AGE-SECRET-KEY-1DENIED",
		dataRel + "/store/node-id":       "DENIED-NODE-ID",
		level + "/aiex.toml":             "DENIED-CONFIG",
		"top.txt":                        "TOP",
		level + "/sib.txt":               "SIB",
		level + "/pkg/deep/f.txt":        "DEEP",
		level + "/.aiexx/f.txt":          "LOOKALIKE",
		path.Join("other", "f.txt"):      "OTHER",
		path.Join(level, "x", "y", "z"):  "XYZ",
		path.Join("a", "other", "f.txt"): "AOTHER",
	}
	for rel, body := range files {
		p := filepath.Join(project, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{scratch, tmp} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A link to the data dir beside it: what it leads to is still denied.
	if err := os.Symlink(".aiex", filepath.Join(project, filepath.FromSlash(level), "link")); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(project, filepath.FromSlash(dataRel))
	config := filepath.Join(project, filepath.FromSlash(level), "aiex.toml")
	opts := sandbox.Options{TempDir: tmp, Mode: sandbox.ModeAuto, Deny: []sandbox.Denied{
		{Path: data, What: "aiex's data dir"}, {Path: config, What: "aiex's config file"}}}
	root := project
	if readOnly {
		root, opts.ReadOnly = scratch, []string{project}
	}
	s, err := sandbox.New(root, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	if !s.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	abs := func(rel string) string { return filepath.Join(project, filepath.FromSlash(rel)) }
	run := func(name string, args ...string) (string, error) {
		cmd := s.Command(context.Background(), name, args...)
		out, err := cmd.CombinedOutput()
		if !cmd.Confinement().Landlock {
			t.Fatalf("%s %v: not confined: %s", name, args, cmd.Confinement())
		}
		return string(out), err
	}

	for _, rel := range []string{"top.txt", level + "/sib.txt", level + "/pkg/deep/f.txt", level + "/.aiexx/f.txt",
		"other/f.txt", path.Join(level, "x", "y", "z"), "a/other/f.txt"} {
		out, err := run("/bin/cat", abs(rel))
		if err != nil || out != files[rel] {
			t.Errorf("cat %s: %q, %v; want %q", rel, out, err, files[rel])
		}
	}
	for _, rel := range []string{dataRel + "/secret.key", dataRel + "/store/node-id", level + "/aiex.toml", level + "/link/secret.key"} {
		out, err := run("/bin/cat", abs(rel))
		if err == nil || strings.Contains(out, "DENIED") || !strings.Contains(out, "Permission denied") {
			t.Errorf("cat %s: %q, %v; want it refused", rel, out, err)
		}
	}
	// The directories on the way are listed as before: a build walks them.
	for dir := level; ; dir = path.Dir(dir) {
		out, err := run("/bin/ls", "-a", abs(dir))
		if err != nil || !strings.Contains(out, "\n") {
			t.Errorf("ls %s: %q, %v", dir, out, err)
		}
		if dir == "." {
			break
		}
	}
	if out, err := run("/bin/ls", abs(level)); err != nil || !strings.Contains(out, "sib.txt") || !strings.Contains(out, "pkg") {
		t.Errorf("ls %s: %q, %v; want its entries", level, out, err)
	}
	// Nor is the key file's content reached by a name of the command's own.
	if out, err := run("/bin/sh", "-c", "cat "+abs(level)+"/*/secret.key "+abs(level)+"/*/*/node-id"); err == nil || strings.Contains(out, "DENIED") {
		t.Errorf("cat by glob: %q, %v; want it refused", out, err)
	}
	if readOnly {
		return
	}
	// A read-write project: its files beside the data dir stay writable,
	// and nothing in the data dir may be made or removed.
	if out, err := run("/bin/sh", "-c", "echo changed > "+abs(level+"/pkg/deep/f.txt")); err != nil {
		t.Errorf("write %s/pkg/deep/f.txt: %q, %v", level, out, err)
	}
	for _, c := range []string{"rm -f " + abs(dataRel+"/secret.key"), "echo x > " + abs(dataRel+"/join"), "rm -f " + config,
		"mv " + data + " " + abs("other/moved")} {
		if out, err := run("/bin/sh", "-c", c); err == nil {
			t.Errorf("%s: ran (%q); want it refused", c, out)
		}
	}
	if b, err := os.ReadFile(filepath.Join(data, "secret.key")); err != nil || string(b) != files[dataRel+"/secret.key"] {
		t.Errorf("the key file changed: %q, %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(data, "join")); err == nil {
		t.Error("a join file was made in the data dir")
	}
}

// TestCommandDeniedStateWithoutLandlock: where a command runs without
// Landlock (auto mode on a kernel without it), the warning says that
// aiex's own files in the project are in its reach: nothing but Landlock
// keeps a command from them.
func TestCommandDeniedStateWithoutLandlock(t *testing.T) {
	project := t.TempDir()
	data := filepath.Join(project, ".aiex")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	s, err := sandbox.New(project, sandbox.Options{TempDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(&log, nil)),
		Deny: []sandbox.Denied{{Path: data, What: "aiex's data dir"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	sandbox.SetLandlockABI(s, func() (int, error) { return 0, errors.New("landlock_create_ruleset: not implemented") })
	if err := s.Command(context.Background(), "/bin/true").Run(); err != nil {
		t.Fatal(err)
	}
	want := "aiex's data dir " + data + " can be read and changed by it: rule aiex-state is not enforced for commands without Landlock"
	if !strings.Contains(log.String(), "without OS isolation") || !strings.Contains(log.String(), want) {
		t.Errorf("log %q; want the warning to say %q", log.String(), want)
	}
}

// TestCommandDeniedStateOutsideRoots: aiex's config file or data dir
// outside the project but in a path Landlock lets commands read (here
// GOPATH/pkg, as /etc/aiex or /opt would be) is kept from them as well;
// the rest of that path is read as before.
func TestCommandDeniedStateOutsideRoots(t *testing.T) {
	gopath := t.TempDir()
	t.Setenv("GOPATH", gopath)
	config := filepath.Join(gopath, "pkg", "aiex", "config.toml")
	other := filepath.Join(gopath, "pkg", "mod", "f.txt")
	for p, body := range map[string]string{config: "DENIED-CONFIG", other: "OTHER"} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, err := sandbox.New(t.TempDir(), sandbox.Options{TempDir: t.TempDir(), Mode: sandbox.ModeAuto,
		Deny: []sandbox.Denied{{Path: config, What: "aiex's config file"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	if !s.Landlock().Landlock {
		t.Skip("this kernel lacks Landlock: commands run unconfined")
	}
	if out, err := s.Command(context.Background(), "/bin/cat", config).CombinedOutput(); err == nil || strings.Contains(string(out), "DENIED") {
		t.Errorf("cat %s: %q, %v; want it refused", config, out, err)
	}
	if out, err := s.Command(context.Background(), "/bin/cat", other).CombinedOutput(); err != nil || string(out) != "OTHER" {
		t.Errorf("cat %s: %q, %v; want it read", other, out, err)
	}
}
