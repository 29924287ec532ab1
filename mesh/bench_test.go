package mesh_test

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"

	"github.com/aiex-dev/aiex/mesh"
	"github.com/aiex-dev/aiex/mesh/meshtest"
)

// Run with: go test -run '^$' -bench . -benchtime 2s ./mesh/
//
// Dial benchmarks time a dial plus one 64-byte round trip, so the server's
// side of the handshake and its policy check are included; RoundTrip
// benchmarks time a 64-byte echo over one established connection.

const benchMsg = 64

// copyServer echoes every connection ln accepts until the benchmark ends.
func copyServer(b *testing.B, ln net.Listener) {
	var wg sync.WaitGroup
	var live sync.Map
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			live.Store(c, true)
			wg.Go(func() {
				defer live.Delete(c)
				defer c.Close()
				io.Copy(c, c)
			})
		}
	})
	b.Cleanup(func() {
		ln.Close()
		live.Range(func(k, _ any) bool { k.(net.Conn).Close(); return true })
		wg.Wait()
	})
}

func echoOnce(b *testing.B, c net.Conn, buf []byte) {
	if _, err := c.Write(buf); err != nil {
		b.Fatal(err)
	}
	if _, err := io.ReadFull(c, buf); err != nil {
		b.Fatal(err)
	}
}

func benchDial(b *testing.B, client, server mesh.Transport) {
	copyServer(b, listen(b, server))
	buf := make([]byte, benchMsg)
	ctx := context.Background()
	for b.Loop() {
		c, err := client.Dial(ctx, server.Addr())
		if err != nil {
			b.Fatal(err)
		}
		echoOnce(b, c, buf)
		c.Close()
	}
}

func benchRoundTrip(b *testing.B, client, server mesh.Transport) {
	copyServer(b, listen(b, server))
	c, err := client.Dial(context.Background(), server.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, benchMsg)
	b.SetBytes(benchMsg)
	for b.Loop() {
		echoOnce(b, c, buf)
	}
}

func tcpPair(b *testing.B) (client, server mesh.Transport) {
	trs := meshtest.TCP(b, 2, nil)
	return trs[1], trs[0]
}

func tailnetPair(b *testing.B) (client, server *mesh.Tailnet) {
	tn := meshtest.NewTailnet(b, meshtest.Options{SameUser: true})
	server = tn.Node(b, mesh.TailnetConfig{Hostname: "server"})
	client = tn.Node(b, mesh.TailnetConfig{Hostname: "client"})
	return client, server
}

func BenchmarkDialTCP(b *testing.B) {
	c, s := tcpPair(b)
	benchDial(b, c, s)
}

func BenchmarkRoundTripTCP(b *testing.B) {
	c, s := tcpPair(b)
	benchRoundTrip(b, c, s)
}

func BenchmarkDialTailnet(b *testing.B) {
	c, s := tailnetPair(b)
	benchDial(b, c, s)
}

func BenchmarkRoundTripTailnet(b *testing.B) {
	c, s := tailnetPair(b)
	benchRoundTrip(b, c, s)
}

// BenchmarkWhoIsTailnet is the identity lookup every accepted tailnet
// connection pays.
func BenchmarkWhoIsTailnet(b *testing.B) {
	c, s := tailnetPair(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.WhoIs(ctx, c.Addr()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRoundTripLoopback is the baseline: the same echo over plain
// loopback TCP with no TLS.
func BenchmarkRoundTripLoopback(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	copyServer(b, ln)
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, benchMsg)
	b.SetBytes(benchMsg)
	for b.Loop() {
		echoOnce(b, c, buf)
	}
}
