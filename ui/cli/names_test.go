package cli_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// rawControl finds the first character in out that a terminal would act
// on or that would show a name as another: a C0 control but newline and
// tab, DEL, a C1 control, a bidi control, or bytes that are not UTF-8.
func rawControl(out string) (rune, bool) {
	for _, r := range out {
		switch {
		case r == '\n' || r == '\t':
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r == utf8.RuneError,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
			return r, true
		}
	}
	return 0, false
}

// TestOutputQuotesOddNames: files of a project (a cloned repository names
// them) whose names hold an escape sequence, a newline or a bidi control
// are indexed, and search, context, chunks and index print them quoted,
// escaped, on the line they belong to: no raw control character reaches
// the output, and no row is split in two. --json keeps the names as they
// are.
func TestOutputQuotesOddNames(t *testing.T) {
	proj := t.TempDir()
	files := map[string]string{
		".git/HEAD":              "ref: refs/heads/main\n",
		"go.mod":                 "module example.com/ctl\n\ngo 1.22\n",
		"ev\x1b[31mil.go":        "package ctl\n\n// Zork zorks.\nfunc Zork() {}\n",
		"new\nline.go":           "package ctl\n\n// Zark zarks.\nfunc Zark() { Zork() }\n",
		"x\u202eog.go":           "package ctl\n\nfunc Bidi() { Zork() }\n",
		"bad\x1b]0;pwned\a.go":   "package ctl\n\nfunc Broken( {\n",
		"sp ace/a b.go":          "package ctl\n\nfunc Spaced() { Zork() }\n",
		"csi\u009b2J/zork.go":    "package ctl\n\nfunc Zorky() { Zork() }\n",
		"notes\x1b[2J\x7f.md":    "# Zork\n\nAbout Zork.\n",
		"sub/plain_zork_test.go": "package ctl\n",
	}
	writeTree(t, proj, files)
	t.Chdir(proj)
	t.Setenv("OLLAMA_HOST", "http://127.0.0.1:1")
	dir := t.TempDir()
	outs := map[string]string{}
	for _, args := range [][]string{
		{"index"},
		{"search", "Zork"},
		{"context", "--window", "4000", "ctl.Zork"},
		{"chunks", "ev\x1b[31mil.go"},
		{"chunks", "bad\x1b]0;pwned\a.go"},
	} {
		r := runCLI(t, false, nil, append([]string{"--data-dir", dir}, args...)...)
		if r.code != 0 {
			t.Fatalf("%q: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		out := r.stdout + r.stderr
		outs[args[0]] = out
		if c, ok := rawControl(out); ok {
			t.Errorf("%q: %U reached the output raw:\n%s", args, c, out)
		}
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "line.go") {
				t.Errorf("%q: a name's newline split a line in two:\n%s", args, out)
			}
		}
	}

	r := runCLI(t, false, nil, "--data-dir", dir, "search", "Zork")
	for _, want := range []string{`"ev\x1b[31mil.go":3`, `"new\nline.go":3`, `"x\u202eog.go":3`, "sp ace/a b.go:3", `"csi\u009b2J/zork.go":3`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("search: no %s in\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(outs["index"], `warning "bad\x1b]0;pwned\a.go": line 3`) {
		t.Errorf("index: the warning does not name the file quoted:\n%s", outs["index"])
	}
	r = runCLI(t, false, nil, "--data-dir", dir, "--json", "search", "Zork")
	if !strings.Contains(r.stdout, `"path": "ev\u001b[31mil.go"`) {
		t.Errorf("search --json: the name is not as it is:\n%s", r.stdout)
	}
}

// TestRefactorDiffQuotesNames: the diff a refactoring shows names files
// with control or bidi characters, which the model chose, quoted and
// escaped in its headers, as git does, and the refusal below it alike;
// ordinary names (spaces included) are as they are. --json's diff keeps
// the names as they are.
func TestRefactorDiffQuotesNames(t *testing.T) {
	for _, tc := range []struct {
		name, path, header string
	}{
		{"escape", "greet/evil\x1b[31mred\a.go", `+++ "b/greet/evil\x1b[31mred\a.go"`},
		{"newline", "greet/new\nline.go", `+++ "b/greet/new\nline.go"`},
		{"bidi", "greet/x\u202eog.go", `+++ "b/greet/x\u202eog.go"`},
		{"c1", "greet/csi\u009b2J.go", `+++ "b/greet/csi\u009b2J.go"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The model's diff names the file quoted (app/parse takes Go's
			// escapes as well as git's).
			reply := "```diff\n--- /dev/null\n+++ " + strconv.Quote("b/"+tc.path) + "\n@@ -0,0 +1,1 @@\n+package greet\n```\n"
			dir, _ := taskProject(t, reply)
			r := runIn(nil, false, "--data-dir", dir, "refactor", "calc.go", "--goal", "g", "-m", "tiny", "--no-build")
			if c, ok := rawControl(r.stdout + r.stderr); ok {
				t.Errorf("%U reached the output raw: exit %d\n%s%s", c, r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout, "--- /dev/null\n"+tc.header+"\n@@ -0,0 +1 @@\n+package greet\n") {
				t.Errorf("the diff's header is not %s: exit %d\n%s%s", tc.header, r.code, r.stdout, r.stderr)
			}
			if r.code != 1 || !strings.Contains(r.stderr, "(rule: invalid-path)") {
				t.Errorf("exit %d; want the write refused: %s", r.code, r.stderr)
			}
			r = runIn(nil, false, "--data-dir", dir, "--json", "refactor", "calc.go", "--goal", "g", "-m", "tiny", "--no-build")
			var out taskOut
			if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out.Proposal == nil ||
				!strings.Contains(out.Proposal.Diff, "+++ b/"+tc.path+"\n") {
				t.Errorf("--json: the diff does not name the file as it is (%v):\n%s", err, r.stdout)
			}
		})
	}

	for _, tc := range []struct{ name, reply, want string }{
		{"rename", "```diff\ndiff --git a/calc.go \"b/x\\u202eog.go\"\nsimilarity index 100%\nrename from calc.go\nrename to \"x\\u202eog.go\"\n```\n",
			"diff --git a/calc.go \"b/x\\u202eog.go\"\nsimilarity index 100%\nrename from calc.go\nrename to \"x\\u202eog.go\"\n"},
		{"space", "```diff\n--- /dev/null\n+++ b/sp ace/a b.go\n@@ -0,0 +1,1 @@\n+package calc\n```\n", "--- /dev/null\n+++ b/sp ace/a b.go\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, _ := taskProject(t, tc.reply)
			r := runIn(nil, false, "--data-dir", dir, "refactor", "calc.go", "--goal", "g", "-m", "tiny", "--no-build")
			if c, ok := rawControl(r.stdout + r.stderr); ok {
				t.Errorf("%U reached the output raw: exit %d\n%s%s", c, r.code, r.stdout, r.stderr)
			}
			if !strings.HasPrefix(r.stdout, tc.want) {
				t.Errorf("the diff does not start %q: exit %d\n%s%s", tc.want, r.code, r.stdout, r.stderr)
			}
		})
	}
}
