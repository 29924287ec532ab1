package markdown

import (
	"strconv"
	"strings"

	"github.com/muesli/termenv"
)

// style is how a run of text is drawn: attributes and a colour slot of the
// theme. The zero style is plain text.
type style uint16

// Attributes, in the low bits of a style.
const (
	stBold style = 1 << iota
	stFaint
	stItalic
	stUnderline
	stStrike

	attrBits = 5
)

// Colour slots, in the high bits of a style.
const (
	colNone style = iota << attrBits
	colHeading
	colCode // code spans
	colLink
	colURL
	colDim // quote bars, rules, table borders, HTML
	colBullet
	colDone // a checked task
	// Code classes.
	colKeyword
	colString
	colComment
	colNumber
	colType // builtin types, Elixir module names
	colFunc // names of declared functions, builtin functions
	colConst
	colAttr // Elixir module attributes
	numCols = iota
)

const colMask = ^style(1<<attrBits - 1)

// colour is a colour slot's value for each palette size: an index of the
// 16 basic colours and one of the 256 (xterm) colours, whose RGB value is
// used under true colour.
type colour struct {
	c16, c256 uint8
}

// Palettes for dark and light backgrounds, indexed by slot. In 16 colours
// each code class gets its own colour.
var (
	darkPalette = [numCols]colour{
		colHeading >> attrBits: {12, 75},
		colCode >> attrBits:    {9, 209},
		colLink >> attrBits:    {12, 75},
		colURL >> attrBits:     {8, 245},
		colDim >> attrBits:     {8, 240},
		colBullet >> attrBits:  {12, 75},
		colDone >> attrBits:    {10, 114},
		colKeyword >> attrBits: {13, 204},
		colString >> attrBits:  {10, 150},
		colComment >> attrBits: {8, 245},
		colNumber >> attrBits:  {11, 215},
		colType >> attrBits:    {14, 81},
		colFunc >> attrBits:    {12, 111},
		colConst >> attrBits:   {9, 141},
		colAttr >> attrBits:    {3, 179},
	}
	lightPalette = [numCols]colour{
		colHeading >> attrBits: {4, 26},
		colCode >> attrBits:    {1, 160},
		colLink >> attrBits:    {4, 26},
		colURL >> attrBits:     {8, 244},
		colDim >> attrBits:     {8, 248},
		colBullet >> attrBits:  {4, 26},
		colDone >> attrBits:    {2, 28},
		colKeyword >> attrBits: {5, 125},
		colString >> attrBits:  {2, 28},
		colComment >> attrBits: {8, 244},
		colNumber >> attrBits:  {3, 166},
		colType >> attrBits:    {6, 31},
		colFunc >> attrBits:    {4, 25},
		colConst >> attrBits:   {1, 92},
		colAttr >> attrBits:    {13, 130},
	}
)

// styler turns styles into SGR sequences for one profile and theme,
// computing each sequence once.
type styler struct {
	profile termenv.Profile
	palette *[numCols]colour
	seqs    []string // by style; "" until computed
	known   []bool
}

func newStyler(profile termenv.Profile, dark bool) *styler {
	s := &styler{profile: profile, palette: &lightPalette}
	if dark {
		s.palette = &darkPalette
	}
	return s
}

// plain reports whether no escape sequence is ever written.
func (s *styler) plain() bool { return s.profile == termenv.Ascii }

// seq returns the sequence that starts drawing in st ("" for plain text
// and under the Ascii profile).
func (s *styler) seq(st style) string {
	if st == 0 || s.profile == termenv.Ascii {
		return ""
	}
	if s.seqs == nil {
		s.seqs = make([]string, numCols<<attrBits)
		s.known = make([]bool, numCols<<attrBits)
	}
	if int(st) >= len(s.seqs) {
		return ""
	}
	if s.known[st] {
		return s.seqs[st]
	}
	var b strings.Builder
	b.WriteString("\x1b[")
	n := 0
	param := func(p string) {
		if n > 0 {
			b.WriteByte(';')
		}
		b.WriteString(p)
		n++
	}
	for i, p := range [...]string{"1", "2", "3", "4", "9"} {
		if st&(1<<i) != 0 {
			param(p)
		}
	}
	if slot := st >> attrBits; slot != 0 && int(slot) < numCols {
		c := s.palette[slot]
		switch s.profile {
		case termenv.ANSI:
			if c.c16 < 8 {
				param(strconv.Itoa(30 + int(c.c16)))
			} else {
				param(strconv.Itoa(90 + int(c.c16) - 8))
			}
		case termenv.ANSI256:
			param("38;5;" + strconv.Itoa(int(c.c256)))
		default:
			r, g, bl := xtermRGB(c.c256)
			param("38;2;" + strconv.Itoa(r) + ";" + strconv.Itoa(g) + ";" + strconv.Itoa(bl))
		}
	}
	b.WriteByte('m')
	q := b.String()
	if n == 0 {
		q = ""
	}
	s.seqs[st], s.known[st] = q, true
	return q
}

// reset ends a styled run.
const reset = "\x1b[0m"

// xtermRGB is the RGB value of a 256-colour index (the xterm palette).
func xtermRGB(i uint8) (r, g, b int) {
	switch {
	case i < 16:
		basic := [16][3]int{
			{0, 0, 0}, {205, 0, 0}, {0, 205, 0}, {205, 205, 0}, {0, 0, 238}, {205, 0, 205}, {0, 205, 205}, {229, 229, 229},
			{127, 127, 127}, {255, 0, 0}, {0, 255, 0}, {255, 255, 0}, {92, 92, 255}, {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
		}
		c := basic[i]
		return c[0], c[1], c[2]
	case i < 232:
		level := func(v int) int {
			if v == 0 {
				return 0
			}
			return 55 + 40*v
		}
		v := int(i) - 16
		return level(v / 36), level(v / 6 % 6), level(v % 6)
	default:
		g := 8 + 10*(int(i)-232)
		return g, g, g
	}
}
