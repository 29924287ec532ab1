package chunk

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// chunkNamed returns the chunk of src (a Go file) named name.
func chunkNamed(t *testing.T, src, name string) Chunk {
	t.Helper()
	res, err := File("ex/ex.go", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Chunks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no chunk %s", name)
	return Chunk{}
}

// A name repeated on many lines leaves room for the others: the call of
// helper after 130 calls of fmt.Println is a ref.
func TestRefsPastRepeatedName(t *testing.T) {
	var b strings.Builder
	b.WriteString("package ex\n\nimport \"fmt\"\n\nfunc helper() int { return 1 }\n\nfunc Big() {\n")
	for i := range 130 {
		fmt.Fprintf(&b, "\tfmt.Println(%d)\n", i)
	}
	b.WriteString("\thelper()\n}\n")
	c := chunkNamed(t, b.String(), "ex.Big")
	if !slices.Contains(c.Refs, "helper") {
		t.Errorf("refs %q lack helper (the index qualifies it)", c.Refs)
	}
}

// Past MaxRefs, a Go unit keeps its calls of its own package's functions
// before other packages' names, each group in the order written.
func TestRefsOwnPackageFirst(t *testing.T) {
	var b strings.Builder
	b.WriteString("package ex\n\nimport \"net/http\"\n\nfunc own1() {}\nfunc own2() {}\n\nfunc Handle(w http.ResponseWriter) {\n")
	for i := range MaxRefs + 8 {
		fmt.Fprintf(&b, "\tw.WriteHeader(http.Status%d)\n", i)
	}
	b.WriteString("\town1()\n\town2()\n}\n")
	c := chunkNamed(t, b.String(), "ex.Handle")
	if len(c.Refs) != MaxRefs {
		t.Fatalf("%d refs, want the cap %d", len(c.Refs), MaxRefs)
	}
	if c.Refs[0] != "own1" || c.Refs[1] != "own2" {
		t.Errorf("refs begin %q; want the package's own calls first", c.Refs[:4])
	}
	// w's type is net/http's: its call is a ref to the method, which an
	// interface has no chunk for (it links nothing).
	if c.Refs[2] != "http.ResponseWriter" || c.Refs[3] != "http.(*ResponseWriter).WriteHeader" || c.Refs[4] != "http.Status0" {
		t.Errorf("refs go on %q; want the others in the order written", c.Refs[2:5])
	}
}
