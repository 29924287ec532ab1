package chunk

import (
	"bytes"
	"container/list"
	"sync"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// Trees keeps the syntax trees of files chunked recently, so that chunking
// a new version of one of them reparses only what changed: tree-sitter
// reuses the unchanged parts of the old tree. A long-running process (the
// node, the LSP server) keeps one for the files being edited; an Elixir
// file of 140 KB then reparses in ~4 ms instead of ~22.
//
// A tree takes ~26 bytes of C memory per byte of source, so Trees holds at
// most a given amount of source and lets the least recently used trees go.
// It is safe for concurrent use. Only Elixir files (tree-sitter) use it.
type Trees struct {
	max int // bytes of source kept, at most

	mu    sync.Mutex
	reuse int // incremental parses whose tree was taken, for tests
	size  int
	byKey map[string]*list.Element // of *keptTree
	lru   list.List                // front: most recently kept
}

type keptTree struct {
	key  string
	src  []byte
	tree *sitter.Tree
}

// DefaultTreeBytes is a budget for Trees: the trees of 1 MiB of source,
// ~26 MiB of memory.
const DefaultTreeBytes = 1 << 20

// NewTrees returns a Trees that keeps the trees of at most maxSource bytes
// of source.
func NewTrees(maxSource int) *Trees {
	return &Trees{max: maxSource, byKey: map[string]*list.Element{}}
}

// Len returns the number of trees kept.
func (t *Trees) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.byKey)
}

// Close frees every tree kept. Trees stays usable.
func (t *Trees) Close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for e := t.lru.Front(); e != nil; e = e.Next() {
		e.Value.(*keptTree).tree.Close()
	}
	t.lru.Init()
	clear(t.byKey)
	t.size = 0
}

// take removes and returns the tree kept for key, or nil.
func (t *Trees) take(key string) *keptTree {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.byKey[key]
	if !ok {
		return nil
	}
	k := t.lru.Remove(e).(*keptTree)
	delete(t.byKey, key)
	t.size -= len(k.src)
	return k
}

// keep takes ownership of tree, the tree of src, keeping it for key and
// freeing what it replaces or pushes out.
func (t *Trees) keep(key string, src []byte, tree *sitter.Tree) {
	if len(src) > t.max {
		tree.Close()
		return
	}
	k := &keptTree{key: key, src: bytes.Clone(src), tree: tree}
	t.mu.Lock()
	var gone []*sitter.Tree
	if e, ok := t.byKey[key]; ok {
		old := t.lru.Remove(e).(*keptTree)
		t.size -= len(old.src)
		gone = append(gone, old.tree)
	}
	t.byKey[key] = t.lru.PushFront(k)
	t.size += len(k.src)
	for t.size > t.max {
		old := t.lru.Remove(t.lru.Back()).(*keptTree)
		delete(t.byKey, old.key)
		t.size -= len(old.src)
		gone = append(gone, old.tree)
	}
	t.mu.Unlock()
	for _, tr := range gone {
		tr.Close()
	}
}

// parse parses src with p: from the tree kept for key when there is one,
// else from scratch. An incremental parse whose tree has syntax errors is
// done again from scratch, so that the chunks of a content never depend on
// the versions before it: error recovery is where tree-sitter's two ways
// may disagree.
func (t *Trees) parse(p *sitter.Parser, key string, src []byte) *sitter.Tree {
	if t != nil {
		if old := t.take(key); old != nil {
			old.tree.Edit(edit(old.src, src))
			tree := p.Parse(src, old.tree)
			old.tree.Close()
			if tree != nil && !tree.RootNode().HasError() {
				t.mu.Lock()
				t.reuse++
				t.mu.Unlock()
				return tree
			}
			if tree != nil {
				tree.Close()
			}
		}
	}
	return p.Parse(src, nil)
}

// edit describes the change from old to new as one replaced range: what
// lies between their common prefix and their common suffix.
func edit(old, new []byte) *sitter.InputEdit {
	n := min(len(old), len(new))
	start := 0
	for start < n && old[start] == new[start] {
		start++
	}
	suffix := 0
	for suffix < n-start && old[len(old)-1-suffix] == new[len(new)-1-suffix] {
		suffix++
	}
	oldEnd, newEnd := len(old)-suffix, len(new)-suffix
	return &sitter.InputEdit{
		StartByte:      uint(start),
		OldEndByte:     uint(oldEnd),
		NewEndByte:     uint(newEnd),
		StartPosition:  point(old, start),
		OldEndPosition: point(old, oldEnd),
		NewEndPosition: point(new, newEnd),
	}
}

// point is the row and byte column of offset off in src.
func point(src []byte, off int) sitter.Point {
	row := bytes.Count(src[:off], []byte{'\n'})
	col := off - (bytes.LastIndexByte(src[:off], '\n') + 1)
	return sitter.Point{Row: uint(row), Column: uint(col)}
}
