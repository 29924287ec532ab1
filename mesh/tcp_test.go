package mesh_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aiex-dev/aiex/mesh"
	"github.com/aiex-dev/aiex/mesh/meshtest"
)

// listen calls tr.Listen and fails the test on error.
func listen(t testing.TB, tr mesh.Transport) net.Listener {
	t.Helper()
	ln, err := tr.Listen()
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func TestTCPExchange(t *testing.T) {
	trs := meshtest.TCP(t, 3, nil)
	for i, tr := range trs {
		startEcho(t, fmt.Sprint(i), tr, listen(t, tr))
	}
	for i, from := range trs {
		for j, to := range trs {
			if i == j {
				continue
			}
			c := dial(t, from, to.Addr())
			// The server saw the dialer's verified name.
			want := fmt.Sprintf("%d|node%d||hello from %d", j, i, i)
			if got := roundTrip(t, c, fmt.Sprintf("hello from %d", i)); got != want {
				t.Errorf("node%d -> node%d: got %q, want %q", i, j, got, want)
			}
			// The dialer sees the server's verified name and advertised address.
			p, err := from.WhoIs(context.Background(), c.RemoteAddr().String())
			if err != nil {
				t.Fatal(err)
			}
			if p.Node != fmt.Sprintf("node%d", j) || p.Addr != to.Addr() || p.StableID != p.Node {
				t.Errorf("node%d WhoIs(node%d) = %+v", i, j, p)
			}
		}
	}
}

func TestTCPWhoIsForgetsClosedConns(t *testing.T) {
	trs := meshtest.TCP(t, 2, nil)
	startEcho(t, "x", trs[1], listen(t, trs[1]))
	c := dial(t, trs[0], trs[1].Addr())
	roundTrip(t, c, "hi")
	remote := c.RemoteAddr().String()
	if _, err := trs[0].WhoIs(context.Background(), remote); err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := trs[0].WhoIs(context.Background(), remote); !errors.Is(err, mesh.ErrUnknownPeer) {
		t.Fatalf("WhoIs after close: %v, want ErrUnknownPeer", err)
	}
}

// TestTCPRefuses runs clients that must never get past Accept next to a good
// peer that must keep working.
func TestTCPRefuses(t *testing.T) {
	rf := newRefusals()
	trs := meshtest.TCP(t, 2, func(i int, cfg *mesh.TCPConfig) { cfg.OnRefused = rf.record })
	server, good := trs[0], trs[1]
	srv := startEcho(t, "srv", server, listen(t, server))
	other := meshtest.TCP(t, 1, nil)[0] // same name scheme, different key

	checkGood := func(t *testing.T) {
		t.Helper()
		if got := roundTrip(t, dial(t, good, server.Addr()), "ping"); got != "srv|node1||ping" {
			t.Fatalf("good peer got %q", got)
		}
	}
	checkGood(t)

	t.Run("different key", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := other.Dial(ctx, server.Addr())
		if err == nil {
			c.Close()
			t.Fatal("dial with another key succeeded")
		}
		if !strings.Contains(err.Error(), "unknown authority") {
			t.Errorf("dialer's error %v does not say why", err)
		}
		rf.wait(t, "not signed by this cluster's key")
		checkGood(t)
	})

	t.Run("plaintext", func(t *testing.T) {
		c, err := net.Dial("tcp", server.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET / HTTP/1.0\r\n\r\n")
		r, _ := rf.wait(t, "not TLS")
		if r.addr != c.LocalAddr().String() {
			t.Errorf("refusal names %s, want %s", r.addr, c.LocalAddr())
		}
		expectClosed(t, c)
		checkGood(t)
	})

	t.Run("self-signed client", func(t *testing.T) {
		cert := selfSigned(t, "node9")
		c, err := tls.Dial("tcp", server.Addr(), &tls.Config{
			InsecureSkipVerify: true, // this client is the attacker
			// Go's client only sends a certificate the server's CA list
			// names; this one pushes it regardless.
			GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil },
			NextProtos:           []string{"aiex-mesh/1"},
			MinVersion:           tls.VersionTLS13,
		})
		// In TLS 1.3 the client finishes first, so its handshake may succeed;
		// the server's verdict shows up at the first read.
		if err == nil {
			defer c.Close()
			c.Write([]byte("hello\n"))
			expectClosed(t, c)
		}
		rf.wait(t, "unknown authority")
		checkGood(t)
	})

	t.Run("no client certificate", func(t *testing.T) {
		c, err := tls.Dial("tcp", server.Addr(), &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"aiex-mesh/1"}})
		if err == nil {
			defer c.Close()
			expectClosed(t, c)
		}
		rf.wait(t, "certificate")
		checkGood(t)
	})

	// Only the good peer's connections ever came out of Accept.
	for _, a := range srv.acceptedAddrs() {
		if p, err := server.WhoIs(context.Background(), a); err == nil && p.Node != "node1" {
			t.Errorf("Accept returned a connection from %+v", p)
		}
	}
	if n := len(srv.acceptedAddrs()); n != 5 {
		t.Errorf("Accept returned %d connections, want the good peer's 5", n)
	}
}

// selfSigned makes a certificate no cluster key signed.
func selfSigned(t testing.TB, name string) tls.Certificate {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv}
}

// TestTCPSilentClient checks that a client that connects and says nothing
// neither blocks other peers nor stays forever.
func TestTCPSilentClient(t *testing.T) {
	rf := newRefusals()
	const timeout = 500 * time.Millisecond
	trs := meshtest.TCP(t, 2, func(i int, cfg *mesh.TCPConfig) {
		cfg.OnRefused = rf.record
		cfg.HandshakeTimeout = timeout
	})
	startEcho(t, "srv", trs[0], listen(t, trs[0]))
	var silent []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", trs[0].Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		silent = append(silent, c)
	}
	start := time.Now()
	if got := roundTrip(t, dial(t, trs[1], trs[0].Addr()), "ping"); got != "srv|node1||ping" {
		t.Fatalf("got %q", got)
	}
	if d := time.Since(start); d >= timeout {
		t.Errorf("good peer waited %v behind silent clients (timeout %v)", d, timeout)
	}
	rf.none(t)
	for range silent {
		rf.wait(t, "timed out authenticating")
	}
	if d := time.Since(start); d > 10*timeout {
		t.Errorf("silent clients dropped after %v, timeout %v", d, timeout)
	}
	for _, c := range silent {
		expectClosed(t, c)
	}
}

func TestTCPPolicy(t *testing.T) {
	rf := newRefusals()
	trs := meshtest.TCP(t, 3, func(i int, cfg *mesh.TCPConfig) {
		switch i {
		case 0:
			cfg.Policy = mesh.Policy{AllowTags: []string{"tag:server"}}
			cfg.Tags = []string{"tag:server"}
			cfg.OnRefused = rf.record
		case 1:
			cfg.Tags = []string{"tag:laptop", "tag:server"}
		case 2:
			cfg.Tags = []string{"tag:ci"}
		}
	})
	server, ok, ci := trs[0], trs[1], trs[2]
	startEcho(t, "srv", server, listen(t, server))
	startEcho(t, "ci", ci, listen(t, ci))

	if got := roundTrip(t, dial(t, ok, server.Addr()), "ping"); got != "srv|node1||ping" {
		t.Fatalf("allowed peer got %q", got)
	}
	p, err := ok.WhoIs(context.Background(), server.Addr())
	if err != nil || !slices.Equal(p.Tags, []string{"tag:server"}) {
		t.Errorf("WhoIs(server) = %+v, %v", p, err)
	}

	// ci has no policy, so it dials; the server refuses it.
	c := dial(t, ci, server.Addr())
	c.Write([]byte("ping\n"))
	expectClosed(t, c)
	r, _ := rf.wait(t, "tags [tag:ci]")
	if !errors.Is(r.reason, mesh.ErrNotAllowed) {
		t.Errorf("reason %v does not wrap ErrNotAllowed", r.reason)
	}

	// The server will not dial ci either.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if c, err := server.Dial(ctx, ci.Addr()); !errors.Is(err, mesh.ErrNotAllowed) {
		if c != nil {
			c.Close()
		}
		t.Fatalf("server dialed a peer its policy refuses: %v", err)
	}
}

func TestTCPConfigErrors(t *testing.T) {
	key, err := mesh.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  mesh.TCPConfig
		want string
	}{
		{"no key", mesh.TCPConfig{ListenAddr: "127.0.0.1:0", Node: "a"}, "no cluster key"},
		{"bad name", mesh.TCPConfig{ListenAddr: "127.0.0.1:0", Node: "a b", Key: key}, "bad node name"},
		{"unspecified listen", mesh.TCPConfig{ListenAddr: "0.0.0.0:0", Node: "a", Key: key}, "unspecified"},
		{"unspecified advertise", mesh.TCPConfig{ListenAddr: "127.0.0.1:0", AdvertiseAddr: "0.0.0.0:7420", Node: "a", Key: key}, "unspecified"},
		{"advertise garbage", mesh.TCPConfig{ListenAddr: "127.0.0.1:0", AdvertiseAddr: "alpha", Node: "a", Key: key}, "not HOST:PORT"},
		{"advertise no port", mesh.TCPConfig{ListenAddr: "127.0.0.1:0", AdvertiseAddr: "10.0.0.1:0", Node: "a", Key: key}, "no port"},
		{"bad tag", mesh.TCPConfig{ListenAddr: "127.0.0.1:0", Node: "a", Key: key, Tags: []string{"server"}}, "bad tag"},
		{"users on tcp", mesh.TCPConfig{ListenAddr: "127.0.0.1:0", Node: "a", Key: key, Policy: mesh.Policy{AllowUsers: []string{"a@b"}}}, "no user login"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := mesh.NewTCP(tt.cfg)
			if err == nil {
				tr.Close()
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestTCPLifecycle(t *testing.T) {
	trs := meshtest.TCP(t, 1, nil)
	tr := trs[0]
	ln := listen(t, tr)
	if _, err := tr.Listen(); err == nil {
		t.Error("second Listen succeeded")
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tr.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v", err)
	}
	if _, err := tr.Dial(context.Background(), "127.0.0.1:1"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Dial after Close: %v", err)
	}
	// The port is free again.
	l, err := net.Listen("tcp", tr.Addr())
	if err != nil {
		t.Fatalf("port still bound after Close: %v", err)
	}
	l.Close()
}

func TestTCPAdvertiseName(t *testing.T) {
	trs := meshtest.TCP(t, 2, func(i int, cfg *mesh.TCPConfig) {
		if i == 0 {
			cfg.AdvertiseAddr = "node0.aiex.svc.cluster.local:7420"
		}
	})
	if got := trs[0].Addr(); got != "node0.aiex.svc.cluster.local:7420" {
		t.Fatalf("Addr = %q", got)
	}
	// Peers learn the advertised name from the certificate.
	ln := listen(t, trs[0])
	startEcho(t, "srv", trs[0], ln)
	c := dial(t, trs[1], ln.Addr().String())
	p, err := trs[1].WhoIs(context.Background(), c.RemoteAddr().String())
	if err != nil || p.Addr != "node0.aiex.svc.cluster.local:7420" {
		t.Fatalf("WhoIs = %+v, %v", p, err)
	}
}

// TestTCPOneHostCannotFillHandshakes: a host that opens hundreds of
// connections and says nothing (no key needed for that) takes only its
// share of the handshake slots: a member dialing from another address is
// still let in.
func TestTCPOneHostCannotFillHandshakes(t *testing.T) {
	trs := meshtest.TCP(t, 2, func(i int, cfg *mesh.TCPConfig) { cfg.HandshakeTimeout = time.Minute })
	startEcho(t, "srv", trs[0], listen(t, trs[0]))
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}}
	for range 300 {
		c, err := d.Dial("tcp", trs[0].Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	if got := roundTrip(t, dial(t, trs[1], trs[0].Addr()), "ping"); got != "srv|node1||ping" {
		t.Fatalf("got %q", got)
	}
}
