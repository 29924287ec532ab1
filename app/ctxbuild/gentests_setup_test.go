package ctxbuild

import (
	"strings"
	"testing"
)

// setupGo is a Go package whose Store can only be given stock by a method
// (Add), whose Remove uses a type (Item) in its body and not in its
// signature, and which has no tests yet.
var setupGo = map[string]string{
	"go.mod": "module example.com/inv\n\ngo 1.22\n",
	"inventory/item.go": `package inventory

import (
	"errors"
	"fmt"
)

// ErrNoStock is returned when an item runs out.
var ErrNoStock = errors.New("no stock")

// Item is a stock line.
type Item struct {
	SKU string
	Qty int
}

// String shows the item.
func (i Item) String() string { return fmt.Sprintf("%s×%d", i.SKU, i.Qty) }
`,
	"inventory/store.go": `package inventory

import "fmt"

// Store holds items by SKU.
type Store struct {
	items map[string]Item
	log   []string
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{items: map[string]Item{}} }

// Len is how many SKUs the store holds.
func (s *Store) Len() int { return len(s.items) }

// Get returns the item of sku.
func (s *Store) Get(sku string) (Item, bool) {
	it, ok := s.items[sku]
	return it, ok
}

// Add puts qty of sku into the store.
func (s *Store) Add(sku string, qty int) {
	it := s.items[sku]
	it.SKU = sku
	it.Qty += qty
	s.items[sku] = it
}

// Remove takes qty of sku out of the store.
func (s *Store) Remove(sku string, qty int) error {
	it, ok := s.items[sku]
	if !ok || it.Qty < qty {
		return fmt.Errorf("remove %d of %s: %w", qty, sku, ErrNoStock)
	}
	it.Qty -= qty
	s.items[sku] = it
	s.log = append(s.log, sku)
	return nil
}
`,
}

// TestGenTestsSetupCode: a gen-tests context of a method has, with room,
// the types its code uses (Item, which it reaches through its receiver's
// field, naming it nowhere) and
// the methods of its receiver's type that put state into it (Add: a test
// of Remove needs stock to remove), beside the constructor; a getter
// (Len) is not one of them.
func TestGenTestsSetupCode(t *testing.T) {
	e := setupFiles(t, setupGo)
	c := e.build(t, Request{Task: "gen-tests", Target: "inventory.(*Store).Remove", Window: 16000})
	got := roles(c)
	for name, role := range map[string]string{
		"inventory.Item":         RoleType,
		"inventory.Store":        RoleType,
		"inventory.NewStore":     RoleConstructor,
		"inventory.(*Store).Add": RoleConstructor,
	} {
		if r, _ := strings.CutSuffix(got[name], "/"+FormFull); r != role && !(name == "inventory.Item" && r == RoleCallee) {
			t.Errorf("%s is %q; want %s in full (%v)", name, got[name], role, got)
		}
	}
	if r := got["inventory.(*Store).Len"]; r == RoleConstructor+"/"+FormFull {
		t.Errorf("the getter Len goes as a constructor: %v", got)
	}
}
