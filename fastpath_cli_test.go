package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// inits runs the binary with args and lists the packages whose init
// functions ran, in order, with its stdout.
func inits(t *testing.T, s *sandbox, args ...string) (pkgs []string, stdout string) {
	t.Helper()
	cmd := exec.Command(aiexBin, args...)
	cmd.Env = append(s.env, "GODEBUG=inittrace=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("aiex %v: %v\n%s", args, err, errb.String())
	}
	sc := bufio.NewScanner(&errb)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) > 1 && f[0] == "init" {
			pkgs = append(pkgs, f[1])
		}
	}
	return pkgs, out.String()
}

// TestHelpBeforeInit: aiex --help and aiex version are answered before
// the packages that make up the rest of aiex initialize (package
// ui/cli/early), with what the full command line prints; other commands
// go on to it.
func TestHelpBeforeInit(t *testing.T) {
	s := newSandbox(t, "http://127.0.0.1:1")
	all, _ := inits(t, s, "completion", "bash")
	heavy := []string{
		"github.com/aiex-dev/aiex/app", "tailscale.com/ipn/ipnlocal", "github.com/rqlite/rqlite/v8/store",
		"github.com/charmbracelet/bubbletea", "github.com/tree-sitter/go-tree-sitter", "github.com/alecthomas/kong",
	}
	for _, p := range heavy {
		if !strings.Contains(strings.Join(all, "\n")+"\n", p+"\n") {
			t.Fatalf("aiex completion bash did not initialize %s: the list of packages to look for is out of date", p)
		}
	}
	for _, args := range [][]string{{"--help"}, {"version"}, {"ask", "--help"}, {"help", "cluster", "join"}} {
		ran, stdout := inits(t, s, args...)
		// About a quarter (92 of 343 when this was written): the standard
		// library's, and the few others that need only it.
		if len(ran)*3 > len(all) {
			t.Errorf("aiex %v initialized %d packages of %d: more than a third", args, len(ran), len(all))
		}
		for _, p := range heavy {
			for _, r := range ran {
				if r == p {
					t.Errorf("aiex %v initialized %s before it answered", args, p)
				}
			}
		}
		// A flag the fast path does not take sends the same request on
		// to the full command line.
		if want := s.mustRun(append([]string{"--data-dir", s.dataDir()}, args...)...).stdout; stdout != want {
			t.Errorf("aiex %v printed\n%s\nthe command line prints\n%s", args, stdout, want)
		}
	}
}

// TestOwnRolesNotAnswered: aiex started by itself under another name (the
// sandbox's init, with no arguments when it probes) is not a user asking
// for help.
func TestOwnRolesNotAnswered(t *testing.T) {
	cmd := &exec.Cmd{Path: aiexBin, Args: []string{"aiex-sandbox-probe"}}
	out, _ := cmd.Output() // the probe's own status depends on the kernel
	if strings.Contains(string(out), "Usage: aiex") {
		t.Fatalf("aiex started as aiex-sandbox-probe printed the help:\n%.200s", out)
	}
}
