package keys_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/aiex-dev/aiex/app/keys"
	"github.com/aiex-dev/aiex/app/usererr"
	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// rqlite's and Raft's package-level workers outlive any one store.
		goleak.IgnoreTopFunction("github.com/rqlite/rqlite/v8/internal/rsync.(*PollTrue).Run"),
	)
}

// A secret that appears nowhere else, so finding it anywhere is a leak.
const secret = "sk-test-9f8e7d6c5b4a39281706f5e4d3c2b1a0"

var clock = time.UnixMilli(1_700_000_000_000)

// newStore returns a Store for node on st with a key file in a fresh dir.
func newStore(t *testing.T, st keys.Storage, node string) *keys.Store {
	t.Helper()
	return newStoreAt(t, st, filepath.Join(t.TempDir(), "secret.key"), node)
}

func newStoreAt(t *testing.T, st keys.Storage, keyFile, node string) *keys.Store {
	t.Helper()
	s := keys.New(st, keyFile, node)
	s.Now = func() time.Time { return clock }
	return s
}

// noSecret fails if err's message, or its cause's, contains the secret.
func noSecret(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msgs := []string{err.Error()}
	if ue := usererr.As(err); ue != nil && ue.Err != nil {
		msgs = append(msgs, ue.Err.Error())
	}
	for _, m := range msgs {
		if strings.Contains(m, secret) || strings.Contains(m, secret[8:]) {
			t.Errorf("%s: error contains the secret: %q", what, m)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t)
	s := newStore(t, st, "n1")
	tests := []struct {
		name, in, want string
	}{
		{"plain", secret, secret},
		{"trailing newline", secret + "\n", secret},
		{"CRLF and spaces", "  " + secret + " \r\n", secret},
		{"inner space and unicode", "pass phrase ✓", "pass phrase ✓"},
		{"long", strings.Repeat("x", 10_000), strings.Repeat("x", 10_000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := s.Set(ctx, "openai", tt.in)
			if err != nil {
				t.Fatal(err)
			}
			want := keys.Entry{Provider: "openai", Fingerprint: keys.Fingerprint(tt.want), CreatedAt: clock}
			if diff := cmp.Diff(want, e); diff != "" {
				t.Errorf("Set entry (-want +got):\n%s", diff)
			}
			got, ok, err := s.Get(ctx, "openai")
			if err != nil || !ok || got != tt.want {
				t.Fatalf("Get = %q, %v, %v; want %q", got, ok, err, tt.want)
			}
		})
	}

	// A fresh Store on the same key file (the next process) reads it too.
	again := newStoreAt(t, st, s.KeyFile(), "n1")
	if got, ok, err := again.Get(ctx, "openai"); err != nil || !ok || got != strings.Repeat("x", 10_000) {
		t.Fatalf("Get from a fresh Store = %.20q…, %v, %v", got, ok, err)
	}

	if _, err := s.Set(ctx, "anthropic", secret); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantList := []keys.Entry{
		{Provider: "anthropic", Fingerprint: keys.Fingerprint(secret), CreatedAt: clock},
		{Provider: "openai", Fingerprint: keys.Fingerprint(strings.Repeat("x", 10_000)), CreatedAt: clock},
	}
	if diff := cmp.Diff(wantList, list); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}

	if err := s.Delete(ctx, "openai"); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := s.Get(ctx, "openai"); err != nil || ok || got != "" {
		t.Fatalf("Get after Delete = %q, %v, %v; want not found", got, ok, err)
	}
}

func TestFingerprint(t *testing.T) {
	// SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
	if got, want := keys.Fingerprint("abc"), "sha256:ba7816bf8f01"; got != want {
		t.Fatalf("Fingerprint(abc) = %s; want %s", got, want)
	}
}

func TestKeyFileIsCreatedLazily(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, dbtest.Open(t), "n1")
	absent := func(when string) {
		t.Helper()
		if _, err := os.Stat(s.KeyFile()); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%s: key file exists (err=%v); it should be created only when a key is stored", when, err)
		}
	}
	absent("after New")
	if _, err := s.List(ctx); err != nil {
		t.Fatal(err)
	}
	absent("after List")
	if _, ok, err := s.Get(ctx, "openai"); ok || err != nil {
		t.Fatalf("Get with nothing stored = %v, %v", ok, err)
	}
	absent("after Get of a missing key")
	if err := s.Delete(ctx, "openai"); !errors.Is(err, keys.ErrNotFound) {
		t.Fatalf("Delete with nothing stored = %v; want ErrNotFound", err)
	}
	absent("after Delete of a missing key")
	if _, err := s.Set(ctx, "", secret); err == nil {
		t.Fatal("Set with an invalid name succeeded")
	}
	absent("after a rejected Set")

	if _, err := s.Set(ctx, "openai", secret); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.KeyFile())
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("key file mode %04o; want 0600", perm)
	}
	b, _ := os.ReadFile(s.KeyFile())
	if !bytes.Contains(b, []byte("AGE-SECRET-KEY-1")) || !bytes.Contains(b, []byte("# public key: age1")) {
		t.Errorf("key file is not an age identity file:\n%s", b)
	}
	if bytes.Contains(b, []byte(secret)) {
		t.Error("key file contains the secret")
	}
	// No temporary files left beside it.
	entries, _ := os.ReadDir(filepath.Dir(s.KeyFile()))
	if len(entries) != 1 {
		t.Errorf("key dir holds %d entries; want only the key file", len(entries))
	}
}

func TestKeyFilePermissions(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t)
	// Store a key with a good key file, then widen its mode.
	first := newStore(t, st, "n1")
	if _, err := first.Set(ctx, "openai", secret); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		mode os.FileMode
		ok   bool
	}{
		{0o600, true},
		{0o400, true},
		{0o700, true},
		{0o640, false},
		{0o604, false},
		{0o644, false},
		{0o660, false},
		{0o666, false},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			if err := os.Chmod(first.KeyFile(), tt.mode); err != nil {
				t.Fatal(err)
			}
			s := newStoreAt(t, st, first.KeyFile(), "n1") // a fresh process
			got, _, err := s.Get(ctx, "openai")
			_, serr := newStoreAt(t, st, first.KeyFile(), "n1").Set(ctx, "other", secret)
			if tt.ok {
				if err != nil || got != secret || serr != nil {
					t.Fatalf("mode %04o: Get = %v, Set = %v; want success", tt.mode, err, serr)
				}
				return
			}
			for _, err := range []error{err, serr} {
				if !errors.Is(err, keys.ErrKeyFile) {
					t.Fatalf("mode %04o: err %v; want ErrKeyFile", tt.mode, err)
				}
				if want := "chmod 600 " + first.KeyFile(); !strings.Contains(err.Error(), want) {
					t.Errorf("mode %04o: error %q does not say %q", tt.mode, err, want)
				}
				noSecret(t, "permissions", err)
			}
		})
	}
}

func TestUndecryptable(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t)
	s := newStore(t, st, "n1")
	if _, err := s.Set(ctx, "openai", secret); err != nil {
		t.Fatal(err)
	}
	stored, _, _ := st.Key(ctx, "n1", "openai")

	tests := []struct {
		name     string
		provider string
		setup    func(t *testing.T) *keys.Store // the Store that tries to read
		want     []string
	}{
		{
			"another key file", "openai",
			func(t *testing.T) *keys.Store {
				// A key file made elsewhere (Set refuses to make one
				// while st holds keys for a missing one).
				other := newStore(t, dbtest.Open(t), "n1")
				if _, err := other.Set(ctx, "unrelated", "x"); err != nil { // creates its key file
					t.Fatal(err)
				}
				return newStoreAt(t, st, other.KeyFile(), "n1")
			},
			[]string{"openai", "cannot be decrypted", "different key file", "aiex keys set openai"},
		},
		{
			"missing key file", "openai",
			func(t *testing.T) *keys.Store { return newStore(t, st, "n1") },
			[]string{"openai", "cannot be decrypted", "missing", "aiex keys set openai"},
		},
		{
			"damaged ciphertext", "damaged",
			func(t *testing.T) *keys.Store {
				k := stored
				k.Provider = "damaged"
				k.Ciphertext = append([]byte(nil), stored.Ciphertext...)
				k.Ciphertext[len(k.Ciphertext)-1] ^= 1
				if err := st.PutKey(ctx, &k); err != nil {
					t.Fatal(err)
				}
				return newStoreAt(t, st, s.KeyFile(), "n1")
			},
			[]string{"damaged", "cannot be decrypted", "ciphertext is damaged"},
		},
		{
			"fingerprint mismatch", "mismatch",
			func(t *testing.T) *keys.Store {
				k := stored
				k.Provider = "mismatch"
				k.Fingerprint = "sha256:000000000000"
				if err := st.PutKey(ctx, &k); err != nil {
					t.Fatal(err)
				}
				return newStoreAt(t, st, s.KeyFile(), "n1")
			},
			[]string{"mismatch", "fingerprint"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := tt.setup(t).Get(ctx, tt.provider)
			if !errors.Is(err, keys.ErrUndecryptable) || ok || got != "" {
				t.Fatalf("Get = %q, %v, %v; want ErrUndecryptable", got, ok, err)
			}
			if usererr.As(err) == nil {
				t.Errorf("error %v is not a user error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			noSecret(t, tt.name, err)
		})
	}
}

func TestValidation(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, dbtest.Open(t), "n1")
	tests := []struct {
		name, provider, secret string
		want                   string // "" means valid
	}{
		{"ok", "openai", secret, ""},
		{"ok name chars", "My_Provider-2", secret, ""},
		{"empty name", "", secret, "invalid provider name"},
		{"space in name", "open ai", secret, "invalid provider name"},
		{"slash in name", "a/b", secret, "invalid provider name"},
		{"dot in name", "a.b", secret, "invalid provider name"},
		{"non-ASCII name", "ключ", secret, "invalid provider name"},
		{"long name", strings.Repeat("a", 65), secret, "invalid provider name"},
		{"secret as name", secret + "!", secret, "invalid provider name"},
		{"empty secret", "openai", "", "empty"},
		{"blank secret", "openai", " \t\r\n", "empty"},
		{"two lines", "openai", secret + "\n" + secret, "line break"},
		{"CR inside", "openai", secret + "\r" + secret, "line break"},
		{"NUL inside", "openai", secret + "\x00x", "control character"},
		{"tab inside", "openai", secret + "\tx", "control character"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Set(ctx, tt.provider, tt.secret)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Set: %v", err)
				}
				return
			}
			if !errors.Is(err, keys.ErrInvalid) {
				t.Fatalf("Set = %v; want ErrInvalid", err)
			}
			if ue := usererr.As(err); ue == nil || ue.ExitCode() != usererr.ExitUsage {
				t.Errorf("Set error %v is not a usage error", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Set error %q does not mention %q", err, tt.want)
			}
			noSecret(t, "Set", err)
			if tt.provider == "" || tt.provider == "openai" {
				return
			}
			// The other operations check names the same way.
			_, _, gerr := s.Get(ctx, tt.provider)
			derr := s.Delete(ctx, tt.provider)
			for _, err := range []error{gerr, derr} {
				if !errors.Is(err, keys.ErrInvalid) {
					t.Errorf("Get/Delete(%q) = %v; want ErrInvalid", tt.provider, err)
				}
				noSecret(t, "Get/Delete", err)
			}
		})
	}
}

// TestSecretNeverStored reads back every column of every row the Store wrote:
// the secret must not appear in any, only its ciphertext.
func TestSecretNeverStored(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t)
	s := newStore(t, st, "n1")
	for _, p := range []string{"openai", "anthropic"} {
		if _, err := s.Set(ctx, p, secret+"\n"); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := st.Query(ctx, `SELECT * FROM keys`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Values) != 2 {
		t.Fatalf("%d rows; want 2", len(rows.Values))
	}
	for _, r := range rows.Values {
		for i, v := range r {
			var b []byte
			switch x := v.(type) {
			case string:
				b = []byte(x)
			case []byte:
				b = x
			}
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("column %s holds the secret", rows.Columns[i])
			}
			if rows.Columns[i] == "ciphertext" && !bytes.HasPrefix(b, []byte("age-encryption.org/v1\n")) {
				t.Errorf("ciphertext is not an age file: %.30q", b)
			}
		}
	}
	// Two encryptions of one secret differ (fresh file keys).
	a, _, _ := st.Key(ctx, "n1", "openai")
	b, _, _ := st.Key(ctx, "n1", "anthropic")
	if bytes.Equal(a.Ciphertext, b.Ciphertext) {
		t.Error("two encryptions of one secret are equal")
	}
}

func TestDeleteUnknownNamesStored(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, dbtest.Open(t), "n1")
	err := s.Delete(ctx, "openai")
	if !errors.Is(err, keys.ErrNotFound) || !strings.Contains(err.Error(), "no keys are stored") {
		t.Fatalf("Delete with none stored = %v", err)
	}
	for _, p := range []string{"openai", "anthropic"} {
		if _, err := s.Set(ctx, p, secret); err != nil {
			t.Fatal(err)
		}
	}
	err = s.Delete(ctx, "mistral")
	if !errors.Is(err, keys.ErrNotFound) {
		t.Fatalf("Delete(mistral) = %v; want ErrNotFound", err)
	}
	if ue := usererr.As(err); ue == nil || ue.ExitCode() != usererr.ExitFailure {
		t.Fatalf("Delete(mistral) = %v; want a user error with exit 1", err)
	}
	if want := "no key stored for mistral; stored: anthropic, openai"; err.Error() != want {
		t.Errorf("Delete(mistral) = %q; want %q", err, want)
	}
}

// TestKeysArePerNode: nodes sharing a store see and read only their own keys.
func TestKeysArePerNode(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t)
	n1, n2 := newStore(t, st, "n1"), newStore(t, st, "n2")
	if _, err := n1.Set(ctx, "openai", secret); err != nil {
		t.Fatal(err)
	}
	if _, err := n2.Set(ctx, "openai", "n2-secret"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		s    *keys.Store
		want string
	}{{n1, secret}, {n2, "n2-secret"}} {
		got, ok, err := tt.s.Get(ctx, "openai")
		if err != nil || !ok || got != tt.want {
			t.Errorf("Get = %v, %v; want this node's key", ok, err)
		}
		list, _ := tt.s.List(ctx)
		if len(list) != 1 || list[0].Fingerprint != keys.Fingerprint(tt.want) {
			t.Errorf("List = %+v; want this node's key only", list)
		}
	}
	if err := n2.Delete(ctx, "openai"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := n1.Get(ctx, "openai"); !ok {
		t.Error("n2's Delete removed n1's key")
	}
}

// TestConcurrentFirstUse: processes creating the key file at once end up
// with one identity, so every key stored is readable afterwards.
func TestConcurrentFirstUse(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t)
	keyFile := filepath.Join(t.TempDir(), "secret.key")
	providers := []string{"p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7"}
	var wg sync.WaitGroup
	errs := make([]error, len(providers))
	for i, p := range providers {
		s := newStoreAt(t, st, keyFile, "n1")
		wg.Go(func() { _, errs[i] = s.Set(ctx, p, secret+p) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	r := newStoreAt(t, st, keyFile, "n1")
	for _, p := range providers {
		if got, ok, err := r.Get(ctx, p); err != nil || !ok || got != secret+p {
			t.Errorf("Get(%s) = %v, %v; want the key stored", p, ok, err)
		}
	}
}

// failing fails every call, to check that storage errors are wrapped
// and carry no secret.
type failing struct{}

var errDown = errors.New("storage down")

func (failing) PutKey(context.Context, *db.Key) error { return errDown }
func (failing) Key(context.Context, string, string) (db.Key, bool, error) {
	return db.Key{}, false, errDown
}
func (failing) Keys(context.Context, string) ([]db.Key, error)          { return nil, errDown }
func (failing) DeleteKey(context.Context, string, string) (bool, error) { return false, errDown }

func TestStorageErrors(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, failing{}, "n1")
	_, serr := s.Set(ctx, "openai", secret)
	_, _, gerr := s.Get(ctx, "openai")
	_, lerr := s.List(ctx)
	derr := s.Delete(ctx, "openai")
	for i, err := range []error{serr, gerr, lerr, derr} {
		if !errors.Is(err, errDown) {
			t.Errorf("call %d: %v; want the storage error wrapped", i, err)
		}
		noSecret(t, "storage error", err)
	}
}

// TestSetKeepsMissingKeyFile: while keys encrypted for a key file that is
// missing are stored, Set does not make a new key file (a new identity,
// for which those keys could never be read, even once the file is
// restored); it says what to do. Storing again the one key that was lost
// is allowed, and so is any key once the others are removed.
func TestSetKeepsMissingKeyFile(t *testing.T) {
	ctx := context.Background()
	st := dbtest.Open(t)
	s := newStore(t, st, "n1")
	for _, p := range []string{"lms", "openai"} {
		if _, err := s.Set(ctx, p, secret); err != nil {
			t.Fatal(err)
		}
	}
	lost := newStore(t, st, "n1") // same rows, its key file missing

	_, err := lost.Set(ctx, "anthropic", "sk-ant-new")
	if !errors.Is(err, keys.ErrKeyFile) || usererr.As(err) == nil {
		t.Fatalf("Set = %v; want a user error wrapping ErrKeyFile", err)
	}
	for _, w := range []string{lost.KeyFile(), "is missing", "lms, openai", "aiex keys rm lms openai", "backup"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
	if _, err := os.Stat(lost.KeyFile()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("key file created: %v", err)
	}
	if _, ok, _ := st.Key(ctx, "n1", "anthropic"); ok {
		t.Error("the key was stored")
	}
	// The original file still reads both keys.
	for _, p := range []string{"lms", "openai"} {
		if got, ok, err := s.Get(ctx, p); err != nil || !ok || got != secret {
			t.Errorf("Get(%s) with the original key file = %v, %v", p, ok, err)
		}
	}

	if err := lost.Delete(ctx, "lms"); err != nil {
		t.Fatal(err)
	}
	if _, err := lost.Set(ctx, "openai", "sk-new"); err != nil {
		t.Fatalf("Set of the one key left: %v", err)
	}
	if got, ok, err := lost.Get(ctx, "openai"); err != nil || !ok || got != "sk-new" {
		t.Errorf("Get = %q, %v, %v", got, ok, err)
	}
}
