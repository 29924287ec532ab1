package testgen

import (
	"bytes"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/aiex-dev/aiex/app/workflow"
)

// Command, Runner and Exec are app/workflow's: the same runner (one that
// confines the child, from the app) serves the checks of every task.
type (
	Command = workflow.Command
	Runner  = workflow.Runner
	Exec    = workflow.Exec
)

// Toolchain reports whether the tests of lang ("go" or "elixir") can be
// run here: the go command, or mix and elixir, in PATH. When not, why says
// what is missing, as a sentence for the user.
func Toolchain(lang string) (available bool, why string) {
	var progs []string
	switch lang {
	case LangGo:
		progs = []string{"go"}
	case LangElixir:
		progs = []string{"mix", "elixir"}
	default:
		return false, "aiex cannot run " + lang + " tests (only Go and Elixir)"
	}
	for _, p := range progs {
		if _, err := exec.LookPath(p); err != nil {
			return false, p + " is not in PATH, so the generated tests were not run"
		}
	}
	return true, ""
}

// Output limits: what a sink keeps of a command's output.
const (
	tailLines   = 60   // Report.Output keeps the last tailLines lines
	maxLineLen  = 2000 // longer lines are cut (a line without newlines can be huge)
	mutantLines = 20   // Mutant.Output keeps fewer
)

// sink receives a command's combined output line by line, hands each
// complete line to its line func and keeps the last lines for the report.
// It bounds memory whatever the command prints.
type sink struct {
	mu sync.Mutex
	// line is called with each line, without its newline, and returns the
	// text to keep for the report, if any; nil keeps every line as it is.
	line    func(string) (string, bool)
	keep    int      // lines kept by tail
	partial []byte   // an unfinished line
	cut     bool     // partial was truncated
	tail    []string // ring of the last lines
	next    int      // ring position
	total   int      // lines seen
}

func newSink(keep int, line func(string) (string, bool)) *sink {
	return &sink{keep: keep, line: line}
}

// Write implements io.Writer.
func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			s.add(p)
			break
		}
		s.add(p[:i])
		s.flush()
		p = p[i+1:]
	}
	return n, nil
}

func (s *sink) add(p []byte) {
	if room := maxLineLen - len(s.partial); len(p) > room {
		p = p[:max(room, 0)]
		s.cut = true
	}
	s.partial = append(s.partial, p...)
}

func (s *sink) flush() {
	l := strings.TrimRight(string(s.partial), "\r")
	// A carriage return within a line rewrites it on a terminal: ExUnit's
	// --trace prints "  * test adds [L#4]", then "\r" and the same with
	// its time once it ends. Keep what the terminal would show.
	if i := strings.LastIndexByte(l, '\r'); i >= 0 {
		l = l[i+1:]
	}
	if s.cut {
		l += " …"
	}
	s.partial, s.cut = s.partial[:0], false
	if s.line != nil {
		var ok bool
		if l, ok = s.line(l); !ok {
			return
		}
	}
	s.keepLine(l)
}

// keepLine adds l to the tail.
func (s *sink) keepLine(l string) {
	s.total++
	if len(s.tail) < s.keep {
		s.tail = append(s.tail, l)
		return
	}
	if s.keep > 0 {
		s.tail[s.next] = l
		s.next = (s.next + 1) % s.keep
	}
}

// close handles an unfinished last line.
func (s *sink) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.partial) > 0 || s.cut {
		s.flush()
	}
}

// text is the kept tail, the last n lines at most, oldest first, without
// blank lines at either end, with a note saying how many lines came
// before.
func (s *sink) text(n int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := append(append([]string(nil), s.tail[s.next:]...), s.tail[:s.next]...)
	earlier := s.total - len(all)
	lines := trimBlank(all)
	if len(lines) > 0 {
		earlier += slices.Index(all, lines[0]) // blank lines trimmed at the front
	}
	if len(lines) > n {
		earlier += len(lines) - n
		lines = lines[len(lines)-n:]
	}
	out := strings.Join(lines, "\n")
	if earlier > 0 && out != "" {
		out = "… (" + strconv.Itoa(earlier) + " earlier lines)\n" + out
	}
	return out
}

// trimBlank drops blank lines at both ends.
func trimBlank(lines []string) []string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}
