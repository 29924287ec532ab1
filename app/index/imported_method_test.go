package index

import (
	"context"
	"slices"
	"testing"
)

// importedCallProject calls methods on variables of imported types: of
// lib/http, beside a package other/http declaring the same types and
// methods; through a renamed import; of sync, beside internal/sync (a
// path without a dot names the directory itself); and of text/template
// from html/template, which imports it under its own package name.
func importedCallProject() map[string]string {
	httpSrc := `package http

type Client struct{}

func (c *Client) Do() {}

type Header map[string]string

func (h Header) Get(k string) string { return h[k] }
`
	return map[string]string{
		"go.mod":                 "module example.com/m\n",
		"lib/http/client.go":     httpSrc,
		"other/http/client.go":   httpSrc,
		"sync/mutex.go":          "package sync\n\ntype Mutex struct{ state int32 }\n\nfunc (m *Mutex) Lock() { m.state = 1 }\n",
		"internal/sync/mutex.go": "package sync\n\ntype Mutex struct{ state int32 }\n\nfunc (m *Mutex) Lock() { m.state = 1 }\n",
		"text/template/exec.go":  "package template\n\ntype Template struct{ name string }\n\nfunc (t *Template) Name() string { return t.name }\n",
		"app/run.go": `package app

import "example.com/m/lib/http"

func Run(c *http.Client, h http.Header) string {
	d := &http.Client{}
	d.Do()
	c.Do()
	return h.Get("k")
}
`,
		"app/alias.go": `package app

import ht "example.com/m/lib/http"

func Alias(c *ht.Client) { c.Do() }
`,
		"cmd/go/main.go": `package main

import "sync"

func lock() {
	var mu sync.Mutex
	mu.Lock()
}
`,
		"html/template/template.go": `package template

import "text/template"

func (t *Template) Name() string { return "" }

type Template struct{}

func textName(t *template.Template) string { return t.Name() }
`,
	}
}

// TestImportedMethodEdges: a call on a variable of an imported type is an
// edge to the method of the package its import path names (by name for a
// method of the pointer, through members for one of the value), and to
// none of a same-named package elsewhere; through a renamed import too.
// Where the import has the file's own package name nothing is linked:
// the index would read the ref as the package's own. Edges agrees with
// the view.
func TestImportedMethodEdges(t *testing.T) {
	s, p, g, rows := indexedGraph(t, importedCallProject())
	ctx := context.Background()
	for _, c := range []struct {
		name, dir string
		want      []string
	}{
		{"app.Run", "app", []string{"http.(*Client).Do (lib/http)", "http.Client (lib/http)", "http.Header (lib/http)", "http.Header.Get (lib/http)"}},
		{"app.Alias", "app", []string{"http.(*Client).Do (lib/http)", "http.Client (lib/http)"}},
		{"main.lock", "cmd/go", []string{"sync.(*Mutex).Lock (sync)", "sync.Mutex (sync)"}},
		{"template.textName", "html/template", []string{"template.Template (html/template)"}},
	} {
		if got := placed(s.CodeCallees(ctx, chunkIn(t, s, p, c.name, c.dir).ID)); !slices.Equal(got, c.want) {
			t.Errorf("callees of %s:\n%q\nwant\n%q", c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		name, dir string
		want      []string
	}{
		{"http.(*Client).Do", "lib/http", []string{"app.Alias (app)", "app.Run (app)"}},
		{"http.Header.Get", "lib/http", []string{"app.Run (app)"}},
		{"http.(*Client).Do", "other/http", nil},
		{"http.Header.Get", "other/http", nil},
		{"sync.(*Mutex).Lock", "sync", []string{"main.lock (cmd/go)"}},
		{"sync.(*Mutex).Lock", "internal/sync", nil},
		{"template.(*Template).Name", "text/template", nil},
		{"template.(*Template).Name", "html/template", nil},
	} {
		if got := placed(s.CodeCallers(ctx, chunkIn(t, s, p, c.name, c.dir).ID)); !slices.Equal(got, c.want) {
			t.Errorf("callers of %s in %s: %q, want %q", c.name, c.dir, got, c.want)
		}
	}
	// Named alike in two directories, chunks give equal names to
	// different edges: compared by name, each is listed once, as the
	// view's DISTINCT lists them.
	got, want := slices.Compact(edgeNames(g, graphMembers(g, rows))), viewEdges(t, s, p)
	if !slices.Equal(got, want) {
		t.Errorf("Edges:\n%q\nthe view:\n%q", got, want)
	}
}
