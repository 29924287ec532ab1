package chunk

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
)

// lineIndex holds the byte offset at which each line starts.
type lineIndex []int

func newLineIndex(src []byte) lineIndex {
	li := make(lineIndex, 1, bytes.Count(src, []byte{'\n'})+1)
	for off := 0; ; {
		i := bytes.IndexByte(src[off:], '\n')
		if i < 0 {
			return li
		}
		off += i + 1
		li = append(li, off)
	}
}

// line returns the 1-based line holding byte offset off.
func (li lineIndex) line(off int) int {
	i, found := slices.BinarySearch(li, off)
	if found {
		return i + 1
	}
	return i
}

// lineEnd returns the offset just past line n (1-based): the start of the
// next line, or size for the last line.
func (li lineIndex) lineEnd(n, size int) int {
	if n < len(li) {
		return li[n]
	}
	return size
}

// trimSpace narrows [start, end) to whole lines without leading or
// trailing blank lines; ok is false if nothing but white space is left.
func (f *file) trimSpace(start, end int) (s, e int, ok bool) {
	s, e = start, end
	for s < e && isSpace(f.src[s]) {
		s++
	}
	for e > s && isSpace(f.src[e-1]) {
		e--
	}
	if s == e {
		return 0, 0, false
	}
	return max(start, f.lines[f.lines.line(s)-1]), e, true
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// sizeUnits adds units of runs of whole lines covering [start, end):
// Options.Lines lines each, each repeating Options.Overlap lines of the one
// before; under Hybrid a run also stops before it would pass MaxBytes (but
// holds at least one line), and the next one repeats the same share of its
// lines as a full run would (Overlap/Lines, rounded down), so that long
// lines do not make runs that advance a line at a time. Blank lines at
// either end are left out. With more than one run the units are named
// name#1, name#2, ….
func (f *file) sizeUnits(start, end int, kind, name, parent string) {
	start, end, ok := f.trimSpace(start, end)
	if !ok {
		return
	}
	first, last := f.lines.line(start), f.lines.line(end-1)
	lineStart := func(n int) int { return max(start, f.lines[n-1]) }
	lineEnd := func(n int) int { return min(end, f.lines.lineEnd(n, len(f.src))) }
	n0 := len(f.units)
	for k := first; ; {
		e := min(k+f.opt.Lines-1, last)
		if f.opt.Strategy == Hybrid {
			for e > k && lineEnd(e)-lineStart(k) > f.opt.MaxBytes {
				e--
			}
		}
		f.units = append(f.units, unit{kind: kind, name: name, parent: parent, start: lineStart(k), end: lineEnd(e), noSplit: true})
		if e == last {
			break
		}
		overlap := (e - k + 1) * f.opt.Overlap / f.opt.Lines
		k = max(k+1, e+1-overlap)
	}
	if len(f.units)-n0 > 1 {
		for i := n0; i < len(f.units); i++ {
			f.units[i].name = fmt.Sprintf("%s#%d", name, i-n0+1)
		}
	}
}

// splitBytes cuts [start, end) of src into pieces of at most size bytes,
// cutting only at line starts that are not inside a protected span. A piece
// is longer than size only where no such cut exists (one long line, or one
// long string).
func splitBytes(src []byte, start, end, size int, prot []span) []span {
	var out []span
	p := start
	for end-p > size {
		c := lastCut(src, p, p+size, prot)
		if c < 0 {
			c = firstCut(src, p+size, end, prot)
		}
		if c < 0 || c >= end {
			break
		}
		out = append(out, span{p, c})
		p = c
	}
	return append(out, span{p, end})
}

// lastCut returns the last allowed cut c with p < c <= limit, or -1.
func lastCut(src []byte, p, limit int, prot []span) int {
	for limit > p {
		i := bytes.LastIndexByte(src[p:limit], '\n')
		if i < 0 {
			return -1
		}
		c := p + i + 1
		if s, in := inside(prot, c); in {
			limit = s.start
			continue
		}
		return c
	}
	return -1
}

// firstCut returns the first allowed cut c with from <= c < end, or -1.
func firstCut(src []byte, from, end int, prot []span) int {
	for from < end {
		i := bytes.IndexByte(src[from:end], '\n')
		if i < 0 {
			return -1
		}
		c := from + i + 1
		if s, in := inside(prot, c); in {
			from = s.end
			continue
		}
		return c
	}
	return -1
}

// inside reports the protected span strictly around offset c, if any.
func inside(prot []span, c int) (span, bool) {
	i := sort.Search(len(prot), func(i int) bool { return prot[i].end > c })
	if i < len(prot) && prot[i].start < c {
		return prot[i], true
	}
	return span{}, false
}
