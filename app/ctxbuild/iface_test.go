package ctxbuild

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aiex-dev/aiex/db"
)

func TestMethodSig(t *testing.T) {
	for _, c := range []struct {
		code string
		want sig
		ok   bool
	}{
		{"func (s *T) Get(key string) (string, error) { return \"\", nil }", sig{1, 2}, true},
		{"// Put sets key.\nfunc (s T) Put(key, value string) error {\n\treturn nil\n}", sig{2, 1}, true},
		{"func (T) Close() {}", sig{0, 0}, true},
		{"func (l *List[T]) Push(v T, more ...T) (n int, err error) {}", sig{2, 2}, true},
		{"func (s *S) Do(f func(a, b int) (int, error), m map[string]struct{ x, y int }) func() int {}", sig{2, 1}, true},
		{"func (s *S) Lines(\n\ta int,\n\tb string, // b\n) (\n\tx int,\n) {}", sig{2, 1}, true},
		{"func (s *S) Raw(int, string, []byte) []byte", sig{3, 1}, true},
		{"func (s *S) Gen[X any](x X) {}", sig{1, 0}, true},
		{"var x = 1", sig{}, false},
		{"func (s *S) Broken(a int", sig{}, false},
	} {
		if got, ok := methodSig(c.code); ok != c.ok || ok && got != c.want {
			t.Errorf("methodSig(%q) = %v, %v; want %v, %v", c.code, got, ok, c.want, c.ok)
		}
	}
}

func TestParseIface(t *testing.T) {
	for _, c := range []struct {
		code    string
		methods []ifaceMethod
		embeds  []string
		ok      bool
	}{
		{"// Storer keeps.\ntype Storer interface {\n\tGet(key string) (string, error)\n\t// Put sets\n\t// key.\n\tPut(key, value string) error\n\tLen(\n\t) int\n}",
			[]ifaceMethod{{"Get", sig{1, 2}, 3, 3}, {"Put", sig{2, 1}, 4, 6}, {"Len", sig{0, 1}, 7, 8}}, nil, true},
		// One spec of a group comes without the keyword.
		{"RW interface {\n\tReader\n\tio.Writer\n\tFlush() error\n}", []ifaceMethod{{"Flush", sig{0, 1}, 4, 4}}, []string{"Reader", "io.Writer"}, true},
		{"type Number interface {\n\t~int | ~float64\n\tString() string\n}", nil, nil, false},
		{"type T struct{ r io.Reader }", nil, nil, false},
		{"type Any interface{}", nil, nil, false},
	} {
		got, ok := parseIface(c.code)
		if ok != c.ok || ok && (!slices.Equal(got.methods, c.methods) || !slices.Equal(got.embeds, c.embeds)) {
			t.Errorf("parseIface(%q) = %+v, %v; want %+v %v, %v", c.code, got, ok, c.methods, c.embeds, c.ok)
		}
	}
}

// TestDecodeShapes: the scan of code_shapes reads what JSON encodes:
// escapes, nulls, field refs, a split method's pieces.
func TestDecodeShapes(t *testing.T) {
	enc := func(rows ...[]any) string {
		b, err := json.Marshal(rows)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	rows := []db.CodeShapes{
		{Path: "kv/a.go", Shapes: enc(
			[]any{"kv.Storer", []string{"interface", "=Getter"}, []string{"(*Storer).Put"}},
			[]any{"kv.Old", nil, nil},
			[]any{"kv.(*mem).Get"}, []any{"kv.(*mem).Put#1"}, []any{"kv.(*mem).Put#2"},
			[]any{"kv.(*mem).store.Get", "call"},
		)},
		{Path: "kv/b.go", Shapes: "[ [\"kv.disk\\u0041\", [\"struct\"], null] ,\n [\"kv.diskA.Get\"], [\"kv.diskA.Len\"] ]"},
		{Path: "x.go", Shapes: enc([]any{"main.t.Get"})},
	}
	types := decodeShapes(rows, nil)
	if got := slices.Sorted(maps.Keys(types["kv/"].types)); !slices.Equal(got, []string{"kv.Old", "kv.Storer", "kv.diskA"}) {
		t.Errorf("types %q", got)
	}
	if s := types["kv/"].types["kv.Storer"]; !slices.Equal(s.shape, []string{"interface", "=Getter"}) || !slices.Equal(s.members, []string{"(*Storer).Put"}) || s.path != "kv/a.go" {
		t.Errorf("kv.Storer: %+v", s)
	}
	if s := types["kv/"].types["kv.Old"]; s.shape != nil || s.path != "kv/a.go" {
		t.Errorf("kv.Old: %+v; want no shape", s)
	}
	ms := decodeShapes(rows, []string{"Get", "Put"})
	want := map[string]map[string]declName{
		"kv.mem":   {"Get": {name: "kv.(*mem).Get", path: "kv/a.go"}, "Put": {name: "kv.(*mem).Put", path: "kv/a.go"}},
		"kv.diskA": {"Get": {name: "kv.diskA.Get", path: "kv/b.go"}},
	}
	if got := ms["kv/"].methods; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("methods %v; want %v", got, want)
	}
	if got := ms[""].methods; fmt.Sprint(got) != fmt.Sprint(map[string]map[string]declName{"main.t": {"Get": {name: "main.t.Get", path: "x.go"}}}) {
		t.Errorf("methods at the root %v", got)
	}
	if bad := decodeShapes([]db.CodeShapes{{Path: "a/b.go", Shapes: `[["a.(*T).Get"], ["a.T`}}, []string{"Get"}); len(bad["a/"].methods) != 1 {
		t.Errorf("a malformed row: %v; want the rows before it", bad["a/"].methods)
	}
}

// TestGoInterfaceTestImplementations: an interface of test code takes
// the tests' implementations too.
func TestGoInterfaceTestImplementations(t *testing.T) {
	files := maps.Clone(storerFixture)
	files["kv/getter_test.go"] = "package kv\n\n// getter reads.\ntype getter interface {\n\tGet(key string) (string, error)\n}\n\nfunc get(g getter) string { v, _ := g.Get(\"k\"); return v }\n"
	e := setupFiles(t, files)
	c := e.build(t, Request{Target: "kv.getter.Get", Question: "q", Window: 16000, Hits: 1})
	all := slices.Concat(names(c.Included, RoleImpl), names(c.Dropped, RoleImpl))
	if !slices.Contains(all, "kv.fakeStore.Get") || !slices.Contains(all, "kv.(*cache).Get") {
		t.Errorf("implementations of a test's interface %q; want the test's fakeStore and cache among them", all)
	}
	// Line 5 is the doc comment of Storer's Get.
	c = e.build(t, Request{Target: filepath.Join(e.root, "kv/kv.go") + ":5", Question: "q", Window: 16000, Hits: 1})
	all = slices.Concat(names(c.Included, RoleImpl), names(c.Dropped, RoleImpl))
	if slices.Contains(all, "kv.fakeStore.Get") || !slices.Contains(all, "kv.diskStore.Get") {
		t.Errorf("implementations of Storer's Get %q; want the project's own, no test's", all)
	}
}

// TestGoInterfaceEmbedded: an interface's methods include those of the
// interfaces it embeds, of its package or of another: a type lacking one
// of those is no implementation.
func TestGoInterfaceEmbedded(t *testing.T) {
	files := maps.Clone(storerFixture)
	files["kv/sized.go"] = "package kv\n\n// SizedStorer says its size.\ntype SizedStorer interface {\n\tStorer\n\tSizer\n}\n"
	files["remote/store.go"] = "package remote\n\nimport \"example.com/kv/kv\"\n\n// Store closes.\ntype Store interface {\n\tkv.Storer\n\tClose() error\n}\n"
	files["remote/close.go"] = "package remote\n\nfunc (c *Client) Close() error { return nil }\n\n// Conn only closes.\ntype Conn struct{}\n\nfunc (Conn) Close() error { return nil }\n"
	e := setupFiles(t, files)
	for target, want := range map[string][]string{
		"kv.SizedStorer": {"kv.memStore"},
		"remote.Store":   {"remote.Client"},
	} {
		c := e.build(t, Request{Target: target, Question: "q", Window: 16000, Hits: 1})
		if all := slices.Concat(names(c.Included, RoleImpl), names(c.Dropped, RoleImpl)); !slices.Equal(all, want) {
			t.Errorf("implementations of %s %q; want %q", target, all, want)
		}
	}
}
