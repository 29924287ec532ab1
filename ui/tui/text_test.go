package tui

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	xansi "github.com/charmbracelet/x/ansi"

	"github.com/aiex-dev/aiex/app/events"
	"github.com/aiex-dev/aiex/app/parse"
	"github.com/aiex-dev/aiex/app/session"
	"github.com/aiex-dev/aiex/app/testgen"
	"github.com/aiex-dev/aiex/app/workflow"
)

// hostile is text with what a terminal acts on: clear the screen, move
// home, a colour, a bell, a carriage return, a C1 CSI, a tab.
const hostile = "\x1b[2J\x1b[Hwiped\x1b[41m\a\rover\u009b31m\ttab"

// sgrOnly fails unless every escape on screen is a colour or attribute
// (the cursor's reverse video) and no other control character is there.
func sgrOnly(t *testing.T, screen string) {
	t.Helper()
	rest := regexp.MustCompile(`\x1b\[[0-9;]*m`).ReplaceAllString(screen, "")
	for i, r := range rest {
		if r < 0x20 && r != '\n' || r >= 0x7f && r < 0xa0 {
			t.Fatalf("control character %q at %d reaches the terminal:\n%q", r, i, screen)
		}
	}
}

// TestControlCharactersNeverReachTheTerminal: prompts asked from other
// interfaces, their actor, errors, session titles, file names — none of
// them draws escapes or control characters; their text shows, and a
// file's name shows them escaped.
func TestControlCharactersNeverReachTheTerminal(t *testing.T) {
	f := newFake()
	d := doc("aaaa", 2, "recorded "+hostile, "an answer")
	d.Session.Title = "title " + hostile
	f.docs["aaaa"] = d
	f.list = []session.Info{d.Session}
	f.askErr = errors.New("provider said " + hostile)
	f.nextTurn = 2
	o := plain
	o.Session = "aaaa"
	h := newHarness(t, f, o, 100, 50)
	h.untilScreen("an answer")
	h.gotSub()
	f.feed <- []events.Event{event(5, "aaaa", 3, session.TypeTurnStarted, "cli"+hostile, session.TurnStarted{Turn: 2, Prompt: "live " + hostile})}
	h.untilScreen("live ")
	h.typeText("q")
	h.press("enter")
	h.untilScreen("✗ provider said ")
	sgrOnly(t, h.screen())
	for _, want := range []string{"recorded wipedover31m    tab", "live wipedover31m    tab", "You (cliwipedover31m tab)"} {
		if !strings.Contains(h.screen(), want) {
			t.Errorf("%q not on screen:\n%s", want, h.screen())
		}
	}

	f.set(func(f *fakeBackend) {
		f.work.files = &Files{Indexed: true, List: []File{{Path: "lib/" + hostile + ".go"}}}
	})
	h.press("ctrl+o")
	h.untilScreen("title wipedover31m tab")
	sgrOnly(t, h.screen())
	h.press("ctrl+o")
	// A file's name is quoted with its characters escaped, not dropped:
	// the name on screen is the name on disk.
	h.untilScreen(`"lib/\x1b[2J\x1b[Hwiped`)
	sgrOnly(t, h.screen())
}

// TestProposalOfCRLFFile: the hunks of a file with CRLF line ends show
// their text; the carriage returns would send the cursor back over it.
func TestProposalOfCRLFFile(t *testing.T) {
	root := t.TempDir()
	old := "package calc\r\n\r\nconst A = 1\r\n"
	if err := os.WriteFile(filepath.Join(root, "calc.go"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	f := newFake()
	f.work.taskResult = &TaskResult{Proposal: &workflow.Proposal{Task: "refactor", Target: "calc.go",
		Checks:  []workflow.Check{{Name: "applies", Status: workflow.OK}},
		Files:   []workflow.FileChange{{Path: "calc.go", Status: "modified", Added: 1, Removed: 1}},
		Changes: []parse.Change{{Path: "calc.go", OldPath: "calc.go", Content: []byte(strings.Replace(old, "1", "2", 1))}},
	}}
	o := plain
	o.Root = root
	h := newHarness(t, f, o, 80, 24)
	h.typeText("/refactor calc.go bigger")
	h.press("enter")
	h.until("the proposal", func() bool { return h.m.prop != nil })
	h.untilScreen("    -const A = 1 ", "    +const A = 2 ")
	sgrOnly(t, h.screen())
}

// TestHelpCommandsAligned: the help's commands and what they do are two
// columns, whatever characters the commands' arguments use (…).
func TestHelpCommandsAligned(t *testing.T) {
	h := newHarness(t, newFake(), plain, 100, 40)
	h.press("?")
	col := -1
	for _, c := range slashHelp {
		for _, l := range strings.Split(h.screen(), "\n") {
			i := strings.Index(l, c[1])
			if !strings.Contains(l, c[0]) || i < 0 {
				continue
			}
			at := xansi.StringWidth(l[:i])
			if col >= 0 && at != col {
				t.Errorf("%q starts at column %d; the others at %d", c[1], at, col)
			}
			col = at
		}
	}
	if col < 0 {
		t.Fatalf("no command in the help:\n%s", h.screen())
	}
}

// TestProposalTestsScoreParts: a gen tests proposal's score line says what
// the score is made of, as the CLI's does, not a bare number that reads
// as a share of tests passing.
func TestProposalTestsScoreParts(t *testing.T) {
	root := t.TempDir()
	old := "package calc\n"
	if err := os.WriteFile(filepath.Join(root, "calc.go"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	f := newFake()
	f.work.taskResult = &TaskResult{
		Proposal: &workflow.Proposal{Task: "refactor", Target: "calc.go",
			Checks:  []workflow.Check{{Name: "applies", Status: workflow.OK}},
			Files:   []workflow.FileChange{{Path: "calc_test.go", Status: "added", Added: 1}},
			Changes: []parse.Change{{Path: "calc_test.go", Content: []byte("package calc\n")}},
		},
		Tests: &testgen.Report{Compiles: true, Passed: false, Score: 1.0 / 3, Summary: "1 of 3 tests fail (TestAdd); score 0.33"},
	}
	o := plain
	o.Root = root
	h := newHarness(t, f, o, 120, 24)
	h.typeText("/refactor calc.go bigger")
	h.press("enter")
	h.until("the proposal", func() bool { return h.m.prop != nil })
	h.untilScreen("score 0.33 = (compiles 1 + passes 0")
}
