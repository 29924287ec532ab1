package mesh

import (
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The certificate scheme (see DESIGN.md):
//
//   - cluster CA: HKDF-SHA256(key, info caInfo) → ed25519 seed → a
//     self-signed CA certificate with a fixed subject, serial and validity.
//     Ed25519 signatures are deterministic, so every node derives the same
//     certificate byte for byte; the CA is never sent, each node verifies
//     against its own copy.
//   - leaf: a fresh ed25519 key per node and per renewal, CommonName = node
//     name, OrganizationalUnit = declared tags, one URI SAN
//     "aiex-mesh://ADVERTISE-ADDR", valid from an hour ago (clock skew) for
//     leafLifetime, renewed on the next handshake once past half its life.
const (
	caInfo       = "aiex mesh v1 cluster CA"
	alpn         = "aiex-mesh/1"
	addrScheme   = "aiex-mesh"
	leafLifetime = 30 * 24 * time.Hour
	clockSkew    = time.Hour
)

var (
	caNotBefore = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	// RFC 5280 §4.1.2.5: 99991231235959Z means "no well-defined expiry".
	caNotAfter = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

// clusterCA is the CA every holder of a key derives.
type clusterCA struct {
	cert        *x509.Certificate
	key         ed25519.PrivateKey
	pool        *x509.CertPool
	fingerprint string
}

func deriveCA(k Key) (*clusterCA, error) {
	seed, err := hkdf.Key(sha256.New, k.b[:], nil, caInfo, ed25519.SeedSize)
	if err != nil {
		return nil, err
	}
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	sum := sha256.Sum256(pub)
	fp := shortHex(sum[:8])
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "aiex cluster CA " + fp},
		NotBefore:             caNotBefore,
		NotAfter:              caNotAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		return nil, fmt.Errorf("mesh: derive cluster CA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("mesh: derive cluster CA: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &clusterCA{cert: cert, key: priv, pool: pool, fingerprint: fp}, nil
}

// issuer hands out this node's leaf certificate, renewing it when it is past
// half its lifetime.
type issuer struct {
	ca   *clusterCA
	self Peer // Node, Tags and Addr go into the certificate
	now  func() time.Time

	mu      sync.Mutex
	cert    *tls.Certificate
	renewAt time.Time
}

func (is *issuer) get() (*tls.Certificate, error) {
	is.mu.Lock()
	defer is.mu.Unlock()
	now := is.now()
	if is.cert != nil && now.Before(is.renewAt) {
		return is.cert, nil
	}
	cert, err := is.issue(now)
	if err != nil {
		return nil, err
	}
	is.cert, is.renewAt = cert, now.Add(leafLifetime/2)
	return cert, nil
}

func (is *issuer) issue(now time.Time) (*tls.Certificate, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, err
	}
	serial.Add(serial, big.NewInt(1)) // positive, as RFC 5280 wants
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: is.self.Node, OrganizationalUnit: is.self.Tags},
		NotBefore:    now.Add(-clockSkew),
		NotAfter:     now.Add(leafLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		URIs:         []*url.URL{{Scheme: addrScheme, Host: is.self.Addr}},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, is.ca.cert, pub, is.ca.key)
	if err != nil {
		return nil, fmt.Errorf("mesh: issue leaf certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: priv, Leaf: leaf}, nil
}

// serverConfig is the listener's TLS config: TLS 1.3 only, and the client
// must present a certificate that chains to the cluster CA.
func (is *issuer) serverConfig() *tls.Config {
	return &tls.Config{
		MinVersion:             tls.VersionTLS13,
		NextProtos:             []string{alpn},
		ClientAuth:             tls.RequireAndVerifyClientCert,
		ClientCAs:              is.ca.pool,
		SessionTicketsDisabled: true,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return is.get()
		},
		VerifyConnection: func(cs tls.ConnectionState) error {
			if cs.NegotiatedProtocol != alpn {
				return fmt.Errorf("peer does not speak %s", alpn)
			}
			return nil
		},
	}
}

// clientConfig is the dialer's TLS config. Nodes are reached by addresses
// that change (IPs, ports, NAT), so the server is not checked against a host
// name: InsecureSkipVerify turns off only Go's name-based verification, and
// VerifyConnection does the chain verification itself, against the cluster
// CA, on every handshake.
func (is *issuer) clientConfig() *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS13,
		NextProtos:         []string{alpn},
		InsecureSkipVerify: true,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return is.get()
		},
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("server sent no certificate")
			}
			opts := x509.VerifyOptions{
				Roots:         is.ca.pool,
				Intermediates: x509.NewCertPool(),
				CurrentTime:   is.now(),
				KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			}
			for _, c := range cs.PeerCertificates[1:] {
				opts.Intermediates.AddCert(c)
			}
			if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
				return fmt.Errorf("server certificate: %w", err)
			}
			if cs.NegotiatedProtocol != alpn {
				return fmt.Errorf("peer does not speak %s", alpn)
			}
			return nil
		},
	}
}

// peerFromCert reads the identity of a verified leaf certificate.
func peerFromCert(c *x509.Certificate) (Peer, error) {
	p := Peer{Node: c.Subject.CommonName, StableID: c.Subject.CommonName, Tags: c.Subject.OrganizationalUnit}
	if !ValidName(p.Node) {
		return Peer{}, fmt.Errorf("certificate has a bad node name %q", p.Node)
	}
	if err := validateTags(p.Tags); err != nil {
		return Peer{}, fmt.Errorf("certificate: %w", err)
	}
	for _, u := range c.URIs {
		if u.Scheme == addrScheme {
			p.Addr = u.Host
		}
	}
	return p, nil
}

// peerFromState reads the peer identity of a completed handshake.
func peerFromState(cs tls.ConnectionState) (Peer, error) {
	if len(cs.PeerCertificates) == 0 {
		return Peer{}, errors.New("peer sent no certificate")
	}
	return peerFromCert(cs.PeerCertificates[0])
}

// describeTLSError makes the common handshake failures readable in refusal
// reports.
func describeTLSError(err error) error {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "first record does not look like a TLS handshake"):
		return fmt.Errorf("not TLS (plaintext or another protocol): %w", err)
	case strings.Contains(msg, "unknown authority"), strings.Contains(msg, "bad certificate"):
		return &keyMismatchError{err}
	case strings.Contains(msg, "certificate required"), strings.Contains(msg, "didn't provide a certificate"):
		return fmt.Errorf("no client certificate: %w", err)
	}
	return err
}

// ErrKeyMismatch is matched (errors.Is) by a handshake that failed because
// the two ends hold different cluster keys: each one's certificate is not
// signed by the other's key.
var ErrKeyMismatch = errors.New("not signed by this cluster's key")

// keyMismatchError is the handshake error of ErrKeyMismatch.
type keyMismatchError struct{ err error }

func (e *keyMismatchError) Error() string { return ErrKeyMismatch.Error() + ": " + e.err.Error() }
func (e *keyMismatchError) Unwrap() error { return e.err }

// Is makes errors.Is(err, ErrKeyMismatch) true.
func (e *keyMismatchError) Is(target error) bool { return target == ErrKeyMismatch }

// ClusterKeyMismatch lets packages that see the error through a network
// layer without importing mesh (db) recognise it with errors.As.
func (e *keyMismatchError) ClusterKeyMismatch() bool { return true }
