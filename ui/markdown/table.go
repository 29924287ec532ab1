package markdown

import (
	"slices"
	"strings"

	"github.com/yuin/goldmark/ast"
)

// cellLines is a table cell laid out: its lines and their widths.
type cellLines struct {
	lines  []string
	widths []int
}

// table lays a table out in columns separated by bars, the header in
// bold above a rule. Columns get their natural width when the table fits;
// otherwise the narrow ones keep theirs and the wide ones share the rest,
// their cells wrapped.
func (r *Renderer) table(t *tableNode, width int) []string {
	cols := len(t.aligns)
	if cols == 0 {
		return nil
	}
	var rows [][]cellLines
	natural := make([]int, cols)
	for row := t.FirstChild(); row != nil; row = row.NextSibling() {
		st := style(0)
		if row == t.FirstChild() {
			st = stBold
		}
		cells := make([]cellLines, 0, cols)
		i := 0
		for c := row.FirstChild(); c != nil && i < cols; c = c.NextSibling() {
			cl := r.cell(c, 1<<20, st)
			for _, w := range cl.widths {
				natural[i] = max(natural[i], w)
			}
			cells = append(cells, cl)
			i++
		}
		for ; i < cols; i++ {
			cells = append(cells, cellLines{})
		}
		rows = append(rows, cells)
	}

	widths := fitColumns(natural, width-3*(cols-1))
	if sum(widths)+3*(cols-1) > width {
		r.over = true
	}
	// Re-wrap the cells wider than their column.
	ri := 0
	for row := t.FirstChild(); row != nil; row = row.NextSibling() {
		st := style(0)
		if ri == 0 {
			st = stBold
		}
		i := 0
		for c := row.FirstChild(); c != nil && i < cols; c = c.NextSibling() {
			if natural[i] > widths[i] && slices.Max(append(rows[ri][i].widths, 0)) > widths[i] {
				rows[ri][i] = r.cell(c, widths[i], st)
			}
			i++
		}
		ri++
	}

	bar, rule, cross := " | ", "-", "-+-"
	if !r.st.plain() {
		dim := r.st.seq(colDim)
		bar, rule, cross = dim+" │ "+reset, "─", "─┼─"
	}
	var out []string
	var b strings.Builder
	for ri, cells := range rows {
		height := 1
		for _, c := range cells {
			height = max(height, len(c.lines))
		}
		for li := range height {
			b.Reset()
			for ci, c := range cells {
				if ci > 0 {
					b.WriteString(bar)
				}
				s, w := "", 0
				if li < len(c.lines) {
					s, w = c.lines[li], c.widths[li]
				}
				if w > widths[ci] {
					// A wide rune in a column narrower than it: the
					// line is cut to the width at the end (render).
					r.over = true
				}
				gap := max(widths[ci]-w, 0)
				last := ci == cols-1
				switch t.aligns[ci] {
				case alignRight:
					b.WriteString(spaces(gap))
					b.WriteString(s)
				case alignCenter:
					b.WriteString(spaces(gap / 2))
					b.WriteString(s)
					if !last {
						b.WriteString(spaces(gap - gap/2))
					}
				default:
					b.WriteString(s)
					if !last {
						b.WriteString(spaces(gap))
					}
				}
			}
			out = append(out, strings.TrimRight(b.String(), " "))
		}
		if ri == 0 {
			b.Reset()
			b.WriteString(r.st.seq(colDim))
			for ci, w := range widths {
				if ci > 0 {
					b.WriteString(cross)
				}
				b.WriteString(strings.Repeat(rule, w))
			}
			if !r.st.plain() {
				b.WriteString(reset)
			}
			out = append(out, b.String())
		}
	}
	return out
}

// cell lays a cell's text out at width.
func (r *Renderer) cell(c ast.Node, width int, st style) cellLines {
	w := r.wrap(width, 0)
	r.inlines(w, c, st)
	lines := r.finish(w)
	return cellLines{lines: lines, widths: w.widths}
}

// fitColumns gives columns of natural widths at most avail cells in all:
// the narrowest keep their width, the rest share what is left equally.
// Each column gets at least one cell.
func fitColumns(natural []int, avail int) []int {
	widths := make([]int, len(natural))
	if sum(natural) <= avail {
		copy(widths, natural)
		for i := range widths {
			widths[i] = max(widths[i], 1)
		}
		return widths
	}
	order := make([]int, len(natural))
	for i := range order {
		order[i] = i
	}
	// Narrowest first (insertion sort: tables have few columns).
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && natural[order[j]] < natural[order[j-1]]; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	left := avail
	for k, i := range order {
		share := left / (len(order) - k)
		widths[i] = max(min(natural[i], share), 1)
		left -= widths[i]
	}
	return widths
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}
