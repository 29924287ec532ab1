package db_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
	"github.com/aiex-dev/aiex/db/words"
)

// TestCodeChunksNamedLikeMembers: a Go const/var group, whose name shows
// at most four of the names it declares, is found by any of them, typed
// bare or qualified by its package, one-letter names included; not under
// another package's name, and not when a chunk is named so (it is only
// looked for when nothing else is found).
func TestCodeChunksNamedLikeMembers(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	p, err := s.CodeProject(ctx, "/src/proj")
	if err != nil {
		t.Fatal(err)
	}
	long := "Long" + strings.Repeat("x", words.MaxLen) // no word of it in the index
	status := "http.{StatusContinue,StatusSwitchingProtocols,StatusProcessing,StatusEarlyHints,…}"
	writeChunks(t, s, p, map[string][]db.CodeChunk{
		"http/status.go": {
			{Name: status, Kind: "const", StartLine: 3, EndLine: 12, StartByte: 10, EndByte: 300, Hash: "s1",
				Members: []string{"StatusContinue", "StatusSwitchingProtocols", "StatusProcessing", "StatusEarlyHints", "StatusOK", "StatusCreated"}},
			{Name: "http.{MethodGet,MethodHead,MethodPost,MethodPut,…}#1", Kind: "const", StartLine: 14, EndLine: 20, StartByte: 301, EndByte: 400, Hash: "s2",
				Members: []string{"MethodGet", "MethodHead", "MethodPost", "MethodPut"}},
			{Name: "http.{MethodGet,MethodHead,MethodPost,MethodPut,…}#2", Kind: "const", StartLine: 21, EndLine: 25, StartByte: 401, EndByte: 500, Hash: "s3",
				Members: []string{"MethodPatch", "MethodDelete"}},
		},
		"main.go": {
			{Name: "main.{_,A,B}", Kind: "const", StartLine: 3, EndLine: 6, StartByte: 14, EndByte: 40, Hash: "m1", Members: []string{"A", "B"}},
			{Name: "main.{Mode,other}", Kind: "var", StartLine: 8, EndLine: 9, StartByte: 41, EndByte: 60, Hash: "m2", Members: []string{"Mode", "other"}},
		},
		"x/x.go": {
			{Name: "x.{MODE,Y}", Kind: "const", StartLine: 3, EndLine: 4, StartByte: 10, EndByte: 30, Hash: "x1", Members: []string{"MODE", "Y"}},
			{Name: "x.B", Kind: "function", StartLine: 6, EndLine: 6, StartByte: 31, EndByte: 50, Hash: "x2"},
			{Name: "x.{Short,Longx…}", Kind: "var", StartLine: 8, EndLine: 9, StartByte: 51, EndByte: 200, Hash: "x3", Members: []string{"Short", long}},
		},
	})
	for _, tt := range []struct {
		sym  string
		want []string
	}{
		{"http.StatusOK", []string{"http/status.go:" + status}},
		{"StatusOK", []string{"http/status.go:" + status}},
		{"StatusContinue", []string{"http/status.go:" + status}},
		{"grpc.StatusOK", nil},
		{"http.StatusTeapot", nil},
		{"Status", nil},
		// A split group is found at the piece that declares the name.
		{"http.MethodDelete", []string{"http/status.go:http.{MethodGet,MethodHead,MethodPost,MethodPut,…}#2"}},
		{"MethodGet", []string{"http/status.go:http.{MethodGet,MethodHead,MethodPost,MethodPut,…}#1"}},
		// One letter: no word in the index but the group's.
		{"main.A", []string{"main.go:main.{_,A,B}"}},
		{"A", []string{"main.go:main.{_,A,B}"}},
		{"main.B", []string{"main.go:main.{_,A,B}"}},
		{"x.Y", []string{"x/x.go:x.{MODE,Y}"}},
		{"main.Y", nil},
		{"main._", nil},
		{long, []string{"x/x.go:x.{Short,Longx…}"}},
		{"x." + long, []string{"x/x.go:x.{Short,Longx…}"}},
		// A chunk named so comes first, alone: the groups are a fallback.
		{"B", []string{"x/x.go:x.B"}},
		// Letter case as typed first; else any, shorter names first.
		{"Mode", []string{"main.go:main.{Mode,other}"}},
		{"mode", []string{"x/x.go:x.{MODE,Y}", "main.go:main.{Mode,other}"}},
		{"x.mode", []string{"x/x.go:x.{MODE,Y}"}},
	} {
		cs, err := s.CodeChunksNamedLike(ctx, p.ID, tt.sym, 5)
		if err != nil {
			t.Errorf("%s: %v", tt.sym, err)
			continue
		}
		if diff := cmp.Diff(tt.want, names(cs)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.sym, diff)
		}
	}

	// The rows carry the members.
	cs, err := s.CodeChunksNamed(ctx, p.ID, status)
	if err != nil || len(cs) != 1 || len(cs[0].Members) != 6 || cs[0].Members[4] != "StatusOK" {
		t.Errorf("CodeChunksNamed(%s) = %+v, %v; want its 6 members", status, cs, err)
	}
}

// TestDecodeCodeChunksWithoutMembers: the cache's chunks as analyzers
// before members wrote them (12 elements) still decode; and members round
// trip.
func TestDecodeCodeChunksWithoutMembers(t *testing.T) {
	got, err := db.DecodeCodeChunks([]byte(`[["p.{A,B}","const","",1,2,0,9,3,"h",[],0,0]]`))
	if err != nil || len(got) != 1 || got[0].Name != "p.{A,B}" || got[0].Members != nil {
		t.Errorf("old format: %+v, %v", got, err)
	}
	chunks := []db.CodeChunk{{Name: "p.{A,B}", Kind: "const", Hash: "h", Refs: []string{}, Members: []string{"A", "B"}},
		{Name: "p.C", Kind: "const", Hash: "i", Refs: []string{}}}
	data := db.EncodeCodeChunks(nil, chunks)
	if !strings.HasSuffix(string(data), `,0,0,[]]]`) {
		t.Errorf("a chunk without members ends %s; want an empty list as the last element", data)
	}
	got, err = db.DecodeCodeChunks(data)
	if diff := cmp.Diff(chunks, got); err != nil || diff != "" {
		t.Errorf("round trip (-want +got):\n%s%v", diff, err)
	}
}
