package parse

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestRoundTrip edits random files, has diff(1) and git describe the edit,
// and checks that Check rebuilds the edited file from the answer — also
// after the damage models do to diffs: wrong counts and line numbers,
// stripped "a/" "b/" prefixes, blank context lines without their space.
func TestRoundTrip(t *testing.T) {
	tools := map[string]func(dir, old, new string) ([]byte, error){
		"diff -u": func(dir, old, new string) ([]byte, error) {
			return runDiff(dir, "diff", "-u", "--label", "a/f.ex", "--label", "b/f.ex", old, new)
		},
		"git diff": func(dir, old, new string) ([]byte, error) {
			out, err := runDiff(dir, "git", "diff", "--no-index", "--no-color", old, new)
			// Name the file as in a repository rather than by temp path.
			out = []byte(strings.NewReplacer("a/"+old, "a/f.ex", "b/"+new, "b/f.ex").Replace(string(out)))
			return out, err
		},
	}
	damages := map[string]func(string) string{
		"as is": func(s string) string { return s },
		"wrong counts": func(s string) string {
			return hunkRE.ReplaceAllString(s, "@@ -$1,99 +$3,1 @@")
		},
		"wrong line numbers": func(s string) string {
			return hunkRE.ReplaceAllStringFunc(s, func(h string) string {
				m := hunkRE.FindStringSubmatch(h)
				return fmt.Sprintf("@@ -%s7,%s +%s,%s @@", m[1], m[2], m[3], m[4])
			})
		},
		"no prefixes, no diff --git": func(s string) string {
			var out []string
			for _, l := range strings.SplitAfter(s, "\n") {
				switch {
				case strings.HasPrefix(l, "diff --git"), strings.HasPrefix(l, "index "):
					continue
				case strings.HasPrefix(l, "--- a/"), strings.HasPrefix(l, "+++ b/"):
					l = l[:4] + l[6:]
				}
				out = append(out, l)
			}
			return strings.Join(out, "")
		},
		"blank context trimmed": func(s string) string {
			return strings.ReplaceAll(s, "\n \n", "\n\n")
		},
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	for toolName, tool := range tools {
		name := strings.Fields(toolName)[0]
		if _, err := exec.LookPath(name); err != nil {
			t.Logf("skipping %s: %v", toolName, err)
			continue
		}
		for i := range 60 {
			old := randomFile(rng)
			new := randomEdit(rng, old)
			if old == new {
				continue
			}
			writeTemp(t, dir, "old.ex", old)
			writeTemp(t, dir, "new.ex", new)
			out, err := tool(dir, "old.ex", "new.ex")
			if err != nil {
				t.Fatalf("%s: %v", toolName, err)
			}
			for damageName, damage := range damages {
				if damageName == "blank context trimmed" && strings.Contains(old, "\n\n\n") {
					continue // a run of trimmed blanks at a hunk's end is ambiguous
				}
				answer := "Here is the change:\n\n```diff\n" + damage(string(out)) + "```\n"
				ds, err := Diffs(answer)
				if err != nil {
					t.Fatalf("%s #%d %s: Diffs: %v\n%s", toolName, i, damageName, err, answer)
				}
				changes, err := Check(ds, project{"f.ex": old}.read)
				if err != nil {
					t.Fatalf("%s #%d %s: Check: %v\n%s", toolName, i, damageName, err, answer)
				}
				if len(changes) != 1 || string(changes[0].Content) != new {
					t.Fatalf("%s #%d %s: got %+v\nwant %q\nanswer:\n%s", toolName, i, damageName, changes, new, answer)
				}
			}
		}
	}
}

var hunkRE = regexp.MustCompile(`@@ -(\d+),?(\d*) \+(\d+),?(\d*) @@`)

func runDiff(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		err = nil // files differ
	}
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, stderr.String())
	}
	return out, nil
}

func writeTemp(t *testing.T, dir, name, s string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

var words = []string{"def", "end", "do", "case", "value", "key", "{:ok, x}", ":error", "|>", "Enum.map", "fn", "->", "nil", "@doc"}

func randomLine(rng *rand.Rand) string {
	if rng.IntN(8) == 0 {
		return ""
	}
	n := 1 + rng.IntN(5)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = words[rng.IntN(len(words))]
	}
	return strings.Repeat("  ", rng.IntN(3)) + strings.Join(parts, " ")
}

func randomFile(rng *rand.Rand) string {
	n := 5 + rng.IntN(60)
	lines := make([]string, n)
	for i := range lines {
		lines[i] = randomLine(rng)
	}
	return strings.Join(lines, "\n") + "\n"
}

// randomEdit inserts, deletes and replaces a few runs of lines.
func randomEdit(rng *rand.Rand, s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for range 1 + rng.IntN(4) {
		at := rng.IntN(len(lines) + 1)
		n := rng.IntN(4)
		switch rng.IntN(3) {
		case 0: // insert
			ins := make([]string, 1+n)
			for i := range ins {
				ins[i] = randomLine(rng) + " new"
			}
			lines = append(lines[:at], append(ins, lines[at:]...)...)
		case 1: // delete
			end := min(at+1+n, len(lines))
			if at < end && len(lines)-(end-at) > 0 {
				lines = append(lines[:at], lines[end:]...)
			}
		default: // replace
			for i := at; i < min(at+1+n, len(lines)); i++ {
				lines[i] = randomLine(rng) + " changed"
			}
		}
	}
	return strings.Join(lines, "\n") + "\n"
}
