package markdown

import (
	"sync"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The GFM constructs this package needs (tables, strikethrough) are parsed
// by the small parsers in this file rather than goldmark's extension
// package, whose initialisation (regular expressions, HTML attribute
// filters) would cost every aiex command about a millisecond. Task list
// items are recognised when rendering (see taskMark).

// Node kinds of the GFM nodes, registered with goldmark when the parser is
// first built (nothing runs at package initialisation).
var (
	kindTable, kindTableRow, kindTableCell, kindStrike ast.NodeKind
)

var (
	parserOnce sync.Once
	theParser  parser.Parser
)

// mdParser returns the Markdown parser: CommonMark plus GFM tables and
// strikethrough. It is built on first use and safe for concurrent use
// (each Parse has its own context).
func mdParser() parser.Parser {
	parserOnce.Do(func() {
		kindTable = ast.NewNodeKind("Table")
		kindTableRow = ast.NewNodeKind("TableRow")
		kindTableCell = ast.NewNodeKind("TableCell")
		kindStrike = ast.NewNodeKind("Strikethrough")
		theParser = parser.NewParser(
			parser.WithBlockParsers(parser.DefaultBlockParsers()...),
			parser.WithInlineParsers(append(parser.DefaultInlineParsers(),
				util.Prioritized(strikeParser{}, 500))...),
			parser.WithParagraphTransformers(append(parser.DefaultParagraphTransformers(),
				util.Prioritized(tableTransformer{}, 200))...),
		)
	})
	return theParser
}

// align is a table column's alignment.
type align uint8

const (
	alignLeft align = iota
	alignRight
	alignCenter
)

// tableNode is a GFM table; its children are rows, the first the header.
type tableNode struct {
	ast.BaseBlock
	aligns []align
}

func (n *tableNode) Kind() ast.NodeKind            { return kindTable }
func (n *tableNode) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// tableRow is a row of a table; its children are cells.
type tableRow struct{ ast.BaseBlock }

func (n *tableRow) Kind() ast.NodeKind            { return kindTableRow }
func (n *tableRow) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// tableCell is a cell: one line segment, parsed for inlines like a
// paragraph's.
type tableCell struct{ ast.BaseBlock }

func (n *tableCell) Kind() ast.NodeKind            { return kindTableCell }
func (n *tableCell) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// strikeNode is ~~struck~~ text.
type strikeNode struct{ ast.BaseInline }

func (n *strikeNode) Kind() ast.NodeKind            { return kindStrike }
func (n *strikeNode) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// tableTransformer turns a paragraph whose lines contain a header row and
// a delimiter row (| --- | :-: |) into a table; lines of the paragraph
// before the header stay a paragraph.
type tableTransformer struct{}

func (tableTransformer) Transform(para *ast.Paragraph, reader text.Reader, pc parser.Context) {
	lines := para.Lines()
	if lines.Len() < 2 {
		return
	}
	src := reader.Source()
	for i := 1; i < lines.Len(); i++ {
		seg := lines.At(i)
		aligns := delimiterRow(seg.Value(src))
		if aligns == nil {
			continue
		}
		header := tableRowOf(src, lines.At(i-1), len(aligns))
		if header == nil || header.ChildCount() != len(aligns) {
			return
		}
		t := &tableNode{aligns: aligns}
		t.AppendChild(t, header)
		for j := i + 1; j < lines.Len(); j++ {
			t.AppendChild(t, tableRowOf(src, lines.At(j), len(aligns)))
		}
		parent := para.Parent()
		parent.InsertAfter(parent, para, t)
		if i == 1 {
			parent.RemoveChild(parent, para)
		} else {
			para.Lines().SetSliced(0, i-1)
		}
		return
	}
}

// delimiterRow returns the alignments of a table's delimiter row, or nil
// if line is not one.
func delimiterRow(line []byte) []align {
	s := trimSpaceBytes(line)
	if len(s) == 0 {
		return nil
	}
	hasPipe := false
	for _, c := range s {
		switch c {
		case '|':
			hasPipe = true
		case '-', ':', ' ', '\t':
		default:
			return nil
		}
	}
	if len(s) > 0 && s[0] == '|' {
		s = s[1:]
	}
	if len(s) > 0 && s[len(s)-1] == '|' {
		s = s[:len(s)-1]
	}
	var aligns []align
	for cell := range splitBytes(s, '|') {
		cell = trimSpaceBytes(cell)
		n := len(cell)
		if n == 0 {
			return nil
		}
		left, right := cell[0] == ':', cell[n-1] == ':'
		dashes := cell
		if left {
			dashes = dashes[1:]
		}
		if right && len(dashes) > 0 {
			dashes = dashes[:len(dashes)-1]
		}
		if len(dashes) == 0 {
			return nil
		}
		for _, c := range dashes {
			if c != '-' {
				return nil
			}
		}
		switch {
		case left && right:
			aligns = append(aligns, alignCenter)
		case right:
			aligns = append(aligns, alignRight)
		default:
			aligns = append(aligns, alignLeft)
		}
	}
	if len(aligns) == 1 && !hasPipe {
		return nil // "---" alone is a setext underline or a break
	}
	return aligns
}

// tableRowOf splits a row's line into cells at unescaped pipes; a body row
// has exactly n cells (extra cells are dropped, missing ones are empty).
func tableRowOf(src []byte, seg text.Segment, n int) *tableRow {
	seg = seg.TrimLeftSpace(src)
	seg = seg.TrimRightSpace(src)
	line := seg.Value(src)
	start, end := 0, len(line)
	if end > 0 && line[0] == '|' {
		start++
	}
	if end > start && line[end-1] == '|' && (end < 2 || line[end-2] != '\\') {
		end--
	}
	row := &tableRow{}
	cells := 0
	for pos := start; pos <= end && (pos < end || cells == 0); {
		stop := pos
		for stop < end && (line[stop] != '|' || stop > 0 && line[stop-1] == '\\') {
			stop++
		}
		if cells < n {
			c := &tableCell{}
			cs := text.NewSegment(seg.Start+pos, seg.Start+stop)
			cs = cs.TrimLeftSpace(src)
			cs = cs.TrimRightSpace(src)
			c.Lines().Append(cs)
			row.AppendChild(row, c)
		}
		cells++
		pos = stop + 1
	}
	for ; cells < n; cells++ {
		row.AppendChild(row, &tableCell{})
	}
	return row
}

// strikeParser parses ~~text~~ (and ~text~) as GFM does.
type strikeParser struct{}

func (strikeParser) Trigger() []byte { return []byte{'~'} }

func (strikeParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	before := block.PrecendingCharacter()
	line, seg := block.PeekLine()
	d := parser.ScanDelimiter(line, before, 1, strikeDelims{})
	if d == nil || d.OriginalLength > 2 || before == '~' {
		return nil
	}
	d.Segment = seg.WithStop(seg.Start + d.OriginalLength)
	block.Advance(d.OriginalLength)
	pc.PushDelimiter(d)
	return d
}

func (strikeParser) CloseBlock(parent ast.Node, pc parser.Context) {}

// strikeDelims matches ~ with ~.
type strikeDelims struct{}

func (strikeDelims) IsDelimiter(b byte) bool { return b == '~' }

func (strikeDelims) CanOpenCloser(opener, closer *parser.Delimiter) bool {
	return opener.Char == closer.Char && opener.OriginalLength == closer.OriginalLength
}

func (strikeDelims) OnMatch(consumes int) ast.Node { return &strikeNode{} }

func trimSpaceBytes(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// splitBytes yields the parts of b between seps.
func splitBytes(b []byte, sep byte) func(func([]byte) bool) {
	return func(yield func([]byte) bool) {
		for {
			i := 0
			for i < len(b) && b[i] != sep {
				i++
			}
			if !yield(b[:i]) || i == len(b) {
				return
			}
			b = b[i+1:]
		}
	}
}
