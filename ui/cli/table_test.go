package cli

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/charmbracelet/x/ansi"
)

// fillTable writes a history-like table to w, coloured or not.
func fillTable(w io.Writer, color bool) {
	o := &Output{Color: color}
	fmt.Fprintln(w, o.Bold("TIME\tPROVIDER\tSTATUS\tPROMPT"))
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", "2026-11-27 10:00:00", "ollama", o.Green("ok"), "why?")
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", "2026-11-27 10:01:00", "work", o.Red("interrupted"), "naïve question")
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", "short", "", o.Red("cancelled"), "")
}

// Coloured cells line up as plain ones do: the coloured table with its
// colour taken out is the plain one, which is what tabwriter makes of the
// plain text, less the spaces tabwriter leaves at the end of a line.
func TestTableAlignsColouredCells(t *testing.T) {
	var plain, coloured, tw strings.Builder
	for _, c := range []struct {
		w interface {
			io.Writer
			Flush() error
		}
		color bool
	}{
		{newTable(&plain), false},
		{newTable(&coloured), true},
		{tabwriter.NewWriter(&tw, 0, 0, 2, ' ', 0), false},
	} {
		fillTable(c.w, c.color)
		if err := c.w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(coloured.String(), "\x1b[31m") {
		t.Fatal("no colour in the coloured table")
	}
	if got := ansi.Strip(coloured.String()); got != plain.String() {
		t.Errorf("coloured table, colour taken out:\n%s\nplain table:\n%s", got, plain.String())
	}
	if want := trimLines(tw.String()); plain.String() != want {
		t.Errorf("plain table:\n%s\ntabwriter:\n%s", plain.String(), want)
	}
}

func trimLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// No line ends in spaces: not one ended by a tab, nor one whose last
// cells are empty, coloured or not.
func TestTableNoTrailingSpaces(t *testing.T) {
	for _, color := range []bool{false, true} {
		var b strings.Builder
		tb := newTable(&b)
		o := &Output{Color: color}
		fmt.Fprintln(tb, o.Bold("LINES\tKIND\tNAME\t"))
		fmt.Fprint(tb, "1-2\tfunc\tmain\t\n3-9\ttype\t\t\n")
		if err := tb.Flush(); err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(ansi.Strip(b.String()), "\n") {
			if strings.HasSuffix(l, " ") {
				t.Errorf("colour %v: line %q ends in spaces:\n%s", color, l, b.String())
			}
		}
	}
}

// Wide characters take two cells.
func TestTableWideCharacters(t *testing.T) {
	var b strings.Builder
	tb := newTable(&b)
	fmt.Fprint(tb, "日本\tx\nab\ty\n")
	tb.Flush()
	if want := "日本  x\nab    y\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
