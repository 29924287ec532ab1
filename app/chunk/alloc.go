package chunk

/*
#include <stdlib.h>

// From tree-sitter's api.h: the allocator the library uses from now on.
void ts_set_allocator(void *(*new_malloc)(size_t), void *(*new_calloc)(size_t, size_t),
	void *(*new_realloc)(void *, size_t), void (*new_free)(void *));

static void aiex_ts_libc_allocator(void) { ts_set_allocator(malloc, calloc, realloc, free); }
*/
import "C"

// go-tree-sitter's init routes every allocation of the tree-sitter library
// through Go callbacks that call the C library's malloc, calloc, realloc and
// free: each allocation crosses cgo twice. Handing the library those same
// functions directly keeps blocks allocated before interchangeable with
// blocks allocated after, and makes a parse and a Tree.Close 1.4–2× faster
// (DESIGN.md). This package's init runs after go-tree-sitter's, which it
// imports.
func init() { C.aiex_ts_libc_allocator() }
