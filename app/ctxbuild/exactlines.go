package ctxbuild

import (
	"bytes"
	"strings"

	"github.com/aiex-dev/aiex/app/prompt"
)

// notFileText marks a snippet whose code is not the file's text for its
// lines — a signature, a cut, a header rewritten to the imports a unit
// uses or with its @moduledoc cut, an outline —: its heading then gives
// no lines. A model answering with a diff copies the lines a heading
// names as the file's, and a diff built on a rewritten header fails to
// apply.
const notFileText = "not the file's exact text"

// exactLines returns s as the prompt is to show it: with the lines its
// heading names (StartLine, EndLine) only when its code is the file's
// text from StartLine on, EndLine set to the code's last line (a last line
// saying how many more lines were cut, cutToFit's, is no line of it); else
// without any, its name marked as not the file's text (form, the item's,
// words it). A snippet without lines (a package's files) or whose file
// cannot be read now, and any when files is nil (no files read: a test's
// items), goes as it is.
func (f *fileCache) exactLines(s prompt.Snippet, form string) prompt.Snippet {
	if f == nil || s.StartLine <= 0 {
		return s
	}
	starts, src := f.lineStarts(s.Path)
	if starts == nil {
		return s
	}
	code := strings.TrimRight(s.Code, "\n") // as the prompt's fence shows it
	code, _ = cutMarked(code)
	n := strings.Count(code, "\n") + 1
	first, last := s.StartLine-1, s.StartLine-1+n // 0-based, last excluded
	if last <= len(starts) {
		end := len(src)
		if last < len(starts) {
			end = starts[last]
		}
		text := bytes.TrimRight(src[starts[first]:end], "\n")
		if string(text) == code {
			s.EndLine = 0
			if n > 1 {
				s.EndLine = s.StartLine + n - 1
			}
			return s
		}
	}
	s.StartLine, s.EndLine = 0, 0
	switch {
	case s.Name != "":
		s.Name += "; shortened, " + notFileText
	case form == FormOutline:
		s.Name = "the file in outline, " + notFileText // a file's name is its path
	default:
		s.Name = "shortened, " + notFileText
	}
	return s
}

// cutMarked is code without its last line when that says how many lines
// of the unit were left out after it ("… (12 more lines)", cutToFit): the
// lines before it may still be the file's.
func cutMarked(code string) (string, bool) {
	i := strings.LastIndexByte(code, '\n')
	if i < 0 {
		return code, false
	}
	last := code[i+1:]
	n, ok := strings.CutPrefix(last, "… (")
	if n, ok = strings.CutSuffix(n, " more lines)"); !ok || n == "" || strings.Trim(n, "0123456789") != "" {
		return code, false
	}
	return code[:i], true
}

// lineStarts returns the byte offsets at which the lines of the file p
// start, and its text; nil if it cannot be read.
func (f *fileCache) lineStarts(p string) ([]int, []byte) {
	src, err := f.read(p)
	if err != nil {
		return nil, nil
	}
	if starts, ok := f.starts[p]; ok {
		return starts, src
	}
	starts := []int{0}
	for i := 0; ; {
		j := bytes.IndexByte(src[i:], '\n')
		if j < 0 || i+j+1 >= len(src) {
			break
		}
		i += j + 1
		starts = append(starts, i)
	}
	if f.starts == nil {
		f.starts = map[string][]int{}
	}
	f.starts[p] = starts
	return starts, src
}

// diffs reports whether a task's answer is a diff against the files its
// prompt shows (refactor): what goes under a file's lines must be their
// text, and a Go header goes as it is (preamble).
func diffs(task string) bool { return task == "refactor" }

// fileLines is the text of src's lines first to last (from 1), without
// the last's newline; ok is false if src has fewer.
func fileLines(src []byte, first, last int) (string, bool) {
	if first < 1 || last < first {
		return "", false
	}
	lines := strings.SplitAfterN(string(src), "\n", last+1)
	if len(lines) < last {
		return "", false
	}
	return strings.TrimSuffix(strings.Join(lines[first-1:last], ""), "\n"), true
}
