package sandbox_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/app/sandbox"
)

// procTag is how aiex's temporary directories name a process: "PID-START-
// NS", as /proc says (start: field 22 of its stat; NS: its pid namespace's
// inode, this process's).
func procTag(t *testing.T, pid int, ns string) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	return fmt.Sprintf("%d-%s-%s", pid, fields[19], ns)
}

// myTag is this process's tag, read from the name of a directory
// MkdirTemp makes (in a temp dir of its own).
func myTag(t *testing.T) (tag, ns string) {
	t.Helper()
	t.Setenv("TMPDIR", t.TempDir())
	d, err := sandbox.MkdirTemp("cmd", nil)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(strings.TrimPrefix(filepath.Base(d), "aiex-cmd-"), "-")
	if len(parts) != 4 || parts[0] != strconv.Itoa(os.Getpid()) {
		t.Fatalf("MkdirTemp made %s; want it named aiex-cmd-PID-START-NS-RANDOM for pid %d", d, os.Getpid())
	}
	return strings.Join(parts[:3], "-"), parts[2]
}

// deadPid is the id of a process that has ended.
func deadPid(t *testing.T) int {
	t.Helper()
	c := exec.Command("true")
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	return c.Process.Pid
}

// livePid is the id of a process that runs until the test ends.
func livePid(t *testing.T) int {
	t.Helper()
	c := exec.Command("sleep", "600")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	return c.Process.Pid
}

// plant makes the temp dir's entries: directories (names ending in "/"),
// with a file inside as a killed task leaves them, files, and links (name
// → target), all unchanged for two minutes unless young.
func plant(t *testing.T, tmp string, dirs, files []string, links map[string]string, young []string) {
	t.Helper()
	for _, d := range dirs {
		if err := os.MkdirAll(filepath.Join(tmp, d, "aiex-overlay-1", "go-build7"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, d, "aiex-overlay-1", "0.go"), []byte("package p\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(tmp, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(tmp, name)); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Minute)
	for _, n := range slices.Concat(dirs, files) {
		if slices.Contains(young, n) {
			continue
		}
		if err := os.Chtimes(filepath.Join(tmp, n), old, old); err != nil {
			t.Fatal(err)
		}
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// TestMkdirTempRemovesStale: making a temporary directory first removes
// those aiex processes that ended left in the temp dir — a killed task's
// scratch with its overlay, a sandbox's command dir, one whose process id
// a live process has taken since — and nothing else: not this process's,
// not a live process's, not one changed within the minute, not one of
// another pid namespace, nor anything aiex did not name so (an older
// aiex's, another program's, a file, a link to a directory).
func TestMkdirTempRemovesStale(t *testing.T) {
	tag, ns := myTag(t)
	dead, live := deadPid(t), livePid(t)
	deadTag := fmt.Sprintf("%d-12345-%s", dead, ns)
	liveTag := procTag(t, live, ns)
	reused := fmt.Sprintf("%d-1-%s", live, ns) // live's id, another start

	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	target := t.TempDir()
	stale := []string{"aiex-task-" + deadTag + "-11", "aiex-cmd-" + deadTag + "-12", "aiex-cmd-" + reused + "-13"}
	kept := []string{
		"aiex-task-" + tag + "-21", "aiex-cmd-" + liveTag + "-22", "aiex-mix-" + deadTag + "-23", // this process's, live, young
		fmt.Sprintf("aiex-cmd-%d-12345-%s1-24", dead, ns), // another pid namespace
		"aiex-cmd-3141592653", "aiex-foo-" + deadTag + "-25", "go-build" + strconv.Itoa(dead),
		"aiex-cmd-" + deadTag + "-26x", "aiex-cmd-" + deadTag,
	}
	files := []string{"aiex-cmd-" + deadTag + "-27"}
	links := map[string]string{"aiex-cmd-" + deadTag + "-28": target}
	plant(t, tmp, slices.Concat(stale, kept), files, links, []string{"aiex-mix-" + deadTag + "-23"})
	if os.Getuid() == 0 { // another user's: only root can make one
		other := "aiex-cmd-" + deadTag + "-29"
		plant(t, tmp, []string{other}, nil, nil, nil)
		if err := os.Lchown(filepath.Join(tmp, other), 65534, 65534); err != nil {
			t.Fatal(err)
		}
		kept = append(kept, other)
	}

	d, err := sandbox.MkdirTemp("task", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Concat(kept, files, []string{filepath.Base(d), "aiex-cmd-" + deadTag + "-28"})
	slices.Sort(want)
	if diff := cmp.Diff(want, names(t, tmp)); diff != "" {
		t.Errorf("the temp dir after MkdirTemp (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(target); err != nil {
		t.Errorf("the link's target: %v", err)
	}
}

// TestSandboxCommandRemovesStale: a sandbox's first command, which makes
// its temp dir, removes a stale one a killed aiex left, and its own is
// named for this process.
func TestSandboxCommandRemovesStale(t *testing.T) {
	tag, ns := myTag(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	stale := fmt.Sprintf("aiex-cmd-%d-12345-%s-31", deadPid(t), ns)
	plant(t, tmp, []string{stale}, nil, nil, nil)

	sb, err := sandbox.New(t.TempDir(), sandbox.Options{Mode: sandbox.ModeOff})
	if err != nil {
		t.Fatal(err)
	}
	out, err := sb.Command(context.Background(), "sh", "-c", `echo "$TMPDIR"`).Output()
	if err != nil {
		t.Fatal(err)
	}
	own := filepath.Base(strings.TrimSpace(string(out)))
	if !strings.HasPrefix(own, "aiex-cmd-"+tag+"-") {
		t.Errorf("the command's TMPDIR is %s; want aiex-cmd-%s-RANDOM", own, tag)
	}
	if got := names(t, tmp); !cmp.Equal(got, []string{own}) {
		t.Errorf("the temp dir holds %q; want only the sandbox's own %s", got, own)
	}
	if err := sb.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := names(t, tmp); len(got) != 0 {
		t.Errorf("after Close the temp dir holds %q", got)
	}
}
