package chunk

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/parse/exlex"
)

// cvEntry is one line of testdata/compiler_view.exs's output.
type cvEntry struct {
	what, path, kind, name string
	start, end, defaults   int
}

// compilerView runs testdata/compiler_view.exs with the real elixir on
// files and returns its entries by file, and its skip counts.
func compilerView(t *testing.T, files []string) (map[string][]cvEntry, map[string]int) {
	t.Helper()
	cmd := exec.Command("elixir", append([]string{"testdata/compiler_view.exs"}, files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("compiler_view.exs: %v\n%s", err, stderr.Bytes())
	}
	byFile := map[string][]cvEntry{}
	skipped := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		switch {
		case f[0] == "skipped" && len(f) == 4:
			n, _ := strconv.Atoi(f[3])
			skipped[f[2]] += n
		case (f[0] == "module" || f[0] == "function") && len(f) >= 6:
			e := cvEntry{what: f[0], path: f[1], kind: f[2], name: f[3]}
			e.start, _ = strconv.Atoi(f[4])
			e.end, _ = strconv.Atoi(f[5])
			if len(f) > 6 {
				e.defaults, _ = strconv.Atoi(f[6])
			}
			byFile[e.path] = append(byFile[e.path], e)
		default:
			t.Errorf("compiler_view.exs: %q", sc.Text())
		}
	}
	return byFile, skipped
}

// TestElixirAgreesWithCompiler compares the chunks of the Elixir 1.14 lib/
// files (.ex and .exs) with the compiler's own view of them (testdata/compiler_view.exs on
// Code.string_to_quoted_with_comments): every module and every function
// name/arity the compiler sees has exactly one chunk of that name, starting
// at the first clause's @doc/@spec (or comments above them) and ending at
// the last clause's last line; and every function chunk is one the
// compiler sees.
func TestElixirAgreesWithCompiler(t *testing.T) {
	needElixir(t)
	files := elixirLibFiles(t, elixirCorpus(t), true)
	view, skipped := compilerView(t, files)
	var modules, funcs, mismatches int
	report := func(format string, args ...any) {
		mismatches++
		if mismatches <= 60 {
			t.Errorf(format, args...)
		}
	}
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		res, err := File(path, src, Options{Strategy: Semantic, MaxFileSize: 64 << 20})
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, path, src, res)
		for _, w := range res.Warnings {
			// Clauses apart are legal (the compiler warns too): the chunk
			// spans them, which the comparison below checks.
			if !strings.Contains(w, "are not together") && !strings.Contains(w, "more warnings") {
				report("%s: warning on a file the compiler accepts: %s", path, w)
			}
		}
		byName := map[string][]Chunk{}
		for _, c := range res.Chunks {
			byName[c.Name] = append(byName[c.Name], c)
		}
		// A name can have more than one definition (one after
		// defoverridable overrides one before): the compiler's n-th of a
		// name is the n-th chunk of that name.
		count, nth := map[string]int{}, map[string]int{}
		for _, e := range view[path] {
			count[e.what+" "+e.name]++
		}
		seen := map[string]bool{}
		for _, e := range view[path] {
			seen[e.name] = true
			var got []Chunk
			for _, c := range byName[e.name] {
				if c.Container() == (e.what == "module") {
					got = append(got, c)
				}
			}
			if e.what == "module" {
				modules++
			} else {
				funcs++
			}
			key := e.what + " " + e.name
			k := nth[key]
			nth[key]++
			switch {
			case len(got) != count[key]:
				report("%s: %s %s (compiler: lines %d-%d, %d of that name): %d chunks %s", path, e.kind, e.name, e.start, e.end, count[key], len(got), describeChunks(got))
			case got[k].StartLine != e.start || got[k].EndLine != e.end:
				report("%s: %s %s: compiler says lines %d-%d, chunk has %d-%d", path, e.kind, e.name, e.start, e.end, got[k].StartLine, got[k].EndLine)
			case e.what == "function" && (got[k].Defaults != e.defaults || got[k].Kind != defKind(e.kind)):
				report("%s: %s %s: compiler says %d defaults, chunk %s has %d", path, e.kind, e.name, e.defaults, got[k].Kind, got[k].Defaults)
			}
		}
		for _, c := range res.Chunks {
			if isDefKind(c.Kind) && !seen[c.Name] && !strings.Contains(c.Name, "(") {
				report("%s: chunk %s %s (lines %d-%d) is not a function the compiler sees", path, c.Kind, c.Name, c.StartLine, c.EndLine)
			}
		}
	}
	if modules < 300 || funcs < 4000 {
		t.Errorf("compared only %d modules and %d functions", modules, funcs)
	}
	t.Logf("%d files: %d modules and %d functions compared, %d mismatches; not compared: %d defs with computed names, %d defs not directly in a module body",
		len(files), modules, funcs, mismatches, skipped["dynamic"], skipped["nested"])
}

func isDefKind(k string) bool {
	return slices.Contains([]string{KindFunction, KindMacro, KindGuard, KindDelegate}, k)
}

func describeChunks(cs []Chunk) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "[%s %d-%d]", c.Kind, c.StartLine, c.EndLine)
	}
	return b.String()
}

// TestElixirUnclosedAgreesWithCompiler: for each literal left open
// (unclosedCases) the real elixir's Code.string_to_quoted reports the
// message the warning gives; and the lexer finds no literal left open in
// any file of the Elixir sources, which all compile.
func TestElixirUnclosedAgreesWithCompiler(t *testing.T) {
	srcs := make([]string, len(unclosedCases))
	for i, tc := range unclosedCases {
		srcs[i] = unclosedSource(tc.opener)
	}
	got := elixirSays(t, srcs, `case Code.string_to_quoted(File.read!(p)) do
    {:error, {_, msg, _}} when is_binary(msg) -> IO.puts(msg)
    other -> IO.puts("unexpected: " <> inspect(other))
  end`)
	for i, tc := range unclosedCases {
		if got[i] != tc.msg {
			t.Errorf("%q: elixir says %q, the warning %q", tc.opener, got[i], tc.msg)
		}
	}

	corpus := elixirLibFiles(t, elixirCorpus(t), true)
	for _, path := range corpus {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if u, ok := exlex.FindUnclosed(src); ok {
			t.Errorf("%s: %s left open at byte %d, in a file that compiles", path, u.What, u.Start)
		}
	}
	t.Logf("%d cases agree with elixir; %d corpus files have no literal left open", len(unclosedCases), len(corpus))
}

// needElixir skips a test that runs the Elixir compiler where it is not
// installed; under CI, which installs it, its absence fails the test.
// elixirSays writes each of srcs to a file, runs the real elixir with
// body (Elixir code that prints one line about the file at path p) for
// each, and returns the lines, one per source.
func elixirSays(t *testing.T, srcs []string, body string) []string {
	t.Helper()
	needElixir(t)
	dir := t.TempDir()
	files := make([]string, len(srcs))
	for i, src := range srcs {
		files[i] = filepath.Join(dir, fmt.Sprintf("s%d.ex", i))
		if err := os.WriteFile(files[i], []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command("elixir", append([]string{"-e", "for p <- System.argv() do\n  " + body + "\nend"}, files...)...).Output()
	if err != nil {
		t.Fatalf("elixir: %v", err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(got) != len(srcs) {
		t.Fatalf("elixir printed %d lines for %d files: %q", len(got), len(srcs), got)
	}
	return got
}

func needElixir(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("elixir"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("elixir is not on PATH; .ci/run installs it")
		}
		t.Skip("elixir is not on PATH (apt-get install elixir, or scripts/corpora as root)")
	}
}
