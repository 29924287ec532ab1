package main

// Tests of aiex keys as users run it: keys go in on stdin, come out only as
// fingerprints, and never reach the disk in plaintext.

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aiex-dev/aiex/providers/providertest"
)

type keyEntry struct {
	Provider    string `json:"provider"`
	Fingerprint string `json:"fingerprint"`
	CreatedAt   string `json:"created_at"`
}

// newSecret returns a key no other test or file contains.
func newSecret(t *testing.T) string {
	t.Helper()
	b := make([]byte, 24)
	rand.Read(b)
	return "sk-test-" + hex.EncodeToString(b)
}

func fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "sha256:" + hex.EncodeToString(sum[:])[:12]
}

// filesHolding returns the files under dir that contain b.
func filesHolding(t *testing.T, dir string, b []byte) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil && bytes.Contains(data, b) {
			out = append(out, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (s *sandbox) keyList() []keyEntry {
	s.t.Helper()
	r := s.mustRun("keys", "list", "--json")
	var list []keyEntry
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		s.t.Fatalf("keys list --json: %v\n%s", err, r.stdout)
	}
	return list
}

func TestKeys(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	openai, anthropic := newSecret(t), newSecret(t)
	var printed strings.Builder // everything aiex wrote
	run := func(stdin string, args ...string) result {
		t.Helper()
		r := s.run(stdin, args...)
		printed.WriteString(r.stdout + r.stderr)
		return r
	}

	// Set, with the key piped on stdin.
	r := run(openai+"\n", "keys", "set", "openai")
	if r.code != 0 {
		t.Fatalf("keys set: exit %d: %s", r.code, r.stderr)
	}
	if want := "stored key for openai (" + fingerprint(openai) + ")\n"; r.stdout != want {
		t.Fatalf("keys set printed %q; want %q", r.stdout, want)
	}
	r = run(anthropic, "--json", "keys", "set", "anthropic")
	var e keyEntry
	if err := json.Unmarshal([]byte(r.stdout), &e); err != nil || r.code != 0 {
		t.Fatalf("keys set --json: exit %d, %v: %q", r.code, err, r.stdout)
	}
	if e.Provider != "anthropic" || e.Fingerprint != fingerprint(anthropic) || e.CreatedAt == "" {
		t.Fatalf("keys set --json = %+v", e)
	}

	// The key file was created private.
	fi, err := os.Stat(filepath.Join(s.dataDir(), "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("secret.key mode %04o; want 0600", perm)
	}

	// List shows fingerprints, not keys.
	table := run("", "keys", "list").stdout
	for _, w := range []string{"PROVIDER", "FINGERPRINT", "CREATED", "openai", fingerprint(openai), "anthropic", fingerprint(anthropic)} {
		if !strings.Contains(table, w) {
			t.Errorf("keys list does not show %q:\n%s", w, table)
		}
	}
	list := s.keyList()
	if len(list) != 2 || list[0].Provider != "anthropic" || list[1].Provider != "openai" ||
		list[1].Fingerprint != fingerprint(openai) || list[1].CreatedAt == "" {
		t.Fatalf("keys list --json = %+v", list)
	}

	// Unknown provider: exit 1, naming the stored ones.
	r = run("", "keys", "rm", "mistral")
	if r.code != 1 {
		t.Fatalf("keys rm mistral: exit %d; want 1", r.code)
	}
	oneLine(t, r.stderr, "no key stored for mistral", "anthropic, openai")

	// rm deletes.
	if r := run("", "keys", "rm", "openai"); r.code != 0 || r.stdout != "removed key for openai\n" {
		t.Fatalf("keys rm openai: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if list := s.keyList(); len(list) != 1 || list[0].Provider != "anthropic" {
		t.Fatalf("after rm: %+v", list)
	}

	// Nothing aiex printed, and no file in the data dir — the SQLite
	// database, the Raft log, snapshots — holds a key in plaintext, the
	// deleted one included.
	for _, secret := range []string{openai, anthropic} {
		if strings.Contains(printed.String(), secret) {
			t.Errorf("aiex printed a key")
		}
	}
	for _, secret := range []string{openai, anthropic} {
		if files := filesHolding(t, s.dataDir(), []byte(secret)); len(files) > 0 {
			t.Errorf("files hold a key in plaintext: %s", files)
		}
	}
	// The check can see into those files: the fingerprint, written beside
	// the ciphertext, is found in the Raft log.
	files := filesHolding(t, s.dataDir(), []byte(fingerprint(anthropic)))
	if !slices.Contains(files, filepath.Join(s.dataDir(), "store", "raft.db")) {
		t.Errorf("fingerprint not found in the Raft log (found in %v): the plaintext check cannot see into the store's files", files)
	}
}

func TestKeysUsageErrors(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	tests := []struct {
		name  string
		stdin string // "" is /dev/null
		args  []string
		code  int
		want  []string
	}{
		{"empty stdin", "", []string{"keys", "set", "openai"}, 2, []string{"no API key given for openai", "stdin"}},
		{"blank line", " \n", []string{"keys", "set", "openai"}, 2, []string{"no API key given for openai"}},
		{"bad provider name", "sk-x\n", []string{"keys", "set", "open/ai"}, 2, []string{"invalid provider name"}},
		{"no provider", "sk-x\n", []string{"keys", "set"}, 2, []string{"<provider>"}},
		{"rm bad name", "", []string{"keys", "rm", "a b"}, 2, []string{"invalid provider name"}},
		{"rm with nothing stored", "", []string{"keys", "rm", "openai"}, 1, []string{"no key stored for openai", "no keys are stored"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.run(tt.stdin, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d; want %d (stderr %q)", r.code, tt.code, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr %q does not mention %q", r.stderr, w)
				}
			}
		})
	}
	if list := s.keyList(); len(list) != 0 {
		t.Fatalf("failed commands stored keys: %+v", list)
	}
}

// TestKeysKeyFile: a key file others can read is refused, with the fix.
func TestKeysKeyFile(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	secret := newSecret(t)
	if r := s.run(secret, "keys", "set", "openai"); r.code != 0 {
		t.Fatalf("keys set: exit %d: %s", r.code, r.stderr)
	}
	// A provider of the config's, whose key is stored too.
	s.writeConfig("provider = \"gw\"\n[providers.gw]\nkind = \"openai-compatible\"\nbase_url = \"http://127.0.0.1:1/v1\"\nmodel = \"coder\"\n")
	if r := s.run(newSecret(t), "keys", "set", "gw"); r.code != 0 {
		t.Fatalf("keys set gw: exit %d: %s", r.code, r.stderr)
	}
	keyFile := filepath.Join(s.dataDir(), "secret.key")
	if err := os.Chmod(keyFile, 0o644); err != nil {
		t.Fatal(err)
	}
	r := s.run(newSecret(t), "keys", "set", "gw")
	if r.code != 1 {
		t.Fatalf("keys set with a 0644 key file: exit %d; want 1", r.code)
	}
	oneLine(t, r.stderr, keyFile, "chmod 600 "+keyFile)
	// A question for the config's provider, whose key cannot be read,
	// says so once, not again as what the route also tried.
	r = s.run("", "ask", "hi")
	if r.code != 1 || strings.Count(r.stderr, "accessible to other users") != 1 {
		t.Errorf("ask with a 0644 key file: exit %d, stderr %q; want exit 1 and the refusal said once", r.code, r.stderr)
	}
	oneLine(t, r.stderr, keyFile, "chmod 600 "+keyFile)

	// Listing needs no key file.
	if list := s.keyList(); len(list) != 2 || list[1].Fingerprint != fingerprint(secret) {
		t.Fatalf("keys list = %+v", list)
	}
}

// TestKeysSetRefusesKeyOnCommandLine: a key given as an argument is refused
// without being echoed back.
func TestKeysSetRefusesKeyOnCommandLine(t *testing.T) {
	s := newSandbox(t, providertest.Unreachable(t))
	r := s.run("", "keys", "set", "openai", "sk-do-not-echo-0123456789")
	if r.code != 2 {
		t.Fatalf("exit %d; want 2", r.code)
	}
	if strings.Contains(r.stderr+r.stdout, "sk-do-not-echo") {
		t.Fatalf("the key was echoed: %q", r.stderr)
	}
	oneLine(t, r.stderr, "never from the command line")
}
