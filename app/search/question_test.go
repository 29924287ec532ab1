package search

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/app/index"
)

func TestQuestionWords(t *testing.T) {
	for _, tt := range []struct {
		query string
		want  []string
	}{
		{"how are floats parsed", []string{"are", "how"}},
		{"Why does http.Server.Shutdown wait for idle connections?", []string{"does", "why"}},
		{"what does handle_call do in Mix.State", []string{"does", "what"}},
		// Where and which are words of code past a question's opening...
		{"sql where clause", nil},
		{"supervisor which children", nil},
		// ...and ask at the opening of a sentence of it.
		{"it fails. Where is the config read?", []string{"is", "where"}},
		// How, what and why ask wherever they are.
		{"explain how floats are parsed", []string{"how"}},
		{"errors is", nil},
		// Make asks about its object in a question, and is a word of
		// code elsewhere.
		{"how are reads made consistent", []string{"are", "how", "made"}},
		{"make a slice", nil},
	} {
		got := slices.Sorted(maps.Keys(questionWords(tt.query)))
		if !slices.Equal(got, tt.want) {
			t.Errorf("questionWords(%q) = %q, want %q", tt.query, got, tt.want)
		}
	}
	// A question of nothing but asking words asks about them.
	ws := index.QueryWords("what is")
	if got, asked := withoutQuestion(ws, questionWords("what is")); len(got) != len(ws) || len(asked) != 0 {
		t.Errorf("withoutQuestion(what is) = %v, %v; want %v and none left out", got, asked, ws)
	}
}

// tomlFixture holds the code of BurntSushi/toml (v1.6.0, MIT) that
// questions about how its values are parsed find, cut down: the parser's
// methods for floats and datetimes, the lexer's, the errors that name
// parsing, cmd/tomlv's flags, whose help says "how" and "parsing", and
// the test suite's comparison of datetimes, which parses them.
var tomlFixture = map[string]string{
	"cmd/tomlv/main.go": `// Command tomlv validates TOML documents and prints each key's type.
package main

import (
	"flag"
	"log"
)

var (
	flagTypes = false
	flagJSON  = false
	flagTime  = false
)

func init() {
	log.SetFlags(0)
	flag.BoolVar(&flagTypes, "types", flagTypes, "Show the types for every key.")
	flag.BoolVar(&flagTime, "time", flagTypes, "Show how long the parsing took.")
	flag.BoolVar(&flagJSON, "json", flagTypes, "Output parsed document as JSON.")
	flag.Usage = usage
	flag.Parse()
}

func usage() {
	log.Printf("Usage: tomlv toml-file [ toml-file ... ]\n")
	flag.PrintDefaults()
}
`,
	"error.go": `package toml

// ParseError is returned when there is an error parsing the TOML syntax such as
// invalid syntax, duplicate keys, etc.
type ParseError struct {
	Message string
	Usage   string
	Line    int
	LastKey string
	err     error
}

type (
	errParseDate  struct{ v string }
	errParseRange struct {
		i    any    // int or float
		size string // "int64", "uint16", etc.
	}
)

func (e errParseDate) Error() string  { return fmt.Sprintf("invalid datetime: %q", e.v) }
func (e errParseRange) Error() string { return fmt.Sprintf("%v is out of range for %s", e.i, e.size) }
`,
	"internal/toml-test/json.go": `package tomltest

var layouts = map[string]string{
	"datetime":       time.RFC3339Nano,
	"datetime-local": "2006-01-02T15:04:05.999999999",
	"date-local":     "2006-01-02",
	"time-local":     "15:04:05",
}

func (r Test) cmpAsDatetimes(kind, want, have string) Test {
	layout, ok := layouts[kind]
	if !ok {
		panic("should never happen")
	}
	wantT, err := time.Parse(layout, datetimeRepl.Replace(want))
	if err != nil {
		return r.bug("Could not read %q as a datetime value for key %q", want, r.Key)
	}
	haveT, err := time.Parse(layout, datetimeRepl.Replace(want))
	if err != nil {
		return r.fail("Malformed output from your encoder: key %q is not a datetime: %q", r.Key, have)
	}
	if !wantT.Equal(haveT) {
		return r.fail("Values for key %q don't match", r.Key)
	}
	return r
}
`,
	"lex.go": `package toml

// lexFloat consumes the elements of a float. It allows any sequence of
// float-like characters, so floats emitted by the lexer are only a first
// approximation and must be validated by the parser.
func lexFloat(lx *lexer) stateFn {
	r := lx.next()
	if isDigit(r) {
		return lexFloat
	}
	switch r {
	case '_', '.', '-', '+', 'e', 'E':
		return lexFloat
	}
	lx.backup()
	lx.emit(itemFloat)
	return lx.pop()
}

func lexDatetime(lx *lexer) stateFn {
	r := lx.next()
	if isDigit(r) {
		return lexDatetime
	}
	switch r {
	case '-', ':', 'T', 't', ' ', '.', 'Z', 'z', '+':
		return lexDatetime
	}
	lx.backup()
	lx.emitTrim(itemDatetime)
	return lx.pop()
}
`,
	"parse.go": `package toml

type parser struct {
	lx         *lexer
	context    Key
	currentKey string
}

func (p *parser) valueFloat(it item) (any, tomlType) {
	parts := strings.FieldsFunc(it.val, func(r rune) bool {
		switch r {
		case '.', 'e', 'E':
			return true
		}
		return false
	})
	for _, part := range parts {
		if !numUnderscoresOK(part) {
			p.panicItemf(it, "Invalid float %q: underscores must be surrounded by digits", it.val)
		}
	}
	if len(parts) > 0 && numHasLeadingZero(parts[0]) {
		p.panicItemf(it, "Invalid float %q: cannot have leading zeroes", it.val)
	}
	if !numPeriodsOK(it.val) {
		// As a special case, numbers like '123.' or '1.e2',
		// which are valid as far as Go/strconv are concerned,
		// must be rejected because TOML says that a fractional
		// part consists of '.' followed by 1+ digits.
		p.panicItemf(it, "Invalid float %q: '.' must be followed by one or more digits", it.val)
	}
	val := strings.Replace(it.val, "_", "", -1)
	num, err := strconv.ParseFloat(val, 64)
	if err != nil {
		if e, ok := err.(*strconv.NumError); ok && e.Err == strconv.ErrRange {
			p.panicErr(it, errParseRange{i: it.val, size: "float64"})
		} else {
			p.panicItemf(it, "Invalid float value: %q", it.val)
		}
	}
	return num, p.typeOfPrimitive(it)
}

func (p *parser) valueDatetime(it item) (any, tomlType) {
	it.val = datetimeRepl.Replace(it.val)
	var (
		t   time.Time
		ok  bool
		err error
	)
	for _, dt := range dtTypes {
		t, err = time.ParseInLocation(dt.fmt, it.val, dt.zone)
		if err == nil {
			ok = true
			break
		}
	}
	if !ok {
		p.panicErr(it, errParseDate{it.val})
	}
	return t, p.typeOfPrimitive(it)
}

func (p *parser) typeOfPrimitive(lexItem item) tomlType {
	switch lexItem.typ {
	case itemInteger:
		return tomlInteger
	case itemFloat:
		return tomlFloat
	case itemDatetime:
		return tomlDatetime
	case itemString, itemStringEsc:
		return tomlString
	case itemBool:
		return tomlBool
	}
	p.bug("Cannot infer primitive type of lex item '%s'.", lexItem)
	panic("unreachable")
}
`,
}

// A question says what the code does, and the code's names what does it:
// "how are floats parsed" is toml.(*parser).valueFloat, whose receiver is
// the parser and whose name holds "float" but also "value". The question's
// "how" is no part of what it asks: counted, it ranked cmd/tomlv's flag
// set-up first, whose help says "Show how long the parsing took".
func TestSearchHowQuestion(t *testing.T) {
	ctx := context.Background()
	s, p, _ := setupFiles(t, tomlFixture, index.Config{})
	sr := New(Config{Store: s})
	for _, tt := range []struct{ query, want string }{
		{"how are floats parsed", "toml.(*parser).valueFloat"},
		{"float parse", "toml.(*parser).valueFloat"},
		{"how are datetimes parsed", "toml.(*parser).valueDatetime"},
	} {
		res, err := sr.Search(ctx, p.ID, tt.query, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Name != tt.want {
			t.Errorf("%q: hits %q; want %s first", tt.query, names(res.Hits), tt.want)
		}
		if slices.Contains(res.Terms, "how") {
			t.Errorf("%q: terms %q hold the question's how", tt.query, res.Terms)
		}
	}
}

func TestAgentOf(t *testing.T) {
	for _, tt := range []struct {
		word, verb string
		want       bool
	}{
		{"parser", "parse", true},
		{"parsers", "parsed", true},
		{"writer", "write", true},
		{"scanner", "scan", true},
		{"handler", "handle", true},
		{"server", "serve", true},
		// The stemmer makes these forms already, or they are no agents.
		{"decoder", "decode", false},
		{"enumerable", "enum", false},
		{"parsed", "parse", false},
		{"reader", "re", false},
	} {
		if got := agentOf(tt.word, index.Stem(tt.word), index.Stem(tt.verb)); got != tt.want {
			t.Errorf("agentOf(%q, %q) = %v, want %v", tt.word, tt.verb, got, tt.want)
		}
	}
}
