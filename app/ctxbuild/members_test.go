package ctxbuild

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/usererr"
)

// TestTargetGroupMember: a name declared in a Go const group is a target:
// the group, whose chunk name shows at most four of its names, bare or
// qualified by its package, one letter long or not.
func TestTargetGroupMember(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"http/status.go": `package http

// Status codes.
const (
	StatusContinue           = 100
	StatusSwitchingProtocols = 101
	StatusProcessing         = 102
	StatusEarlyHints         = 103
	StatusOK                 = 200
)
`,
		"main.go": "package main\n\nconst (\n\tA = iota\n\tB\n)\n\nfunc main() { println(A, B) }\n",
	})
	status := "http.{StatusContinue,StatusSwitchingProtocols,StatusProcessing,StatusEarlyHints,…}"
	for target, want := range map[string]struct{ name, code string }{
		"http.StatusOK": {status, "StatusOK                 = 200"},
		"StatusOK":      {status, "StatusOK                 = 200"},
		"main.B":        {"main.{A,B}", "A = iota"},
		"A":             {"main.{A,B}", "A = iota"},
	} {
		c := e.build(t, Request{Target: target, Question: "what is it?", Window: 8000})
		if c.Target == nil || c.Target.Name != want.name {
			t.Errorf("%s: target %+v; want %s", target, c.Target, want.name)
			continue
		}
		if c.Included[0].Role != RoleTarget || !strings.Contains(c.Included[0].Code, want.code) {
			t.Errorf("%s: first item %+v; want the group", target, c.Included[0])
		}
	}
	// Another package's name is not found.
	req := Request{Root: e.root, Task: "explain", Target: "main.StatusOK", Question: "q", Window: 8000, Count: o200k}
	if _, err := e.b.Build(t.Context(), req); err == nil || !strings.Contains(err.Error(), "no file or symbol") {
		t.Errorf("main.StatusOK: %v; want no file or symbol", err)
	}
}

// bigGroups are Go const groups too large for a small window: one of
// values, each with its doc comment, and one of iota.
var bigGroups = func() string {
	var b strings.Builder
	b.WriteString("package http\n\n// Status codes.\nconst (\n")
	for i := range 150 {
		fmt.Fprintf(&b, "\t// Status%d is code %d, documented at some length.\n\tStatus%d = %d\n", i, i, i, i)
		if i == 70 {
			b.WriteString("\n\t// StatusOK is the code of success,\n\t// said on two lines.\n\tStatusOK = 200 // RFC 9110, 15.3.1\n\n")
		}
	}
	b.WriteString(")\n\n// Kinds.\nconst (\n\tKindNone Kind = iota // no kind\n")
	for i := range 150 {
		fmt.Fprintf(&b, "\tKind%d\n", i)
	}
	b.WriteString(")\n\ntype Kind int\n")
	return b.String()
}()

// TestTargetGroupMemberCut: a member of a group too large for the window
// takes the group cut to its lines, for the tasks that only read it; a
// group that fits goes whole, and a task that changes it still needs it
// whole.
func TestTargetGroupMemberCut(t *testing.T) {
	e := setupFiles(t, map[string]string{"http/status.go": bigGroups})
	for target, want := range map[string]string{
		"http.StatusOK": "const (\n\t// …\n\t// StatusOK is the code of success,\n\t// said on two lines.\n\tStatusOK = 200 // RFC 9110, 15.3.1\n\t// …\n)",
		"Status0":       "const (\n\t// Status0 is code 0, documented at some length.\n\tStatus0 = 0\n\t// …\n)",
		"http.Kind7":    "const (\n\tKindNone Kind = iota // no kind\n\t// …\n\tKind7\n\t// …\n)",
	} {
		c := e.build(t, Request{Target: target, Question: "what is it?", Window: 600})
		if c.Target.Form != FormMember || c.Target.Code != want || !strings.Contains(c.Target.Reason, "cut to the lines declaring") {
			t.Errorf("%s: %s (%s):\n%s\nwant:\n%s", target, c.Target.Form, c.Target.Reason, c.Target.Code, want)
		}
		if c.Included[0].Form != FormMember || !strings.Contains(c.Prompt[len(c.Prompt)-1].Content, want) {
			t.Errorf("%s: the prompt lacks the cut group", target)
		}
	}
	// The prompt names what it shows: the member and the lines declaring
	// it (its doc comment too), not the group, whose name lists four
	// other members and whose lines are all of it.
	line := func(text string) int {
		t.Helper()
		i := strings.Index(bigGroups, text)
		if i < 0 {
			t.Fatalf("no %q in the file", text)
		}
		return 1 + strings.Count(bigGroups[:i], "\n")
	}
	for target, want := range map[string]string{
		"http.StatusOK": fmt.Sprintf("Explain http.StatusOK, http/status.go:%d-%d:\n", line("\t// StatusOK is"), line("\tStatusOK = 200")),
		"Status0":       fmt.Sprintf("Explain http.Status0, http/status.go:%d-%d:\n", line("\t// Status0 is"), line("\tStatus0 = 0")),
		"http.Kind7":    fmt.Sprintf("Explain http.Kind7, http/status.go:%d:\n", line("\tKind7\n")),
	} {
		c := e.build(t, Request{Target: target, Question: "what is it?", Window: 600})
		if p := c.Prompt[len(c.Prompt)-1].Content; !strings.Contains(p, want) {
			t.Errorf("%s: prompt\n%s\nwant it to say %q", target, p, want)
		}
	}
	// A group sent whole is named as the group.
	if c := e.build(t, Request{Target: "http.StatusOK", Question: "q", Window: 32000}); !strings.Contains(c.Prompt[len(c.Prompt)-1].Content, "Explain http.{Status0,") {
		t.Errorf("in a large window: prompt\n%s\nwant the group named", c.Prompt[len(c.Prompt)-1].Content)
	}
	if c := e.build(t, Request{Target: "http.StatusOK", Question: "q", Window: 32000}); c.Target.Form != FormFull {
		t.Errorf("in a large window: %s; want the group whole", c.Target.Form)
	}
	_, err := e.b.Build(t.Context(), Request{Task: "refactor", Root: e.root, Target: "http.StatusOK", Window: 600, Count: o200k})
	if usererr.As(err) == nil || !strings.Contains(err.Error(), "larger window") {
		t.Errorf("refactor: %v; want too long", err)
	}
}

// TestTargetGroupMemberInLaterPiece: a member of a group the chunker split
// into pieces is cut to its own lines whichever piece declares it, not
// only the first: the group is joined again, and its name is its.
func TestTargetGroupMemberInLaterPiece(t *testing.T) {
	var b strings.Builder
	b.WriteString("package r\n\n// Mid is a const block.\nconst (\n\tMid0 = iota\n")
	for i := 1; i < 400; i++ {
		fmt.Fprintf(&b, "\tMid%d // comment %d\n", i, i)
	}
	b.WriteString(")\n")
	e := setupFiles(t, map[string]string{"c.go": b.String()})
	proj, _, err := e.s.FindCodeProject(t.Context(), e.root)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := e.s.CodeChunks(t.Context(), proj.ID, "c.go")
	if err != nil || len(cs) < 3 {
		t.Fatalf("chunks %v, %v; want the group in two pieces or more", cs, err)
	}
	for _, member := range []string{"Mid10", "Mid380", "r.Mid399"} {
		name := member[strings.LastIndexByte(member, '.')+1:]
		c := e.build(t, Request{Target: member, Question: "what is it?", Window: 1536})
		want := "const (\n\tMid0 = iota\n\t// …\n\t" + name + " // comment " + strings.TrimPrefix(name, "Mid") + "\n"
		if c.Target == nil || c.Target.Form != FormMember || !strings.HasPrefix(c.Target.Code, want) || !strings.HasSuffix(c.Target.Code, "\n)") {
			t.Errorf("%s: target %+v; want the group cut to %s", member, c.Target, name)
		}
		// Mid0 is on line 5: MidN on 5+N.
		n, _ := strconv.Atoi(strings.TrimPrefix(name, "Mid"))
		if label := fmt.Sprintf("Explain r.%s, c.go:%d:\n", name, 5+n); !strings.Contains(c.Prompt[len(c.Prompt)-1].Content, label) {
			t.Errorf("%s: the prompt does not say %q", member, label)
		}
	}
}
