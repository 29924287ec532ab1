package keys

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"

	"github.com/aiex-dev/aiex/app/usererr"
)

// errNoKeyFile: the key file does not exist (yet).
var errNoKeyFile = errors.New("no key file")

// maxKeyFile bounds how much of a key file is read.
const maxKeyFile = 64 << 10

// loadIdentity returns this node's identity, reading the key file on first
// need and, if create is set and there is none, creating it.
func (s *Store) loadIdentity(create bool) (*age.X25519Identity, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.identity != nil {
		return s.identity, nil
	}
	id, err := readKeyFile(s.keyFile)
	if errors.Is(err, errNoKeyFile) && create {
		id, err = createKeyFile(s.keyFile)
	}
	if err != nil {
		return nil, err
	}
	s.identity = id
	return id, nil
}

// readKeyFile reads the identity in path. It refuses a file that other users
// may read or write: whoever can read it can decrypt every stored key.
func readKeyFile(path string) (*age.X25519Identity, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoKeyFile
	}
	if err != nil {
		return nil, keyFileError(err, "key file %s cannot be read: %s", path, pathReason(err))
	}
	defer f.Close()
	// Stat the open file, not the path, so the check and the read see the
	// same file.
	fi, err := f.Stat()
	if err != nil {
		return nil, keyFileError(err, "key file %s cannot be read: %s", path, pathReason(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, keyFileError(nil, "key file %s is not a regular file; move it away", path)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, keyFileError(nil, "key file %s is accessible to other users (mode %04o); restrict it with: chmod 600 %s", path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile))
	if err != nil {
		return nil, keyFileError(err, "key file %s cannot be read: %s", path, pathReason(err))
	}
	return parseKeyFile(path, b)
}

// parseKeyFile parses the one X25519 identity in a key file. Its errors do
// not carry age's parse error, which may quote the file's contents.
func parseKeyFile(path string, b []byte) (*age.X25519Identity, error) {
	ids, err := age.ParseIdentities(bytes.NewReader(b))
	if err == nil && len(ids) == 1 {
		if id, ok := ids[0].(*age.X25519Identity); ok {
			return id, nil
		}
	}
	return nil, keyFileError(nil, "key file %s does not hold one age X25519 identity (AGE-SECRET-KEY-1…); restore it from a backup, or move it away and store the keys again", path)
}

// createKeyFile generates an identity and writes it to path with mode 0600.
// The file appears complete or not at all: it is written to a temporary
// file and linked into place, and linking fails if path exists — then the
// identity already there wins and the new one is discarded.
func createKeyFile(path string) (*age.X25519Identity, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("keys: generate identity: %w", err)
	}
	content := fmt.Sprintf(`# aiex key file: it decrypts the provider API keys this node stored
# (aiex keys). Keep it private (mode 0600) and back it up: without it
# those keys cannot be read.
# created: %s
# public key: %s
%s
`, time.Now().UTC().Format(time.RFC3339), id.Recipient(), id)

	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, keyFileError(err, "cannot create key file %s: %s", path, pathReason(err))
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, keyFileError(err, "cannot create key file %s: %s", path, pathReason(err))
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	err = f.Chmod(0o600) // CreateTemp's mode already; say so explicitly
	if err == nil {
		_, err = f.WriteString(content)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp, path)
		if errors.Is(err, fs.ErrExist) {
			// Created meanwhile: use that one.
			return readKeyFile(path)
		}
		if err != nil {
			// A file system without hard links: rename instead. The data
			// dir's lock keeps other aiex processes out meanwhile.
			err = os.Rename(tmp, path)
		}
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return nil, keyFileError(err, "cannot create key file %s: %s", path, pathReason(err))
	}
	return id, nil
}

// syncDir makes a new directory entry in dir durable: the key file must not
// vanish in a crash after a key encrypted to it was stored.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func keyFileError(cause error, format string, args ...any) error {
	err := ErrKeyFile
	if cause != nil {
		err = fmt.Errorf("%w: %w", ErrKeyFile, cause)
	}
	return &usererr.Error{Msg: fmt.Sprintf(format, args...), Err: err}
}

func pathReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}
