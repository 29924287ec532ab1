package db_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aiex-dev/aiex/db"
	"github.com/aiex-dev/aiex/db/dbtest"
)

func TestKeys(t *testing.T) {
	ctx := context.Background()
	s := dbtest.Open(t)
	at := time.UnixMilli(1_700_000_000_123)
	// Ciphertext is binary: NUL, invalid UTF-8 and high bytes must survive.
	bin := []byte{0, 1, 0xff, 0xfe, '\n', 'a', 0}
	put := []db.Key{
		{Node: "n1", Provider: "openai", Fingerprint: "sha256:aaaaaaaaaaaa", Ciphertext: bin, CreatedAt: at},
		{Node: "n1", Provider: "anthropic", Fingerprint: "sha256:bbbbbbbbbbbb", Ciphertext: []byte("ct-b"), CreatedAt: at},
		{Node: "n2", Provider: "openai", Fingerprint: "sha256:cccccccccccc", Ciphertext: []byte("ct-c"), CreatedAt: at},
	}
	for i := range put {
		if err := s.PutKey(ctx, &put[i]); err != nil {
			t.Fatalf("PutKey %+v: %v", put[i], err)
		}
	}

	got, ok, err := s.Key(ctx, "n1", "openai")
	if err != nil || !ok {
		t.Fatalf("Key(n1, openai) = ok %v, err %v", ok, err)
	}
	if diff := cmp.Diff(put[0], got); diff != "" {
		t.Errorf("Key(n1, openai) (-put +got):\n%s", diff)
	}

	tests := []struct {
		node string
		want []db.Key
	}{
		{"n1", []db.Key{put[1], put[0]}}, // by provider name
		{"n2", []db.Key{put[2]}},
		{"n3", []db.Key{}},
	}
	for _, tt := range tests {
		got, err := s.Keys(ctx, tt.node)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Keys(%s) (-want +got):\n%s", tt.node, diff)
		}
	}

	// Putting again replaces the node's key for that provider only.
	again := db.Key{Node: "n1", Provider: "openai", Fingerprint: "sha256:dddddddddddd", Ciphertext: []byte("ct-d"), CreatedAt: at.Add(time.Hour)}
	if err := s.PutKey(ctx, &again); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.Key(ctx, "n1", "openai"); !bytes.Equal(got.Ciphertext, again.Ciphertext) || got.Fingerprint != again.Fingerprint || !got.CreatedAt.Equal(again.CreatedAt) {
		t.Errorf("after a second PutKey: %+v; want %+v", got, again)
	}
	if got, _, _ := s.Key(ctx, "n2", "openai"); got.Fingerprint != put[2].Fingerprint {
		t.Errorf("PutKey for n1 changed n2's key: %+v", got)
	}

	// Delete reports whether there was a key, and only touches that row.
	for _, tt := range []struct {
		node, provider string
		want           bool
	}{
		{"n1", "openai", true},
		{"n1", "openai", false},
		{"n3", "openai", false},
	} {
		if del, err := s.DeleteKey(ctx, tt.node, tt.provider); err != nil || del != tt.want {
			t.Errorf("DeleteKey(%s, %s) = %v, %v; want %v", tt.node, tt.provider, del, err, tt.want)
		}
	}
	if _, ok, _ := s.Key(ctx, "n1", "openai"); ok {
		t.Error("Key found after DeleteKey")
	}
	if _, ok, _ := s.Key(ctx, "n2", "openai"); !ok {
		t.Error("DeleteKey for n1 deleted n2's key")
	}
}
