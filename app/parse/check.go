package parse

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/bluekeyes/go-gitdiff/gitdiff"
)

// Change is the effect of one FileDiff on the project, for a sandbox to write.
type Change struct {
	// Path is the file to write, or to remove when Delete is set.
	Path string
	// OldPath is the file the change was computed from: "" for a new file,
	// different from Path for a rename (then OldPath goes away).
	OldPath string
	// Content is the file's new contents; nil when Delete is set.
	Content []byte
	Delete  bool
	// Notes say where hunks were placed other than as written, e.g.
	// "hunk 2 applied at line 31 (offset +3)"; empty when all applied as is.
	Notes []string
	// Base is what the change was computed from, so that it is never
	// written over a file changed since: the hex SHA-256 of the file at
	// OldPath, or NoFile for a new file (Path must not exist then). ""
	// checks nothing.
	Base string
}

// NoFile is the Base of a change that creates its file.
const NoFile = "none"

// CheckError says why a diff does not apply: which file, and for a hunk
// that does not fit, which hunk and which line of the file.
type CheckError struct {
	Path       string
	Hunk       int    // 1-based hunk of the file's diff; 0 for a problem with the file itself
	AnswerLine int    // answer line of the hunk (or file) header; 0 if unknown
	Line       int    // 1-based line of the file where the hunk stops fitting; 0 if none
	Reason     string // what is wrong, e.g. `line 12 is "end" but the diff expects "  end"`
	Err        error  // the cause, if any
}

func (e *CheckError) Error() string {
	at := ""
	if e.AnswerLine > 0 {
		at = fmt.Sprintf(" (answer line %d)", e.AnswerLine)
	}
	if e.Hunk > 0 {
		return fmt.Sprintf("%s: hunk %d%s does not apply: %s", e.Path, e.Hunk, at, e.Reason)
	}
	return fmt.Sprintf("%s%s: %s", e.Path, at, e.Reason)
}

func (e *CheckError) Unwrap() error { return e.Err }

// Check works out what diffs would do to the project without writing
// anything: it reads each file through read (which should return an error
// wrapping fs.ErrNotExist for a missing file), applies the diff with
// go-gitdiff and returns the new contents. Diffs apply in order, so a later
// diff of the same file sees the earlier one's result.
//
// Hunks must match the file exactly, as git apply requires, but may sit at
// other lines than their headers say; a hunk that matches nowhere exactly may
// still match ignoring trailing whitespace, then ignoring indentation (if it
// matches only one place). Notes record such placements. CRLF files are
// matched line for line against the diff and keep their line endings.
//
// If any file does not apply, Check returns no changes and an error joining
// one *CheckError per failing file.
func Check(diffs []*FileDiff, read func(path string) ([]byte, error)) ([]Change, error) {
	type state struct {
		content []byte
		gone    bool
	}
	overlay := map[string]state{}
	get := func(p string) ([]byte, error) {
		if s, ok := overlay[p]; ok {
			if s.gone {
				return nil, fs.ErrNotExist
			}
			return s.content, nil
		}
		return read(p)
	}

	var changes []Change
	var errs []error
	for _, d := range diffs {
		c, err := checkFile(d, get)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if c.OldPath != "" && c.OldPath != c.Path {
			overlay[c.OldPath] = state{gone: true}
		}
		overlay[c.Path] = state{content: c.Content, gone: c.Delete}
		changes = append(changes, c)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return changes, nil
}

func checkFile(d *FileDiff, read func(string) ([]byte, error)) (Change, error) {
	c := Change{Path: d.Path(), OldPath: d.OldName, Delete: d.IsDelete}
	fail := func(hunk, line int, err error, format string, args ...any) error {
		e := &CheckError{Path: c.Path, Hunk: hunk, Line: line, Reason: fmt.Sprintf(format, args...), Err: err, AnswerLine: d.Line}
		if hunk > 0 && hunk <= len(d.HunkLines) {
			e.AnswerLine = d.HunkLines[hunk-1]
		}
		return e
	}
	if d.IsBinary {
		return c, fail(0, 0, nil, "binary diffs are not supported")
	}

	var src []byte
	if d.IsNew {
		b, err := read(d.NewName)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return c, fail(0, 0, err, "cannot read it: %v", err)
		case len(b) > 0:
			return c, fail(0, 0, fs.ErrExist, "the diff creates it, but it already exists")
		}
	} else {
		b, err := read(d.OldName)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			e := fail(0, 0, err, "the diff changes it, but it does not exist").(*CheckError)
			e.Path = d.OldName
			return c, e
		case err != nil:
			return c, fail(0, 0, err, "cannot read it: %v", err)
		}
		src = b
		if d.IsRename && d.NewName != d.OldName {
			// A rename onto a file that exists would replace it, which the
			// diff does not say: git refuses such a rename too.
			if _, err := read(d.NewName); err == nil {
				return c, fail(0, 0, fs.ErrExist, "the diff renames %s to it, but it already exists", d.OldName)
			}
		}
	}

	crlf := isCRLF(src)
	if crlf {
		src = bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	}

	// Place each hunk, in file order, and apply the placed hunks.
	lines := splitKeep(string(src))
	order := make([]int, len(d.TextFragments))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return int(d.TextFragments[a].OldPosition - d.TextFragments[b].OldPosition)
	})
	placed := make([]*gitdiff.TextFragment, 0, len(order))
	hunkOf := make([]int, 0, len(order)) // placed index -> 1-based hunk number
	from := 0
	for _, i := range order {
		p, err := place(lines, d.TextFragments[i], from)
		if err != nil {
			return c, fail(i+1, err.line, nil, "%s", err.reason)
		}
		if p.note != "" {
			c.Notes = append(c.Notes, fmt.Sprintf("hunk %d %s", i+1, p.note))
		}
		if p.merge {
			// Lines added right after the previous hunk join it: any
			// context line they borrowed would overlap it.
			prev := placed[len(placed)-1]
			fl := fixNoEOL(append(slices.Clone(prev.Lines), p.frag.Lines...))
			placed[len(placed)-1] = fragment(prev.OldPosition, prev.NewPosition, fl, prev.Comment)
			continue
		}
		placed = append(placed, p.frag)
		hunkOf = append(hunkOf, i+1)
		from = p.end
	}
	if d.IsDelete && len(placed) > 0 {
		var listed int64
		for _, p := range placed {
			listed += p.OldLines
		}
		if listed != int64(len(lines)) {
			return c, fail(0, 0, nil, "the diff deletes it, but lists %d of its %d lines; the file has changed since", listed, len(lines))
		}
	}

	f := *d.File
	f.TextFragments = placed
	var out bytes.Buffer
	if err := gitdiff.Apply(&out, bytes.NewReader(src), &f); err != nil {
		var ae *gitdiff.ApplyError
		if errors.As(err, &ae) && ae.Fragment > 0 && ae.Fragment <= len(hunkOf) {
			return c, fail(hunkOf[ae.Fragment-1], int(ae.Line), err, "%v", ae)
		}
		return c, fail(0, 0, err, "%v", err)
	}
	if d.IsDelete {
		return c, nil
	}
	c.Content = out.Bytes()
	if crlf {
		c.Content = bytes.ReplaceAll(c.Content, []byte("\n"), []byte("\r\n"))
	}
	if c.Content == nil {
		c.Content = []byte{}
	}
	return c, nil
}

// isCRLF reports whether every line of b ends in CRLF.
func isCRLF(b []byte) bool {
	n := bytes.Count(b, []byte("\r\n"))
	return n > 0 && n == bytes.Count(b, []byte("\n"))
}

// placement is a hunk placed in the file: a fragment go-gitdiff applies as
// is, and the line index after its preimage.
type placement struct {
	frag  *gitdiff.TextFragment
	end   int
	note  string
	merge bool // frag's lines (all additions) go at the end of the previous hunk
}

type placeError struct {
	line   int
	reason string
}

// Ways to compare a hunk's line with a file's line, strictest first.
type matchLevel int

const (
	matchExact matchLevel = iota
	matchTrailingSpace
	matchIndent
)

func (m matchLevel) equal(a, b string) bool {
	switch m {
	case matchExact:
		return a == b
	case matchTrailingSpace:
		return strings.TrimRight(a, " \t\r\n") == strings.TrimRight(b, " \t\r\n")
	default:
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
}

// place finds where fragment f fits in lines at or after line index from.
func place(lines []string, f *gitdiff.TextFragment, from int) (placement, *placeError) {
	var pre []string
	for _, l := range f.Lines {
		if l.Old() {
			pre = append(pre, l.Line)
		}
	}
	stated := max(int(f.OldPosition)-1, 0)

	if len(pre) == 0 {
		return placeInsertion(lines, f, from)
	}

	blank := true
	for _, l := range pre {
		if strings.TrimSpace(l) != "" {
			blank = false
			break
		}
	}
	for level := matchExact; level <= matchIndent; level++ {
		if level > matchExact && blank {
			break
		}
		at, unique := find(lines, pre, from, stated, level)
		if at < 0 || (level == matchIndent && !unique) {
			continue
		}
		fl := slices.Clone(f.Lines)
		if level > matchExact {
			fl = rewriteOld(fl, lines[at:at+len(pre)])
		}
		p := placement{
			frag: fragment(int64(at+1), shiftNew(f, at-stated), fl, f.Comment),
			end:  at + len(pre),
		}
		var notes []string
		if at != stated {
			notes = append(notes, fmt.Sprintf("applied at line %d (offset %+d)", at+1, at-stated))
		}
		switch level {
		case matchTrailingSpace:
			notes = append(notes, "matched ignoring trailing whitespace")
		case matchIndent:
			notes = append(notes, "matched ignoring indentation")
		}
		p.note = strings.Join(notes, ", ")
		return p, nil
	}
	return placement{}, explainMismatch(lines, pre, from, stated)
}

// placeInsertion places a hunk that only adds lines. go-gitdiff puts
// "-N,0" lines before line N (the format means after it) and refuses "-0,0"
// on a non-empty file, so the hunk is given one line of context instead — or,
// right after the previous hunk, is merged into it.
func placeInsertion(lines []string, f *gitdiff.TextFragment, from int) (placement, *placeError) {
	after := int(f.OldPosition) // insert after this 1-based line; 0 = at the top
	if after > len(lines) {
		return placement{}, &placeError{reason: fmt.Sprintf("it adds lines after line %d, but the file has %d lines", after, len(lines))}
	}
	if after < from {
		return placement{}, &placeError{line: after, reason: "it adds lines inside an earlier hunk"}
	}
	if len(lines) == 0 {
		return placement{frag: f, end: 0}, nil
	}
	if after == from && from > 0 {
		return placement{frag: f, end: from, merge: true}, nil
	}
	var fl []gitdiff.Line
	if after == 0 {
		fl = append(slices.Clone(f.Lines), gitdiff.Line{Op: gitdiff.OpContext, Line: lines[0]})
		fl = fixNoEOL(fl)
		return placement{frag: fragment(1, 1, fl, f.Comment), end: 1}, nil
	}
	fl = append([]gitdiff.Line{{Op: gitdiff.OpContext, Line: lines[after-1]}}, f.Lines...)
	fl = fixNoEOL(fl)
	return placement{frag: fragment(int64(after), int64(after), fl, f.Comment), end: after}, nil
}

// find returns the index of the placement of pre nearest to stated, at or
// after from, and whether it is the only one.
func find(lines, pre []string, from, stated int, level matchLevel) (at int, unique bool) {
	matches := func(i int) bool {
		for j, p := range pre {
			if !level.equal(lines[i+j], p) {
				return false
			}
		}
		return true
	}
	last := len(lines) - len(pre)
	if last < from {
		return -1, false
	}
	at, count := -1, 0
	for i := from; i <= last; i++ {
		if !matches(i) {
			continue
		}
		count++
		if at < 0 || abs(i-stated) < abs(at-stated) {
			at = i
		}
	}
	return at, count == 1
}

// explainMismatch finds where the hunk fits best and names the first line
// there that differs.
func explainMismatch(lines, pre []string, from, stated int) *placeError {
	best, bestScore := -1, 0
	for i := from; i < len(lines); i++ {
		score := 0
		for j := 0; j < len(pre) && i+j < len(lines); j++ {
			if matchTrailingSpace.equal(lines[i+j], pre[j]) {
				score++
			}
		}
		if score > bestScore || (score == bestScore && score > 0 && abs(i-stated) < abs(best-stated)) {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		if stated >= len(lines) {
			return &placeError{reason: fmt.Sprintf("it starts at line %d, but the file has %d lines", stated+1, len(lines))}
		}
		best = max(stated, from)
	}
	for j, p := range pre {
		i := best + j
		if i >= len(lines) {
			return &placeError{line: len(lines), reason: fmt.Sprintf("the file ends at line %d, but the diff expects %s next", len(lines), quoteLine(p))}
		}
		if !matchTrailingSpace.equal(lines[i], p) {
			return &placeError{line: i + 1, reason: fmt.Sprintf("line %d is %s, but the diff expects %s", i+1, quoteLine(lines[i]), quoteLine(p))}
		}
	}
	// Matches ignoring whitespace but not where it should (e.g. overlaps).
	return &placeError{line: best + 1, reason: fmt.Sprintf("its lines match only ignoring whitespace, at line %d", best+1)}
}

// rewriteOld replaces the hunk's context and deleted lines with the file's
// own text, for a hunk matched loosely.
func rewriteOld(fl []gitdiff.Line, file []string) []gitdiff.Line {
	k := 0
	for i := range fl {
		if fl[i].Old() {
			fl[i].Line = file[k]
			k++
		}
	}
	return fixNoEOL(fl)
}

// fixNoEOL handles a file whose last line has no newline: a context line
// without "\n" followed by added lines becomes a deletion and an addition
// with "\n", or the added lines would be glued onto it.
func fixNoEOL(fl []gitdiff.Line) []gitdiff.Line {
	for i, l := range fl {
		if l.Op != gitdiff.OpContext || strings.HasSuffix(l.Line, "\n") || i == len(fl)-1 {
			continue
		}
		out := slices.Clone(fl[:i])
		out = append(out, gitdiff.Line{Op: gitdiff.OpDelete, Line: l.Line}, gitdiff.Line{Op: gitdiff.OpAdd, Line: l.Line + "\n"})
		return append(out, fl[i+1:]...)
	}
	return fl
}

func shiftNew(f *gitdiff.TextFragment, by int) int64 {
	if f.NewPosition == 0 {
		return 0
	}
	return max(f.NewPosition+int64(by), 1)
}

// fragment builds a TextFragment with the counts go-gitdiff validates.
func fragment(oldPos, newPos int64, lines []gitdiff.Line, comment string) *gitdiff.TextFragment {
	f := &gitdiff.TextFragment{Comment: comment, OldPosition: oldPos, NewPosition: newPos, Lines: lines}
	for _, l := range lines {
		switch l.Op {
		case gitdiff.OpContext:
			f.OldLines++
			f.NewLines++
			if f.LinesAdded == 0 && f.LinesDeleted == 0 {
				f.LeadingContext++
			} else {
				f.TrailingContext++
			}
		case gitdiff.OpAdd:
			f.NewLines++
			f.LinesAdded++
			f.TrailingContext = 0
		case gitdiff.OpDelete:
			f.OldLines++
			f.LinesDeleted++
			f.TrailingContext = 0
		}
	}
	return f
}

func quoteLine(s string) string {
	s = strings.TrimRight(s, "\r\n")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return fmt.Sprintf("%q", s)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
