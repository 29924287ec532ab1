package chunk

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const shapesGo = `package srv

import (
	"bytes"
	"io"
)

type Server struct {
	*Base
	Logger
	bytes.Buffer
	*io.PipeReader
	name, addr string
	_          int
	error
	List[int]
}

type Gen[T any, P interface{ *T }] struct {
	T
	*Base
	x T
}

type RW interface {
	io.Reader
	Closer
	Close() error
	~int | ~string
}

type (
	Alias   = Server
	Defined Server
	Other   int
	Fn      func()
	Ptr     *Server
	Q       bytes.Buffer
	List[T any] []T
)

type _ struct{ Base }

func (s *Server) Close() error { return nil }
`

// TestGoTypeShapes: a type's chunk records its kind, its fields and its
// embedded types as the index reads them: the embedded field's name and
// type, pointer and qualifier kept, type arguments dropped, and ? for a
// type parameter or a predeclared type other than error; an interface's
// embedded elements (? for a type set); aliases and types defined from a
// named type as such; nothing on other chunks, nor on a blank type.
func TestGoTypeShapes(t *testing.T) {
	res := chunkString(t, "srv/srv.go", shapesGo, Options{Strategy: Semantic})
	got := map[string][]string{}
	for _, c := range res.Chunks {
		if c.Shape != nil {
			got[c.Name] = c.Shape
		} else if c.Kind == KindType && c.Name != "srv._" {
			t.Errorf("%s: no shape", c.Name)
		}
	}
	want := map[string][]string{
		"srv.Server": {"struct", "Base=*Base", "Logger=Logger", "Buffer=bytes.Buffer", "PipeReader=*io.PipeReader",
			"name", "addr", "error=error", "List=List"},
		"srv.Gen":     {"struct", "T=?", "Base=*Base", "x"},
		"srv.RW":      {"interface", "=io.Reader", "=Closer", "=?"},
		"srv.Alias":   {"alias"},
		"srv.Defined": {"defined"},
		"srv.Other":   {"other"},
		"srv.Fn":      {"other"},
		"srv.Ptr":     {"other"},
		"srv.Q":       {"defined"},
		"srv.List":    {"other"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("shapes (-want +got):\n%s", d)
	}
}

// TestGoTypeShapeFirstPiece: a type split into pieces records its shape on
// the first piece only, so that the index counts one declaration.
func TestGoTypeShapeFirstPiece(t *testing.T) {
	var b strings.Builder
	b.WriteString("package big\n\ntype Big struct {\n\t*Base\n")
	for i := range 800 {
		fmt.Fprintf(&b, "\tField%d int\n", i)
	}
	b.WriteString("}\n")
	res := chunkString(t, "big/big.go", b.String(), Options{})
	pieces := 0
	for _, c := range res.Chunks {
		if !strings.HasPrefix(c.Name, "big.Big#") {
			continue
		}
		pieces++
		if first := c.Name == "big.Big#1"; first != (c.Shape != nil) {
			t.Errorf("%s: shape %d elements", c.Name, len(c.Shape))
		}
		if c.Name == "big.Big#1" && (len(c.Shape) != 802 || c.Shape[1] != "Base=*Base" || c.Shape[801] != "Field799") {
			t.Errorf("%s: shape %q … %q (%d)", c.Name, c.Shape[:2], c.Shape[len(c.Shape)-1], len(c.Shape))
		}
	}
	if pieces < 2 {
		t.Fatalf("Big in %d pieces; want it split", pieces)
	}
}
