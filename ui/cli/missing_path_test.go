package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestMissingPathIsUsageMistake: a path typed as a command's file or
// target where nothing is, and that names no symbol either, is a usage
// mistake (exit 2) said on one line in one shape by every command that
// takes one, ask's --target too: "PATH does not exist…" (a directory,
// nosuchdir/, as well); one like a file of the project
// still gets the index's suggestion. A symbol that names nothing is a
// usage mistake too (exit 2), said as before.
func TestMissingPathIsUsageMistake(t *testing.T) {
	dir, _ := taskProject(t, "never asked")
	if r := runIn(nil, false, "--data-dir", dir, "index"); r.code != 0 {
		t.Fatalf("index: exit %d, %s", r.code, r.stderr)
	}
	for _, target := range []string{"nosuch.go", "sub/nosuch.go:3", "./nosuch.ex", "calx.go", "nosuchdir/", "sub/nosuch.go:3:7"} {
		for _, cmd := range [][]string{
			{"chunks", target},
			{"index", target},
			{"context", target},
			{"explain", target},
			{"refactor", target, "--goal", "shorter"},
			{"gen", "tests", target},
			{"ask", "--target", target, "why?"},
			{"ask", "--dry-run", "--target", target, "why?"},
		} {
			if cmd[0] == "chunks" || cmd[0] == "index" {
				if strings.Contains(target, ":") {
					continue // they take a path, not PATH:LINE
				}
			}
			r := runIn(nil, false, append([]string{"--data-dir", dir}, cmd...)...)
			// The path, without the line; index names it cleaned.
			path, _, _ := strings.Cut(target, ":")
			if cmd[0] == "index" {
				path = filepath.Clean(path)
			}
			want := "aiex: " + path + " does not exist"
			if r.code != 2 || !strings.HasPrefix(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 || r.stdout != "" {
				t.Errorf("aiex %s: exit %d, stdout %q, stderr %q; want exit 2 and one line starting %q", strings.Join(cmd, " "), r.code, r.stdout, r.stderr, want)
			}
			if target == "calx.go" && cmd[0] != "chunks" && cmd[0] != "index" && !strings.Contains(r.stderr, "did you mean calc.go?") {
				t.Errorf("aiex %s: %q lost the index's suggestion", strings.Join(cmd, " "), r.stderr)
			}
		}
	}
	for _, cmd := range [][]string{{"context", "calc.Nope"}, {"explain", "Nope"}, {"ask", "--target", "Nope", "why?"}, {"ask", "--dry-run", "--target", "Nope", "why?"}} {
		r := runIn(nil, false, append([]string{"--data-dir", dir}, cmd...)...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, "aiex: no file or symbol ") {
			t.Errorf("aiex %s: exit %d, stderr %q; want exit 2, no file or symbol", strings.Join(cmd, " "), r.code, r.stderr)
		}
	}
}
