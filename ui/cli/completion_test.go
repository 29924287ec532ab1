package cli_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// complete asks aiex for the candidates of line, as a shell does: COMP_LINE
// and COMP_POINT set, the candidates one a line on stdout.
func complete(t *testing.T, line string) []string {
	t.Helper()
	point := strconv.Itoa(len(line))
	// The completion library reads the process environment; Run checks
	// its own Getenv for COMP_LINE.
	t.Setenv("COMP_LINE", line)
	t.Setenv("COMP_POINT", point)
	r := runCLI(t, false, map[string]string{"COMP_LINE": line, "COMP_POINT": point})
	if r.code != 0 {
		t.Fatalf("completing %q: exit %d, stderr %q", line, r.code, r.stderr)
	}
	got := strings.Fields(r.stdout)
	slices.Sort(got)
	return got
}

// TestCompletionOfPaths: arguments and flags that take a path complete to
// the files and directories there; --strategy to the strategies.
func TestCompletionOfPaths(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"lib/my_app.ex": "", "lib/other.ex": "", "main.go": "", "conf/aiex.toml": ""})
	t.Chdir(dir)
	tests := []struct {
		line string
		want []string
	}{
		// A lone directory is descended into, so the shell can go on.
		{"aiex chunks li", []string{"lib/", "lib/my_app.ex", "lib/other.ex"}},
		{"aiex explain lib/my", []string{"lib/my_app.ex"}},
		{"aiex context lib/o", []string{"lib/other.ex"}},
		{"aiex index ", []string{"conf/", "lib/", "main.go"}},
		{"aiex index .", []string{"./", "./conf/", "./lib/", "./main.go"}},
		{"aiex ask --target ma", []string{"main.go"}},
		{"aiex --config conf/a", []string{"conf/aiex.toml"}},
		{"aiex --data-dir c", []string{"conf/"}},
		{"aiex session export last -o m", []string{"main.go"}},
		{"aiex cluster init --out m", []string{"main.go"}},
		{"aiex ask --strategy ", []string{"load_balanced", "local_affinity", "round_robin"}},
		{"aiex explain --strategy ro", []string{"round_robin"}},
		{"aiex refactor lib/ot", []string{"lib/other.ex"}},
		{"aiex gen tests ma", []string{"main.go"}},
		{"aiex refactor x --strategy lo", []string{"load_balanced", "local_affinity"}},
		{"aiex gen tests x --sandbox s", []string{"strict"}},
		// Commands still complete as before.
		{"aiex hi", []string{"history"}},
	}
	for _, tt := range tests {
		if got := complete(t, tt.line); !slices.Equal(got, tt.want) {
			t.Errorf("completing %q: got %q, want %q", tt.line, got, tt.want)
		}
	}
}

// TestCompletionScriptsFallBackToFiles: where aiex offers nothing (a
// symbol or path it cannot predict), each shell completes file names
// (bash's and zsh's quoting of the paths aiex offers is tested in a real
// shell: TestBashCompletion, TestZshCompletionQuotesPaths).
func TestCompletionScriptsFallBackToFiles(t *testing.T) {
	for shell, want := range map[string]string{
		"bash": "complete -o default -F _aiex aiex",
		"zsh":  "(( ret )) && _default",
		"fish": "__fish_complete_path",
	} {
		r := runCLI(t, false, nil, "completion", shell)
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("completion %s: exit %d, script lacks %q:\n%s", shell, r.code, want, r.stdout)
		}
	}
}

// TestCompletionKind: asked for the kind of words it offers (as the bash
// script asks), aiex says first "files" when it offers paths and "words"
// when it offers commands or flag values, whatever the current directory
// holds: a directory named as a command is no path offered.
func TestCompletionKind(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"search/x.go": "", "main.go": ""})
	t.Chdir(dir)
	for _, tt := range []struct{ line, want string }{
		{"aiex sea", "words\nsearch\n"},
		{"aiex ask --strategy ro", "words\nround_robin\n"},
		{"aiex chunks main", "files\nmain.go\n"},
		{"aiex search zzz", "words\n"},
	} {
		point := strconv.Itoa(len(tt.line))
		t.Setenv("COMP_LINE", tt.line)
		t.Setenv("COMP_POINT", point)
		r := runCLI(t, false, map[string]string{"COMP_LINE": tt.line, "COMP_POINT": point, "AIEX_COMPLETE_KIND": "1"})
		if r.code != 0 || r.stdout != tt.want {
			t.Errorf("completing %q: exit %d, stdout %q; want %q", tt.line, r.code, r.stdout, tt.want)
		}
	}
}
