package ctxbuild

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// bigUnits is a Go file whose import block and one function are each far
// larger than a 1,000-token window, and an Elixir module with such a
// function.
var bigUnits = func() map[string]string {
	var g strings.Builder
	g.WriteString("package big\n\nimport (\n")
	for i := range 300 {
		fmt.Fprintf(&g, "\t_ \"example.com/big/pkg%03d/with/a/long/path\"\n", i)
	}
	g.WriteString(")\n\n// Huge adds up a lot.\n// Its doc is two lines.\nfunc Huge(base int) int {\n\tx := base\n")
	for i := range 600 {
		fmt.Fprintf(&g, "\tx += %d * len(\"literal number %d\")\n", i, i)
	}
	g.WriteString("\treturn x\n}\n\nfunc Small() int { return Huge(1) }\n")
	var ex strings.Builder
	ex.WriteString("defmodule Big do\n  @doc \"Sums.\"\n  def huge(base) do\n    x = base\n")
	for i := range 600 {
		fmt.Fprintf(&ex, "    x = x + %d * String.length(\"literal number %d\")\n", i, i)
	}
	ex.WriteString("    x\n  end\nend\n")
	return map[string]string{"go.mod": "module example.com/big\n\ngo 1.22\n", "big.go": g.String(), "lib/big.ex": ex.String()}
}()

// lineOf is the 1-based line of the first line of src holding text.
func lineOf(t *testing.T, src, text string) int {
	t.Helper()
	i := strings.Index(src, text)
	if i < 0 {
		t.Fatalf("no %q", text)
	}
	return 1 + strings.Count(src[:i], "\n")
}

// TestTargetLineOfHugeUnit: PATH:LINE in a unit too large for the window
// (even without its doc) takes the lines around the line that fit, after
// the unit's signature, the lines left out marked; the line itself is
// always there and the prompt fits. Named by its symbol, the same unit
// is still refused whole; a task that changes it still needs it whole.
func TestTargetLineOfHugeUnit(t *testing.T) {
	e := setupFiles(t, bigUnits)
	goSrc, exSrc := bigUnits["big.go"], bigUnits["lib/big.ex"]
	for _, tc := range []struct {
		target, line, sig, mark, end string
	}{
		{fmt.Sprintf("big.go:%d", lineOf(t, goSrc, "x += 300 *")), "\tx += 300 * len(\"literal number 300\")", "func Huge(base int) int {", "\t// …", "\t// …\n}"},
		{fmt.Sprintf("big.go:%d:7", lineOf(t, goSrc, "x += 599 *")), "\tx += 599 * len(\"literal number 599\")", "func Huge(base int) int {", "\t// …", "\treturn x\n}"},
		{fmt.Sprintf("big.go:%d", lineOf(t, goSrc, "pkg150")), "\t_ \"example.com/big/pkg150/with/a/long/path\"", "", "\t// …", "\t// …\n)"},
		{fmt.Sprintf("lib/big.ex:%d", lineOf(t, exSrc, "x + 300 *")), "    x = x + 300 * String.length(\"literal number 300\")", "  def huge(base) do", "    # …", "    # …\n  end"},
	} {
		c := e.build(t, Request{Target: tc.target, Question: "what does this line do?", Window: 1000})
		if c.Target == nil || c.Target.Form != FormLines {
			t.Fatalf("%s: target %+v; want form %q", tc.target, c.Target, FormLines)
		}
		code := c.Target.Code
		if !strings.Contains(code, tc.line+"\n") || !strings.Contains(code, tc.mark+"\n") {
			t.Errorf("%s: the cut lacks the line %q or a mark of lines left out:\n%s", tc.target, tc.line, code)
		}
		if tc.sig != "" && (!strings.HasPrefix(code, tc.sig+"\n"+tc.mark+"\n") || strings.HasPrefix(code, tc.sig+"\n"+tc.mark+"\n"+strings.TrimPrefix(tc.end, tc.mark+"\n"))) {
			t.Errorf("%s: the cut does not start with the signature and a mark, then the lines:\n%.200s", tc.target, code)
		}
		// It ends as the unit does, its closing line once.
		closing := tc.end[strings.LastIndexByte(tc.end, '\n')+1:]
		if !strings.HasSuffix(code, "\n"+tc.end) || strings.Count(code, "\n"+closing+"\n") > 0 {
			t.Errorf("%s: the cut does not end with %q, its closing line once:\n…%s", tc.target, tc.end, code[max(0, len(code)-200):])
		}
		if c.Tokens > c.Budget || strings.Count(code, "\n") < 20 {
			t.Errorf("%s: %d tokens of %d with %d lines; want a fitting cut of more than a few lines", tc.target, c.Tokens, c.Budget, strings.Count(code, "\n"))
		}
		if !strings.Contains(c.Target.Reason, "cut to lines") || !strings.Contains(c.Prompt[len(c.Prompt)-1].Content, tc.line) {
			t.Errorf("%s: reason %q; or the prompt lacks the line", tc.target, c.Target.Reason)
		}
	}
	for _, req := range []Request{
		{Task: "explain", Target: "big.Huge", Window: 1000},
		{Task: "explain", Target: "Big.huge/1", Window: 1000},
		{Task: "gen-tests", Target: fmt.Sprintf("big.go:%d", lineOf(t, goSrc, "x += 300 *")), Window: 1000},
	} {
		req.Root, req.Count = e.root, o200k
		_, err := e.b.Build(context.Background(), req)
		var tl *TooLongError
		if !errors.As(err, &tl) {
			t.Errorf("%s %s: err = %v; want the target refused whole", req.Task, req.Target, err)
		}
	}
}

// TestTargetLineRange: PATH:START-END, as aiex prints a unit's lines in
// search and context, names the unit at START, as PATH:START does; a
// malformed range is no line (a usage error).
func TestTargetLineRange(t *testing.T) {
	e := setupFiles(t, bigUnits)
	start := lineOf(t, bigUnits["big.go"], "func Small")
	c := e.build(t, Request{Target: fmt.Sprintf("big.go:%d-%d", start, start), Window: 4096})
	if c.Target == nil || c.Target.Name != "big.Small" {
		t.Errorf("PATH:START-END: target %+v; want big.Small", c.Target)
	}
	// A range over several units says which, and what to give instead;
	// one that ends before it starts is a mistake too.
	huge := lineOf(t, bigUnits["big.go"], "func Huge")
	for target, want := range map[string]string{
		fmt.Sprintf("big.go:%d-%d", huge, start): fmt.Sprintf("lines %d-%d of big.go hold 2 units (big.Huge at %d, big.Small at %d); give PATH:LINE of one, or PATH for the whole file", huge, start, huge-2, start),
		fmt.Sprintf("big.go:%d-%d", start, huge): "ends before it starts",
	} {
		_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: target, Window: 4096, Count: o200k})
		if ue := usererr.As(err); ue == nil || ue.ExitCode() != usererr.ExitUsage || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v; want a usage error with %q", target, err, want)
		}
	}
	// A range over one unit from a blank line of a module is that unit.
	ex := bigUnits["lib/big.ex"]
	c = e.build(t, Request{Target: fmt.Sprintf("lib/big.ex:1-%d", lineOf(t, ex, "x = base")), Window: 100000})
	if c.Target == nil || c.Target.Name != "Big.huge/1" {
		t.Errorf("range over one unit of a module: target %+v; want Big.huge/1", c.Target)
	}
	for _, target := range []string{"big.go:5-", "big.go:-5", "big.go:a-b", "big.go:1-2-3"} {
		_, err := e.b.Build(context.Background(), Request{Task: "explain", Root: e.root, Target: target, Window: 4096, Count: o200k})
		if err == nil || !strings.Contains(err.Error(), "is not a line number") {
			t.Errorf("%s: err = %v; want not a line number", target, err)
		}
	}
}

// TestTargetRangeOfHugeUnit: PATH:START-END inside a unit too large for
// the window is cut around the range, not around START alone: a range
// that fits goes whole with lines on both sides; a longer one from START
// on, as many of its lines as fit.
func TestTargetRangeOfHugeUnit(t *testing.T) {
	e := setupFiles(t, bigUnits)
	src := bigUnits["big.go"]
	line := func(i int) int { return lineOf(t, src, fmt.Sprintf("x += %d *", i)) }
	text := func(i int) string { return fmt.Sprintf("\tx += %d * len(\"literal number %d\")", i, i) }
	c := e.build(t, Request{Target: fmt.Sprintf("big.go:%d-%d", line(200), line(210)), Question: "what do these lines do?", Window: 1000})
	if c.Target == nil || c.Target.Form != FormLines || !strings.Contains(c.Target.Code, text(200)+"\n") || !strings.Contains(c.Target.Code, text(210)+"\n") ||
		!strings.Contains(c.Target.Code, text(199)+"\n") || !strings.Contains(c.Target.Code, text(211)+"\n") {
		t.Fatalf("short range: target %+v; want lines 200-210 and some on both sides", c.Target)
	}
	if want := fmt.Sprintf("around lines %d-%d", line(200), line(210)); !strings.Contains(c.Target.Reason, want) {
		t.Errorf("short range: reason %q; want %q", c.Target.Reason, want)
	}
	c = e.build(t, Request{Target: fmt.Sprintf("big.go:%d-%d", line(200), line(500)), Question: "what do these lines do?", Window: 1000})
	if c.Target == nil || c.Target.Form != FormLines || !strings.Contains(c.Target.Code, "\t// …\n"+text(200)+"\n") || strings.Contains(c.Target.Code, text(199)+"\n") {
		t.Errorf("long range: target code:\n%.300s\nwant it cut from line 200 on", c.Target.Code)
	}
}
