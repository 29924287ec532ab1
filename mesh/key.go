package mesh

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// KeyEnv is the environment variable that may hold the cluster key's text,
// for deployments that pass secrets through the environment (Kubernetes).
const KeyEnv = "AIEX_CLUSTER_KEY"

// keyPrefix starts the text form of every cluster key, so a key is
// recognisable in a secret store and a pasted API key is not taken for one.
const keyPrefix = "aiex-cluster-key-v1:"

const (
	keySize      = 32
	checksumSize = 4
)

// ErrBadKey is wrapped by every error about a malformed cluster key.
var ErrBadKey = errors.New("bad cluster key")

// Key is a cluster key: 32 random bytes shared by every node of a plain-TCP
// cluster. Whoever holds it can join the cluster and read its traffic, so it
// is a secret: String, GoString and LogValue show only its fingerprint; Text
// is the one way to get the secret text out.
type Key struct {
	b [keySize]byte
}

// GenerateKey returns a new random cluster key.
func GenerateKey() (Key, error) {
	var k Key
	if _, err := rand.Read(k.b[:]); err != nil {
		return Key{}, fmt.Errorf("mesh: generate key: %w", err)
	}
	return k, nil
}

// IsZero reports whether k is the zero Key (no key).
func (k Key) IsZero() bool { return k.b == [keySize]byte{} }

// Equal reports whether k and o are the same key, in constant time.
func (k Key) Equal(o Key) bool { return subtle.ConstantTimeCompare(k.b[:], o.b[:]) == 1 }

// Text returns the key's secret text form: "aiex-cluster-key-v1:" followed
// by base64url of the key and a 4-byte checksum, which lets ParseKey tell a
// mistyped or truncated key from a different one.
func (k Key) Text() string {
	var buf [keySize + checksumSize]byte
	copy(buf[:], k.b[:])
	sum := keyChecksum(k.b[:])
	copy(buf[keySize:], sum[:])
	return keyPrefix + base64.RawURLEncoding.EncodeToString(buf[:])
}

func keyChecksum(b []byte) [checksumSize]byte {
	h := sha256.Sum256(append([]byte(keyPrefix), b...))
	return [checksumSize]byte(h[:checksumSize])
}

// Fingerprint is a short public name for the key, safe to show users and to
// compare between nodes: it is a hash of the cluster CA's public key, from
// which the key cannot be recovered.
func (k Key) Fingerprint() string {
	ca, err := deriveCA(k)
	if err != nil {
		return "invalid"
	}
	return ca.fingerprint
}

// String shows the fingerprint, never the key.
func (k Key) String() string { return "cluster-key(" + k.Fingerprint() + ")" }

// GoString shows the fingerprint, never the key.
func (k Key) GoString() string { return k.String() }

// LogValue shows the fingerprint, never the key.
func (k Key) LogValue() slog.Value { return slog.StringValue(k.String()) }

// ParseKey parses a key's text form (surrounding white space is ignored).
// Errors wrap ErrBadKey and say in one line what is wrong.
func ParseKey(text string) (Key, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return Key{}, fmt.Errorf("mesh: %w: empty", ErrBadKey)
	}
	body, ok := strings.CutPrefix(text, keyPrefix)
	if !ok {
		return Key{}, fmt.Errorf("mesh: %w: it does not start with %q (aiex cluster init --out FILE writes one)", ErrBadKey, keyPrefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(body)
	if err != nil {
		return Key{}, fmt.Errorf("mesh: %w: garbled, not base64url after the prefix", ErrBadKey)
	}
	switch n := len(raw); {
	case n < keySize+checksumSize:
		return Key{}, fmt.Errorf("mesh: %w: too short (%d bytes, want %d): truncated?", ErrBadKey, n, keySize+checksumSize)
	case n > keySize+checksumSize:
		return Key{}, fmt.Errorf("mesh: %w: too long (%d bytes, want %d)", ErrBadKey, n, keySize+checksumSize)
	}
	var k Key
	copy(k.b[:], raw[:keySize])
	if sum := keyChecksum(k.b[:]); subtle.ConstantTimeCompare(sum[:], raw[keySize:]) != 1 {
		return Key{}, fmt.Errorf("mesh: %w: checksum mismatch: mistyped or altered", ErrBadKey)
	}
	if k.IsZero() {
		return Key{}, fmt.Errorf("mesh: %w: all zero", ErrBadKey)
	}
	return k, nil
}

// ReadKeyFile reads a key written by WriteKeyFile (or any file holding the
// key's text). It refuses a file that group or others may read or write,
// as the node's key file (app/keys) is refused: whoever reads the cluster
// key can join the cluster and read its traffic, and a key that other
// users could read must be taken as known to them.
func ReadKeyFile(path string) (Key, error) {
	// O_NONBLOCK: a FIFO given by mistake is refused below, not waited on.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if errors.Is(err, os.ErrNotExist) {
		return Key{}, fmt.Errorf("mesh: no cluster key file at %s", path)
	}
	if err != nil {
		return Key{}, fmt.Errorf("mesh: read cluster key: %w", err)
	}
	defer f.Close()
	// Stat the open file, not the path, so that the check and the read
	// see the same file.
	fi, err := f.Stat()
	if err != nil {
		return Key{}, fmt.Errorf("mesh: read cluster key: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return Key{}, fmt.Errorf("mesh: cluster key file %s is not a regular file; give the file the key is in", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return Key{}, fmt.Errorf("mesh: cluster key file %s is accessible to other users (mode %04o); restrict it with: chmod 600 %s (a Kubernetes secret volume: defaultMode: 0400)", path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile))
	if err != nil {
		return Key{}, fmt.Errorf("mesh: read cluster key: %w", err)
	}
	k, err := ParseKey(string(b))
	if err != nil {
		return Key{}, fmt.Errorf("%w (in %s)", err, path)
	}
	return k, nil
}

// maxKeyFile bounds what ReadKeyFile reads: a key's text is 68 bytes, and
// a path given by mistake (a log, a disk image) must not be read whole.
const maxKeyFile = 4 << 10

// WriteKeyFile writes k's text to path with mode 0600. It never replaces an
// existing file: losing a cluster key locks a node out of its cluster. The
// file appears complete or not at all: the text goes to a temporary file in
// the same directory, which is then hard-linked to path (a link, unlike a
// rename, fails if path exists, with no window between check and write).
func WriteKeyFile(path string, k Key) (retErr error) {
	if k.IsZero() {
		return fmt.Errorf("mesh: write cluster key: %w: zero key", ErrBadKey)
	}
	defer func() {
		if retErr != nil {
			retErr = fmt.Errorf("mesh: write cluster key: %w", retErr)
		}
	}()
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s already exists; not replacing it", path)
	}
	// Errors name the directory or path the caller gave, never the
	// temporary file.
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("directory %s does not exist: %w", dir, os.ErrNotExist)
		}
		return fmt.Errorf("cannot create a file in %s: %w", dir, cause(err))
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	_, err = f.WriteString(k.Text() + "\n")
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, cause(err))
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists; not replacing it", path)
		}
		return fmt.Errorf("cannot write %s: %w", path, cause(err))
	}
	// Make the new name durable too.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// cause is a file operation's error without the path it names (os.PathError,
// os.LinkError), for messages that name the path themselves.
func cause(err error) error {
	var pe *os.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}

// shortHex formats b as colon-separated groups of four hex digits.
func shortHex(b []byte) string {
	h := hex.EncodeToString(b)
	var parts []string
	for len(h) > 4 {
		parts = append(parts, h[:4])
		h = h[4:]
	}
	return strings.Join(append(parts, h), ":")
}
