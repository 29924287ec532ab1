package ctxbuild

import (
	"slices"
	"testing"
)

// layerFixture is rqlite's case: an interface embedding one of the
// standard library's, which the index does not hold (store.Layer:
// net.Listener and Dial), methods of the name that take or return other
// types, and type names written unqualified in their own package and
// qualified in another.
var layerFixture = map[string]string{
	"go.mod": "module example.com/rq\n\ngo 1.22\n",
	"store/layer.go": `package store

import (
	"net"
	"time"
)

// Layer is the network layer the store's cluster talks over.
type Layer interface {
	net.Listener
	// Dial opens a connection to addr.
	Dial(addr string, timeout time.Duration) (net.Conn, error)
}

// Address is a node's address.
type Address string

// Pinger checks a node.
type Pinger interface {
	Ping(a Address, d time.Duration) error
}

// local pings itself.
type local struct{}

func (l *local) Ping(addr Address, d time.Duration) error { return nil }
`,
	"store/transport.go": `package store

import (
	"net"
	"time"

	"github.com/hashicorp/raft"
)

// Transport dials raft's addresses.
type Transport struct{ ly Layer }

func (t *Transport) Dial(addr raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	return t.ly.Dial(string(addr), timeout)
}
`,
	"tcp/layer.go": `package tcp

import (
	"net"
	"time"

	"example.com/rq/store"
)

// Layer is a store.Layer over TCP.
type Layer struct{ ln net.Listener }

func (l *Layer) Accept() (net.Conn, error) { return l.ln.Accept() }
func (l *Layer) Close() error               { return l.ln.Close() }
func (l *Layer) Addr() net.Addr             { return l.ln.Addr() }

func (l *Layer) Dial(addr string, timeout time.Duration) (net.Conn, error) {
	return net.DialTimeout("tcp", addr, timeout)
}

// Pong pings over TCP.
type Pong struct{}

func (p *Pong) Ping(a store.Address, d time.Duration) error { return nil }

// Other pings by a string.
type Other struct{}

func (o *Other) Ping(a string, d time.Duration) error { return nil }
`,
	"tcp/dialer.go": `package tcp

import (
	"net"
	"time"
)

// Dialer only dials: it is no store.Layer.
type Dialer struct{}

func (d *Dialer) Dial(addr string, timeout time.Duration) (net.Conn, error) {
	return net.DialTimeout("tcp", addr, timeout)
}
`,
	"command/requester.go": `package command

import "example.com/rq/command/proto"

// Requester has a request.
type Requester interface {
	GetRequest() *proto.Request
}
`,
	"command/proto/command.go": `package proto

// Request is what a command asks.
type Request struct{ SQL string }

type isCommand_Request interface{ isCommand_Request() }

// Command wraps a request of any kind.
type Command struct{ Request isCommand_Request }

func (c *Command) GetRequest() isCommand_Request { return c.Request }

// QueryRequest asks a query.
type QueryRequest struct{ Request *Request }

func (q *QueryRequest) GetRequest() *Request { return q.Request }

// ExecuteRequest asks an execution.
type ExecuteRequest struct{ Request *Request }

func (e *ExecuteRequest) GetRequest() *Request { return e.Request }
`,
}

// TestGoImplementationTypes: an implementation's method takes and returns
// the interface's method's types, not only as many values (a type name
// of the package it is written in is the same as qualified elsewhere),
// and has the methods of a standard library interface the interface
// embeds, which the index does not hold.
func TestGoImplementationTypes(t *testing.T) {
	e := setupFiles(t, layerFixture)
	for target, want := range map[string][]string{
		"store.Layer.Dial":  {"tcp.(*Layer).Dial"},
		"store.Layer":       {"tcp.Layer"},
		"store.Pinger":      {"store.(*local).Ping", "tcp.(*Pong).Ping"},
		"command.Requester": {"proto.(*ExecuteRequest).GetRequest", "proto.(*QueryRequest).GetRequest"},
	} {
		c := e.build(t, Request{Target: target, Question: "q", Window: 16000, Hits: 1})
		all := slices.Sorted(slices.Values(slices.Concat(names(c.Included, RoleImpl), names(c.Dropped, RoleImpl))))
		if !slices.Equal(all, want) {
			t.Errorf("implementations of %s %q; want %q", target, all, want)
		}
	}
}

// TestMethodTypes: a method's signature is read to its body, its types
// normalised: names left out, a type of its package qualified, any as
// interface{}, a generic receiver's type parameters as they are.
func TestMethodTypes(t *testing.T) {
	for _, c := range []struct{ code, want string }{
		{"func (s *T) Get(key string) (string, error) { return \"\", nil }", "(string)(string,error)"},
		{"// Put sets.\nfunc (s T) Put(key, value Key) error {\n\treturn nil\n}", "(kv.Key,kv.Key)(error)"},
		{"func (s *S) Do(f func(a int) (x Out), m map[string]struct{ x, y int }) func() any { return nil }", "(func(int)(kv.Out),map[string]struct{ x, y int })(func()(interface{}))"},
		{"func (s *S) Empty(v interface{}, ch <-chan *io.Reader, xs ...[]byte) interface{} { return nil }", "(interface{},<-chan *io.Reader,...[]byte)(interface{})"},
		{"func (l *List[T]) Push(v T, n Node[T]) {}", "(T,kv.Node[T])()"},
		{"func (s *S) Raw(int, string) []byte", "(int,string)([]byte)"},
	} {
		if got, ok := methodTypes(c.code, "kv"); !ok || got != c.want {
			t.Errorf("methodTypes(%q) = %q, %v; want %q", c.code, got, ok, c.want)
		}
	}
	if got, ok := methodTypes("func (s *S) Broken(a int", "kv"); ok {
		t.Errorf("methodTypes of a broken declaration = %q; want not ok", got)
	}
}
