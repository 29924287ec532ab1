package chunk

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// typeSwitchGo switches on types of the package and of an imported one;
// the functions named no… are where nothing may be guessed.
const typeSwitchGo = `package p

import "bufio"

type T struct{}

func (T) M()  {}
func (*T) N() {}

type U struct{}

func (U) Other() {}

// one: a clause of one type gives the variable that type.
func one(x any) {
	switch v := x.(type) {
	case *T:
		v.N()
	case U:
		v.Other()
	case *bufio.Reader:
		v.ReadLine()
	}
}

// noSeveral: a clause of several types, default and case nil leave the
// variable of x's type.
func noSeveral(x any) {
	switch v := x.(type) {
	case T, *T:
		v.M()
	case nil:
		v.N()
	default:
		v.Other()
	}
}

// noParam: a type parameter, and a type the function declares.
func noParam[P interface{ M() }](x any) {
	type L struct{ T }
	switch v := x.(type) {
	case P:
		v.M()
	case L:
		v.N()
	}
}

// noShadow: the variable declared again in its clause, or the clause's
// type named by an inner scope's name, is no longer the switch's.
func noShadow(x any, r *bufio.Reader) {
	switch v := x.(type) {
	case *T:
		v, _ := r.ReadString(0)
		v.N()
	}
	switch x.(type) {
	case *T:
		x.N()
	}
}

// outer: the clause's type resolves where the switch is, as go/types
// resolves it: the variable named T is declared in the clause.
func outer(x any) {
	switch T := x.(type) {
	case *T:
		T.N()
	}
}
`

// TestGoTypeSwitchMethodRefs: in a type switch's clause of exactly one
// type, the switch's variable has that type and its calls are the
// method refs of it.
func TestGoTypeSwitchMethodRefs(t *testing.T) {
	got := methodRefs(t, "p/switch.go", typeSwitchGo)
	want := map[string][]string{
		"p.one":      {"p.(*T).N", "p.(*U).Other", "bufio.(*Reader).ReadLine"},
		"p.outer":    {"p.(*T).N"},
		"p.noShadow": {"bufio.(*Reader).ReadString"},
	}
	if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
		t.Errorf("method refs (-want +got):\n%s", diff)
	}
}
