package chunk

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const groupsGo = `package http

// Status codes.
const (
	StatusContinue           = 100
	StatusSwitchingProtocols = 101
	StatusProcessing         = 102
	StatusEarlyHints         = 103
	StatusOK                 = 200
	StatusCreated            = 201
)

const (
	_ = iota
	A
	B
)

var errA, errB = 1, 2

const Single = 1

var _ = Single

type (
	T1 int
	T2 int
)
`

// TestGoGroupMembers: a const or var declaration of more than one name
// lists every name it declares, however many its display name leaves
// out; blank names declare nothing. Single declarations and types are
// found by their names and list none.
func TestGoGroupMembers(t *testing.T) {
	res := chunkString(t, "http/status.go", groupsGo, Options{Strategy: Semantic})
	got := map[string][]string{}
	for _, c := range res.Chunks {
		got[c.Name] = c.Members
	}
	want := map[string][]string{
		"http": nil,
		"http.{StatusContinue,StatusSwitchingProtocols,StatusProcessing,StatusEarlyHints,…}": {
			"StatusContinue", "StatusSwitchingProtocols", "StatusProcessing", "StatusEarlyHints", "StatusOK", "StatusCreated"},
		"http.{_,A,B}":     {"A", "B"},
		"http.{errA,errB}": {"errA", "errB"},
		"http.Single":      nil,
		"http._":           nil,
		"http.T1":          nil,
		"http.T2":          nil,
	}
	if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
		t.Errorf("members by chunk (-want +got):\n%s", diff)
	}
}

// TestGoGroupMembersOfPieces: a group split under Hybrid lists in each
// piece the names declared in it, so that a name leads to the piece that
// declares it; together the pieces list every name once.
func TestGoGroupMembersOfPieces(t *testing.T) {
	var b strings.Builder
	b.WriteString("package big\n\nconst (\n")
	var all []string
	for i := range 200 {
		name := fmt.Sprintf("Name%03d", i)
		all = append(all, name)
		fmt.Fprintf(&b, "\t%s = %d // a comment that makes the line longer\n", name, i)
	}
	b.WriteString(")\n")
	src := b.String()
	res := chunkString(t, "big/big.go", src, Options{MaxBytes: 1024})
	var pieces, listed []string
	for _, c := range res.Chunks {
		if c.Kind != KindConst {
			continue
		}
		pieces = append(pieces, c.Name)
		for _, m := range c.Members {
			if !strings.Contains(src[c.StartByte:c.EndByte], "\t"+m+" = ") {
				t.Errorf("%s lists %s, declared in another piece", c.Name, m)
			}
		}
		listed = append(listed, c.Members...)
	}
	if len(pieces) < 2 {
		t.Fatalf("the group was not split: %v", pieces)
	}
	if !slices.Equal(listed, all) {
		t.Errorf("pieces list %d names, want the %d declared in order: %v", len(listed), len(all), listed)
	}
}
