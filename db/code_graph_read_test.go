package db_test

import (
	"context"
	"maps"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/aiex-dev/aiex/db"
)

// graphFiles are the symbol graph's cases together, so that one batch
// holds chunks of each kind: names of the chunk's own package and of
// imported ones (importFiles), a const group split in two pieces whose
// names are refs (memberFiles), a Go unit split in pieces (found by its
// first piece), a method on a value (which answers to its pointer form),
// an interface listing its methods, Elixir functions of several arities
// with default arguments, and chunks nothing refers to.
func graphFiles() map[string][]db.CodeChunk {
	files := map[string][]db.CodeChunk{
		"big/big.go": {
			{Name: "big.Huge#1", Kind: "function", StartLine: 1, EndLine: 40, StartByte: 0, EndByte: 900, Hash: "b1",
				Refs: []string{"big.T.Len", "fmt.Println"}},
			{Name: "big.Huge#2", Kind: "function", StartLine: 41, EndLine: 80, StartByte: 901, EndByte: 1800, Hash: "b2",
				Refs: []string{"big.(*T).Len", "big.Sizer", "http.StatusOK"}},
			{Name: "big.T", Kind: "type", StartLine: 81, EndLine: 83, StartByte: 1801, EndByte: 1850, Hash: "b3"},
			{Name: "big.T.Len", Kind: "method", StartLine: 84, EndLine: 86, StartByte: 1851, EndByte: 1900, Hash: "b4",
				Members: []string{"(*T).Len"}},
			{Name: "big.Sizer", Kind: "type", StartLine: 87, EndLine: 90, StartByte: 1901, EndByte: 1950, Hash: "b5",
				Members: []string{"(*Sizer).Size"}},
			{Name: "big.use", Kind: "function", StartLine: 91, EndLine: 95, StartByte: 1951, EndByte: 2000, Hash: "b6",
				Refs: []string{"big.Huge", "big.(*Sizer).Size", "big.T"}},
		},
		"lib/ar.ex": {
			{Name: "Ar.get/3", Kind: "function", StartLine: 1, EndLine: 5, StartByte: 0, EndByte: 100, Hash: "e1",
				Members: []string{"Ar.get/1", "Ar.get/2"}, Refs: []string{"Ar.put/2"}},
			{Name: "Ar.put/2", Kind: "function", StartLine: 6, EndLine: 9, StartByte: 101, EndByte: 200, Hash: "e2"},
			{Name: "Ar.run/0", Kind: "function", StartLine: 10, EndLine: 14, StartByte: 201, EndByte: 300, Hash: "e3",
				Refs: []string{"Ar.get/1", "Ar.get/3", "Ar.put"}},
		},
	}
	maps.Copy(files, importFiles)
	maps.Copy(files, memberFiles)
	return files
}

// TestCodeNeighboursOfMatchEachChunk: CodeCalleesOf and CodeCallersOf read
// for many chunks at once what CodeCallees and CodeCallers read for each,
// the same chunks in the same order, whatever the order of the ids asked,
// one asked twice or one that is no chunk.
func TestCodeNeighboursOfMatchEachChunk(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	defer s.Close(ctx)
	p, err := s.CodeProject(ctx, "/src/graph")
	if err != nil {
		t.Fatal(err)
	}
	writeChunks(t, s, p, graphFiles())
	// Chunks written later (higher ids) at paths sorting first: a
	// neighbour list is in the order of paths, then ids.
	writeChunks(t, s, p, map[string][]db.CodeChunk{
		"aaa/proto/p.go": {{Name: "proto.Command", Kind: "type", StartLine: 3, EndLine: 3, StartByte: 10, EndByte: 30, Hash: "l1"}},
		"aaa/late.go": {{Name: "late.use", Kind: "function", StartLine: 3, EndLine: 5, StartByte: 10, EndByte: 60, Hash: "l2",
			Refs: []string{"http.StatusOK", "Ar.put/2", "big.T"}}},
	})
	rows, err := s.Query(ctx, `SELECT id FROM code_chunks WHERE project = ? ORDER BY id DESC`, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, r := range rows.Values {
		ids = append(ids, r[0].(int64))
	}
	ids = append(ids, ids[3], 1<<40) // one twice, and one that is no chunk

	var wantCallees, wantCallers [][]db.CodeChunk
	edges := 0
	for _, id := range ids {
		callees, err := s.CodeCallees(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		callers, err := s.CodeCallers(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		wantCallees, wantCallers = append(wantCallees, callees), append(wantCallers, callers)
		edges += len(callees) + len(callers)
	}
	if edges < 30 {
		t.Fatalf("the fixture makes %d edges; want a graph of every case", edges)
	}
	callees, err := s.CodeCalleesOf(ctx, ids)
	if diff := cmp.Diff(wantCallees, callees, cmpopts.EquateEmpty()); err != nil || diff != "" {
		t.Errorf("CodeCalleesOf (-each +batch):\n%s%v", diff, err)
	}
	callers, err := s.CodeCallersOf(ctx, ids)
	if diff := cmp.Diff(wantCallers, callers, cmpopts.EquateEmpty()); err != nil || diff != "" {
		t.Errorf("CodeCallersOf (-each +batch):\n%s%v", diff, err)
	}
	// Their keys alone: the same chunks, in the same order, with the
	// columns that place them.
	keys, err := s.CodeCallerKeysOf(ctx, ids)
	wantKeys := make([][]db.CodeChunk, len(wantCallers))
	for i, cs := range wantCallers {
		for _, c := range cs {
			wantKeys[i] = append(wantKeys[i], db.CodeChunk{ID: c.ID, Path: c.Path, Lang: c.Lang, Name: c.Name, Kind: c.Kind, Parent: c.Parent})
		}
	}
	if diff := cmp.Diff(wantKeys, keys, cmpopts.EquateEmpty()); err != nil || diff != "" {
		t.Errorf("CodeCallerKeysOf (-each +batch):\n%s%v", diff, err)
	}

	// Each chunk alone, as a symbol's context asks.
	for i, id := range ids {
		callers, err := s.CodeCallersOf(ctx, []int64{id})
		if diff := cmp.Diff(wantCallers[i:i+1], callers, cmpopts.EquateEmpty()); err != nil || diff != "" {
			t.Errorf("CodeCallersOf(%d) (-each +batch):\n%s%v", id, diff, err)
		}
	}
	// Nothing asked, nothing read.
	for _, f := range []func(context.Context, []int64) ([][]db.CodeChunk, error){s.CodeCalleesOf, s.CodeCallersOf, s.CodeCallerKeysOf} {
		if got, err := f(ctx, nil); err != nil || len(got) != 0 {
			t.Errorf("no ids: %v, %v; want none", got, err)
		}
	}
}
