package chunk

/*
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

// tree-sitter's TSNode and TSTreeCursor (api.h), by layout, and the
// functions of its API used here: the library itself is built and linked
// by go-tree-sitter.
typedef struct { uint32_t context[4]; const void *id; const void *tree; } aiex_node;
typedef struct { const void *tree; const void *id; uint32_t context[3]; } aiex_cursor;

aiex_cursor ts_tree_cursor_new(aiex_node node);
void ts_tree_cursor_delete(aiex_cursor *self);
void ts_tree_cursor_reset(aiex_cursor *self, aiex_node node);
bool ts_tree_cursor_goto_first_child(aiex_cursor *self);
bool ts_tree_cursor_goto_next_sibling(aiex_cursor *self);
aiex_node ts_tree_cursor_current_node(const aiex_cursor *self);
bool ts_node_is_named(aiex_node self);
uint16_t ts_node_symbol(aiex_node self);

// aiex_lister is a cursor and a buffer for the children it lists, in C
// memory (cgo would check a Go buffer for Go pointers on every call).
enum { aiex_buf = 64 };
typedef struct { aiex_cursor cur; aiex_node buf[aiex_buf]; } aiex_lister;

static aiex_lister *aiex_lister_new(aiex_node node) {
	aiex_lister *l = malloc(sizeof *l);
	if (l) l->cur = ts_tree_cursor_new(node);
	return l;
}

static void aiex_lister_free(aiex_lister *l) {
	ts_tree_cursor_delete(&l->cur);
	free(l);
}

// aiex_named_children stores the first max named children of node in out
// (l->buf if out is NULL) and returns how many named children node has.
static uint32_t aiex_named_children(aiex_lister *l, aiex_node node, aiex_node *out, uint32_t max) {
	uint32_t n = 0;
	if (!out) {
		out = l->buf;
		max = aiex_buf;
	}
	ts_tree_cursor_reset(&l->cur, node);
	if (!ts_tree_cursor_goto_first_child(&l->cur)) return 0;
	do {
		aiex_node child = ts_tree_cursor_current_node(&l->cur);
		if (ts_node_is_named(child)) {
			if (n < max) out[n] = child;
			n++;
		}
	} while (ts_tree_cursor_goto_next_sibling(&l->cur));
	return n;
}

// aiex_child_of_symbol stores in l->buf[0] the first named child of node
// whose symbol is in the set (set[symbol] != 0 for symbol < n), and
// reports whether there is one.
static bool aiex_child_of_symbol(aiex_lister *l, aiex_node node, const uint8_t *set, uint32_t n) {
	ts_tree_cursor_reset(&l->cur, node);
	if (!ts_tree_cursor_goto_first_child(&l->cur)) return false;
	do {
		aiex_node child = ts_tree_cursor_current_node(&l->cur);
		if (ts_node_is_named(child)) {
			uint16_t s = ts_node_symbol(child);
			if (s < n && set[s]) {
				l->buf[0] = child;
				return true;
			}
		}
	} while (ts_tree_cursor_goto_next_sibling(&l->cur));
	return false;
}
*/
import "C"

import (
	"unsafe"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// A sitter.Node is a TSNode and nothing else; the node lists below are
// filled in C and read as []sitter.Node.
var _ [0]struct{} = [unsafe.Sizeof(sitter.Node{}) - unsafe.Sizeof(C.aiex_node{})]struct{}{}
var _ [0]struct{} = [unsafe.Sizeof(C.aiex_node{}) - unsafe.Sizeof(sitter.Node{})]struct{}{}

// nodeLister lists the named children of nodes with one cgo call per node:
// go-tree-sitter's Node.NamedChildren makes three per child (and a heap
// object each), which was most of the Elixir chunker's walk. It holds C
// memory until close.
type nodeLister struct {
	l *C.aiex_lister
}

func newNodeLister(root sitter.Node) *nodeLister {
	l := C.aiex_lister_new(cNode(root))
	if l == nil {
		panic("chunk: out of C memory for a tree cursor")
	}
	return &nodeLister{l}
}

func cNode(n sitter.Node) C.aiex_node { return *(*C.aiex_node)(unsafe.Pointer(&n)) }

// namedChildren returns n's named children, in order, in a new slice.
func (nl *nodeLister) namedChildren(n sitter.Node) []sitter.Node {
	k := int(C.aiex_named_children(nl.l, cNode(n), nil, 0))
	out := make([]sitter.Node, k) // not nil when empty, as Node.NamedChildren
	if k <= len(nl.l.buf) {
		copy(out, unsafe.Slice((*sitter.Node)(unsafe.Pointer(&nl.l.buf[0])), k))
		return out
	}
	// More than the buffer holds: fill out directly. It holds no Go
	// pointers (only the tree's C pointers), which is what cgo checks.
	C.aiex_named_children(nl.l, cNode(n), (*C.aiex_node)(unsafe.Pointer(&out[0])), C.uint32_t(k))
	return out
}

// symbolSet is a set of a grammar's symbol ids, in C memory.
type symbolSet struct {
	set *C.uint8_t
	n   C.uint32_t
}

// newSymbolSet returns the set of ids; it is never freed (grammars live as
// long as the process).
func newSymbolSet(size int, ids []uint16) symbolSet {
	p := (*C.uint8_t)(C.calloc(C.size_t(size), 1))
	if p == nil {
		panic("chunk: out of C memory for a symbol set")
	}
	set := unsafe.Slice((*uint8)(unsafe.Pointer(p)), size)
	for _, id := range ids {
		set[id] = 1
	}
	return symbolSet{p, C.uint32_t(size)}
}

// childOf returns n's first named child whose symbol is in s, or nil.
func (nl *nodeLister) childOf(n sitter.Node, s symbolSet) *sitter.Node {
	if !C.aiex_child_of_symbol(nl.l, cNode(n), s.set, s.n) {
		return nil
	}
	c := *(*sitter.Node)(unsafe.Pointer(&nl.l.buf[0]))
	return &c
}

func (nl *nodeLister) close() {
	C.aiex_lister_free(nl.l)
	nl.l = nil
}
