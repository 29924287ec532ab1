// Package keys stores provider API keys encrypted at rest.
//
// Each node has its own age (X25519) identity in a key file, by default
// DIR/secret.key, created with mode 0600 the first time a key is stored. A
// key is encrypted to that identity and only the ciphertext is written to the
// store — and so to the Raft log and the SQLite file. The plaintext exists
// only in this process's memory: it is never logged, and no error this
// package returns contains it.
//
// Because only the node that stored a key holds the identity that decrypts
// it, keys are per node: rows are keyed by (node, provider), and a node lists
// and reads only its own.
package keys

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"

	"filippo.io/age"

	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
)

// Storage keeps the encrypted rows. *db.Store implements it.
type Storage interface {
	PutKey(ctx context.Context, k *db.Key) error
	Key(ctx context.Context, node, provider string) (db.Key, bool, error)
	Keys(ctx context.Context, node string) ([]db.Key, error)
	DeleteKey(ctx context.Context, node, provider string) (deleted bool, err error)
}

// Sentinel errors, wrapped by the *usererr.Error values the Store returns.
var (
	// ErrInvalid: a provider name or a secret is not acceptable.
	ErrInvalid = errors.New("invalid key")
	// ErrNotFound: no key is stored for the provider on this node.
	ErrNotFound = errors.New("no key stored")
	// ErrUndecryptable: a stored key cannot be decrypted with this node's
	// key file (the file is missing, or is not the one it was stored with).
	ErrUndecryptable = errors.New("key cannot be decrypted")
	// ErrKeyFile: the key file is unusable (permissions, contents).
	ErrKeyFile = errors.New("key file unusable")
)

// Entry describes a stored key. It never holds the key itself.
type Entry struct {
	Provider    string    `json:"provider"`
	Fingerprint string    `json:"fingerprint"`
	CreatedAt   time.Time `json:"created_at"`
}

// Store encrypts provider API keys with this node's key file and keeps them
// in Storage. It is safe for concurrent use.
type Store struct {
	// Now is the clock for CreatedAt; nil means time.Now. Set it before use.
	Now func() time.Time

	storage Storage
	keyFile string
	node    string

	mu       sync.Mutex
	identity *age.X25519Identity // loaded on first need
}

// New returns a Store for node that keeps rows in storage and its identity
// in keyFile. It touches nothing: the key file is read, or created, only
// when a key is stored or read.
func New(storage Storage, keyFile, node string) *Store {
	return &Store{storage: storage, keyFile: keyFile, node: node}
}

// KeyFile is the path of the key file this store uses.
func (s *Store) KeyFile() string { return s.keyFile }

// Set encrypts secret and stores it for provider, replacing any earlier key.
// Surrounding white space (a trailing newline) is trimmed off secret.
func (s *Store) Set(ctx context.Context, provider, secret string) (Entry, error) {
	if err := ValidateProvider(provider); err != nil {
		return Entry{}, err
	}
	secret, err := CleanSecret(secret)
	if err != nil {
		return Entry{}, err
	}
	id, err := s.loadIdentity(false)
	if errors.Is(err, errNoKeyFile) {
		// A new key file is a new identity: keys stored for the old one
		// could never be read again, even once it is restored, as every
		// key after would be encrypted for the new one. So it is made
		// only while no other key waits for the old one.
		if oerr := s.noOrphans(ctx, provider); oerr != nil {
			// Another process may have made the key file since this one
			// looked, and stored the keys found: a file is made before
			// any key is stored with it. Then it is the one to use.
			if id, err = s.loadIdentity(false); errors.Is(err, errNoKeyFile) {
				return Entry{}, oerr
			}
		} else {
			id, err = s.loadIdentity(true)
		}
	}
	if err != nil {
		return Entry{}, err
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, id.Recipient())
	if err == nil {
		_, err = io.WriteString(w, secret)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		// age's errors come from its own state, never from the plaintext.
		return Entry{}, fmt.Errorf("keys.Set %s: encrypt: %w", provider, err)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	k := &db.Key{
		Node:        s.node,
		Provider:    provider,
		Fingerprint: Fingerprint(secret),
		Ciphertext:  buf.Bytes(),
		CreatedAt:   time.UnixMilli(now().UnixMilli()), // what the store keeps
	}
	if err := s.storage.PutKey(ctx, k); err != nil {
		return Entry{}, fmt.Errorf("keys.Set %s: %w", provider, err)
	}
	return entry(*k), nil
}

// Get decrypts the key stored for provider; ok is false if there is none.
// A key that this node's key file cannot decrypt is an error wrapping
// ErrUndecryptable.
func (s *Store) Get(ctx context.Context, provider string) (secret string, ok bool, err error) {
	if err := ValidateProvider(provider); err != nil {
		return "", false, err
	}
	k, ok, err := s.storage.Key(ctx, s.node, provider)
	if err != nil {
		return "", false, fmt.Errorf("keys.Get %s: %w", provider, err)
	}
	if !ok {
		return "", false, nil
	}
	id, err := s.loadIdentity(false)
	if errors.Is(err, errNoKeyFile) {
		return "", false, &usererr.Error{
			Msg: fmt.Sprintf("the key stored for %s cannot be decrypted: key file %s is missing; store the key again with: aiex keys set %s",
				provider, s.keyFile, provider),
			Err: ErrUndecryptable,
		}
	}
	if err != nil {
		return "", false, err
	}
	r, err := age.Decrypt(bytes.NewReader(k.Ciphertext), id)
	var b []byte
	if err == nil {
		b, err = io.ReadAll(r)
	}
	if err != nil {
		why := "the stored ciphertext is damaged"
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) {
			why = "it was stored with a different key file than " + s.keyFile
		}
		return "", false, &usererr.Error{
			Msg: fmt.Sprintf("the key stored for %s cannot be decrypted: %s; store the key again with: aiex keys set %s",
				provider, why, provider),
			Err: fmt.Errorf("%w: %w", ErrUndecryptable, err),
		}
	}
	secret = string(b)
	if Fingerprint(secret) != k.Fingerprint {
		// Not our row for this provider (copied or tampered with).
		return "", false, &usererr.Error{
			Msg: fmt.Sprintf("the key stored for %s does not match its fingerprint %s; store the key again with: aiex keys set %s",
				provider, k.Fingerprint, provider),
			Err: ErrUndecryptable,
		}
	}
	return secret, true, nil
}

// noOrphans returns an error wrapping ErrKeyFile if keys other than
// provider's are stored on this node while its key file is missing: they
// were encrypted for the identity that file held.
func (s *Store) noOrphans(ctx context.Context, provider string) error {
	stored, err := s.List(ctx)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range stored {
		if e.Provider != provider {
			names = append(names, e.Provider)
		}
	}
	if len(names) == 0 {
		return nil
	}
	return &usererr.Error{
		Msg: fmt.Sprintf("key file %s is missing, and the keys stored for %s were encrypted with it; restore it from a backup, or remove them (aiex keys rm %s) and store them again",
			s.keyFile, strings.Join(names, ", "), strings.Join(names, " ")),
		Err: ErrKeyFile,
	}
}

// List describes the keys this node stored, by provider name. It does not
// need the key file.
func (s *Store) List(ctx context.Context) ([]Entry, error) {
	ks, err := s.storage.Keys(ctx, s.node)
	if err != nil {
		return nil, fmt.Errorf("keys.List: %w", err)
	}
	out := make([]Entry, 0, len(ks))
	for _, k := range ks {
		out = append(out, entry(k))
	}
	return out, nil
}

// Delete deletes the key stored for provider. If there is none, the error
// (wrapping ErrNotFound) names the providers that have one.
func (s *Store) Delete(ctx context.Context, provider string) error {
	if err := ValidateProvider(provider); err != nil {
		return err
	}
	deleted, err := s.storage.DeleteKey(ctx, s.node, provider)
	if err != nil {
		return fmt.Errorf("keys.Delete %s: %w", provider, err)
	}
	if deleted {
		return nil
	}
	stored, err := s.List(ctx)
	if err != nil {
		return err
	}
	names := make([]string, len(stored))
	for i, e := range stored {
		names[i] = e.Provider
	}
	have := "no keys are stored on this node"
	if len(names) > 0 {
		have = "stored: " + strings.Join(names, ", ")
	}
	return &usererr.Error{Msg: fmt.Sprintf("no key stored for %s; %s", provider, have), Err: ErrNotFound}
}

// Fingerprint identifies secret without revealing it: "sha256:" and the
// first 12 hex digits of its SHA-256.
func Fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "sha256:" + hex.EncodeToString(sum[:])[:12]
}

// maxProvider bounds a provider name.
const maxProvider = 64

// ValidateProvider accepts 1 to 64 ASCII letters, digits, "-" and "_". The
// error does not repeat the name: a pasted secret in its place must not be
// echoed.
func ValidateProvider(name string) error {
	ok := name != "" && len(name) <= maxProvider
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			ok = false
			break
		}
	}
	if !ok {
		return &usererr.Error{
			Msg:  fmt.Sprintf(`invalid provider name: use 1 to %d letters, digits, "-" or "_" (e.g. openai)`, maxProvider),
			Code: usererr.ExitUsage,
			Err:  ErrInvalid,
		}
	}
	return nil
}

// CleanSecret trims surrounding white space (a trailing newline) off secret
// and checks what is left: not empty, and no line breaks or other control
// characters inside it. Its errors never contain the secret.
func CleanSecret(secret string) (string, error) {
	secret = strings.TrimSpace(secret)
	if secret == "" {
		return "", &usererr.Error{Msg: "the API key is empty", Code: usererr.ExitUsage, Err: ErrInvalid}
	}
	if strings.IndexFunc(secret, unicode.IsControl) >= 0 {
		return "", &usererr.Error{
			Msg:  "the API key contains a line break or another control character; give it on one line",
			Code: usererr.ExitUsage,
			Err:  ErrInvalid,
		}
	}
	return secret, nil
}

func entry(k db.Key) Entry {
	return Entry{Provider: k.Provider, Fingerprint: k.Fingerprint, CreatedAt: k.CreatedAt}
}
