package mesh

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeyText(t *testing.T) {
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	text := k.Text()
	if !strings.HasPrefix(text, "aiex-cluster-key-v1:") {
		t.Fatalf("text %q lacks the prefix", text)
	}
	got, err := ParseKey("  " + text + "\n")
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(k) {
		t.Fatal("round trip changed the key")
	}
	k2, _ := GenerateKey()
	if k.Fingerprint() == k2.Fingerprint() || k.Fingerprint() != got.Fingerprint() {
		t.Errorf("fingerprints: %s %s %s", k.Fingerprint(), got.Fingerprint(), k2.Fingerprint())
	}

	// The secret shows up nowhere but Text.
	secret := strings.TrimPrefix(text, keyPrefix)
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("key", "k", k)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k), k.Fingerprint(), logged.String()} {
		if strings.Contains(s, secret) || strings.Contains(s, secret[:8]) {
			t.Errorf("key text leaked in %q", s)
		}
		if !strings.Contains(s, k.Fingerprint()) {
			t.Errorf("%q does not show the fingerprint", s)
		}
	}
}

func TestParseKeyErrors(t *testing.T) {
	k, _ := GenerateKey()
	good := k.Text()
	body := strings.TrimPrefix(good, keyPrefix)
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	tests := []struct {
		name, text, want string
	}{
		{"empty", "  \n", "empty"},
		{"no prefix", body, "does not start with"},
		{"other secret", "sk-abcdef", "does not start with"},
		{"says how to make one", "sk-abcdef", "aiex cluster init"},
		{"garbled", keyPrefix + "!!!not base64!!!", "garbled"},
		{"truncated", good[:len(good)-10], "too short"},
		{"too long", good + "AAAA", "too long"},
		{"mistyped", flip(good, len(keyPrefix)+5), "checksum mismatch"},
		{"zero", Key{}.Text(), "all zero"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKey(tt.text)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrBadKey) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q: want ErrBadKey mentioning %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if len(tt.text) > 20 && strings.Contains(err.Error(), strings.TrimSpace(tt.text)[len(keyPrefix):]) {
				t.Errorf("error repeats the key: %q", err)
			}
		})
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cluster.key")
	k, _ := GenerateKey()
	if err := WriteKeyFile(path, k); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	got, err := ReadKeyFile(path)
	if err != nil || !got.Equal(k) {
		t.Fatalf("ReadKeyFile = %v, %v", got, err)
	}

	// Never replaced, and nothing left behind.
	k2, _ := GenerateKey()
	if err := WriteKeyFile(path, k2); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("overwrite: %v", err)
	}
	if got, _ := ReadKeyFile(path); !got.Equal(k) {
		t.Fatal("key file was replaced")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("dir holds %d entries, want just the key", len(entries))
	}

	if _, err := ReadKeyFile(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "no cluster key file") {
		t.Errorf("missing file: %v", err)
	}
	garbled := filepath.Join(dir, "garbled")
	os.WriteFile(garbled, []byte(keyPrefix+"xyz"), 0o600)
	if _, err := ReadKeyFile(garbled); !errors.Is(err, ErrBadKey) || !strings.Contains(err.Error(), garbled) {
		t.Errorf("garbled file: %v", err)
	}
	if err := WriteKeyFile(filepath.Join(dir, "zero"), Key{}); err == nil {
		t.Error("wrote a zero key")
	}
}

func TestDeriveCAIsDeterministic(t *testing.T) {
	k, _ := GenerateKey()
	a, err := deriveCA(k)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := deriveCA(k)
	if !bytes.Equal(a.cert.Raw, b.cert.Raw) {
		t.Error("two derivations of the same key gave different CA certificates")
	}
	k2, _ := GenerateKey()
	c, _ := deriveCA(k2)
	if bytes.Equal(a.cert.RawSubjectPublicKeyInfo, c.cert.RawSubjectPublicKeyInfo) {
		t.Error("different keys gave the same CA key")
	}
}

// TestWriteKeyFileErrors: a failed write names the directory or the path
// given, never the temporary file it went through.
func TestWriteKeyFileErrors(t *testing.T) {
	k, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "nowhere")
	err = WriteKeyFile(filepath.Join(missing, "x.key"), k)
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "directory "+missing+" does not exist") ||
		strings.Contains(err.Error(), ".x.key.") {
		t.Errorf("missing directory: %v", err)
	}
	dir := t.TempDir()
	err = WriteKeyFile(dir, k)
	if err == nil || !strings.Contains(err.Error(), dir+" already exists") {
		t.Errorf("a directory as the path: %v", err)
	}
}
