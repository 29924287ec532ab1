package parse

import (
	"sort"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// CodeBlock is one fenced code block of a Markdown answer.
type CodeBlock struct {
	// Lang is the first word of the info string, lower-cased: "elixir",
	// "go", "diff"; "" when the fence has no info string.
	Lang string
	// Info is the whole info string as written ("elixir lib/my_app/cache.ex").
	Info string
	// Code is the block's content, each line ending in "\n". Indentation that
	// belongs to an enclosing list item or block quote is removed.
	Code string
	// StartLine and EndLine are the 1-based lines of the opening and closing
	// fences in the answer. For a block with no closing fence, EndLine is the
	// block's last line.
	StartLine, EndLine int
	// Closed is false when the answer ended (or the enclosing list item or
	// quote ended) before a closing fence: a streamed answer cut short.
	Closed bool
}

// CodeBlocks returns the fenced code blocks of a Markdown answer, in order.
// Both ``` and ~~~ fences count; indented code blocks do not. A final fence
// that was never closed yields a block running to the end of the answer,
// without the partial closing fence (one or two backticks) the stream may have
// stopped inside.
// CRLF line endings are read as LF.
func CodeBlocks(markdown string) []CodeBlock {
	if !strings.ContainsAny(markdown, "`~") {
		return nil
	}
	src := []byte(strings.ReplaceAll(markdown, "\r\n", "\n"))
	fp := &fenceRecorder{
		inner: parser.NewFencedCodeBlockParser(),
		open:  map[ast.Node]int{},
		close: map[ast.Node]int{},
		fence: map[ast.Node]string{},
	}
	p := parser.NewParser(parser.WithBlockParsers(blockParsers(fp)...))
	doc := p.Parse(text.NewReader(src))

	lines := lineStarts(src)
	var out []CodeBlock
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		fb, ok := n.(*ast.FencedCodeBlock)
		if !entering || !ok {
			return ast.WalkContinue, nil
		}
		b := CodeBlock{StartLine: lines.lineOf(fp.open[fb])}
		if fb.Info != nil {
			b.Info = string(fb.Info.Segment.Value(src))
			b.Lang = strings.ToLower(string(fb.Language(src)))
		}
		var code strings.Builder
		segs := fb.Lines()
		for i := 0; i < segs.Len(); i++ {
			seg := segs.At(i)
			code.Write(seg.Value(src))
		}
		b.Code = code.String()
		if off, ok := fp.close[fb]; ok {
			b.Closed = true
			b.EndLine = lines.lineOf(off)
		} else {
			b.EndLine = b.StartLine + segs.Len()
			b.Code = trimPartialFence(b.Code, fp.fence[fb])
		}
		out = append(out, b)
		return ast.WalkSkipChildren, nil
	})
	return out
}

// blockParsers are goldmark's default block parsers with the fenced code
// parser wrapped so that it records where fences are.
func blockParsers(fp *fenceRecorder) []util.PrioritizedValue {
	ps := parser.DefaultBlockParsers()
	for i, v := range ps {
		if v.Value == fp.inner {
			ps[i].Value = fp
		}
	}
	return ps
}

// fenceRecorder wraps goldmark's fenced code block parser to record the byte
// offsets of each block's opening and closing fence lines, which the AST does
// not keep. It lives for one parse.
type fenceRecorder struct {
	inner parser.BlockParser
	open  map[ast.Node]int    // opening fence line start
	close map[ast.Node]int    // closing fence line start; absent if unclosed
	fence map[ast.Node]string // the opening fence's run of ` or ~
}

func (f *fenceRecorder) Trigger() []byte { return f.inner.Trigger() }

func (f *fenceRecorder) Open(parent ast.Node, r text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := r.PeekLine()
	var fence string
	if pos := pc.BlockOffset(); pos >= 0 && pos < len(line) {
		i := pos
		for i < len(line) && line[i] == line[pos] {
			i++
		}
		fence = string(line[pos:i])
	}
	n, st := f.inner.Open(parent, r, pc)
	if n != nil {
		f.open[n] = seg.Start
		f.fence[n] = fence
	}
	return n, st
}

func (f *fenceRecorder) Continue(n ast.Node, r text.Reader, pc parser.Context) parser.State {
	_, seg := r.PeekLine()
	st := f.inner.Continue(n, r, pc)
	if st == parser.Close {
		f.close[n] = seg.Start
	}
	return st
}

func (f *fenceRecorder) Close(n ast.Node, r text.Reader, pc parser.Context) {
	f.inner.Close(n, r, pc)
}

func (f *fenceRecorder) CanInterruptParagraph() bool { return f.inner.CanInterruptParagraph() }

func (f *fenceRecorder) CanAcceptIndentedLine() bool { return f.inner.CanAcceptIndentedLine() }

// trimPartialFence drops a last line that is the start of a closing fence the
// stream never finished: fewer fence characters than the opening fence.
func trimPartialFence(code, fence string) string {
	if code == "" || fence == "" {
		return code
	}
	body := strings.TrimSuffix(code, "\n")
	i := strings.LastIndexByte(body, '\n')
	last := strings.TrimSpace(body[i+1:])
	if last != "" && len(last) < len(fence) && strings.Trim(last, fence[:1]) == "" {
		return code[:i+1]
	}
	return code
}

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex []int

func lineStarts(src []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range src {
		if c == '\n' && i+1 < len(src) {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (idx lineIndex) lineOf(off int) int {
	return sort.Search(len(idx), func(i int) bool { return idx[i] > off })
}
