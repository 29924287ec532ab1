package cli

import (
	"bytes"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// table lays out text in columns as text/tabwriter does with a padding of
// two spaces: a cell is text ended by a tab, and each column is as wide as
// its widest cell. Cells are measured in terminal cells with their escape
// sequences left out, so that coloured cells line up (tabwriter counts
// the bytes of a colour sequence as text) and wide characters count two.
// A line's last cell, not ended by a tab, is not padded, nor are the
// cells before it when nothing visible follows them. Unlike
// tabwriter, widths are taken over the whole table, not over each run of
// lines that have the column.
type table struct {
	w   io.Writer
	buf bytes.Buffer
}

func newTable(w io.Writer) *table { return &table{w: w} }

// Write adds text to the table; nothing is written before Flush.
func (t *table) Write(p []byte) (int, error) { return t.buf.Write(p) }

// Flush writes the table laid out.
func (t *table) Flush() error {
	lines := strings.SplitAfter(t.buf.String(), "\n")
	t.buf.Reset()
	var widths []int
	rows := make([][]string, len(lines))
	for i, l := range lines {
		rows[i] = strings.Split(l, "\t")
		for j, c := range rows[i][:len(rows[i])-1] {
			if j == len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], ansi.StringWidth(c))
		}
	}
	var out strings.Builder
	for _, cells := range rows {
		last := len(cells) - 1
		// The last cell that shows anything: padding after it would
		// only be trailing spaces (a line ended by a tab, empty cells).
		shown := last
		for shown > 0 && ansi.StringWidth(strings.TrimSuffix(cells[shown], "\n")) == 0 {
			shown--
		}
		for j, c := range cells[:last] {
			out.WriteString(c)
			if j < shown {
				out.WriteString(strings.Repeat(" ", widths[j]-ansi.StringWidth(c)+2))
			}
		}
		out.WriteString(cells[last])
	}
	_, err := io.WriteString(t.w, out.String())
	return err
}
