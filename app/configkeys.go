package app

import (
	"encoding"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/aiex-dev/aiex/app/sandbox"
	"github.com/aiex-dev/aiex/app/usererr"
)

// Where each key of a config file is, and whether its value has the type
// of the field it fills: what LoadFile reports a mistake in the file with.

// keyLines maps each key of a config file ("providers.gpu.base_url") and
// each table ("providers.gpu") to the line it is on.
type keyLines map[string]int

// line is the line of key, else of the nearest table holding it (a key
// left at its default is not in the file); 0 when neither is.
func (kl keyLines) line(key string) int {
	for k := key; k != ""; {
		if n, ok := kl[k]; ok {
			return n
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}

// errorf is a usage error about key: the file, the key's line and the key.
func (kl keyLines) errorf(path, key, format string, args ...any) error {
	return usererr.Usage("%s: key %q: %s", kl.where(path, key), key, fmt.Sprintf(format, args...))
}

// where is the file and line of key, as errorf names them.
func (kl keyLines) where(path, key string) string {
	if n := kl.line(key); n > 0 {
		return fmt.Sprintf("config %s line %d", path, n)
	}
	return "config " + path
}

// scanKeys records the line of every key and table of the document b and
// checks that each value has the TOML type of the field it fills. The
// decoder reports a mismatch in Go's terms, and takes any integer for
// the fields it fills from text (a duration, the sandbox mode). A syntax
// error stops the scan without an error: the decoder reports it.
func scanKeys(path string, b []byte) (keyLines, error) {
	lines := keyLines{}
	var p unstable.Parser
	p.Reset(b)
	var table []string
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			it := e.Key()
			table = keyParts(it)
			line := keyLine(&p, e.Key())
			lines.add(table, line)
			if t := fieldType(table); t != nil && !isTable(t) {
				return lines, typeError(path, line, table, t, "a table")
			}
		case unstable.KeyValue:
			key := append(slices.Clone(table), keyParts(e.Key())...)
			line := keyLine(&p, e.Key())
			lines.add(key, line)
			lines.addInline(key, e.Value(), line)
			if err := checkValue(path, line, key, e.Value()); err != nil {
				return lines, err
			}
		}
	}
	return lines, nil
}

func (kl keyLines) add(key []string, line int) {
	k := strings.Join(key, ".")
	if _, ok := kl[k]; !ok {
		kl[k] = line
	}
}

// addInline records the keys of v, the value of key on line, when it is
// an inline table (prices = { "p/m" = { input = 1 } }), as a table's on
// their lines would be: on key's line.
func (kl keyLines) addInline(key []string, v *unstable.Node, line int) {
	if v.Kind != unstable.InlineTable {
		return
	}
	for it := v.Children(); it.Next(); {
		kv := it.Node()
		k := append(slices.Clone(key), keyParts(kv.Key())...)
		kl.add(k, line)
		kl.addInline(k, kv.Value(), line)
	}
}

func keyParts(it unstable.Iterator) []string {
	var parts []string
	for it.Next() {
		parts = append(parts, string(it.Node().Data))
	}
	return parts
}

func keyLine(p *unstable.Parser, it unstable.Iterator) int {
	if !it.Next() {
		return 0
	}
	return p.Shape(it.Node().Raw).Start.Line
}

// checkValue checks v, the value of key (on line), against the type of
// the field key fills. Keys the File has no field for are left to the
// decoder's strict mode.
func checkValue(path string, line int, key []string, v *unstable.Node) error {
	t := fieldType(key)
	if t == nil {
		return nil
	}
	if v.Kind == unstable.InlineTable && isTable(t) {
		it := v.Children()
		for it.Next() {
			kv := it.Node()
			k := append(slices.Clone(key), keyParts(kv.Key())...)
			if fieldType(k) == nil {
				// The decoder names an unknown key of an inline table
				// by its last part alone ("colour"); the full key says
				// where it is, as for a key under [providers.gpu].
				return unknownKey(path, line, k)
			}
			if err := checkValue(path, line, k, kv.Value()); err != nil {
				return err
			}
		}
		return nil
	}
	if fits(t, v) {
		return nil
	}
	got := shown(v)
	if v.Kind == unstable.Array && t.Kind() == reflect.Slice {
		for it := v.Children(); it.Next(); {
			if e := it.Node(); !fits(t.Elem(), e) {
				got = "a list holding " + shown(e)
				break
			}
		}
	}
	return typeError(path, line, key, t, got)
}

// shown is a value as a message shows it: scalars as written, containers
// by what they are.
func shown(v *unstable.Node) string {
	switch v.Kind {
	case unstable.String:
		return strconv.Quote(string(v.Data))
	case unstable.Array:
		return "a list"
	case unstable.InlineTable:
		return "a table"
	}
	return string(v.Data)
}

func typeError(path string, line int, key []string, t reflect.Type, got string) error {
	return usererr.Usage("config %s line %d: %s must be %s, not %s", path, line, strings.Join(key, "."), describeType(t), got)
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// fits reports whether a TOML value of v's kind decodes into t.
func fits(t reflect.Type, v *unstable.Node) bool {
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return v.Kind == unstable.String
	}
	switch t.Kind() {
	case reflect.String:
		return v.Kind == unstable.String
	case reflect.Bool:
		return v.Kind == unstable.Bool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Kind == unstable.Integer
	case reflect.Float32, reflect.Float64:
		return v.Kind == unstable.Float || v.Kind == unstable.Integer
	case reflect.Slice:
		if v.Kind != unstable.Array {
			return false
		}
		it := v.Children()
		for it.Next() {
			if !fits(t.Elem(), it.Node()) {
				return false
			}
		}
		return true
	case reflect.Map, reflect.Struct:
		return v.Kind == unstable.InlineTable
	}
	return true
}

// describeType says what a value of t is written as, in a config file's terms.
func describeType(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[Duration]():
		return `a duration in quotes, like "90s", "10m" or "30d"`
	case reflect.TypeFor[sandbox.Mode]():
		return `"auto", "strict" or "off"`
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return "a string (in quotes)"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string (in quotes)"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return `a list of strings (in quotes), like ["a", "b"]`
		}
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a table"
	}
	return t.String()
}

// isTable reports whether t is filled from a TOML table.
func isTable(t reflect.Type) bool {
	return t.Kind() == reflect.Map || (t.Kind() == reflect.Struct && !reflect.PointerTo(t).Implements(textUnmarshaler))
}

// fieldType is the type of the File field that key fills, or nil when
// File has none.
func fieldType(key []string) reflect.Type {
	t := reflect.TypeFor[File]()
	for _, part := range key {
		switch t.Kind() {
		case reflect.Map:
			t = t.Elem()
		case reflect.Struct:
			f, ok := tomlField(t, part)
			if !ok {
				return nil
			}
			t = f.Type
		default:
			return nil
		}
	}
	if t.Kind() == reflect.Pointer {
		// An optional value (local): written as the value itself.
		t = t.Elem()
	}
	return t
}

func tomlField(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("toml"), ","); tag == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}
