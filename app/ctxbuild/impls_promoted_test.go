package ctxbuild

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// connFixture is an interface, Conn, whose implementations get its
// methods through embedding: TCPConn has Close from the *closer it
// embeds (closer, with no Read, is none), Deep from a type two levels
// down, Pipe its Read from an interface it embeds; Bad's promoted Close
// returns no error, and gen.go, which the go tool ignores, declares a
// type that would be one.
var connFixture = map[string]string{
	"go.mod": "module example.com/c\n\ngo 1.22\n",
	"conn/conn.go": `package conn

// Conn is a connection.
type Conn interface {
	// Read reads.
	Read(p []byte) (int, error)
	// Close closes.
	Close() error
}

// Reader only reads.
type Reader interface {
	Read(p []byte) (int, error)
}
`,
	"conn/closer.go": `package conn

// closer closes a descriptor.
type closer struct{ fd int }

func (c *closer) Close() error { return nil }

// closer2 closes another way.
type closer2 struct{ fd int }

func (c *closer2) Close() error { c.fd = -1; return nil }

// badCloser's Close returns nothing.
type badCloser struct{}

func (badCloser) Close() {}
`,
	"conn/tcp.go": `package conn

// TCPConn is a TCP connection.
type TCPConn struct{ *closer }

func (t *TCPConn) Read(p []byte) (int, error) { return 0, nil }

// mid holds the closer of Deep.
type mid struct{ closer2 }

// Deep gets Close from two levels down.
type Deep struct{ mid }

func (d *Deep) Read(p []byte) (int, error) { return 1, nil }

// Pipe reads through the Reader it embeds.
type Pipe struct {
	Reader
	*closer
}

// Bad's Close returns no error: it is no Conn.
type Bad struct{ badCloser }

func (b *Bad) Read(p []byte) (int, error) { return 2, nil }
`,
	"conn/gen.go": `//go:build ignore

package conn

// genConn is a generator's.
type genConn struct{}

func (genConn) Read(p []byte) (int, error) { return 0, nil }
func (genConn) Close() error               { return nil }
`,
}

// TestGoInterfacePromotedImplementations: a type that has an interface's
// methods through embedding, one level or more, of a struct or an
// interface, implements it; for a method, the implementation given is
// the method that runs (the embedded type's: the promoting struct's
// declaration says only that it embeds it), or, for a method an embedded
// interface declares, which has no code, the promoting struct's
// declaration; for the interface, the implementing types' declarations.
func TestGoInterfacePromotedImplementations(t *testing.T) {
	e := setupFiles(t, connFixture)
	for _, tt := range []struct {
		target string
		want   []string
	}{
		{"conn.Conn.Close", []string{"conn.(*closer).Close", "conn.(*closer2).Close"}},
		// Bad's Read is one: only the method asked about is compared
		// by its types (goImplementations).
		{"conn.Conn.Read", []string{"conn.(*TCPConn).Read", "conn.(*Deep).Read", "conn.Pipe", "conn.(*Bad).Read"}},
		{"conn.Conn", []string{"conn.TCPConn", "conn.Deep", "conn.Pipe"}},
	} {
		c := e.build(t, Request{Target: tt.target, Question: "q", Window: 16000, Hits: 1})
		got := names(c.Included, RoleImpl)
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tt.want))
		if !slices.Equal(got, want) {
			t.Errorf("%s: implementations %q; want %q (all: %v)", tt.target, got, want, roles(c))
		}
	}
}

// TestGoInterfaceIgnoredFileImplementations: a type of a file the go
// tool ignores (//go:build ignore) beside the interface is no
// implementation: the file is not part of the package.
func TestGoInterfaceIgnoredFileImplementations(t *testing.T) {
	e := setupFiles(t, connFixture)
	for _, target := range []string{"conn.Conn", "conn.Conn.Close", "conn.Conn.Read"} {
		c := e.build(t, Request{Target: target, Question: "q", Window: 16000, Hits: 1})
		for _, it := range slices.Concat(c.Included, c.Dropped) {
			if it.Role == RoleImpl && strings.Contains(it.Name, "genConn") {
				t.Errorf("%s: %s, of gen.go (//go:build ignore), given as an implementation", target, it.Name)
			}
		}
	}
}

// TestGoPackageIgnoresIgnoredFiles: a package target by its directory
// leaves out a generator beside it (//go:build ignore, package main),
// though its file comes first: it is not part of the package.
func TestGoPackageIgnoresIgnoredFiles(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"go.mod":             "module example.com/p\n\ngo 1.22\n",
		"palette/gen.go":     "//go:build ignore\n\n// The generator of the palettes.\npackage main\n\n// Main writes them.\nfunc Main() {}\n",
		"palette/palette.go": "// Package palette has palettes.\npackage palette\n\n// Plan9 is a palette.\nvar Plan9 = []int{1, 2}\n",
		"palette/tables.go":  "//go:build ignore\n\npackage palette\n\n// Tables is a generator's input.\nfunc Tables() {}\n",
	})
	c := e.build(t, Request{Target: "palette/", Question: "what is it?", Window: 8000})
	if c.Target == nil || c.Target.Kind != KindPackage || c.Target.Name != "palette" {
		t.Fatalf("target %+v; want the package palette", c.Target)
	}
	if code := c.Target.Code; !strings.Contains(code, "Plan9") || strings.Contains(code, "Main") || strings.Contains(code, "Tables") {
		t.Errorf("package palette:\n%s\nwant Plan9, and nothing of the files the go tool ignores", code)
	}
}

// TestGoInterfaceEmbeddedSignatures: a method an interface has through
// one it embeds, of its package or another, is compared by its types as
// one it declares: a method of the name taking other types is none.
func TestGoInterfaceEmbeddedSignatures(t *testing.T) {
	e := setupFiles(t, map[string]string{
		"go.mod": "module example.com/d\n\ngo 1.22\n",
		"db/db.go": `package db

// Database runs statements.
type Database interface {
	Execute(stmt string) error
}

// Store is a Database that says when it is ready.
type Store interface {
	Database
	Ready() bool
}

type good struct{}

func (good) Execute(stmt string) error { return nil }
func (good) Ready() bool               { return true }

// bad's Execute takes a number.
type bad struct{}

func (bad) Execute(stmt int) error { return nil }
func (bad) Ready() bool            { return true }
`,
		"remote/remote.go": `package remote

import "example.com/d/db"

// Remote is a Database over the network.
type Remote interface {
	db.Database
	Ping() error
}

type client struct{}

func (client) Execute(stmt string) error { return nil }
func (client) Ping() error               { return nil }

// wrong's Execute returns a string.
type wrong struct{}

func (wrong) Execute(stmt string) string { return "" }
func (wrong) Ping() error                { return nil }
`,
	})
	for target, want := range map[string][]string{
		"db.Store.Execute":      {"db.good.Execute"},
		"remote.Remote.Execute": {"remote.client.Execute"},
	} {
		c := e.build(t, Request{Target: target, Question: "q", Window: 16000, Hits: 1})
		if got := names(c.Included, RoleImpl); !slices.Equal(got, want) {
			t.Errorf("%s: implementations %q; want %q (all: %v)", target, got, want, roles(c))
		}
	}
}

// TestGoInterfaceImplementationsPastLookup: an implementation whose
// method of the name asked about is past the first maxImplLookup units
// of that name is found: the lookup goes by the interface's rarest
// method, and the types so found give their methods of the name asked.
func TestGoInterfaceImplementationsPastLookup(t *testing.T) {
	files := map[string]string{
		"go.mod":        "module example.com/n\n\ngo 1.22\n",
		"net/net.go":    "package net\n\n// Conn is a connection.\ntype Conn interface {\n\tClose() error\n\tSetWriteDeadline(t int) error\n}\n",
		"zzzzzz/tcp.go": "package zzzzzz\n\n// LongTCPConnection is one.\ntype LongTCPConnection struct{}\n\nfunc (c *LongTCPConnection) Close() error { return nil }\n\nfunc (c *LongTCPConnection) SetWriteDeadline(t int) error { return nil }\n",
	}
	// More types with a Close, in a package of their own each, and
	// shorter names: the lookup by Close orders them first.
	for i := range maxImplLookup + 6 {
		files[fmt.Sprintf("a%02d/f.go", i)] = fmt.Sprintf("package a%02d\n\ntype T struct{}\n\nfunc (T) Close() error { return nil }\n", i)
	}
	e := setupFiles(t, files)
	c := e.build(t, Request{Target: "net.Conn.Close", Question: "q", Window: 16000, Hits: 1})
	if got := names(c.Included, RoleImpl); !slices.Equal(got, []string{"zzzzzz.(*LongTCPConnection).Close"}) {
		t.Errorf("implementations %q; want zzzzzz.(*LongTCPConnection).Close (all: %v)", got, slices.Sorted(maps.Keys(roles(c))))
	}
}

// TestGoInterfaceImplementationsPastLookupOne: of an interface of one
// method, whose name the lookup finds in maxImplLookup types that take or
// return other types, the implementation further down is found: the
// lookup goes further when the first units gave too few.
func TestGoInterfaceImplementationsPastLookupOne(t *testing.T) {
	files := map[string]string{
		"go.mod":        "module example.com/n\n\ngo 1.22\n",
		"io/io.go":      "package io\n\n// Closer closes.\ntype Closer interface {\n\tClose() error\n}\n",
		"zzzzzz/tcp.go": "package zzzzzz\n\n// LongTCPConnection is one.\ntype LongTCPConnection struct{}\n\nfunc (c *LongTCPConnection) Close() error { return nil }\n",
	}
	// More types with a Close that returns nothing, shorter names first.
	for i := range maxImplLookup + 6 {
		files[fmt.Sprintf("a%02d/f.go", i)] = fmt.Sprintf("package a%02d\n\ntype T struct{}\n\nfunc (T) Close() {}\n", i)
	}
	e := setupFiles(t, files)
	c := e.build(t, Request{Target: "io.Closer", Question: "q", Window: 16000, Hits: 1})
	if got := names(c.Included, RoleImpl); !slices.Equal(got, []string{"zzzzzz.(*LongTCPConnection).Close"}) {
		t.Errorf("implementations %q; want zzzzzz.(*LongTCPConnection).Close (all: %v)", got, slices.Sorted(maps.Keys(roles(c))))
	}
}
