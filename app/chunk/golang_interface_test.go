package chunk

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const storeGo = `package store

import "io"

// Store keeps values.
type Store interface {
	Get(key string) ([]byte, error)
	Put(key string, v []byte) error
	io.Closer
	Stats
}

type Stats interface{ Len() int }

type (
	Getter[K comparable] interface {
		Get(K) bool
	}
	paren (interface{ Flush() })
	Number interface{ ~int | ~float64 }
	Alias = interface{ Reset() }
)

type _ interface{ Hidden() }

type mem struct{ m map[string][]byte }

func (m *mem) Get(key string) ([]byte, error) { return m.m[key], nil }

func use(s Store, g Getter[string]) {
	s.Get("k")
	s.Len()
	g.Get("k")
}
`

// TestGoInterfaceMembers: an interface type lists each method it declares
// as a call through a variable of it names the method, (*T).M, so that
// the index links the call to it; the interfaces it embeds, a type set
// and a blank type name list nothing, and neither does a struct, whose
// methods are chunks of their own. The calls through the interfaces are
// refs by those names.
func TestGoInterfaceMembers(t *testing.T) {
	res := chunkString(t, "store/store.go", storeGo, Options{Strategy: Semantic})
	got := map[string][]string{}
	var refs []string
	for _, c := range res.Chunks {
		if c.Kind == KindType {
			got[c.Name] = c.Members
		}
		if c.Name == "store.use" {
			for _, r := range c.Refs {
				if strings.Contains(r, "(*") {
					refs = append(refs, r)
				}
			}
		}
	}
	want := map[string][]string{
		"store.Store":  {"(*Store).Get", "(*Store).Put"},
		"store.Stats":  {"(*Stats).Len"},
		"store.Getter": {"(*Getter).Get"},
		"store.paren":  {"(*paren).Flush"},
		"store.Number": nil,
		"store.Alias":  {"(*Alias).Reset"},
		"store._":      nil,
		"store.mem":    nil,
	}
	if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
		t.Errorf("members of the type chunks (-want +got):\n%s", diff)
	}
	wantRefs := []string{"store.(*Store).Get", "store.(*Store).Len", "store.(*Getter).Get"}
	if diff := cmp.Diff(wantRefs, refs); diff != "" {
		t.Errorf("method refs of store.use (-want +got):\n%s", diff)
	}
}

// TestGoInterfaceMembersSplit: a piece of an interface split for its size
// lists the methods declared in it, so that a call reaches the piece
// declaring the method.
func TestGoInterfaceMembersSplit(t *testing.T) {
	var b strings.Builder
	b.WriteString("package big\n\ntype API interface {\n")
	for i := range 200 {
		b.WriteString("\t// Method does a thing, described at some length to fill the piece.\n")
		b.WriteString("\tMethod" + string(rune('A'+i/26)) + string(rune('a'+i%26)) + "(ctx context.Context, in *Request) (*Response, error)\n")
	}
	b.WriteString("}\n")
	res := chunkString(t, "big/api.go", b.String(), Options{Strategy: Hybrid, MaxBytes: 2048})
	pieces, listed := 0, 0
	for _, c := range res.Chunks {
		if c.Kind != KindType {
			continue
		}
		pieces++
		for _, m := range c.Members {
			name := strings.TrimPrefix(m, "(*API).")
			if !strings.Contains(b.String()[c.StartByte:c.EndByte], "\t"+name+"(") {
				t.Errorf("piece %s lists %s, which it does not declare", c.Name, m)
			}
			listed++
		}
	}
	if pieces < 2 || listed != 200 {
		t.Errorf("%d pieces listing %d methods; want the interface split, all 200 listed once", pieces, listed)
	}
}
