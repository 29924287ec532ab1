package parse

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/bluekeyes/go-gitdiff/gitdiff"
)

// FileDiff is what a diff in an answer does to one file: a parsed
// go-gitdiff File plus where in the answer it came from.
//
// File's names are cleaned: no "a/" or "b/" prefix, OldName "" for a new
// file and NewName "" for a deleted one. Hunk headers have been recounted, so
// OldLines and NewLines match the lines the model actually wrote; positions
// are the model's and may be off (Check looks for the hunk nearby).
type FileDiff struct {
	*gitdiff.File
	// Line is the 1-based line of the answer where the file's header starts.
	Line int
	// HunkLines are the answer lines of the hunk headers, parallel to
	// File.TextFragments.
	HunkLines []int
}

// Path is the file the diff writes, or for a deletion the file it removes.
func (d *FileDiff) Path() string {
	if d.IsDelete {
		return d.OldName
	}
	return d.NewName
}

// Diffs finds the unified diffs in an answer and parses them. It reads
// ```diff and ```patch fences, other fences whose first line is a diff
// header, and diffs written outside any fence. Hunks with no file header are
// an error; see DiffsFor.
//
// It is tolerant of what models write: no "diff --git" line, paths with or
// without "a/" "b/" prefixes, wrong line counts in hunk headers, "@@ @@"
// headers without numbers, blank context lines that lost their leading
// space, CRLF line endings. An answer without diffs gives none and no error.
func Diffs(answer string) ([]*FileDiff, error) {
	return DiffsFor(answer, "")
}

// DiffsFor is Diffs for an answer about one file: hunks that come without a
// file header are taken to change path. With path "" they are an error.
func DiffsFor(answer, path string) ([]*FileDiff, error) {
	ds, _, err := readDiffs(answer, path)
	return ds, err
}

// Unchanged names the files whose diffs in an answer change nothing — a
// header and context lines, no line added or removed — and which no other
// diff of the answer changes: Diffs leaves them out. A model that wrote
// such a diff may have meant a change it never wrote. Names are in answer
// order; nil when there are none or the diffs cannot be read.
func Unchanged(answer string) []string {
	_, names, _ := readDiffs(answer, "")
	return names
}

// readDiffs is DiffsFor, with the files Unchanged names.
func readDiffs(answer, path string) (_ []*FileDiff, unchanged []string, _ error) {
	if !strings.Contains(answer, "@@") && !strings.Contains(answer, "diff --git ") {
		return nil, nil, nil
	}
	answer = strings.ReplaceAll(answer, "\r\n", "\n")
	lines := splitKeep(answer)

	// Lex each region — the diff fences, and the text between fences — into
	// files, in answer order.
	lx := &lexer{defaultPath: path}
	inFence := make([]bool, len(lines)+2)
	for _, b := range CodeBlocks(answer) {
		for l := b.StartLine; l <= b.EndLine && l < len(inFence); l++ {
			inFence[l] = true
		}
		body := splitKeep(b.Code)
		if isDiffLang(b.Lang) || looksLikeDiff(body) {
			lx.region(body, b.StartLine+1, true)
		}
	}
	lx.bare(lines, inFence)
	if lx.err != nil {
		return nil, nil, fmt.Errorf("parse diffs: %w", lx.err)
	}
	// Fences were lexed before the text between them; put files in answer
	// order (stable: a file's hunks keep theirs).
	slices.SortStableFunc(lx.files, func(a, b *rawFile) int { return a.line - b.line })

	// Write the files out as a canonical git diff and let go-gitdiff parse it.
	var canon strings.Builder
	var lineMap []int // canonical line (1-based) -> answer line
	var written []*rawFile
	var noop []string // files whose diff changes nothing
	for _, f := range lx.files {
		ok, err := f.write(&canon, &lineMap)
		if err != nil {
			return nil, nil, fmt.Errorf("parse diffs: %w", err)
		}
		switch {
		case ok:
			written = append(written, f)
		case f.noop && !slices.Contains(noop, f.oldName):
			noop = append(noop, f.oldName)
		}
	}
	for _, name := range noop {
		if !slices.ContainsFunc(written, func(f *rawFile) bool { return f.oldName == name || f.newName == name }) {
			unchanged = append(unchanged, name)
		}
	}
	if len(written) == 0 {
		return nil, unchanged, nil
	}
	parsed, _, err := gitdiff.Parse(strings.NewReader(canon.String()))
	if err != nil {
		return nil, nil, fmt.Errorf("parse diffs: %w", mapLine(err, lineMap))
	}
	if len(parsed) != len(written) {
		return nil, nil, fmt.Errorf("parse diffs: wrote %d files but parsed %d", len(written), len(parsed))
	}
	out := make([]*FileDiff, len(parsed))
	for i, pf := range parsed {
		rf := written[i]
		d := &FileDiff{File: pf, Line: rf.line}
		for _, h := range rf.hunks {
			d.HunkLines = append(d.HunkLines, h.line)
		}
		out[i] = d
	}
	return out, unchanged, nil
}

// bare lexes the runs of lines outside any fence (inFence, by answer
// line from 1).
func (lx *lexer) bare(lines []string, inFence []bool) {
	start := 0
	for i := 0; i <= len(lines); i++ {
		if i == len(lines) || inFence[i+1] {
			if i > start {
				lx.region(lines[start:i], start+1, false)
			}
			start = i + 1
		}
	}
}

// DiffPlaces says where an answer's diffs are, for a caller to judge
// whether they may have been cut short: unclosed, a diff in a fence with
// no closing fence (the answer ended inside it); bare, a diff outside any
// fence, which has no end to see. Diffs reads both as they are.
func DiffPlaces(answer string) (unclosed, bare bool) {
	if !strings.Contains(answer, "@@") && !strings.Contains(answer, "diff --git ") {
		return false, false
	}
	answer = strings.ReplaceAll(answer, "\r\n", "\n")
	lines := splitKeep(answer)
	inFence := make([]bool, len(lines)+2)
	for _, b := range CodeBlocks(answer) {
		for l := b.StartLine; l <= b.EndLine && l < len(inFence); l++ {
			inFence[l] = true
		}
		if !b.Closed && (isDiffLang(b.Lang) || looksLikeDiff(splitKeep(b.Code))) {
			unclosed = true
		}
	}
	lx := &lexer{defaultPath: "-"} // a hunk without a header counts too
	lx.bare(lines, inFence)
	for _, f := range lx.files {
		for _, h := range f.hunks {
			if _, _, changes := h.counts(); changes {
				return unclosed, true
			}
		}
	}
	return unclosed, false
}

func isDiffLang(lang string) bool {
	switch lang {
	case "diff", "patch", "udiff", "git-diff":
		return true
	}
	return false
}

// looksLikeDiff reports whether a fence of another language holds a diff:
// its first non-blank line starts a file header.
func looksLikeDiff(lines []string) bool {
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		return strings.HasPrefix(l, "diff --git ") ||
			(strings.HasPrefix(l, "--- ") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "+++ "))
	}
	return false
}

// rawFile is a file's diff as lexed from the answer, before go-gitdiff.
type rawFile struct {
	line               int // answer line of the header
	oldName, newName   string
	isNew, isDelete    bool
	oldMode, newMode   string
	hunks              []*rawHunk
	sawNames, isBinary bool
	noop               bool // write found nothing in it to do: no line added or removed, no rename, no mode change
}

type rawHunk struct {
	line               int // answer line of the "@@"
	oldStart, newStart int
	hasPos             bool
	comment            string
	lines              []string // with op and "\n"; no-EOL markers kept as their own lines
}

type lexer struct {
	defaultPath string
	files       []*rawFile
	err         error
}

// region lexes one run of lines starting at answer line first. In a fence
// (fenced) every line belongs to the diff, so a hunk line that lost its
// leading op is read as context; outside, such a line ends the hunk.
func (lx *lexer) region(lines []string, first int, fenced bool) {
	var cur *rawFile
	var hunk *rawHunk
	var pending []string // blank or unknown lines that are context only if more hunk lines follow
	endHunk := func() {
		hunk, pending = nil, nil
	}
	for i := 0; i < len(lines) && lx.err == nil; i++ {
		l := lines[i]
		lineNo := first + i
		switch {
		case strings.HasPrefix(l, "diff --git "):
			endHunk()
			cur = &rawFile{line: lineNo}
			cur.oldName, cur.newName = gitHeaderNames(strings.TrimSuffix(l[len("diff --git "):], "\n"))
			lx.files = append(lx.files, cur)
			i += lx.extendedHeader(cur, lines[i+1:])
			continue

		case isFileHeader(lines, i, fenced):
			endHunk()
			if cur == nil || cur.sawNames || len(cur.hunks) > 0 {
				cur = &rawFile{line: lineNo}
				lx.files = append(lx.files, cur)
			}
			cur.sawNames = true
			cur.oldName = headerName(l[4:])
			cur.newName = headerName(lines[i+1][4:])
			i++
			continue

		case strings.HasPrefix(l, "@@ -") || (fenced && strings.HasPrefix(l, "@@")):
			endHunk()
			if cur == nil {
				if lx.defaultPath == "" {
					lx.err = &DiffError{Line: lineNo, Msg: fmt.Sprintf("hunk %q has no file header (--- a/PATH, +++ b/PATH) before it", strings.TrimSpace(l))}
					return
				}
				cur = &rawFile{line: lineNo, oldName: lx.defaultPath, newName: lx.defaultPath, sawNames: true}
				lx.files = append(lx.files, cur)
			}
			hunk = parseHunkHeader(l)
			hunk.line = lineNo
			cur.hunks = append(cur.hunks, hunk)
			continue
		}
		if hunk == nil {
			continue // prose, or a header line we do not use
		}
		switch {
		case l == "\n" || l == "":
			pending = append(pending, " \n")
		case l[0] == ' ' || l[0] == '+' || l[0] == '-':
			hunk.lines = append(hunk.lines, pending...)
			pending = nil
			hunk.lines = append(hunk.lines, ensureNL(l))
		case l[0] == '\\' && len(pending) == 0 && len(hunk.lines) > 0:
			hunk.lines = append(hunk.lines, ensureNL(l))
		case fenced:
			pending = append(pending, " "+ensureNL(l))
		default:
			endHunk()
		}
	}
}

// extendedHeader reads the lines after "diff --git" up to the first hunk and
// returns how many it consumed.
//
// A rename's "rename from"/"rename to" name its files: a ---/+++ header
// after them belongs to it only if it names those files (git writes the
// old name and the new, a model may write either twice), and then leaves
// the rename's names as they are. A header naming another file is the
// next file's, which a model may give without a "diff --git" line of its
// own: the rename, having no hunks (a pure rename), ends there, rather
// than be taken over by that file's names and dropped.
func (lx *lexer) extendedHeader(f *rawFile, lines []string) int {
	renamed := false
	n := 0
	for ; n < len(lines); n++ {
		l := strings.TrimSuffix(lines[n], "\n")
		switch {
		case strings.HasPrefix(l, "new file mode "):
			f.isNew, f.newMode = true, strings.TrimSpace(l[len("new file mode "):])
		case strings.HasPrefix(l, "deleted file mode "):
			f.isDelete, f.oldMode = true, strings.TrimSpace(l[len("deleted file mode "):])
		case strings.HasPrefix(l, "old mode "):
			f.oldMode = strings.TrimSpace(l[len("old mode "):])
		case strings.HasPrefix(l, "new mode "):
			f.newMode = strings.TrimSpace(l[len("new mode "):])
		case strings.HasPrefix(l, "rename from "):
			f.oldName, renamed = cleanPath(unquote(l[len("rename from "):])), true
		case strings.HasPrefix(l, "rename to "):
			f.newName, renamed = cleanPath(unquote(l[len("rename to "):])), true
		case strings.HasPrefix(l, "--- ") && n+1 < len(lines) && strings.HasPrefix(lines[n+1], "+++ "):
			oldName, newName := headerName(l[4:]), headerName(lines[n+1][4:])
			f.sawNames = true // names known: a header after this one is another file's
			if renamed {
				if !f.renames(oldName) || !f.renames(newName) {
					return n
				}
			} else {
				f.oldName, f.newName = oldName, newName
			}
			n++
		case strings.HasPrefix(l, "Binary files ") || l == "GIT binary patch":
			f.isBinary = true
		case strings.HasPrefix(l, "index "), strings.HasPrefix(l, "similarity index "),
			strings.HasPrefix(l, "dissimilarity index "):
			// Informational; models invent object names.
		default:
			return n
		}
	}
	return n
}

// renames reports whether name, of a ---/+++ header, is one of the two
// files of f's rename.
func (f *rawFile) renames(name string) bool { return name == f.oldName || name == f.newName }

// isFileHeader reports whether lines[i] starts a traditional "--- / +++"
// header. Outside a fence a hunk header must follow, so that prose and
// deleted lines starting "-- " are not taken for one.
func isFileHeader(lines []string, i int, fenced bool) bool {
	if !strings.HasPrefix(lines[i], "--- ") || i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "+++ ") {
		return false
	}
	if i+2 < len(lines) && strings.HasPrefix(lines[i+2], "@@") {
		return true
	}
	return fenced && i+2 >= len(lines)
}

var hunkHeaderRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^@@+ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@+(.*)$`) })

// parseHunkHeader reads "@@ -a,b +c,d @@ comment". Counts are ignored (they
// are recounted); a header without numbers gives hasPos false.
func parseHunkHeader(l string) *rawHunk {
	h := &rawHunk{}
	m := hunkHeaderRE().FindStringSubmatch(strings.TrimRight(l, " \t\r\n"))
	if m == nil {
		return h
	}
	oldStart, err1 := strconv.Atoi(m[1])
	newStart, err2 := strconv.Atoi(m[3])
	if err1 != nil || err2 != nil || oldStart > 1<<30 || newStart > 1<<30 {
		return h
	}
	h.oldStart, h.newStart, h.hasPos = oldStart, newStart, true
	h.comment = strings.TrimSpace(m[5])
	return h
}

// counts returns the hunk's old and new line counts.
func (h *rawHunk) counts() (old, new int, changes bool) {
	for _, l := range h.lines {
		switch l[0] {
		case ' ':
			old++
			new++
		case '-':
			old++
			changes = true
		case '+':
			new++
			changes = true
		}
	}
	return old, new, changes
}

// write appends the file as canonical git diff text and records, for each
// line written, the answer line it came from. It reports whether it wrote
// anything: a file whose diff changes nothing is left out.
func (f *rawFile) write(b *strings.Builder, lineMap *[]int) (bool, error) {
	if f.isBinary {
		return false, nil
	}
	emit := func(ansLine int, s string) {
		b.WriteString(s)
		*lineMap = append(*lineMap, ansLine)
	}
	oldName, newName := f.oldName, f.newName
	isNew := f.isNew || oldName == devNull
	isDelete := f.isDelete || newName == devNull
	if isNew && isDelete {
		return false, nil
	}
	if isNew {
		oldName = newName
	}
	if isDelete {
		newName = oldName
	}
	if oldName == "" || newName == "" || oldName == devNull {
		return false, nil
	}
	for _, name := range []string{oldName, newName} {
		if path.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return false, &OutsidePathError{Line: f.line, Path: name}
		}
	}

	var hunks []*rawHunk
	for _, h := range f.hunks {
		if isNew || isDelete {
			// A new file has no old lines and a deleted one no new lines:
			// a "context" line there (typically a blank line that lost its
			// "+") belongs to the other side.
			op := byte('+')
			if isDelete {
				op = '-'
			}
			for j, l := range h.lines {
				if l[0] == ' ' {
					h.lines[j] = string(op) + l[1:]
				}
			}
		}
		if _, _, changes := h.counts(); !changes {
			continue
		}
		if oldN, _, _ := h.counts(); oldN == 0 && !h.hasPos && !isNew {
			return false, &DiffError{Line: h.line, Msg: "hunk has neither line numbers nor context lines, so there is no telling where its lines go"}
		}
		hunks = append(hunks, h)
	}
	rename := oldName != newName
	modeChange := f.oldMode != "" && f.newMode != "" && f.oldMode != f.newMode
	if len(hunks) == 0 && !isNew && !isDelete && !rename && !modeChange {
		f.noop = true
		return false, nil // nothing to do
	}
	f.hunks = hunks

	emit(f.line, "diff --git "+quoteName("a/"+oldName)+" "+quoteName("b/"+newName)+"\n")
	switch {
	case isNew:
		emit(f.line, "new file mode "+modeOr(f.newMode)+"\n")
	case isDelete:
		emit(f.line, "deleted file mode "+modeOr(f.oldMode)+"\n")
	case modeChange:
		emit(f.line, "old mode "+f.oldMode+"\n")
		emit(f.line, "new mode "+f.newMode+"\n")
	}
	if rename && !isNew && !isDelete {
		emit(f.line, "rename from "+quoteName(oldName)+"\n")
		emit(f.line, "rename to "+quoteName(newName)+"\n")
	}
	if len(hunks) == 0 {
		return true, nil
	}
	if isNew {
		emit(f.line, "--- /dev/null\n")
	} else {
		emit(f.line, "--- "+quoteName("a/"+oldName)+"\n")
	}
	if isDelete {
		emit(f.line, "+++ /dev/null\n")
	} else {
		emit(f.line, "+++ "+quoteName("b/"+newName)+"\n")
	}
	delta := 0
	for _, h := range hunks {
		oldN, newN, _ := h.counts()
		oldStart, newStart := h.oldStart, h.newStart
		switch {
		case isNew:
			oldStart, newStart = 0, 1
		case isDelete:
			newStart = 0
			if !h.hasPos {
				oldStart = 1
			}
		case !h.hasPos:
			oldStart = 1
			newStart = oldStart + delta
		}
		if newN == 0 && !isDelete && newStart == 0 {
			// Git writes "+0,0" when the leading lines go; go-gitdiff takes
			// that for deleting the whole file. Say where the gap is instead.
			newStart = max(oldStart-1, 1)
		}
		delta += newN - oldN
		hdr := fmt.Sprintf("@@ -%s +%s @@", hunkRange(oldStart, oldN), hunkRange(newStart, newN))
		if h.comment != "" {
			hdr += " " + h.comment
		}
		emit(h.line, hdr+"\n")
		for j, l := range h.lines {
			emit(h.line+1+j, l)
		}
	}
	return true, nil
}

const devNull = "/dev/null"

func hunkRange(start, n int) string {
	if n == 1 {
		return strconv.Itoa(start)
	}
	return strconv.Itoa(start) + "," + strconv.Itoa(n)
}

func modeOr(m string) string {
	if m == "" {
		return "100644"
	}
	return m
}

// quoteName quotes a path the way git does when it needs it.
func quoteName(s string) string {
	for _, c := range s {
		if c == '"' || c == '\\' || c == '\t' || c < ' ' || c == 0x7f {
			return strconv.Quote(s)
		}
	}
	return s
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, `"`) {
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
	}
	return s
}

// headerName reads the path of a "--- " or "+++ " line: up to a tab (GNU
// diff puts a timestamp after it), unquoted, without an "a/" or "b/" prefix.
func headerName(s string) string {
	s = strings.TrimSuffix(s, "\n")
	if i := strings.IndexByte(s, '\t'); i >= 0 && !strings.HasPrefix(s, `"`) {
		s = s[:i]
	}
	s = unquote(strings.TrimRight(s, " \r"))
	if s == devNull {
		return s
	}
	return cleanPath(s)
}

// gitHeaderNames splits the names of a "diff --git a/X b/Y" line.
func gitHeaderNames(s string) (string, string) {
	if strings.HasPrefix(s, `"`) {
		if end := strings.Index(s[1:], `" `); end >= 0 {
			return cleanPath(unquote(s[:end+2])), cleanPath(unquote(s[end+3:]))
		}
	}
	if i := strings.LastIndex(s, " b/"); strings.HasPrefix(s, "a/") && i > 0 {
		return cleanPath(s[:i]), cleanPath(s[i+1:])
	}
	// No prefixes: look for a split into two equal names.
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' && s[:i] == s[i+1:] {
			return cleanPath(s[:i]), cleanPath(s[i+1:])
		}
	}
	if i := strings.IndexByte(s, ' '); i > 0 {
		return cleanPath(s[:i]), cleanPath(s[i+1:])
	}
	return cleanPath(s), cleanPath(s)
}

// cleanPath drops a leading "a/" or "b/" (git's default prefixes) and "./".
func cleanPath(s string) string {
	if strings.HasPrefix(s, "a/") || strings.HasPrefix(s, "b/") {
		s = s[2:]
	}
	if s == "" {
		return s
	}
	return path.Clean(s)
}

// mapLine rewrites a go-gitdiff error "gitdiff: line N: …" to name the
// answer line instead of a line of the canonical text.
func mapLine(err error, lineMap []int) error {
	msg := err.Error()
	rest, ok := strings.CutPrefix(msg, "gitdiff: line ")
	if !ok {
		return err
	}
	num, after, ok := strings.Cut(rest, ": ")
	n, convErr := strconv.Atoi(num)
	if !ok || convErr != nil || n < 1 || n > len(lineMap) {
		return err
	}
	return &DiffError{Line: lineMap[n-1], Msg: after}
}

// splitKeep splits s into lines, each keeping its "\n" (the last may lack it).
func splitKeep(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

func ensureNL(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n"
}

// DiffError is a diff in an answer that cannot be read: the answer line
// where, and what is wrong there. Its message is for the user; Diffs
// returns it wrapped with the operation's name.
type DiffError struct {
	Line int    // of the answer
	Msg  string // what is wrong, without the line
}

func (e *DiffError) Error() string { return fmt.Sprintf("answer line %d: %s", e.Line, e.Msg) }

// OutsidePathError is a diff's file path that is absolute or climbs out
// of the project with "..": a write the sandbox would refuse, refused
// before anything is read, so that the caller can record the refusal.
type OutsidePathError struct {
	Line int    // of the answer
	Path string // as the diff gives it
}

func (e *OutsidePathError) Error() string {
	return fmt.Sprintf("answer line %d: path %q is outside the project; diffs must use paths relative to the project root", e.Line, e.Path)
}
