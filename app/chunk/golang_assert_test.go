package chunk

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// assertGo asserts values to the package's own types and to imported
// ones; each function holds one form, and the ones named no… assert
// where nothing may be guessed.
const assertGo = `package p

import (
	"bufio"
	"io"
)

type T struct{}

func (T) M()  {}
func (*T) N() {}

type Conn interface{ Close() error }

// direct: calls on the assertion itself, parenthesized or not.
func direct(x any) {
	x.(T).M()
	x.(*T).N()
	(x.(*bufio.Reader)).ReadLine()
	x.(Conn).Close()
	f := x.(*T).N // a method value of a method the file declares
	_ = f
}

// declared: the asserted value's variable has the asserted type.
func declared(x any) {
	v := x.(T)
	v.M()
	w, ok := x.(*bufio.Writer)
	w.Flush()
	_ = ok
	var r = x.(io.Reader)
	r.Read(nil)
	var c, ok2 = x.(*T)
	c.N()
	_ = ok2
	a, b := x.(T), x.(*bufio.Scanner)
	a.M()
	b.Scan()
	u := v // a variable of a known type
	u.M()
}

// noPredeclared: error is no type of the package.
func noPredeclared(x any) {
	x.(error).Error()
	e := x.(error)
	e.Error()
}

// noLocal: a type the function declares is not the package's T.
func noLocal(x any) {
	type T struct{ io.Reader }
	x.(T).Read(nil)
	v := x.(*T)
	v.Read(nil)
}

// noParam: a type parameter has no methods to link to.
func noParam[P interface{ M() }](x any) {
	x.(P).M()
	v, _ := x.(P)
	v.M()
}

// noShadow: a name declared again has no known type.
func noShadow(x any, y *bufio.Reader) {
	v := x.(T)
	{
		v, err := y.ReadString('\n')
		v.N()
		_ = err
	}
	{
		var v = x.(*bufio.Writer)
		v.Flush()
	}
	v.M()
}

// noOther: a pointer to a pointer, a qualifier that is a variable, the
// comma-ok's second name, and an assignment to a variable declared
// without a known type.
func noOther(x any, bufio struct{ Reader int }) {
	x.(**T).N()
	x.(bufio.Reader).Peek(1)
	_, ok := x.(T)
	_ = ok
	var v any
	v = x.(T)
	v.(interface{ M() }).M()
}
`

// TestGoAssertMethodRefs: a call on a type assertion x.(T) or x.(*T), or
// on a variable it gives a value (v := x.(T), v, ok := x.(*T), var v =
// x.(T)), is the method ref of T, by the rules of any method ref.
func TestGoAssertMethodRefs(t *testing.T) {
	got := methodRefs(t, "p/assert.go", assertGo)
	want := map[string][]string{
		"p.direct": {"p.(*T).M", "p.(*T).N", "bufio.(*Reader).ReadLine", "p.(*Conn).Close"},
		"p.declared": {"p.(*T).M", "bufio.(*Writer).Flush", "io.(*Reader).Read", "p.(*T).N",
			"bufio.(*Scanner).Scan"},
		"p.noShadow": {"bufio.(*Reader).ReadString", "bufio.(*Writer).Flush", "p.(*T).M"},
	}
	if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
		t.Errorf("method refs (-want +got):\n%s", diff)
	}
}
