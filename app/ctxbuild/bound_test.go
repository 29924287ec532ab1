package ctxbuild

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/app/chunk"
	"github.com/aiex-dev/aiex/app/tokens"
)

// boundFixture is a small project beside two large blobs of data: a Go
// const of sample SQL under testdata (as rqlite's testdata/chinook/db.go,
// 15,000 lines of INSERT statements) and a var holding a large table
// literal, both named and worded like the project's own code, so the
// search finds them for a question about it.
var boundFixture = func() map[string]string {
	var sql, table strings.Builder
	for i := range 2500 {
		fmt.Fprintf(&sql, "INSERT INTO \"Album\" VALUES(%d,'For Those About To Rock The DB We Salute You %d',%d);\n", i, i, i%7)
		if i < 600 {
			fmt.Fprintf(&table, "\t{%d, \"open the DB row %d\", %d},\n", i, i, i*3)
		}
	}
	return map[string]string{
		"store/store.go": "package store\n\n// DB is an open database.\ntype DB struct {\n\tpath string\n}\n\n" +
			"// Open opens the DB at path.\nfunc Open(path string) (*DB, error) {\n\treturn &DB{path: path}, nil\n}\n",
		"testdata/sample/db.go": "// Package sample holds a sample database.\npackage sample\n\nconst DB = `PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n" +
			sql.String() + "COMMIT;\n`\n",
		"store/rows.go": "package store\n\n// Rows are the DB rows a new store opens with.\nvar Rows = []struct {\n\tID   int\n\tName string\n\tN    int\n}{\n" +
			table.String() + "}\n",
	}
}()

// TestDataAtMostSignature: code under testdata and a const or var that is
// mostly a literal go as their signatures at most, however much room is
// left, unless the question is about them: 2,500 lines of sample SQL are
// no help to a model asked how the DB opens, and cost a paid model's
// prompt its price.
func TestDataAtMostSignature(t *testing.T) {
	e := setupFiles(t, boundFixture)
	c := e.build(t, Request{Target: "store.Open", Question: "how is the DB opened?", Window: 128000, Reserve: new(0)})
	seen := map[string]bool{}
	for _, it := range append(c.Included, c.Dropped...) {
		name, _, _ := strings.Cut(it.Name, "#") // a piece of it
		if name != "sample.DB" && name != "store.Rows" {
			continue
		}
		seen[name] = true
		if it.Form != FormSignature && it.Form != "" {
			t.Errorf("%s goes %s, %d tokens (%s); want its signature at most", it.Name, it.Form, it.Tokens, it.Reason)
		}
	}
	if !seen["sample.DB"] || !seen["store.Rows"] {
		t.Fatalf("the blobs were not considered (%v); the test shows nothing", roles(c))
	}
}

// TestCutBounded: a candidate cut to fit the room left takes a bounded
// share of it: in a large window, the first thousands of lines of a blob
// the question names are no more use than its first few hundred. In a
// small window it is still cut to fit, within half the budget.
func TestCutBounded(t *testing.T) {
	e := setupFiles(t, boundFixture)
	for _, tc := range []struct{ window, most int }{{128000, 4096}, {200000, 4096}, {3000, 1500}} {
		c := e.build(t, Request{Target: "store.Open", Question: "what does the sample DB hold?", Window: tc.window, Reserve: new(0)})
		cut := false
		for _, it := range c.Included {
			if it.Role == RoleTarget {
				continue
			}
			if it.Tokens > tc.most {
				t.Errorf("window %d: %s goes %s with %d tokens (%s); want at most %d", tc.window, it.Name, it.Form, it.Tokens, it.Reason, tc.most)
			}
			cut = cut || it.Name == "sample.DB" && it.Form == FormTruncated
		}
		if !cut {
			t.Errorf("window %d: sample.DB not cut to fit (%v); the question names it", tc.window, roles(c))
		}
	}
}

// TestCutRange: an item cut short reports the lines that went in, in its
// range and in the prompt's header of it: the first line to the last
// line kept, not the whole unit's.
func TestCutRange(t *testing.T) {
	e := setupFiles(t, boundFixture)
	src, err := os.ReadFile(filepath.Join(e.root, "testdata/sample/db.go"))
	if err != nil {
		t.Fatal(err)
	}
	file := strings.Split(string(src), "\n")
	c := e.build(t, Request{Target: "store.Open", Question: "what does the sample DB hold?", Window: 8000, Reserve: new(0)})
	for _, it := range c.Included {
		if it.Name != "sample.DB" {
			continue
		}
		if it.Form != FormTruncated {
			t.Fatalf("sample.DB goes %s (%s); the test shows nothing", it.Form, it.Reason)
		}
		code := strings.Split(it.Code, "\n")
		last := code[len(code)-2] // the line before the "… (N more lines)" marker
		if !strings.HasPrefix(code[len(code)-1], "… (") {
			t.Fatalf("no marker after the cut:\n%s", code[len(code)-1])
		}
		if it.EndLine >= len(file) || file[it.EndLine-1] != last {
			t.Errorf("range %d-%d; its last line kept is %q, the file's line %d is %q", it.StartLine, it.EndLine, last, it.EndLine, file[min(it.EndLine, len(file))-1])
		}
		where := fmt.Sprintf("testdata/sample/db.go:%d-%d ", it.StartLine, it.EndLine)
		prompt := ""
		for _, m := range c.Prompt {
			prompt += m.Content
		}
		if !strings.Contains(prompt, where) {
			t.Errorf("the prompt does not head the cut %q", where)
		}
		return
	}
	t.Fatalf("sample.DB not included (%v)", roles(c))
}

// TestOverlapOnce: a text file's chunks of the size strategy overlap by
// design (60 lines, 10 of them the previous chunk's); two hits of one
// file that overlap do not carry their common lines twice.
func TestOverlapOnce(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Changes\n\n")
	for i := 3; i <= 170; i++ {
		switch {
		case i >= 52 && i <= 58:
			fmt.Fprintf(&b, "- restore the database from a snapshot, fix %d\n", i)
		case i == 20 || i == 100:
			fmt.Fprintf(&b, "- a node restores its snapshot at start %d\n", i)
		default:
			fmt.Fprintf(&b, "- unrelated change number %d to the web page\n", i)
		}
	}
	e := setupFiles(t, map[string]string{
		"CHANGELOG.md": b.String(),
		"main.go":      "package main\n\nfunc main() {}\n",
	})
	c := e.build(t, Request{Task: "ask", Question: "how does a node restore its database from a snapshot?", Window: 32000})
	type line struct {
		path string
		n    int
	}
	by := map[line]string{}
	hits := 0
	for _, it := range c.Included {
		if it.Path != "CHANGELOG.md" {
			continue
		}
		hits++
		for n := it.StartLine; n <= it.EndLine; n++ {
			if prev, ok := by[line{it.Path, n}]; ok {
				t.Errorf("%s:%d goes in twice, with %s and with %s (%d-%d)", it.Path, n, prev, it.Name, it.StartLine, it.EndLine)
			}
			by[line{it.Path, n}] = fmt.Sprintf("%s (%d-%d)", it.Name, it.StartLine, it.EndLine)
		}
		if got := strings.Count(strings.TrimSuffix(it.Code, "\n"), "\n") + 1; got != it.EndLine-it.StartLine+1 {
			t.Errorf("%s %d-%d carries %d lines", it.Name, it.StartLine, it.EndLine, got)
		}
	}
	if hits < 2 {
		t.Fatalf("%d chunks of CHANGELOG.md included (%v); the test shows nothing", hits, roles(c))
	}
	for _, tc := range []int{52, 58, 100} {
		if _, ok := by[line{"CHANGELOG.md", tc}]; !ok {
			t.Errorf("CHANGELOG.md:%d left out", tc)
		}
	}
}

// TestTrimOverlap: a run of lines overlapping an item before it loses the
// lines that item holds, at its start or at its end, its range and text
// alike; one whose every line is held is left out.
func TestTrimOverlap(t *testing.T) {
	run := func(from, to int) *Item {
		var b strings.Builder
		for n := from; n <= to; n++ {
			fmt.Fprintf(&b, "line %d\n", n)
		}
		return &Item{Role: RoleHit, Kind: "text", Path: "CHANGELOG.md", Name: fmt.Sprintf("CHANGELOG.md %d", from), StartLine: from, EndLine: to, full: b.String(), id: int64(from), hash: fmt.Sprint(from)}
	}
	for _, tc := range []struct {
		before   [2]int
		it       [2]int
		from, to int // 0: left out
	}{
		{[2]int{1701, 1760}, [2]int{1651, 1710}, 1651, 1700},
		{[2]int{1651, 1710}, [2]int{1701, 1760}, 1711, 1760},
		{[2]int{1, 60}, [2]int{61, 120}, 61, 120},
		{[2]int{1, 60}, [2]int{40, 55}, 0, 0},
	} {
		got := distinct([]*Item{run(tc.before[0], tc.before[1]), run(tc.it[0], tc.it[1])}, nil, map[int64]bool{}, map[string]bool{}, newFileCache(t.TempDir(), chunk.Options{}, nil))
		if tc.from == 0 {
			if len(got) != 1 {
				t.Errorf("%v after %v: kept", tc.it, tc.before)
			}
			continue
		}
		if len(got) != 2 {
			t.Fatalf("%v after %v: left out", tc.it, tc.before)
		}
		it := got[1]
		want := run(tc.from, tc.to).full
		if it.StartLine != tc.from || it.EndLine != tc.to || it.full != want {
			t.Errorf("%v after %v: %d-%d %q; want %d-%d %q", tc.it, tc.before, it.StartLine, it.EndLine, it.full, tc.from, tc.to, want)
		}
	}
}

// TestRowsCounted: the tokens of each item included are counted as the
// prompt's total is, not planned by the estimate (which errs high), so
// that the rows add up to no more than the total: planned, rqlite's
// store.(*Store).Execute's rows summed to 15,140 beside a total of 14,163.
func TestRowsCounted(t *testing.T) {
	e := setup(t)
	c := e.build(t, Request{Target: "MyApp.Accounts.get_user/1", Question: "how is a user looked up?", Window: 8000,
		Estimate: tokens.Estimate{Family: tokens.FamilyO200k}})
	sum := 0
	for _, it := range c.Included {
		sum += it.Tokens
		if want := o200k.Count(snippetText(&it, it.Code)); it.Tokens != want {
			t.Errorf("%s %s: %d tokens; counted, %d", it.Role, it.Name, it.Tokens, want)
		}
	}
	if len(c.Included) < 3 || sum > c.Tokens {
		t.Errorf("%d items, %d tokens in all; the prompt takes %d", len(c.Included), sum, c.Tokens)
	}
}

// TestDataOneLine: a definition under testdata that is its own signature
// (one line, no doc text) goes as it is, as a built-in's does.
func TestDataOneLine(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"run/run.go":           "package run\n\n// Start starts the run.\nfunc Start() { Stop() }\n\n// Stop stops the run.\nfunc Stop() {}\n",
		"testdata/fake/run.go": "package fake\n\nfunc Stop() {}\n",
	})
	c := e.build(t, Request{Target: "run.Start", Question: "how does a run stop?", Window: 8000})
	for _, it := range c.Included {
		if it.Path == "testdata/fake/run.go" && it.Name == "fake.Stop" {
			return
		}
	}
	t.Errorf("fake.Stop left out (%v; dropped %v)", roles(c), c.Dropped)
}

// TestCutRangeAfterDoc: a unit cut after its doc text left out reports
// the line its kept code ends at in its file, not one its doc's lines
// shift.
func TestCutRangeAfterDoc(t *testing.T) {
	var body strings.Builder
	for i := range 40 {
		fmt.Fprintf(&body, "\tn += it.Price * float64(it.Qty) + %d\n", i)
	}
	src := "package item\n\n// Item is a line of a cart.\ntype Item struct {\n\tPrice float64\n\tQty   int\n}\n\n" +
		strings.Repeat("// Total computes the total of an item, its price times its quantity, rounded.\n", 8) +
		"func Total(it Item) float64 {\n\tn := 0.0\n" + body.String() + "\treturn n\n}\n"
	e := setupFiles(t, map[string]string{
		"item/item.go": src,
		"item/cart.go": "package item\n\n// Sum totals a cart.\nfunc Sum(items []Item) float64 {\n\ts := 0.0\n\tfor _, it := range items {\n\t\ts += Total(it)\n\t}\n\treturn s\n}\n",
	})
	file := strings.Split(src, "\n")
	cut := 0
	for w := 500; w <= 900; w += 50 {
		c := e.build(t, Request{Target: "item.Sum", Question: "q", Window: w, Reserve: new(0)})
		for _, it := range c.Included {
			if it.Name != "item.Total" || it.Form != FormTruncated {
				continue
			}
			cut++
			code := strings.Split(it.Code, "\n")
			last := code[len(code)-2]
			if file[it.EndLine-1] != last {
				t.Errorf("window %d: range %d-%d; its last line kept is %q, the file's line %d is %q", w, it.StartLine, it.EndLine, last, it.EndLine, file[it.EndLine-1])
			}
		}
	}
	if cut == 0 {
		t.Fatal("item.Total never cut; the test shows nothing")
	}
}
